package ciimage

import (
	// The blank imports register the sha256 and sha512 hash functions, so
	// that go-digest validates digests of these algorithms instead of
	// rejecting them as unsupported, the way the Docker client does.
	_ "crypto/sha256"
	_ "crypto/sha512"
	"fmt"
	"strings"
	"unsafe"

	"github.com/distribution/reference"
)

// latestTag is the tag the runner and Docker use for a name without one.
const latestTag = "latest"

// sha256DigestPrefix starts the only digest form the runner keeps for a
// service without a tag.
const sha256DigestPrefix = "sha256:"

// sha256DigestLength is the number of characters the runner requires after
// sha256DigestPrefix to keep the digest.
const sha256DigestLength = 64

// ImageName is the set of values GitLab Runner's Docker executor derives
// from a service image name in its SplitNameAndVersion function.
type ImageName struct {
	// Input is the name as given, after variable expansion.
	Input string
	// Valid reports whether Input matches the reference grammar of
	// github.com/distribution/reference (ReferenceRegexp, anchored at both
	// ends). When it is false, Service is "", Version is "latest", Pulled
	// is Input and Aliases is nil.
	Valid bool
	// Service is the host without its port followed by the path, such as
	// registry.example.com/ns/img for registry.example.com:5000/ns/img:1.
	Service string
	// Version is the tag. Without a tag it is "@sha256:" and the digest when
	// the name ends in a sha256 digest of exactly 64 characters, and
	// "latest" otherwise.
	Version string
	// Pulled is the reference the runner pulls for a service: Input when it
	// has a tag or a 64-character sha256 digest, else the name without any
	// digest followed by ":latest". The build image is pulled differently
	// (see ImageNameDiagnostics).
	Pulled string
	// DigestDropped reports that Input has a digest that the runner drops
	// for a service, pulling ":latest" instead: a digest of an algorithm
	// other than sha256, or a sha256 digest whose length is not 64, on a
	// name without a tag.
	DigestDropped bool
	// Aliases are the default aliases: Service with every "/" replaced by
	// "__", then Service with every "/" replaced by "-" when that differs.
	// Case, "." and "_" are kept.
	Aliases []string
}

// referenceParts are the pieces of a name that matches the reference
// grammar.
type referenceParts struct {
	// repository is the name without tag and digest, with its port.
	repository string
	tag        string
	// digest is the digest without its leading "@".
	digest string
	// host is repository up to the port or the first "/", and path is the
	// rest of repository after the port.
	host string
	path string
}

// ParseImageName returns what the runner derives from a service image name.
// For a name the reference grammar rejects (uppercase in a path component,
// a:1:2, a tag over 128 characters, -bad, ns//img, "") it returns Valid
// false and no aliases, as the runner does.
func ParseImageName(name string) ImageName {
	result := ImageName{Input: name, Version: latestTag, Pulled: name}
	parts, ok := splitReference(name)
	if !ok {
		return result
	}

	result.Valid = true
	result.Service = parts.host + parts.path

	switch {
	case parts.tag != "":
		result.Version = parts.tag
	case isKeptDigest(parts.digest):
		result.Version = "@" + parts.digest
	default:
		result.Pulled = parts.repository + ":" + latestTag
		result.DigestDropped = parts.digest != ""
	}

	result.Aliases = defaultAliases(parts.host, parts.path)
	return result
}

// DefaultAliases returns the default aliases the runner derives from a
// service image name: ParseImageName(name).Aliases, computed with fewer
// allocations. For a name the reference grammar rejects it returns nil.
func DefaultAliases(name string) []string {
	parts, ok := splitReference(name)
	if !ok {
		return nil
	}
	return defaultAliases(parts.host, parts.path)
}

// splitReference splits a name that matches reference.ReferenceRegexp into
// its parts, and reports false for a name that does not. matchReference
// returns the regular expression's capture groups without running it.
func splitReference(name string) (referenceParts, bool) {
	repository, tag, digest, ok := matchReference(name)
	if !ok {
		return referenceParts{}, false
	}

	parts := referenceParts{repository: repository, tag: tag, digest: digest}
	parts.host, parts.path = removePort(repository)
	return parts, true
}

