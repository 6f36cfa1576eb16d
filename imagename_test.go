package ciimage

import (
	"errors"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	hex64        = strings.Repeat("0123456789abcdef", 4)
	hex64Upper   = strings.ToUpper(hex64)
	hex128       = hex64 + hex64
	runnerDigest = "123456789012345678901234567890123456789012345678901234567890abcd"
	tag128       = strings.Repeat("t", 128)
	tag129       = strings.Repeat("t", 129)
	path256      = "registry.example.com/" + strings.Repeat("a", 256)
)

// imageNameCase is one expected result of ParseImageName. Pulled "" means
// the input unchanged.
type imageNameCase struct {
	input         string
	valid         bool
	service       string
	version       string
	pulled        string
	digestDropped bool
	aliases       []string
}

// imageNameCases holds the runner's own golden table, the examples the
// runner's behaviour was checked with, and further hosts, digests and
// names the grammar rejects.
var imageNameCases = []imageNameCase{
	// The runner's golden table for SplitNameAndVersion.
	{"service", true, "service", "latest", "service:latest", false, []string{"service"}},
	{"service:version", true, "service", "version", "", false, []string{"service"}},
	{"namespace/service", true, "namespace/service", "latest", "namespace/service:latest", false, []string{"namespace__service", "namespace-service"}},
	{"namespace/service:version", true, "namespace/service", "version", "", false, []string{"namespace__service", "namespace-service"}},
	{"domain.tld/service", true, "domain.tld/service", "latest", "domain.tld/service:latest", false, []string{"domain.tld__service", "domain.tld-service"}},
	{"domain.tld/service:version", true, "domain.tld/service", "version", "", false, []string{"domain.tld__service", "domain.tld-service"}},
	{"domain.tld/namespace/service", true, "domain.tld/namespace/service", "latest", "domain.tld/namespace/service:latest", false, []string{"domain.tld__namespace__service", "domain.tld-namespace-service"}},
	{"domain.tld/namespace/service:version", true, "domain.tld/namespace/service", "version", "", false, []string{"domain.tld__namespace__service", "domain.tld-namespace-service"}},
	{"domain.tld:8080/service", true, "domain.tld/service", "latest", "domain.tld:8080/service:latest", false, []string{"domain.tld__service", "domain.tld-service"}},
	{"domain.tld:8080/service:version", true, "domain.tld/service", "version", "", false, []string{"domain.tld__service", "domain.tld-service"}},
	{"domain.tld:8080/namespace/service", true, "domain.tld/namespace/service", "latest", "domain.tld:8080/namespace/service:latest", false, []string{"domain.tld__namespace__service", "domain.tld-namespace-service"}},
	{"domain.tld:8080/namespace/service:version", true, "domain.tld/namespace/service", "version", "", false, []string{"domain.tld__namespace__service", "domain.tld-namespace-service"}},
	{"subdomain.domain.tld:8080/service", true, "subdomain.domain.tld/service", "latest", "subdomain.domain.tld:8080/service:latest", false, []string{"subdomain.domain.tld__service", "subdomain.domain.tld-service"}},
	{"subdomain.domain.tld:8080/service:version", true, "subdomain.domain.tld/service", "version", "", false, []string{"subdomain.domain.tld__service", "subdomain.domain.tld-service"}},
	{"subdomain.domain.tld:8080/namespace/service", true, "subdomain.domain.tld/namespace/service", "latest", "subdomain.domain.tld:8080/namespace/service:latest", false, []string{"subdomain.domain.tld__namespace__service", "subdomain.domain.tld-namespace-service"}},
	{"subdomain.domain.tld:8080/namespace/service:version", true, "subdomain.domain.tld/namespace/service", "version", "", false, []string{"subdomain.domain.tld__namespace__service", "subdomain.domain.tld-namespace-service"}},
	{"service@sha256:" + runnerDigest, true, "service", "@sha256:" + runnerDigest, "", false, []string{"service"}},
	{"namespace/service@sha256:" + runnerDigest, true, "namespace/service", "@sha256:" + runnerDigest, "", false, []string{"namespace__service", "namespace-service"}},
	{"domain.tld/service@sha256:" + runnerDigest, true, "domain.tld/service", "@sha256:" + runnerDigest, "", false, []string{"domain.tld__service", "domain.tld-service"}},
	{"domain.tld/namespace/service@sha256:" + runnerDigest, true, "domain.tld/namespace/service", "@sha256:" + runnerDigest, "", false, []string{"domain.tld__namespace__service", "domain.tld-namespace-service"}},
	{"domain.tld:8080/service@sha256:" + runnerDigest, true, "domain.tld/service", "@sha256:" + runnerDigest, "", false, []string{"domain.tld__service", "domain.tld-service"}},
	{"domain.tld:8080/namespace/service@sha256:" + runnerDigest, true, "domain.tld/namespace/service", "@sha256:" + runnerDigest, "", false, []string{"domain.tld__namespace__service", "domain.tld-namespace-service"}},
	{"subdomain.domain.tld:8080/service@sha256:" + runnerDigest, true, "subdomain.domain.tld/service", "@sha256:" + runnerDigest, "", false, []string{"subdomain.domain.tld__service", "subdomain.domain.tld-service"}},

	// Examples checked against the runner's functions.
	{"postgres", true, "postgres", "latest", "postgres:latest", false, []string{"postgres"}},
	{"registry.example.com:5000/ns/img:tag", true, "registry.example.com/ns/img", "tag", "", false, []string{"registry.example.com__ns__img", "registry.example.com-ns-img"}},
	{"img@sha256:" + hex64, true, "img", "@sha256:" + hex64, "", false, []string{"img"}},
	{"img:1.2@sha256:" + hex64, true, "img", "1.2", "", false, []string{"img"}},
	{"img@sha512:" + hex128, true, "img", "latest", "img:latest", true, []string{"img"}},
	{"MyOrg/img", true, "MyOrg/img", "latest", "MyOrg/img:latest", false, []string{"MyOrg__img", "MyOrg-img"}},
	{"Postgres:15", false, "", "latest", "", false, nil},
	{"myorg/MyImg", false, "", "latest", "", false, nil},
	{"img:1.0:2", false, "", "latest", "", false, nil},
	{"", false, "", "latest", "", false, nil},
	{"localhost:5000/img", true, "localhost/img", "latest", "localhost:5000/img:latest", false, []string{"localhost__img", "localhost-img"}},

	// Registry hosts, ports and nested groups.
	{"localhost/img", true, "localhost/img", "latest", "localhost/img:latest", false, []string{"localhost__img", "localhost-img"}},
	{"10.0.0.1:5000/img", true, "10.0.0.1/img", "latest", "10.0.0.1:5000/img:latest", false, []string{"10.0.0.1__img", "10.0.0.1-img"}},
	{"10.0.0.1/img:2", true, "10.0.0.1/img", "2", "", false, []string{"10.0.0.1__img", "10.0.0.1-img"}},
	{"[::1]:5000/img:1", true, "[::1]/img", "1", "", false, []string{"[::1]__img", "[::1]-img"}},
	{"[::1]/img", true, "[::1]/img", "latest", "[::1]/img:latest", false, []string{"[::1]__img", "[::1]-img"}},
	{"registry.example.com:5000/team/app", true, "registry.example.com/team/app", "latest", "registry.example.com:5000/team/app:latest", false, []string{"registry.example.com__team__app", "registry.example.com-team-app"}},
	{"gitlab.example.com:5000/group/sub/deeper/img:1", true, "gitlab.example.com/group/sub/deeper/img", "1", "", false, []string{"gitlab.example.com__group__sub__deeper__img", "gitlab.example.com-group-sub-deeper-img"}},
	{"ghcr.io/org/testcase:latest", true, "ghcr.io/org/testcase", "latest", "", false, []string{"ghcr.io__org__testcase", "ghcr.io-org-testcase"}},
	{"registry.example.com/group/docker:dind", true, "registry.example.com/group/docker", "dind", "", false, []string{"registry.example.com__group__docker", "registry.example.com-group-docker"}},
	{"namespace/name", true, "namespace/name", "latest", "namespace/name:latest", false, []string{"namespace__name", "namespace-name"}},
	{"localstack/localstack:4", true, "localstack/localstack", "4", "", false, []string{"localstack__localstack", "localstack-localstack"}},
	{"Registry.Example.com:5000/img", true, "Registry.Example.com/img", "latest", "Registry.Example.com:5000/img:latest", false, []string{"Registry.Example.com__img", "Registry.Example.com-img"}},

	// Separators inside path components.
	{"my_org/img", true, "my_org/img", "latest", "my_org/img:latest", false, []string{"my_org__img", "my_org-img"}},
	{"my__img:1", true, "my__img", "1", "", false, []string{"my__img"}},
	{"my.img-x:1", true, "my.img-x", "1", "", false, []string{"my.img-x"}},

	// Tags and digests.
	{"img:" + tag128, true, "img", tag128, "", false, []string{"img"}},
	{"img:UPPER_case.1-x", true, "img", "UPPER_case.1-x", "", false, []string{"img"}},
	{"img@sha256:" + hex64[:63], true, "img", "latest", "img:latest", true, []string{"img"}},
	{"img@sha256:" + hex64 + "0", true, "img", "latest", "img:latest", true, []string{"img"}},
	{"img@sha256:" + hex64Upper, true, "img", "@sha256:" + hex64Upper, "", false, []string{"img"}},
	{"img@sha512:" + hex64, true, "img", "latest", "img:latest", true, []string{"img"}},
	{"ns/img:1@sha512:" + hex128, true, "ns/img", "1", "", false, []string{"ns__img", "ns-img"}},
	{"host:5000/ns/img@sha512:" + hex128, true, "host/ns/img", "latest", "host:5000/ns/img:latest", true, []string{"host__ns__img", "host-ns-img"}},

	// Names the grammar rejects.
	{"img:" + tag129, false, "", "latest", "", false, nil},
	{"-bad", false, "", "latest", "", false, nil},
	{"ns//img", false, "", "latest", "", false, nil},
	{"img:", false, "", "latest", "", false, nil},
	{"myorg/Postgres", false, "", "latest", "", false, nil},
	{"img@sha256:abc", false, "", "latest", "", false, nil},
	{"$UNSET_VAR", false, "", "latest", "", false, nil},
	{"ruby:3.3 ", false, "", "latest", "", false, nil},
	{"https://registry.example.com/img", false, "", "latest", "", false, nil},
}

