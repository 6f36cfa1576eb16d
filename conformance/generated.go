package conformance

import "strings"

var (
	hex64 = strings.Repeat("0123456789abcdef", 4)
	// longLabel is a 63-character host label, the DNS maximum, which the
	// reference grammar does not limit.
	longLabel = strings.Repeat("a", 63)
)

// generatedHosts are registry hosts, with and without ports; "" means no
// host. The grammar reads a first component as a host only when a "/"
// follows it, so "my_registry.local" is read as a path component.
var generatedHosts = []string{
	"",
	"registry.example.com",
	"registry.example.com:5000",
	"registry.example.com:443",
	"sub.registry.example.com:8080",
	"Registry.Example.COM",
	"REGISTRY.EXAMPLE.COM:5000",
	"localhost",
	"localhost:5000",
	"LOCALHOST:5000",
	"127.0.0.1",
	"127.0.0.1:5000",
	"[::1]",
	"[::1]:5000",
	"[2001:db8::1]:443",
	"[2001:DB8::1]",
	"docker.io",
	"index.docker.io",
	"gcr.io",
	"my-registry.local",
	"my_registry.local",
	"xn--bcher-kva.example",
	"-registry.example.com",
	"registry-.example.com",
	"registry.example.com:",
	"registry.example.com:port",
	"registry.example.com:50a0",
	longLabel + "." + longLabel + ".example",
}

// generatedPaths are repository paths: nested groups, separators,
// uppercase, and paths the grammar rejects.
var generatedPaths = []string{
	"img",
	"ns/img",
	"group/subgroup/img",
	"a/b/c/d/e/f/g",
	"library/postgres",
	"my_img",
	"my__img",
	"my___img",
	"my-img",
	"my--img",
	"my.img",
	"my..img",
	"my._img",
	"MyImg",
	"ns/MyImg",
	"NS/img",
	"ns//img",
	"ns/img/",
	"/img",
	"-img",
	"img-",
	"_img",
	"ns/-img",
	"ns/_img",
	hex64,
	strings.Repeat("a", 255),
	strings.Repeat("ns/", 60) + "img",
	"img:5000/x",
}

// generatedReferences are tags and digests appended to host and path: tag
// lengths around the 128-character limit, digests of several algorithms
// and lengths, uppercase hexadecimal, and tags and digests the grammar
// rejects.
var generatedReferences = []string{
	"",
	":tag",
	":1.2.3",
	":v1_0-rc.1",
	":Latest",
	":5000",
	":",
	":-bad",
	":.bad",
	":_ok",
	":" + strings.Repeat("t", 127),
	":" + strings.Repeat("t", 128),
	":" + strings.Repeat("t", 129),
	":1:2",
	":tag/x",
	"@sha256:" + hex64,
	"@sha256:" + strings.ToUpper(hex64),
	"@sha256:" + hex64[:63],
	"@sha256:" + hex64 + "0",
	"@sha256:" + hex64[:32],
	"@sha256:" + hex64[:31],
	"@sha256:" + strings.Repeat("g", 64),
	"@sha512:" + hex64 + hex64,
	"@sha512:" + hex64,
	"@sha384:" + hex64 + hex64[:32],
	"@md5:" + hex64[:32],
	"@unknown:" + hex64,
	"@sha256+b64u:" + hex64,
	"@foo.bar_baz-qux:" + hex64,
	"@SHA256:" + hex64,
	"@sha256:",
	"@:" + hex64,
	"@" + hex64,
	":tag@sha256:" + hex64,
	":tag@sha512:" + hex64 + hex64,
	":tag@sha256:" + hex64[:40],
	"@sha256:" + hex64 + "@sha256:" + hex64,
}

// generatedSingles are names that do not follow the host, path, tag and
// digest pattern: empty and blank strings, white space, control and
// non-ASCII characters, lone separators, and an over-long name.
var generatedSingles = []string{
	"",
	" ",
	"img ",
	" img",
	"img\n",
	"img\t",
	"img\x00",
	"ïmg",
	"img:tåg",
	"a",
	"0",
	":",
	"@",
	"/",
	"//",
	".",
	"..",
	"a.b",
	"localhost:5000",
	"localhost:5000:tag",
	"host:5000/ns/img:5000",
	"docker:dind",
	"docker:27-dind",
	"postgres:16@sha256:" + hex64,
	"mysql/mysql-server:8.0",
	"registry.gitlab.com/gitlab-org/gitlab-build-images:ruby-3.3",
	"$CI_REGISTRY_IMAGE:latest",
	"${IMAGE}",
	strings.Repeat("a", 4096),
	strings.Repeat("a.", 200) + "com/img",
}

// GeneratedNames returns every concatenation of a generated host, path and
// tag or digest, with "/" between a non-empty host and the path, followed
// by the single names. The list is the same on every call.
func GeneratedNames() []string {
	names := make([]string, 0, len(generatedHosts)*len(generatedPaths)*len(generatedReferences)+len(generatedSingles))
	for _, host := range generatedHosts {
		for _, path := range generatedPaths {
			repository := path
			if host != "" {
				repository = host + "/" + path
			}
			for _, reference := range generatedReferences {
				names = append(names, repository+reference)
			}
		}
	}
	return append(names, generatedSingles...)
}
