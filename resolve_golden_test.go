package ciimage

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResolveGolden resolves each testdata/resolve/NAME.yml and compares the
// JSON plan with NAME.golden. Optional side files: NAME.toml is the
// runner's config.toml (its first Docker runner is used), NAME.json is a
// DOCKER_AUTH_CONFIG value, and NAME.vars holds KEY=VALUE lines given as
// project variables. Run "go test -update" to rewrite the golden files,
// then review the diff.
func TestResolveGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "resolve", "*.yml"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no golden cases found")

	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yml")
		t.Run(name, func(t *testing.T) {
			got := resolveGoldenCase(t, file)
			assertGolden(t, strings.TrimSuffix(file, ".yml")+".golden", file, got)
		})
	}
}

// resolveGoldenCase returns the indented JSON plan of one case.
func resolveGoldenCase(t *testing.T, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)

	base := strings.TrimSuffix(file, ".yml")
	opts := ResolveOptions{Variables: readVarsFile(t, base+".vars")}
	if config, err := os.ReadFile(base + ".toml"); err == nil {
		runners, diags := ParseRunnerConfig(filepath.ToSlash(base+".toml"), config)
		require.False(t, diags.HasErrors(), "runner config of %s: %v", file, diags)
		opts.Runner, err = runners.Runner("")
		require.NoError(t, err, "runner config of %s", file)
	}
	if authConfig, err := os.ReadFile(base + ".json"); err == nil {
		opts.Variables = append(opts.Variables, Variable{Key: "DOCKER_AUTH_CONFIG", Value: string(authConfig)})
	}
	pipeline, _ := ParsePipeline(filepath.ToSlash(file), data)
	plan, err := Resolve(context.Background(), pipeline, opts)
	require.NoError(t, err)

	return encodePlan(t, plan)
}

// encodePlan returns the plan as indented JSON, as ciimage prints it.
func encodePlan(t *testing.T, plan *Plan) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(plan))
	return buf.Bytes()
}

// readVarsFile reads KEY=VALUE lines; a missing file gives no variables.
func readVarsFile(t *testing.T, path string) Variables {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	defer f.Close()

	var vars Variables
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		key, value, ok := strings.Cut(scanner.Text(), "=")
		if ok {
			vars = append(vars, Variable{Key: key, Value: value})
		}
	}
	require.NoError(t, scanner.Err())
	return vars
}

func TestUnknownJobListsJobs(t *testing.T) {
	var input strings.Builder
	for i := range 25 {
		fmt.Fprintf(&input, "job-%02d: {script: [x]}\n", i)
	}
	p, err := ParsePipeline(".gitlab-ci.yml", []byte(input.String()))
	require.NoError(t, err, "ParsePipeline")

	_, err = Resolve(context.Background(), p, ResolveOptions{Jobs: []string{"job-99"}})
	require.ErrorIs(t, err, ErrUnknownJob, "Resolve with an unknown job")
	assert.Contains(t, err.Error(), `the jobs are: "job-00", "job-01"`, "the error lists the jobs")
	assert.Contains(t, err.Error(), `"job-19" and 5 more`, "the error lists 20 jobs and counts the rest")
}