func TestParseImageNameTable(t *testing.T) {
	for _, tc := range imageNameCases {
		got := ParseImageName(tc.input)
		wantPulled := tc.pulled
		if wantPulled == "" {
			wantPulled = tc.input
		}

		assert.Equal(t, tc.input, got.Input, "ParseImageName(%q).Input", tc.input)
		assert.Equal(t, tc.valid, got.Valid, "ParseImageName(%q).Valid", tc.input)
		assert.Equal(t, tc.service, got.Service, "ParseImageName(%q).Service", tc.input)
		assert.Equal(t, tc.version, got.Version, "ParseImageName(%q).Version", tc.input)
		assert.Equal(t, wantPulled, got.Pulled, "ParseImageName(%q).Pulled", tc.input)
		assert.Equal(t, tc.digestDropped, got.DigestDropped, "ParseImageName(%q).DigestDropped", tc.input)
		assert.Equal(t, tc.aliases, got.Aliases, "ParseImageName(%q).Aliases", tc.input)
		assert.Equal(t, tc.aliases, DefaultAliases(tc.input), "DefaultAliases(%q)", tc.input)
	}
}

func TestParseImageNameMatchesRegexpSplit(t *testing.T) {
	for _, tc := range imageNameCases {
		assert.Equal(t, splitWithRegexps(tc.input), ParseImageName(tc.input), "ParseImageName(%q) against the regular-expression split", tc.input)
	}
}

