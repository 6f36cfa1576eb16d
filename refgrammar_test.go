package ciimage

import (
	"strings"
	"testing"

	"github.com/distribution/reference"
	"github.com/stretchr/testify/assert"
)

// referenceGrammarInputs are strings at the edges of each production of
// the reference grammar, accepted and rejected.
var referenceGrammarInputs = []string{
	// Path components and separators.
	"a", "img", "ns/img", "a/b/c/d", "a.b", "a_b", "a__b", "a___b", "a-b", "a---b",
	"a._b", "a_.b", "a-.b", "a.-b", "a..b", "a.", "a_", "a-", ".a", "_a", "-a",
	"A", "nS/img", "ns/Img", "ns//img", "/img", "img/", "",
	" ", "a b", "a\nb", "ä", "a\xff", "\xff",
	// Domains, ports and IPv6 addresses.
	"localhost/img", "localhost:5000/img", "localhost:5000", "localhost:/img", "localhost:5x/img",
	"Registry.Example.COM/ns/img", "registry.example.com:5000/group/sub/img:1.2",
	"a-b.c/img", "-a.c/img", "a-.c/img", "a..c/img", ".a/img", "a./img", "1.2.3.4:80/img",
	"[::1]/img", "[::1]:5000/img", "[2001:db8::ff]/img", "[]/img", "[::g]/img", "[::1/img",
	"[::1]x/img", "[::1]:/img", "[::1]:5000", "[[::1]]/img",
	"host:5000:6000/img", "host:5000/img:tag:tag", "host_name/img", "a:1:2",
	// Tags.
	"img:1", "img:_", "img:.", "img:-", "img:a.b-c_d", "img:", "img:a@", "img:a b",
	"img:" + strings.Repeat("t", 127), "img:" + strings.Repeat("t", 128), "img:" + strings.Repeat("t", 129),
	"ns/img:v1/x", "host:5000/ns/img:tag",
	// Digests.
	"img@sha256:" + strings.Repeat("a", 64), "img@sha256:" + strings.Repeat("A", 64),
	"img@sha256:" + strings.Repeat("a", 31), "img@sha256:" + strings.Repeat("a", 32),
	"img@sha512:" + strings.Repeat("f", 128), "img@md5:" + strings.Repeat("0", 32),
	"img@multihash+base58:" + strings.Repeat("0", 32), "img@a.b_c-d+e:" + strings.Repeat("0", 32),
	"img@1sha:" + strings.Repeat("0", 32), "img@sha--256:" + strings.Repeat("0", 32),
	"img@sha256-:" + strings.Repeat("0", 32), "img@:" + strings.Repeat("0", 32),
	"img@sha256:" + strings.Repeat("g", 32), "img@sha256", "img@", "@sha256:" + strings.Repeat("0", 32),
	"img:1@sha256:" + strings.Repeat("a", 64), "img:1@sha256:" + strings.Repeat("a", 64) + "@x",
	"host:5000/ns/img:1.2@sha256:" + strings.Repeat("a", 64), "img@@sha256:" + strings.Repeat("a", 32),
	"img@sha256:" + strings.Repeat("a", 32) + ":" + strings.Repeat("a", 32),
}

// referenceSubmatches returns ReferenceRegexp's capture groups for s in
// the form matchReference returns them.
func referenceSubmatches(s string) (name, tag, digest string, ok bool) {
	match := reference.ReferenceRegexp.FindStringSubmatch(s)
	if match == nil {
		return "", "", "", false
	}
	return match[1], match[2], match[3], true
}

func assertSameAsReferenceRegexp(t *testing.T, s string) {
	t.Helper()
	wantName, wantTag, wantDigest, wantOK := referenceSubmatches(s)
	name, tag, digest, ok := matchReference(s)

	assert.Equal(t, wantOK, ok, "matchReference(%q) ok", s)
	assert.Equal(t, wantName, name, "matchReference(%q) name", s)
	assert.Equal(t, wantTag, tag, "matchReference(%q) tag", s)
	assert.Equal(t, wantDigest, digest, "matchReference(%q) digest", s)
}

func TestMatchReferenceSameAsRegexp(t *testing.T) {
	for _, input := range referenceGrammarInputs {
		assertSameAsReferenceRegexp(t, input)
	}
	for _, tc := range imageNameCases {
		assertSameAsReferenceRegexp(t, tc.input)
	}
}

func TestMatchReferenceCaptures(t *testing.T) {
	digest := "sha256:" + strings.Repeat("a", 64)
	tests := []struct {
		input                string
		name, tag, digestOut string
		ok                   bool
	}{
		{"img", "img", "", "", true},
		{"img:1", "img", "1", "", true},
		{"host:5000/ns/img:1.2@" + digest, "host:5000/ns/img", "1.2", digest, true},
		{"[::1]:5000/img@" + digest, "[::1]:5000/img", "", digest, true},
		{"Host/img", "Host/img", "", "", true},
		{"host/Img", "", "", "", false},
		{"img:", "", "", "", false},
	}

	for _, tc := range tests {
		name, tag, digestOut, ok := matchReference(tc.input)
		assert.Equal(t, tc.ok, ok, "matchReference(%q) ok", tc.input)
		assert.Equal(t, tc.name, name, "matchReference(%q) name", tc.input)
		assert.Equal(t, tc.tag, tag, "matchReference(%q) tag", tc.input)
		assert.Equal(t, tc.digestOut, digestOut, "matchReference(%q) digest", tc.input)
	}
}

func TestMatchReferenceAllocations(t *testing.T) {
	for _, input := range referenceGrammarInputs {
		allocations := testing.AllocsPerRun(10, func() { matchReference(input) })
		assert.Zero(t, allocations, "matchReference(%q) allocations", input)
	}
}

func FuzzReferenceGrammar(f *testing.F) {
	for _, input := range referenceGrammarInputs {
		f.Add(input)
	}
	for _, tc := range imageNameCases {
		f.Add(tc.input)
	}

	f.Fuzz(func(t *testing.T, s string) {
		assertSameAsReferenceRegexp(t, s)
	})
}

func BenchmarkMatchReference(b *testing.B) {
	names := []string{
		"postgres:16",
		"registry.example.com:5000/group/sub/img:1.2",
		"img@sha256:" + strings.Repeat("a", 64),
		"Invalid/Name",
	}
	for _, name := range names {
		b.Run("hand-written/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				matchReference(name)
			}
		})
		b.Run("regexp/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				reference.ReferenceRegexp.MatchString(name)
			}
		})
	}
}
