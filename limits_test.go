package ciimage

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// limitErrors returns the ErrLimit diagnostics that name field.
func limitErrors(diags Diagnostics, field string) Diagnostics {
	var found Diagnostics
	for _, d := range diags {
		if d.Severity == SeverityError && d.Kind == ErrLimit && strings.Contains(d.Message, "Limits."+field) {
			found = append(found, d)
		}
	}
	return found
}

// yamlLimitCases build a pipeline that is exactly at a limit of n, and
// one just past it when given n+1.
var yamlLimitCases = []struct {
	field  string
	limits func(n int) Limits
	n      int
	input  func(n int) string
}{
	{"MaxFileBytes", func(n int) Limits { return Limits{MaxFileBytes: int64(n)} }, 40,
		func(n int) string { s := "j: {script: [x]}\n#"; return s + strings.Repeat("x", n-len(s)) }},
	{"MaxYAMLDepth", func(n int) Limits { return Limits{MaxYAMLDepth: n} }, 6,
		// The root and the job's mapping are two levels; v adds n-2.
		func(n int) string {
			return "j: {script: x, v: " + strings.Repeat("[", n-2) + strings.Repeat("]", n-2) + "}\n"
		}},
	{"MaxYAMLNodes", func(n int) Limits { return Limits{MaxYAMLNodes: n} }, 13,
		// With script: x the file has 9 + 2k nodes: the root, keys a, j,
		// script and v, the job's mapping, x, and the anchored list of k
		// scalars (1 + k nodes) counted at both of its uses. script: [x]
		// adds one node.
		func(n int) string {
			script, k := "x", (n-9)/2
			if (n-9)%2 == 1 {
				script, k = "[x]", (n-10)/2
			}
			return fmt.Sprintf("a: &a [%s]\nj: {script: %s, v: *a}\n", strings.TrimSuffix(strings.Repeat("x, ", k), ", "), script)
		}},
	{"MaxJobs", func(n int) Limits { return Limits{MaxJobs: n} }, 5,
		func(n int) string {
			var b strings.Builder
			for i := range n {
				fmt.Fprintf(&b, "j%d: {script: x}\n", i)
			}
			return b.String()
		}},
	{"MaxServices", func(n int) Limits { return Limits{MaxServices: n} }, 3,
		func(n int) string {
			return "j: {script: x, services: [" + strings.TrimSuffix(strings.Repeat("redis, ", n), ", ") + "]}\n"
		}},
	{"MaxReferenceDepth", func(n int) Limits { return Limits{MaxReferenceDepth: n} }, 4,
		// j's reference starts a chain through .r(n-1) ... .r0, which is n
		// references long. Later entries are listed after j, so the chain
		// is resolved from j.
		func(n int) string {
			var b strings.Builder
			fmt.Fprintf(&b, "j: {script: x, before_script: !reference [.r%d]}\n", n-1)
			for i := n - 1; i > 0; i-- {
				fmt.Fprintf(&b, ".r%d: [!reference [.r%d]]\n", i, i-1)
			}
			b.WriteString(".r0: [x]\n")
			return b.String()
		}},
}

func TestYAMLLimitsAtAndPast(t *testing.T) {
	for _, tc := range yamlLimitCases {
		t.Run(tc.field, func(t *testing.T) {
			opts := ComposeOptions{Limits: tc.limits(tc.n)}
			at := tc.input(tc.n)
			_, diags := ParseDocument(".gitlab-ci.yml", []byte(at), opts)
			assert.Empty(t, messages(diags), "%s at its limit %d: input %q", tc.field, tc.n, at)

			past := tc.input(tc.n + 1)
			_, diags = ParseDocument(".gitlab-ci.yml", []byte(past), opts)
			found := limitErrors(diags, tc.field)
			require.Len(t, found, 1, "%s past its limit %d: input %q: diagnostics %v", tc.field, tc.n, past, messages(diags))
			assert.Positive(t, found[0].Line, "%s: line of the error", tc.field)
			assert.Equal(t, ".gitlab-ci.yml", found[0].File, "%s: file of the error", tc.field)
			assert.Contains(t, found[0].Message, fmt.Sprint(tc.n), "%s: the message gives the limit's value", tc.field)
		})
	}
}