// Regular expressions of the runner's own split, which
// splitWithRegexps applies step by step as a test oracle for the
// hand-written split in ParseImageName.
var (
	oraclePortRegexp   = regexp.MustCompile(`^(.*?)(|:[0-9]+)(|/.*)$`)
	oracleDigestRegexp = regexp.MustCompile(`@sha256:.{64}$`)
)

// splitWithRegexps derives an ImageName with the capture groups of
// reference.ReferenceRegexp and the runner's port and digest regular
// expressions.
func splitWithRegexps(name string) ImageName {
	result := ImageName{Input: name, Version: "latest", Pulled: name}
	groups := reference.ReferenceRegexp.FindStringSubmatch(name)
	if groups == nil {
		return result
	}

	repository, tag, digestPart := groups[1], groups[2], groups[3]
	port := oraclePortRegexp.FindStringSubmatch(repository)
	result.Valid = true
	result.Service = port[1] + port[3]

	keptDigest := oracleDigestRegexp.FindString(name)
	switch {
	case tag != "":
		result.Version = tag
	case keptDigest != "":
		result.Version = keptDigest
	default:
		result.Pulled = repository + ":latest"
		result.DigestDropped = digestPart != ""
	}

	primary := strings.ReplaceAll(result.Service, "/", "__")
	result.Aliases = []string{primary}
	if secondary := strings.ReplaceAll(result.Service, "/", "-"); secondary != primary {
		result.Aliases = append(result.Aliases, secondary)
	}
	return result
}

