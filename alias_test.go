package ciimage

import (
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var splitAliasesCases = []struct {
	alias string
	want  []string
}{
	{"", []string{}},
	{"db", []string{"db"}},
	{"db,postgres,pg", []string{"db", "postgres", "pg"}},
	{"db postgres db", []string{"db", "postgres", "db"}},
	{"db, pg db", []string{"db", "pg", "db"}},
	{" ,, db ,\tpg\n", []string{"db", "pg"}},
	{",", []string{}},
	{"a\u00a0b", []string{"a", "b"}},
	{"localhost.localstack.cloud", []string{"localhost.localstack.cloud"}},
	{"alpine_edge", []string{"alpine_edge"}},
}

func TestSplitAliases(t *testing.T) {
	for _, tc := range splitAliasesCases {
		got := SplitAliases(tc.alias)

		require.NotNil(t, got, "SplitAliases(%q) must not be nil", tc.alias)
		assert.Equal(t, tc.want, got, "SplitAliases(%q)", tc.alias)
	}
}

func FuzzSplitAliases(f *testing.F) {
	for _, tc := range splitAliasesCases {
		f.Add(tc.alias)
	}

	f.Fuzz(func(t *testing.T, alias string) {
		got := SplitAliases(alias)

		require.Equal(t, got, SplitAliases(alias), "SplitAliases(%q) must be deterministic", alias)
		for _, entry := range got {
			require.NotEmpty(t, entry, "SplitAliases(%q) must drop empty entries", alias)
			require.NotContains(t, entry, ",", "entry %q of SplitAliases(%q)", entry, alias)
			require.False(t, strings.ContainsFunc(entry, unicode.IsSpace), "entry %q of SplitAliases(%q) contains white space", entry, alias)
		}
		require.Equal(t, got, SplitAliases(strings.Join(got, ",")), "SplitAliases(%q) joined by commas must split the same", alias)
	})
}

// assignmentWant is the expected AliasAssignment of one service, with the
// expected message parts of its diagnostics in order.
type assignmentWant struct {
	aliases        []string
	skipped        []string
	networkAliases []string
	started        bool
	invalidName    bool
	messages       []string
}

func TestAssignAliases(t *testing.T) {
	tests := []struct {
		name     string
		services []AliasRequest
		want     []assignmentWant
	}{
		{
			name:     "several aliases in one value",
			services: []AliasRequest{{Name: "postgres:15", Alias: "db, pg db"}},
			want: []assignmentWant{{
				aliases:        []string{"postgres", "db", "pg"},
				skipped:        []string{"db"},
				networkAliases: []string{"postgres", "db", "pg", "db"},
				started:        true,
				messages: []string{
					`Skipping alias "db" for service "postgres:15" (services[0]): alias is already in use by another service.`,
				},
			}},
		},
		{
			name:     "same service in config and job",
			services: []AliasRequest{{Name: "postgres"}, {Name: "postgres"}},
			want: []assignmentWant{
				{aliases: []string{"postgres"}, skipped: []string{}, networkAliases: []string{"postgres"}, started: true},
				{
					aliases: []string{}, skipped: []string{"postgres"}, networkAliases: []string{},
					messages: []string{
						`Skipping alias "postgres" for service "postgres" (services[1]): alias is already in use by another service.`,
						`service "postgres" (services[1]) is not started: every alias in its list (postgres) is already in use by an earlier service.`,
					},
				},
			},
		},
		{
			name:     "second service with a free custom alias",
			services: []AliasRequest{{Name: "postgres:15"}, {Name: "postgres:16", Alias: "pg16"}},
			want: []assignmentWant{
				{aliases: []string{"postgres"}, skipped: []string{}, networkAliases: []string{"postgres"}, started: true},
				{
					aliases: []string{"pg16"}, skipped: []string{"postgres"}, networkAliases: []string{"postgres", "pg16"}, started: true,
					messages: []string{`Skipping alias "postgres" for service "postgres:16" (services[1])`},
				},
			},
		},
		{
			name:     "unparsable name without alias",
			services: []AliasRequest{{Name: "Postgres:15"}},
			want: []assignmentWant{{
				aliases: []string{}, skipped: []string{}, networkAliases: []string{},
				messages: []string{`service "Postgres:15" (services[0]) is not started: its name is not a valid image reference`},
			}},
		},
		{
			name:     "unparsable name with alias",
			services: []AliasRequest{{Name: "Postgres:15", Alias: "db"}},
			want: []assignmentWant{{
				aliases: []string{}, skipped: []string{}, networkAliases: []string{}, invalidName: true,
				messages: []string{"invalid service image name: Postgres:15"},
			}},
		},
		{
			name:     "empty name with alias",
			services: []AliasRequest{{Name: "", Alias: "app"}},
			want: []assignmentWant{{
				aliases: []string{}, skipped: []string{}, networkAliases: []string{}, invalidName: true,
				messages: []string{"invalid service image name: "},
			}},
		},
		{
			name:     "unparsable name whose aliases are taken",
			services: []AliasRequest{{Name: "redis", Alias: "cache"}, {Name: "Redis", Alias: "cache"}},
			want: []assignmentWant{
				{aliases: []string{"redis", "cache"}, skipped: []string{}, networkAliases: []string{"redis", "cache"}, started: true},
				{
					aliases: []string{}, skipped: []string{"cache"}, networkAliases: []string{},
					messages: []string{
						`Skipping alias "cache" for service "Redis" (services[1])`,
						`service "Redis" (services[1]) is not started: every alias in its list (cache)`,
					},
				},
			},
		},
		{
			name:     "unparsable name after a skipped alias",
			services: []AliasRequest{{Name: "redis"}, {Name: "Redis", Alias: "redis cache"}, {Name: "memcached", Alias: "cache"}},
			want: []assignmentWant{
				{aliases: []string{"redis"}, skipped: []string{}, networkAliases: []string{"redis"}, started: true},
				{
					aliases: []string{}, skipped: []string{"redis"}, networkAliases: []string{}, invalidName: true,
					messages: []string{
						`Skipping alias "redis" for service "Redis" (services[1])`,
						"invalid service image name: Redis",
					},
				},
				{aliases: []string{"memcached", "cache"}, skipped: []string{}, networkAliases: []string{"memcached", "cache"}, started: true},
			},
		},
		{
			name:     "custom alias equal to a later default alias",
			services: []AliasRequest{{Name: "mysql", Alias: "redis"}, {Name: "redis"}},
			want: []assignmentWant{
				{aliases: []string{"mysql", "redis"}, skipped: []string{}, networkAliases: []string{"mysql", "redis"}, started: true},
				{
					aliases: []string{}, skipped: []string{"redis"}, networkAliases: []string{},
					messages: []string{
						`Skipping alias "redis" for service "redis" (services[1])`,
						"is not started",
					},
				},
			},
		},
		{
			name: "namespaced images",
			services: []AliasRequest{
				{Name: "registry.example.com/group/docker:dind"},
				{Name: "registry.example.com:5000/group/docker:24-dind", Alias: "docker"},
			},
			want: []assignmentWant{
				{
					aliases:        []string{"registry.example.com__group__docker", "registry.example.com-group-docker"},
					skipped:        []string{},
					networkAliases: []string{"registry.example.com__group__docker", "registry.example.com-group-docker"},
					started:        true,
				},
				{
					aliases:        []string{"docker"},
					skipped:        []string{"registry.example.com__group__docker", "registry.example.com-group-docker"},
					networkAliases: []string{"registry.example.com__group__docker", "registry.example.com-group-docker", "docker"},
					started:        true,
					messages:       []string{"Skipping alias", "Skipping alias"},
				},
			},
		},
		{
			name:     "no services",
			services: nil,
			want:     []assignmentWant{},
		},
	}

	for _, tc := range tests {
		got := AssignAliases(tc.services)

		require.Len(t, got, len(tc.want), "AssignAliases(%v) in case %s", tc.services, tc.name)
		for i, want := range tc.want {
			assignment := got[i]
			assert.Equal(t, want.aliases, assignment.Aliases, "%s: services[%d] %q Aliases", tc.name, i, tc.services[i].Name)
			assert.Equal(t, want.skipped, assignment.Skipped, "%s: services[%d] %q Skipped", tc.name, i, tc.services[i].Name)
			assert.Equal(t, want.networkAliases, assignment.NetworkAliases, "%s: services[%d] %q NetworkAliases", tc.name, i, tc.services[i].Name)
			assert.Equal(t, want.started, assignment.Started, "%s: services[%d] %q Started", tc.name, i, tc.services[i].Name)
			assert.Equal(t, want.invalidName, assignment.InvalidName, "%s: services[%d] %q InvalidName", tc.name, i, tc.services[i].Name)

			require.Len(t, assignment.Diagnostics, len(want.messages), "%s: services[%d] %q Diagnostics: %v", tc.name, i, tc.services[i].Name, assignment.Diagnostics)
			for j, message := range want.messages {
				assert.Contains(t, assignment.Diagnostics[j].Message, message, "%s: services[%d] Diagnostics[%d]", tc.name, i, j)
			}
		}
	}
}

func TestAssignAliasesDiagnosticSeverity(t *testing.T) {
	got := AssignAliases([]AliasRequest{{Name: "postgres"}, {Name: "postgres"}, {Name: "Bad", Alias: "bad"}})

	require.Len(t, got, 3, "AssignAliases of three services")
	require.Len(t, got[1].Diagnostics, 2, "services[1] Diagnostics")
	assert.Equal(t, SeverityWarning, got[1].Diagnostics[0].Severity, "skip finding of services[1]")
	assert.Equal(t, SeverityWarning, got[1].Diagnostics[1].Severity, "not-started finding of services[1]")
	require.Len(t, got[2].Diagnostics, 1, "services[2] Diagnostics")
	assert.Equal(t, SeverityError, got[2].Diagnostics[0].Severity, "invalid-name finding of services[2]")
	assert.ErrorIs(t, got[2].Diagnostics.Err(), ErrInvalidImageName, "invalid-name finding of services[2]")
}

// aliasWalkSeeds are service lists for FuzzAssignAliases, each encoded as
// name and alias pairs joined by "|" and ";".
var aliasWalkSeeds = []string{
	"postgres:15|db, pg db",
	"postgres|;postgres|",
	"Postgres:15|",
	"Postgres:15|db",
	"|app",
	"redis|cache;Redis|cache",
	"mysql|redis;redis|",
	"registry.example.com/group/docker:dind|;registry.example.com:5000/group/docker:24-dind|docker",
}

// decodeAliasRequests turns a fuzz input into a list of requests.
func decodeAliasRequests(encoded string) []AliasRequest {
	var requests []AliasRequest
	for entry := range strings.SplitSeq(encoded, ";") {
		name, alias, _ := strings.Cut(entry, "|")
		requests = append(requests, AliasRequest{Name: name, Alias: alias})
	}
	return requests
}

func FuzzAssignAliases(f *testing.F) {
	for _, seed := range aliasWalkSeeds {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, encoded string) {
		requests := decodeAliasRequests(encoded)
		got := AssignAliases(requests)

		require.Equal(t, got, AssignAliases(requests), "AssignAliases(%q) must be deterministic", encoded)
		require.Len(t, got, len(requests), "AssignAliases(%q)", encoded)

		claimedBy := make(map[string]int)
		for i, assignment := range got {
			walk := append(DefaultAliases(requests[i].Name), SplitAliases(requests[i].Alias)...)
			require.NotNil(t, assignment.Aliases, "services[%d] of %q Aliases", i, encoded)
			require.NotNil(t, assignment.Skipped, "services[%d] of %q Skipped", i, encoded)
			require.NotNil(t, assignment.NetworkAliases, "services[%d] of %q NetworkAliases", i, encoded)
			require.Equal(t, len(assignment.Aliases) > 0, assignment.Started, "services[%d] of %q is started exactly when it claims an alias", i, encoded)
			require.False(t, assignment.Started && assignment.InvalidName, "services[%d] of %q cannot be both started and invalid", i, encoded)

			if assignment.Started {
				require.Equal(t, walk, assignment.NetworkAliases, "services[%d] of %q NetworkAliases", i, encoded)
				require.Len(t, walk, len(assignment.Aliases)+len(assignment.Skipped), "services[%d] of %q claims or skips each entry", i, encoded)
			} else {
				require.Empty(t, assignment.NetworkAliases, "services[%d] of %q is not started", i, encoded)
			}

			for _, alias := range assignment.Aliases {
				owner, taken := claimedBy[alias]
				require.False(t, taken, "alias %q of %q is claimed by services[%d] and services[%d]", alias, encoded, owner, i)
				claimedBy[alias] = i
			}
		}
	})
}

