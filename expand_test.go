package ciimage

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var expandTests = []struct {
	value string
	want  string
}{
	{"postgres:${TAG}", "postgres:15"},
	{"postgres:$TAG", "postgres:15"},
	{"img:$UNDEFINED", "img:"},
	{"${TAG}_X", "15_X"},
	{"$TAG_X", ""},
	{"img:${TAG", "img:TAG"},
	{"img${}", "img"},
	{"img$$x", "img$x"},
	{"a$", "a$"},
	{"$1$*$#$@$!$?", ""},
	{"$-", ""},
	{"${TAG}${TAG}", "1515"},
	{"$SSH_KEY", "$RUNNER_TEMP_PROJECT_DIR/SSH_KEY"},
	{"no variables", "no variables"},
	{"", ""},
}

func expandTestVariables() Variables {
	return Variables{
		{Key: "TAG", Value: "10"},
		{Key: "TAG", Value: "15"},
		{Key: "SSH_KEY", Value: "-----BEGIN", File: true},
	}
}

func TestExpandValue(t *testing.T) {
	vars := expandTestVariables()
	for _, tt := range expandTests {
		assert.Equal(t, tt.want, ExpandValue(tt.value, vars), "ExpandValue(%q)", tt.value)
	}
}

func TestExpandValueFileVariable(t *testing.T) {
	vars := Variables{
		{Key: TempProjectDirVariable, Value: "/builds/g/p.tmp"},
		{Key: "CA_CERT", Value: "contents", File: true},
	}
	assert.Equal(t, "/builds/g/p.tmp/CA_CERT", ExpandValue("$CA_CERT", vars),
		"a File variable expands to its path under RUNNER_TEMP_PROJECT_DIR")
}

func TestExpandValueTwice(t *testing.T) {
	first := ExpandValue("img$$x", nil)
	assert.Equal(t, "img$x", first, "first pass over img$$x")
	assert.Equal(t, "img", ExpandValue(first, nil), "second pass over img$x, as for the build image")
}

func TestVariableReferences(t *testing.T) {
	vars := expandTestVariables()
	tests := []struct {
		value      string
		referenced []string
		undefined  []string
	}{
		{"postgres:${TAG}", []string{"TAG"}, nil},
		{"$CI_REGISTRY_IMAGE/app:$CI_COMMIT_REF_SLUG-$TAG", []string{"CI_REGISTRY_IMAGE", "CI_COMMIT_REF_SLUG", "TAG"},
			[]string{"CI_REGISTRY_IMAGE", "CI_COMMIT_REF_SLUG"}},
		{"$A$A${A}", []string{"A"}, []string{"A"}},
		{"img$$x:${TAG", nil, nil},
		{"$1$?", nil, nil},
		{"$SSH_KEY", []string{"SSH_KEY", TempProjectDirVariable}, []string{TempProjectDirVariable}},
	}
	for _, tt := range tests {
		referenced, undefined := VariableReferences(tt.value, vars)
		assert.Equal(t, tt.referenced, referenced, "referenced names of %q", tt.value)
		assert.Equal(t, tt.undefined, undefined, "undefined names of %q", tt.value)
	}
}

func TestIsPredefinedVariable(t *testing.T) {
	tests := map[string]bool{
		"CI_REGISTRY_IMAGE":    true,
		"CI_COMMIT_REF_SLUG":   true,
		"CI_PROJECT_PATH":      true,
		"CI":                   true,
		"GITLAB_CI":            true,
		"GITLAB_USER_LOGIN":    true,
		"FF_NETWORK_PER_BUILD": true,
		TempProjectDirVariable: true,
		"TRIGGER_PAYLOAD":      true,
		"POSTGRES_VERSION":     false,
		"CIRCLE":               false,
		"ci_registry_image":    false,
		"DOCKER_AUTH_CONFIG":   false,
		"MY_CI_REGISTRY_IMAGE": false,
	}
	for name, want := range tests {
		assert.Equal(t, want, IsPredefinedVariable(name), "IsPredefinedVariable(%q)", name)
	}
}

func TestRunnerEnvironmentVariables(t *testing.T) {
	config, _ := loadRunnerFixture(t, "multi.toml")
	r := config.Runners[1]

	vars, diagnostics := r.EnvironmentVariables()
	assert.Equal(t, Variables{
		{Key: "DOCKER_DRIVER", Value: "overlay2", Internal: true},
		{Key: "EMPTY", Value: "", Internal: true},
	}, vars, "runners[1].environment as variables")
	require.Len(t, diagnostics, 1, "one finding for the entry without =")
	d := diagnostics[0]
	assert.Equal(t, SeverityWarning, d.Severity, "an entry without = is a warning")
	assert.Equal(t, "runners[1].environment[1]", d.Location, "location of BROKEN")
	assert.Equal(t, 10, d.Line, "line of BROKEN")
	assert.Contains(t, d.Message, `"BROKEN"`, "message names the entry")

	serviceVars, diagnostics := r.Docker.Services[0].Variables(r, 0)
	assert.Empty(t, diagnostics, "findings for runners[1].docker.services[0].environment")
	assert.Equal(t, Variables{{Key: "DOCKER_TLS_CERTDIR", Value: "", Internal: true}}, serviceVars,
		"runners[1].docker.services[0].environment as variables")
}