func FuzzParseImageName(f *testing.F) {
	for _, tc := range imageNameCases {
		f.Add(tc.input)
	}

	f.Fuzz(func(t *testing.T, name string) {
		got := ParseImageName(name)

		require.Equal(t, got, ParseImageName(name), "ParseImageName(%q) must be deterministic", name)
		require.Equal(t, splitWithRegexps(name), got, "ParseImageName(%q) against the regular-expression split", name)
		require.Equal(t, got.Aliases, DefaultAliases(name), "DefaultAliases(%q) must equal ParseImageName(%q).Aliases", name, name)
		if !got.Valid {
			require.Empty(t, got.Aliases, "ParseImageName(%q) is invalid and must give no aliases", name)
			return
		}

		require.NotEmpty(t, got.Aliases, "ParseImageName(%q) is valid and must give an alias", name)
		for _, alias := range got.Aliases {
			require.NotContains(t, alias, "/", "alias %q of %q", alias, name)
			if !strings.HasPrefix(name, "[") {
				require.NotContains(t, alias, ":", "alias %q of %q, which has no IPv6 host", alias, name)
			}
		}
	})
}

func TestCheckPullReference(t *testing.T) {
	tests := []struct {
		name string
		// wantErr is the sentinel error of the reference or go-digest
		// package that the error wraps, nil where that package returns
		// an unwrapped message.
		wantErr error
		// wantMessage is a part of the error message; "" means that
		// Docker accepts the name.
		wantMessage string
	}{
		{"postgres", nil, ""},
		{"registry.example.com:5000/ns/img:tag", nil, ""},
		{"MyOrg/img", nil, ""},
		{"localhost:5000/img", nil, ""},
		{"10.0.0.1:5000/img", nil, ""},
		{"[::1]:5000/img", nil, ""},
		{"img@sha256:" + hex64, nil, ""},
		{"img@sha512:" + hex128, nil, ""},
		{"img:1.2@sha256:" + hex64, nil, ""},
		{hex64 + ":latest", nil, ""},
		{"Postgres:15", nil, "invalid reference format: repository name (library/Postgres) must be lowercase"},
		{"myorg/MyImg", nil, "invalid reference format: repository name (myorg/MyImg) must be lowercase"},
		{hex64, nil, "cannot specify 64-byte hexadecimal strings"},
		{"img:1.0:2", reference.ErrReferenceInvalidFormat, "invalid reference format"},
		{"", reference.ErrReferenceInvalidFormat, "invalid reference format"},
		{"-bad", reference.ErrReferenceInvalidFormat, "invalid reference format"},
		{"ns//img", reference.ErrReferenceInvalidFormat, "invalid reference format"},
		{"img:" + tag129, reference.ErrReferenceInvalidFormat, "invalid reference format"},
		{"img@sha256:" + hex64Upper, digest.ErrDigestInvalidFormat, "invalid checksum digest format"},
		{"img@sha256:" + hex64[:63], digest.ErrDigestInvalidLength, "invalid checksum digest length"},
		{"img@sha512:" + hex64, digest.ErrDigestInvalidLength, "invalid checksum digest length"},
		{"img@md5:" + hex64[:32], digest.ErrDigestUnsupported, "unsupported digest algorithm"},
		{path256, reference.ErrNameTooLong, "repository name must not be more than 255 characters"},
	}

	for _, tc := range tests {
		err := CheckPullReference(tc.name)
		if tc.wantMessage == "" {
			assert.NoError(t, err, "CheckPullReference(%q)", tc.name)
			continue
		}

		require.Error(t, err, "CheckPullReference(%q) must fail with %q", tc.name, tc.wantMessage)
		assert.ErrorIs(t, err, ErrInvalidImageName, "CheckPullReference(%q)", tc.name)
		assert.Contains(t, err.Error(), tc.wantMessage, "CheckPullReference(%q)", tc.name)
		if tc.wantErr != nil {
			assert.ErrorIs(t, err, tc.wantErr, "CheckPullReference(%q)", tc.name)
		}
	}
}

func TestContainsVariable(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"$CI_REGISTRY_IMAGE:$TAG", true},
		{"ruby:${RUBY_VERSION}", true},
		{"ruby:3.3", false},
		{"", false},
	}

	for _, tc := range tests {
		assert.Equal(t, tc.want, ContainsVariable(tc.name), "ContainsVariable(%q)", tc.name)
	}
}