func TestHostnameDiagnostics(t *testing.T) {
	tests := []struct {
		alias      string
		wantRFC    string
		wantK8s    bool
		wantAbsent bool
	}{
		{alias: "db", wantAbsent: true},
		{alias: "localhost.localstack.cloud", wantAbsent: true},
		{alias: "registry.example.com-ns-img", wantAbsent: true},
		{alias: "10.0.0.1-img", wantAbsent: true},
		{alias: "ns__img", wantRFC: `contains '_'`, wantK8s: true},
		{alias: "alpine_edge", wantRFC: `contains '_'`, wantK8s: true},
		{alias: "my_org-img", wantRFC: `contains '_'`, wantK8s: true},
		{alias: "MyOrg-img", wantK8s: true},
		{alias: "[::1]-img", wantRFC: `contains '['`, wantK8s: true},
		{alias: strings.Repeat("a", 64), wantRFC: "longer than 63 characters"},
		{alias: strings.Repeat("a", 63), wantAbsent: true},
		{alias: strings.Repeat("a.", 127), wantRFC: "longer than 253 characters", wantK8s: true},
		{alias: "-db", wantRFC: `starts or ends with "-"`, wantK8s: true},
		{alias: "db.", wantRFC: "empty label", wantK8s: true},
		{alias: "a..b", wantRFC: "empty label", wantK8s: true},
	}

	for _, tc := range tests {
		got := HostnameDiagnostics(tc.alias, "svc", true)
		if tc.wantAbsent {
			assert.Empty(t, got, "HostnameDiagnostics(%q)", tc.alias)
			continue
		}

		var messages []string
		for _, diagnostic := range got {
			assert.Equal(t, SeverityWarning, diagnostic.Severity, "HostnameDiagnostics(%q): %s", tc.alias, diagnostic.Message)
			messages = append(messages, diagnostic.Message)
		}
		all := strings.Join(messages, "\n")

		if tc.wantRFC != "" {
			assert.Contains(t, all, "not a valid RFC 1123 host name", "HostnameDiagnostics(%q)", tc.alias)
			assert.Contains(t, all, tc.wantRFC, "HostnameDiagnostics(%q)", tc.alias)
			assert.Contains(t, all, "HTTP clients", "HostnameDiagnostics(%q)", tc.alias)
			if strings.Contains(tc.wantRFC, "longer than") {
				assert.Contains(t, all, "DNS resolvers", "HostnameDiagnostics(%q)", tc.alias)
			}
		} else {
			assert.NotContains(t, all, "RFC 1123 host name", "HostnameDiagnostics(%q) must accept it as a host name", tc.alias)
		}

		if tc.wantK8s {
			assert.Contains(t, all, "Kubernetes executor", "HostnameDiagnostics(%q)", tc.alias)
			assert.Contains(t, all, "provided host alias "+tc.alias+" for service", "HostnameDiagnostics(%q)", tc.alias)
		} else {
			assert.NotContains(t, all, "Kubernetes", "HostnameDiagnostics(%q) must accept it as a DNS-1123 subdomain", tc.alias)
		}
	}
}