func TestMaxFileBytesIncludedFile(t *testing.T) {
	fsys := fstest.MapFS{
		".gitlab-ci.yml": {Data: []byte("include: big.yml\nj: {script: x}\n")},
		"big.yml":        {Data: []byte("k: {script: x}\n#" + strings.Repeat("x", 100))},
	}
	_, diags := Compose(fsys, ".gitlab-ci.yml", ComposeOptions{Limits: Limits{MaxFileBytes: 100}})
	found := limitErrors(diags, "MaxFileBytes")
	require.Len(t, found, 1, "included file past the limit: diagnostics %v", messages(diags))
	assert.Equal(t, "big.yml", found[0].File, "included file past the limit: file of the error")
}

func TestMaxServicesFailsOnlyThatJob(t *testing.T) {
	input := "a: {script: x, services: [redis, redis]}\nb: {script: x, services: [redis]}\n"
	p, _ := ParsePipeline(".gitlab-ci.yml", []byte(input))
	require.NotNil(t, p.Job("a"), "input %q: job a", input)
	require.NotNil(t, p.Job("b"), "input %q: job b", input)

	doc, diags := ParseDocument(".gitlab-ci.yml", []byte(input), ComposeOptions{Limits: Limits{MaxServices: 1}})
	require.Len(t, limitErrors(diags, "MaxServices"), 1, "input %q: diagnostics %v", input, messages(diags))
	assert.True(t, doc.Failed("a"), "input %q: job a is not planned", input)
	assert.False(t, doc.Failed("b"), "input %q: job b is planned", input)
}

func TestDefaultLimitsValues(t *testing.T) {
	want := Limits{
		MaxFileBytes: 8 << 20, MaxYAMLDepth: 100, MaxYAMLNodes: 1_000_000, MaxReferenceDepth: 100,
		MaxJobs: 100_000, MaxServices: 100, MaxRunnerConfigBytes: 1 << 20, MaxDockerConfigBytes: 1 << 20,
		MaxAuthEntries: 1000, MaxPayloadBytes: 16 << 20, MaxExpandedBytes: 1 << 20,
	}
	assert.Equal(t, want, DefaultLimits(), "DefaultLimits")
	assert.Equal(t, want, Limits{MaxJobs: -1}.withDefaults(), "a negative field takes its default")
}

func TestRunnerConfigBytesLimit(t *testing.T) {
	data := "[[runners]]\nname = \"a\"\nexecutor = \"docker\"\n"
	config, diags := ParseRunnerConfig("config.toml", []byte(data), Limits{MaxRunnerConfigBytes: int64(len(data))})
	require.NotNil(t, config, "config.toml at the limit")
	assert.Empty(t, diags, "config.toml at the limit: diagnostics")

	config, diags = ParseRunnerConfig("config.toml", []byte(data+" "), Limits{MaxRunnerConfigBytes: int64(len(data))})
	assert.Nil(t, config, "config.toml past the limit")
	require.Len(t, limitErrors(diags, "MaxRunnerConfigBytes"), 1, "config.toml past the limit: diagnostics %v", diags)
}

func TestPayloadLimits(t *testing.T) {
	data := `{"services": [{"name": "a"}, {"name": "b"}]}`
	payload, diags := ParsePayload("job.json", []byte(data), Limits{MaxPayloadBytes: int64(len(data)), MaxServices: 2})
	require.NotNil(t, payload, "payload at both limits")
	assert.Empty(t, diags, "payload at both limits: diagnostics")
	assert.Len(t, payload.Services, 2, "payload at both limits: services")

	payload, diags = ParsePayload("job.json", []byte(data+" "), Limits{MaxPayloadBytes: int64(len(data))})
	assert.Nil(t, payload, "payload past MaxPayloadBytes")
	require.Len(t, limitErrors(diags, "MaxPayloadBytes"), 1, "payload past MaxPayloadBytes: diagnostics %v", diags)

	payload, diags = ParsePayload("job.json", []byte(data), Limits{MaxServices: 1})
	require.NotNil(t, payload, "payload past MaxServices")
	assert.Len(t, payload.Services, 1, "payload past MaxServices: services kept")
	found := limitErrors(diags, "MaxServices")
	require.Len(t, found, 1, "payload past MaxServices: diagnostics %v", diags)
	assert.Equal(t, "services[1]", found[0].Location, "payload past MaxServices: location")
}