// diagnosticWant is the expected severity and message parts of one
// diagnostic.
type diagnosticWant struct {
	severity Severity
	contains []string
}

func TestImageNameDiagnostics(t *testing.T) {
	tests := []struct {
		name string
		role NameRole
		want []diagnosticWant
	}{
		{"ruby:3.3", RoleBuildImage, nil},
		{"postgres:16", RoleService, nil},
		{"postgres:16", RoleServiceWithAlias, nil},
		{"MyOrg/img", RoleService, nil},
		{hex64, RoleBuildImage, nil},
		{"img@sha512:" + hex128, RoleBuildImage, nil},
		{"$CI_REGISTRY_IMAGE:$TAG", RoleBuildImage, []diagnosticWant{
			{SeverityWarning, []string{`"$CI_REGISTRY_IMAGE:$TAG"`, "not expanded", "not checked"}},
		}},
		{"$SERVICE_IMAGE", RoleServiceWithAlias, []diagnosticWant{
			{SeverityWarning, []string{"not checked"}},
		}},
		{"Ruby:3.3", RoleBuildImage, []diagnosticWant{
			{SeverityError, []string{`image "Ruby:3.3" cannot be pulled`, "invalid reference format", "job fails"}},
		}},
		{"img@sha256:" + hex64[:63], RoleBuildImage, []diagnosticWant{
			{SeverityError, []string{"invalid checksum digest length"}},
		}},
		{"Postgres:15", RoleService, []diagnosticWant{
			{SeverityWarning, []string{`"Postgres:15"`, "must be lowercase", "derives no alias", "never starts"}},
		}},
		{"", RoleService, []diagnosticWant{
			{SeverityWarning, []string{"never starts"}},
		}},
		{"Postgres:15", RoleServiceWithAlias, []diagnosticWant{
			{SeverityError, []string{"invalid service image name: Postgres:15"}},
		}},
		{"", RoleServiceWithAlias, []diagnosticWant{
			{SeverityError, []string{"invalid service image name: "}},
		}},
		{"img@sha512:" + hex128, RoleService, []diagnosticWant{
			{SeverityWarning, []string{"drops this digest", `pulls "img:latest"`}},
		}},
		{"img@sha256:" + hex64 + "0", RoleServiceWithAlias, []diagnosticWant{
			{SeverityWarning, []string{"drops this digest", `pulls "img:latest"`}},
		}},
		{"img@sha256:" + hex64Upper, RoleService, []diagnosticWant{
			{SeverityError, []string{"cannot be pulled", "invalid checksum digest format", "job fails"}},
		}},
		{hex64, RoleService, nil},
		{"img@sha256:" + hex64Upper, RoleBuildImage, []diagnosticWant{
			{SeverityError, []string{"invalid checksum digest format"}},
		}},
		{path256 + "@sha512:" + hex128, RoleService, []diagnosticWant{
			{SeverityError, []string{"cannot be pulled", "repository name must not be more than 255 characters"}},
			{SeverityWarning, []string{"drops this digest"}},
		}},
	}

	for _, tc := range tests {
		got := ImageNameDiagnostics(tc.name, tc.role)

		require.Len(t, got, len(tc.want), "ImageNameDiagnostics(%q, %v): %v", tc.name, tc.role, got)
		for i, want := range tc.want {
			assert.Equal(t, want.severity, got[i].Severity, "ImageNameDiagnostics(%q, %v)[%d].Severity", tc.name, tc.role, i)
			assert.Equal(t, ErrInvalidImageName, got[i].Kind, "ImageNameDiagnostics(%q, %v)[%d].Kind", tc.name, tc.role, i)
			assert.Equal(t, Position{}, got[i].Position, "ImageNameDiagnostics(%q, %v)[%d].Position", tc.name, tc.role, i)
			assert.Empty(t, got[i].Location, "ImageNameDiagnostics(%q, %v)[%d].Location", tc.name, tc.role, i)
			for _, part := range want.contains {
				assert.Contains(t, got[i].Message, part, "ImageNameDiagnostics(%q, %v)[%d].Message", tc.name, tc.role, i)
			}
		}
	}
}