// removePort splits a repository name the way the runner's regular
// expression ^(.*?)(|:[0-9]+)(|/.*)$ does: host ends at the first "/" or at
// the first ":" that is followed by digits up to a "/" or the end, and path
// is what follows the port. For an IPv6 host such as [::1] the ":" inside
// the brackets is not followed by digits up to a "/", so it is kept.
func removePort(repository string) (host, path string) {
	for i := 0; i < len(repository); i++ {
		switch repository[i] {
		case '/':
			return repository[:i], repository[i:]
		case ':':
			end := i + 1
			for end < len(repository) && repository[end] >= '0' && repository[end] <= '9' {
				end++
			}
			if end > i+1 && (end == len(repository) || repository[end] == '/') {
				return repository[:i], repository[end:]
			}
		}
	}
	return repository, ""
}

// isKeptDigest reports whether the runner keeps digest for a service name
// without a tag: the name must end in "@sha256:" and exactly 64 characters.
func isKeptDigest(digest string) bool {
	return strings.HasPrefix(digest, sha256DigestPrefix) && len(digest) == len(sha256DigestPrefix)+sha256DigestLength
}

// defaultAliases builds the aliases host+path with "/" replaced by "__" and
// by "-". The host never contains "/". Without a "/" in path both forms are
// host+path and there is one alias, and the call allocates only the slice.
// With one, the call allocates one aliasBlock that holds the slice's array
// and the bytes of both aliases, unless they need more than
// maxAliasBlockBytes.
func defaultAliases(host, path string) []string {
	slashes := strings.Count(path, "/")
	if slashes == 0 {
		if path == "" {
			return []string{host}
		}
		return []string{host + path}
	}

	primaryLength := len(host) + len(path) + slashes
	aliases, buffer := newAliasBlock(primaryLength + len(host) + len(path))
	written := writeAlias(buffer, host, path, "__")
	writeAlias(buffer[written:], host, path, "-")

	// The strings point into buffer, which nothing writes to after this.
	aliases[0] = unsafe.String(&buffer[0], primaryLength)
	aliases[1] = unsafe.String(&buffer[primaryLength], len(buffer)-primaryLength)
	return aliases[:]
}

// writeAlias copies host and path to buffer with every "/" of path
// replaced by separator, and returns the number of bytes written.
func writeAlias(buffer []byte, host, path, separator string) int {
	n := copy(buffer, host)
	for {
		slash := strings.IndexByte(path, '/')
		if slash < 0 {
			return n + copy(buffer[n:], path)
		}
		n += copy(buffer[n:], path[:slash])
		n += copy(buffer[n:], separator)
		path = path[slash+1:]
	}
}

// maxAliasBlockBytes is the largest alias text newAliasBlock places in the
// same allocation as the slice array.
const maxAliasBlockBytes = 1024

// Alias blocks hold the array of a two-alias slice and the bytes of both
// aliases in one object, in a few sizes so that short names waste little
// memory. A string that points into bytes keeps the whole block alive, so
// the aliases stay valid for as long as any of them or the slice is used.
type (
	aliasBlock32 struct {
		aliases [2]string
		bytes   [32]byte
	}
	aliasBlock64 struct {
		aliases [2]string
		bytes   [64]byte
	}
	aliasBlock128 struct {
		aliases [2]string
		bytes   [128]byte
	}
	aliasBlock256 struct {
		aliases [2]string
		bytes   [256]byte
	}
	aliasBlock512 struct {
		aliases [2]string
		bytes   [512]byte
	}
	aliasBlock1024 struct {
		aliases [2]string
		bytes   [maxAliasBlockBytes]byte
	}
)

// newAliasBlock returns an array for two aliases and a buffer of size
// bytes for their text, from one allocation when size is at most
// maxAliasBlockBytes and from two otherwise. size must be positive.
func newAliasBlock(size int) (*[2]string, []byte) {
	switch {
	case size <= 32:
		block := new(aliasBlock32)
		return &block.aliases, block.bytes[:size]
	case size <= 64:
		block := new(aliasBlock64)
		return &block.aliases, block.bytes[:size]
	case size <= 128:
		block := new(aliasBlock128)
		return &block.aliases, block.bytes[:size]
	case size <= 256:
		block := new(aliasBlock256)
		return &block.aliases, block.bytes[:size]
	case size <= 512:
		block := new(aliasBlock512)
		return &block.aliases, block.bytes[:size]
	case size <= maxAliasBlockBytes:
		block := new(aliasBlock1024)
		return &block.aliases, block.bytes[:size]
	default:
		return new([2]string), make([]byte, size)
	}
}