func TestDockerConfigLimits(t *testing.T) {
	data := `{"auths": {"a.example": {}, "b.example": {}}, "credHelpers": {"c.example": "x"}}`
	_, _, err := ParseDockerConfig("config.json", []byte(data), Limits{MaxDockerConfigBytes: int64(len(data)), MaxAuthEntries: 2})
	assert.NoError(t, err, "Docker config at both limits")

	_, _, err = ParseDockerConfig("config.json", []byte(data+" "), Limits{MaxDockerConfigBytes: int64(len(data))})
	assert.ErrorIs(t, err, ErrLimit, "Docker config past MaxDockerConfigBytes")
	assert.ErrorContains(t, err, "Limits.MaxDockerConfigBytes", "Docker config past MaxDockerConfigBytes")

	_, _, err = ParseDockerConfig("config.json", []byte(data), Limits{MaxAuthEntries: 1})
	assert.ErrorIs(t, err, ErrLimit, "Docker config past MaxAuthEntries")
	assert.ErrorContains(t, err, "Limits.MaxAuthEntries", "Docker config past MaxAuthEntries")
}

func TestEnormousAuthsMapIsAnError(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"auths": {`)
	for i := range DefaultMaxAuthEntries + 1 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"r%d.example": {"auth": "dTpw"}`, i)
	}
	b.WriteString("}}")
	auth, diags, err := ResolveRegistryAuth(context.Background(), AuthOptions{Variables: Variables{{Key: "DOCKER_AUTH_CONFIG", Value: b.String()}}})
	require.NoError(t, err, "enormous auths map")
	require.Len(t, limitErrors(diags, "MaxAuthEntries"), 1, "enormous auths map: diagnostics %v", diags)
	assert.Nil(t, auth.Lookup("r1.example/app"), "enormous auths map: no credentials are used")
}

func TestBillionLaughsBoundedAllocations(t *testing.T) {
	input := []byte(billionLaughs(9))
	allocs := testing.AllocsPerRun(3, func() {
		_, _ = ParseDocument(".gitlab-ci.yml", input, ComposeOptions{})
	})
	// Parsing the 11-line file takes a few thousand allocations; expanding
	// it would take 10^9.
	assert.Less(t, allocs, 20_000.0, "allocations to reject a billion laughs file")
}

func TestSharedSubtreeMergeBoundedAllocations(t *testing.T) {
	// Each level is a mapping whose ten keys alias the level below, and
	// the job extends a base that aliases the same top level, so extends
	// deep-merges two 10^7-node trees that share their nodes.
	var b strings.Builder
	b.WriteString("l0: &l0 {v: x}\n")
	for i := 1; i < 8; i++ {
		fmt.Fprintf(&b, "l%d: &l%d {", i, i)
		for k := range 10 {
			fmt.Fprintf(&b, "k%d: *l%d, ", k, i-1)
		}
		b.WriteString("}\n")
	}
	b.WriteString(".b: {script: x, v: *l7}\nj: {extends: .b, v: *l7}\n")
	assert.Less(t, allocsToCompose(b.String()), 20_000.0, "allocations to compose extends over shared subtrees")
}

// allocsToCompose returns the allocations of one ParseDocument of input
// without a node limit, so that only the composition's own bounds apply.
func allocsToCompose(input string) float64 {
	unlimited := ComposeOptions{Limits: Limits{MaxYAMLNodes: 1 << 40}}
	return testing.AllocsPerRun(3, func() {
		_, _ = ParseDocument(".gitlab-ci.yml", []byte(input), unlimited)
	})
}