func TestImageNameDiagnosticsErrWrapsKind(t *testing.T) {
	got := ImageNameDiagnostics("Postgres:15", RoleServiceWithAlias)

	err := got.Err()
	require.Error(t, err, "ImageNameDiagnostics(%q, %v).Err()", "Postgres:15", RoleServiceWithAlias)
	assert.True(t, errors.Is(err, ErrInvalidImageName), "ImageNameDiagnostics(%q, %v).Err() must wrap ErrInvalidImageName", "Postgres:15", RoleServiceWithAlias)
}

func TestNameRoleString(t *testing.T) {
	assert.Equal(t, "build image", RoleBuildImage.String(), "RoleBuildImage.String()")
	assert.Equal(t, "service", RoleService.String(), "RoleService.String()")
	assert.Equal(t, "service with alias", RoleServiceWithAlias.String(), "RoleServiceWithAlias.String()")
}

func BenchmarkDefaultAliases(b *testing.B) {
	names := []string{
		"postgres:16",
		"registry.example.com:5000/group/sub/img:1.2",
	}
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				DefaultAliases(name)
			}
		})
	}
}

func TestDefaultAliasesAllocations(t *testing.T) {
	long := "registry.example.com/" + strings.Repeat("group/", 100) + "img"
	tests := []struct {
		name        string
		allocations float64
	}{
		{"postgres:16", 1},
		{"registry.example.com:5000/group/sub/img:1.2", 1},
		{"a/b", 1},
		{"registry.example.com/" + strings.Repeat("a", 490), 1},
		{long, 2},
		{"Invalid/Name", 0},
	}

	for _, tc := range tests {
		got := testing.AllocsPerRun(20, func() { DefaultAliases(tc.name) })
		assert.Equal(t, tc.allocations, got, "DefaultAliases(%q) allocations", tc.name)
	}
}

func TestDefaultAliasesBlockSizes(t *testing.T) {
	for _, pathLength := range []int{1, 5, 13, 14, 30, 31, 62, 63, 126, 127, 254, 255, 510, 511, 600} {
		name := "h/" + strings.Repeat("a", pathLength)
		want := []string{"h__" + strings.Repeat("a", pathLength), "h-" + strings.Repeat("a", pathLength)}

		got := DefaultAliases(name)
		assert.Equal(t, want, got, "DefaultAliases(%q)", name)
		assert.Equal(t, 2, cap(got), "cap(DefaultAliases(%q))", name)
	}
}

// TestDefaultAliasesSurviveGC checks that an alias string alone keeps its
// shared block alive after the slice is dropped, and that writing to the
// slice leaves the other alias unchanged.
func TestDefaultAliasesSurviveGC(t *testing.T) {
	const name = "registry.example.com:5000/group/sub/img:1.2"
	var kept []string
	for range 50 {
		aliases := DefaultAliases(name)
		kept = append(kept, aliases[1])
		aliases[0] = "overwritten"
		runtime.GC()
	}
	runtime.GC()

	for i, alias := range kept {
		require.Equal(t, "registry.example.com-group-sub-img", alias, "alias %d after garbage collection", i)
	}
}

func TestIsPlainDockerReference(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"postgres:16", true},
		{"registry.example.com:5000/group/sub/img:1.2", true},
		{"img@sha256:" + hex64, true},
		{"img@sha512:" + hex128, true},
		{"img@sha256:" + hex64[:63], false},
		{"img@md5:" + hex64[:32], false},
		{"img:V1", false},
		{"Registry.example.com/img", false},
		{hex64, false},
		{path256, false},
		{"ns//img", false},
	}

	for _, tc := range tests {
		assert.Equal(t, tc.want, isPlainDockerReference(tc.name), "isPlainDockerReference(%q)", tc.name)
		if tc.want {
			_, err := reference.ParseNormalizedNamed(tc.name)
			assert.NoError(t, err, "reference.ParseNormalizedNamed(%q)", tc.name)
		}
	}
}

// FuzzPlainDockerReference checks that every name isPlainDockerReference
// accepts is accepted by reference.ParseNormalizedNamed.
func FuzzPlainDockerReference(f *testing.F) {
	for _, tc := range imageNameCases {
		f.Add(tc.input)
	}
	f.Add("img@sha384:" + hex64 + hex64[:32])
	f.Add("index.docker.io/img")
	f.Add("localhost/img")

	f.Fuzz(func(t *testing.T, name string) {
		if !isPlainDockerReference(name) {
			return
		}
		_, err := reference.ParseNormalizedNamed(name)
		assert.NoError(t, err, "isPlainDockerReference(%q) is true, so reference.ParseNormalizedNamed must accept it", name)
	})
}