// CheckPullReference checks name the way the Docker client does before it
// pulls an image, with reference.ParseNormalizedNamed. This check is
// stricter than the grammar ParseImageName applies. It also rejects a
// repository name of 64 hexadecimal characters, a repository path over 255
// characters, and a digest that is not valid for its algorithm, such as
// uppercase hex or a sha256 digest whose length is not 64.
//
// It returns nil for a name Docker accepts. Otherwise the error wraps
// ErrInvalidImageName and the error of github.com/distribution/reference
// or go-digest, whose text Docker reports, such as "invalid reference
// format".
func CheckPullReference(name string) error {
	err := dockerReferenceError(name)
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w %q: %w", ErrInvalidImageName, name, err)
}

// dockerReferenceError returns the error Docker reports for name, without
// wrapping, or nil when Docker accepts it.
func dockerReferenceError(name string) error {
	if isPlainDockerReference(name) {
		return nil
	}
	_, err := reference.ParseNormalizedNamed(name)
	return err
}

// maxPlainReferenceLength keeps isPlainDockerReference away from the limit
// of 255 characters that ParseNormalizedNamed applies to the repository
// path, which can grow by the "library/" it adds to an official image.
const maxPlainReferenceLength = 240

// Lengths of the hexadecimal part of the digests go-digest v1.0.0 accepts.
var digestHexLengths = map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}

// isPlainDockerReference reports whether name is a reference that
// reference.ParseNormalizedNamed certainly accepts, without running its
// regular expressions: a name that matches the reference grammar, has no
// uppercase letter, is at most maxPlainReferenceLength long, is not 64
// hexadecimal characters, has no bracketed IPv6 host, and has no digest or
// a sha256, sha384 or sha512 digest of the right length. False means that
// ParseNormalizedNamed has to decide. FuzzPlainDockerReference checks this
// against it.
func isPlainDockerReference(name string) bool {
	if len(name) > maxPlainReferenceLength || len(name) == sha256DigestLength {
		return false
	}
	if strings.ContainsRune(name, '[') {
		// The grammar reads [00] as an IPv6 host, but Docker treats a first
		// component without "." or ":" as a path on Docker Hub.
		return false
	}
	for i := 0; i < len(name); i++ {
		if name[i] >= 'A' && name[i] <= 'Z' {
			return false
		}
	}

	_, _, digest, ok := matchReference(name)
	if !ok {
		return false
	}
	if digest == "" {
		return true
	}
	algorithm, encoded, _ := strings.Cut(digest, ":")
	hexLength, known := digestHexLengths[algorithm]
	return known && len(encoded) == hexLength
}

// ContainsVariable reports whether name still contains a "$". No image
// reference contains one, so it marks a variable that was not expanded.
// ImageNameDiagnostics reports such a name as not checked.
func ContainsVariable(name string) bool {
	return strings.Contains(name, "$")
}

// NameRole is the kind of entry an image name belongs to: the build image,
// a service without a custom alias, or a service with one. The runner
// handles each differently.
type NameRole int

const (
	// RoleBuildImage is the job's image: the runner passes it to Docker
	// without checking it, adding ":latest" only when it has neither ":"
	// nor "@".
	RoleBuildImage NameRole = iota
	// RoleService is a service without a custom alias.
	RoleService
	// RoleServiceWithAlias is a service with a non-empty custom alias.
	RoleServiceWithAlias
)

// String returns "build image", "service" or "service with alias".
func (r NameRole) String() string {
	switch r {
	case RoleService:
		return "service"
	case RoleServiceWithAlias:
		return "service with alias"
	default:
		return "build image"
	}
}