func TestSharedReferenceHoldersBoundedAllocations(t *testing.T) {
	// Each level is a list whose ten items alias the level below, and the
	// bottom level contains a !reference, so every level must be resolved.
	// Resolving each shared level once keeps the work to the file's size.
	var b strings.Builder
	b.WriteString(".r: {v: x}\nl0: &l0 [!reference [.r, v]]\n")
	for i := 1; i < 8; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [", i, i)
		for range 10 {
			fmt.Fprintf(&b, "*l%d, ", i-1)
		}
		b.WriteString("]\n")
	}
	b.WriteString("j: {script: x, variables: {V: y}, cache: *l7}\n")
	assert.Less(t, allocsToCompose(b.String()), 20_000.0, "allocations to resolve a reference under shared lists")
}

func TestExpansionLimit(t *testing.T) {
	cases := []struct {
		name     string
		variable string
		wantErr  bool
	}{
		{"at the limit", "$A$A", false},
		{"past the limit", "$A$A$A", true},
		{"past the limit in a name", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			yaml := "variables: {A: '12345', B: '" + tc.variable + "'}\nj: {script: x, image: 'img:$B'}\n"
			if tc.variable == "" {
				yaml = "variables: {A: '12345'}\nj: {script: x, image: 'img:$A$A$A'}\n"
			}
			p, err := ParsePipeline("ci.yml", []byte(yaml))
			require.NoError(t, err)
			plan, err := Resolve(context.Background(), p, ResolveOptions{Limits: Limits{MaxExpandedBytes: 10}})
			require.NoError(t, err)

			found := limitErrors(plan.Jobs[0].Diagnostics, "MaxExpandedBytes")
			if tc.wantErr {
				assert.NotEmpty(t, found, "pipeline %q: want a MaxExpandedBytes error, got %v", yaml, plan.Jobs[0].Diagnostics)
			} else {
				assert.Empty(t, found, "pipeline %q: want no MaxExpandedBytes error", yaml)
				assert.Equal(t, "img:1234512345", plan.Jobs[0].Image.Name, "image of %q", yaml)
			}
		})
	}
}

// TestExpansionBombBounded checks that variables that refer to each other
// many times cannot make a value larger than the limit.
func TestExpansionBombBounded(t *testing.T) {
	a := strings.Repeat("x", 1<<10)
	b := strings.Repeat("$A", 1<<12)
	yaml := "variables: {A: '" + a + "', B: '" + b + "'}\nj: {script: x, image: 'img:$B$B$B$B'}\n"
	p, err := ParsePipeline("ci.yml", []byte(yaml))
	require.NoError(t, err)

	plan, err := Resolve(context.Background(), p, ResolveOptions{})
	require.NoError(t, err)
	assert.LessOrEqual(t, len(plan.Jobs[0].Image.Name), DefaultMaxExpandedBytes+len("img:$B$B$B$B"), "expanded image name length")
	assert.NotEmpty(t, limitErrors(plan.Jobs[0].Diagnostics, "MaxExpandedBytes"), "an expansion past the limit is reported")
}

// TestManyVariablesManyJobsLinear checks that the work of resolving grows
// with the size of the pipeline, not with the number of variables times
// the number of jobs: doubling both at most about doubles the
// allocations.
func TestManyVariablesManyJobsLinear(t *testing.T) {
	allocations := func(n int) float64 {
		var b strings.Builder
		b.WriteString("variables:\n")
		for i := range n {
			fmt.Fprintf(&b, "  V%d: \"$V0-x\"\n", i)
		}
		for i := range n {
			fmt.Fprintf(&b, "j%d: {script: x, image: ruby, services: [postgres]}\n", i)
		}
		data := []byte(b.String())
		return testing.AllocsPerRun(1, func() {
			p, _ := ParsePipeline("ci.yml", data)
			_, _ = Resolve(context.Background(), p, ResolveOptions{})
		})
	}

	small, large := allocations(300), allocations(600)
	assert.Less(t, large/small, 2.6, "allocations for 600 variables and jobs (%v) against 300 (%v): want linear growth", large, small)
}