func TestParseEnvironmentSplitsAtFirstEquals(t *testing.T) {
	vars, diagnostics := ParseEnvironment([]string{"A=b=c", "=x"}, "environment", func(string) Position { return Position{} })
	assert.Empty(t, diagnostics, "findings for A=b=c and =x")
	assert.Equal(t, Variables{
		{Key: "A", Value: "b=c", Internal: true},
		{Key: "", Value: "x", Internal: true},
	}, vars, "entries split at the first =")
}

// TestServiceEnvironmentNonPublic covers a service variable that refers to
// a non-public job variable, such as a dotenv or project variable: the
// reference resolves, but the variable itself is not passed.
func TestServiceEnvironmentNonPublic(t *testing.T) {
	job := Variables{
		{Key: "DOCKER_DRIVER", Value: "overlay2", Internal: true},
		{Key: "CI_JOB_NAME", Value: "test", Public: true},
		{Key: "DB_PASS", Value: "s3cret", Masked: true},
	}
	own := Variables{
		{Key: "POSTGRES_PASSWORD", Value: "$DB_PASS", Public: true},
		{Key: "POSTGRES_USER", Value: "$DB_PASS", Public: true, Raw: true},
		{Key: "DSN", Value: "postgres://$POSTGRES_PASSWORD@db", Public: true},
		{Key: "CI_JOB_NAME", Value: "service-$DOCKER_DRIVER", Public: true},
	}

	got := ServiceEnvironment(job, own)
	assert.Equal(t, Variables{
		{Key: "DOCKER_DRIVER", Value: "overlay2", Internal: true},
		{Key: "CI_JOB_NAME", Value: "test", Public: true},
		{Key: "POSTGRES_PASSWORD", Value: "s3cret", Public: true},
		{Key: "POSTGRES_USER", Value: "$DB_PASS", Public: true, Raw: true},
		{Key: "DSN", Value: "postgres://$DB_PASS@db", Public: true},
		{Key: "CI_JOB_NAME", Value: "service-overlay2", Public: true},
	}, got, "service environment")
	_, passed := got.Lookup("DB_PASS")
	assert.False(t, passed, "the non-public DB_PASS is not passed to the service")
	assert.Equal(t, "service-overlay2", got.Get("CI_JOB_NAME"), "the service's own definition wins")
}

// TestServiceEnvironmentLookup covers the list that service variables
// expand against: the job's variables, then every service variable as
// written. The last definition of a key wins.
func TestServiceEnvironmentLookup(t *testing.T) {
	job := Variables{
		{Key: "SELF", Value: "job-self", Public: true},
		{Key: "B", Value: "job-b", Public: true},
		{Key: "PUB", Value: "pub", Public: true},
		{Key: "DB_PASS", Value: "s3cret", Masked: true},
	}
	own := Variables{
		{Key: "OVERRIDDEN", Value: "$B", Public: true},
		{Key: "B", Value: "service-b", Public: true},
		{Key: "FORWARD", Value: "$LATER", Public: true},
		{Key: "LATER", Value: "$PUB", Public: true},
		{Key: "CHAINED", Value: "[$EARLIER]", Public: true},
		{Key: "EARLIER", Value: "$DB_PASS", Public: true},
		{Key: "SELF", Value: "x-$SELF", Public: true},
	}

	got := ServiceEnvironment(job, own)
	assert.Equal(t, "service-b", got.Get("OVERRIDDEN"), "a service variable defined later overrides the job's B")
	assert.Equal(t, "$PUB", got.Get("FORWARD"), "a later service variable is seen as written")
	assert.Equal(t, "pub", got.Get("LATER"), "LATER expands against the job's PUB")
	assert.Equal(t, "[$DB_PASS]", got.Get("CHAINED"), "another service variable is seen as written")
	assert.Equal(t, "s3cret", got.Get("EARLIER"), "EARLIER expands against the non-public DB_PASS")
	assert.Equal(t, "x-x-$SELF", got.Get("SELF"), "a service variable that refers to itself sees its own unexpanded value")
}

func FuzzExpandValue(f *testing.F) {
	for _, tt := range expandTests {
		f.Add(tt.value)
	}
	vars := expandTestVariables()
	f.Fuzz(func(t *testing.T, value string) {
		got := ExpandValue(value, vars)
		if again := ExpandValue(value, vars); got != again {
			t.Fatalf("ExpandValue(%q) is not deterministic: %q then %q", value, got, again)
		}
		if !strings.Contains(value, "$") && got != value {
			t.Errorf("ExpandValue(%q) = %q, want the value unchanged because it has no $", value, got)
		}
		referenced, undefined := VariableReferences(value, vars)
		for _, name := range undefined {
			if !slices.Contains(referenced, name) {
				t.Errorf("VariableReferences(%q): undefined %q is not among referenced %q", value, name, referenced)
			}
		}
	})
}