// ImageNameDiagnostics returns what the runner and Docker will do with an
// expanded image name that is a problem, and nothing for a name both
// accept. The findings have no Position or Location, which the caller
// fills in, and their Kind is ErrInvalidImageName.
//
// For a name that still contains "$" (see ContainsVariable) it returns one
// warning that the name was not checked, and nothing else. For the build
// image it returns an error when Docker rejects the name at pull time. For
// a service whose name the reference grammar rejects it returns a warning
// that the service is never started (RoleService) or the runner's error
// "invalid service image name: <name>" (RoleServiceWithAlias), which the
// runner raises unless earlier services took every custom alias. For a
// service name the runner accepts it returns an error when Docker rejects
// the reference the runner pulls, and a warning when the runner drops the
// digest and pulls ":latest" instead.
//
// AssignAliases reports the same not-started and invalid-name outcomes for
// each service it walks, together with the service's index.
func ImageNameDiagnostics(name string, role NameRole) Diagnostics {
	if ContainsVariable(name) {
		return Diagnostics{nameWarning(fmt.Sprintf(
			"image name %q contains a variable that was not expanded, so it was not checked", name))}
	}

	if role == RoleBuildImage {
		return buildImageDiagnostics(name)
	}
	return serviceNameDiagnostics(ParseImageName(name), role)
}

// buildImageDiagnostics reports a build image name that Docker rejects,
// checking the reference the runner pulls (see buildImagePullReference).
func buildImageDiagnostics(name string) Diagnostics {
	pulled := buildImagePullReference(name)
	err := dockerReferenceError(pulled)
	if err == nil {
		return nil
	}
	return Diagnostics{nameError(fmt.Sprintf(
		"image %q cannot be pulled: %v. The runner passes the name to Docker unchecked, so the job fails when Docker pulls the image.",
		name, err))}
}

// buildImagePullReference returns the reference the runner's pull manager
// passes to Docker for the build image: the name with ":latest" added when
// it contains neither ":" nor "@". The suffix matters for a name of 64
// hexadecimal characters, which Docker rejects as a repository name alone
// but accepts with a tag.
func buildImagePullReference(name string) string {
	if strings.ContainsAny(name, ":@") {
		return name
	}
	return name + ":" + latestTag
}

// serviceNameDiagnostics reports what the runner does with a service name
// it cannot parse, and what Docker does with the reference the runner
// pulls for one it can.
func serviceNameDiagnostics(parsed ImageName, role NameRole) Diagnostics {
	if !parsed.Valid {
		return Diagnostics{invalidServiceName(parsed.Input, role)}
	}

	var diagnostics Diagnostics
	if err := dockerReferenceError(parsed.Pulled); err != nil {
		diagnostics = append(diagnostics, nameError(fmt.Sprintf(
			"service image %q cannot be pulled: %v. The runner accepts the name and pulls %q, Docker rejects it, and the job fails.",
			parsed.Input, err, parsed.Pulled)))
	}
	if parsed.DigestDropped {
		diagnostics = append(diagnostics, nameWarning(fmt.Sprintf(
			"service image %q: without a tag the runner keeps only a sha256 digest of 64 characters, so it drops this digest and pulls %q without checking it. To keep the digest, add a tag before it (name:tag@digest).",
			parsed.Input, parsed.Pulled)))
	}
	return diagnostics
}

// invalidServiceName reports a service name that the reference grammar
// rejects: an error in the runner's words when a custom alias makes the
// runner try to create the service, else a warning that it never starts.
func invalidServiceName(name string, role NameRole) Diagnostic {
	if role == RoleServiceWithAlias {
		return nameError(invalidServiceNameMessage(name))
	}

	reason := "it does not match the image reference grammar"
	if err := dockerReferenceError(name); err != nil {
		reason = err.Error()
	}
	return nameWarning(fmt.Sprintf(
		"service image name %q is not a valid image reference (%s), so the runner derives no alias from it. Without an alias the runner never starts this service and reports no error. Fix the name to start the service.",
		name, reason))
}

// invalidServiceNameMessage is the runner's error for a service it tries to
// create from a name it cannot parse.
func invalidServiceNameMessage(name string) string {
	return "invalid service image name: " + name
}

func nameError(message string) Diagnostic {
	return Diagnostic{Severity: SeverityError, Message: message, Kind: ErrInvalidImageName}
}

func nameWarning(message string) Diagnostic {
	return Diagnostic{Severity: SeverityWarning, Message: message, Kind: ErrInvalidImageName}
}
