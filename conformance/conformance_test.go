package conformance

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ciimage/ciimage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpusDir is the directory of real pipeline files, beside the
// repository.
var corpusDir = filepath.Join("..", "..", "shared", "corpus", "gitlab-ci")

// knownBugs lists names on which ciimage is known to disagree with the
// runner, with the bug to name in t.Skip. The test still runs every other
// name, and a listed name that agrees again fails the test so the entry is
// removed.
var knownBugs = map[string]string{}

// describe formats a disagreement with the name and both results.
func describe(d Disagreement) string {
	return fmt.Sprintf("%s for %q:\n  runner:  %+v\n  ciimage: %+v", d.Reason, d.Name, d.Runner, d.Ciimage)
}

// checkNames compares every name and reports each disagreement as a
// failure, unless knownBugs lists it. It returns the number compared.
func checkNames(t *testing.T, names []string) int {
	t.Helper()
	for _, name := range names {
		disagreement, differs := Compare(name)
		bug, known := knownBugs[name]
		switch {
		case differs && known:
			t.Logf("known bug %s: %s", bug, describe(disagreement))
		case differs:
			t.Errorf("%s", describe(disagreement))
		case known:
			t.Errorf("name %q now agrees with the runner; remove it from knownBugs (%s)", name, bug)
		}
	}
	return len(names)
}

func TestCorpusNamesAgree(t *testing.T) {
	names, err := ReadCorpus(corpusDir)
	require.NoError(t, err, "reading the corpus in %s", corpusDir)

	unique := UniqueNames(names)
	missing := 0
	for _, name := range names {
		if len(name.Missing) > 0 {
			missing++
			t.Logf("not compared: %s:%d %q uses %v, which have no value", name.File, name.Line, name.Written, name.Missing)
		}
	}
	require.NotEmpty(t, unique, "no comparable names found in %s", corpusDir)

	compared := checkNames(t, unique)
	t.Logf("corpus: %d names found, %d not compared for missing variables, %d unique names compared", len(names), missing, compared)
}

func TestCorpusExtraction(t *testing.T) {
	names, err := ReadCorpus(corpusDir)
	require.NoError(t, err)

	written := make([]string, 0, len(names))
	for _, name := range names {
		written = append(written, name.Written)
	}

	// Expected entries from 003-gitlabhq-omnibus-gitlab.yml and
	// 001-gitlabhq-gitlab-shell.yml: a service given as a mapping, and a
	// service given as a string with a variable.
	assert.Contains(t, written, "${DOCKER_DIND_IMAGE}", "service mapping name")
	assert.Contains(t, written, "docker:${DOCKER_VERSION}-dind", "service string")
	for _, name := range names {
		assert.NotEmpty(t, name.File, "file of %q", name.Written)
		assert.Positive(t, name.Line, "line of %q", name.Written)
		if len(name.Missing) == 0 {
			assert.NotContains(t, name.Name, "${", "expanded %q from %s:%d", name.Written, name.File, name.Line)
		}
	}
}

func TestGeneratedNamesAgree(t *testing.T) {
	names := GeneratedNames()
	valid := 0
	for _, name := range names {
		if ciimage.ParseImageName(name).Valid {
			valid++
		}
	}
	// The set is meant to exercise both outcomes in quantity.
	require.Greater(t, valid, len(names)/10, "valid generated names")
	require.Greater(t, len(names)-valid, len(names)/10, "invalid generated names")

	compared := checkNames(t, names)
	t.Logf("generated: %d names compared, %d valid for the runner", compared, valid)
}

func TestGeneratedNamesDeterministic(t *testing.T) {
	first := GeneratedNames()
	second := GeneratedNames()
	assert.Equal(t, first, second)
}

// TestCompareDetectsDifference checks that Compare can fail: a result
// whose aliases differ is not Equal, so a wrong ciimage result would be
// reported.
func TestCompareDetectsDifference(t *testing.T) {
	runner := RunnerResult("ns/img")
	changed := runner
	changed.Aliases = slices.Clone(runner.Aliases)
	changed.Aliases[0] = "ns-img"

	assert.True(t, runner.Equal(RunnerResult("ns/img")), "same result")
	assert.False(t, runner.Equal(changed), "different first alias")
	assert.Equal(t, []string{"ns__img", "ns-img"}, runner.Aliases, "runner aliases for ns/img")
}

func TestRunnerDigestDropped(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"img@sha256:" + hex64, false},
		{"img@sha512:" + hex64 + hex64, true},
		{"img@sha256:" + hex64[:32], true},
		{"img:1@sha512:" + hex64 + hex64, false},
		{"img", false},
		{"Img@sha512:" + hex64 + hex64, false},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			assert.Equal(t, test.want, RunnerResult(test.name).DigestDropped, "DigestDropped derived for %q", test.name)
		})
	}
}

// seedNames returns the fuzz seeds: the corpus names, the single names,
// every path alone, and every host and tag or digest around "ns/img".
func seedNames(t testing.TB) []string {
	names, err := ReadCorpus(corpusDir)
	require.NoError(t, err)

	seeds := UniqueNames(names)
	seeds = append(seeds, generatedSingles...)
	seeds = append(seeds, generatedPaths...)
	for _, host := range generatedHosts {
		for _, reference := range generatedReferences {
			seeds = append(seeds, host+"/ns/img"+reference)
		}
	}
	return seeds
}

func FuzzSplitNameAndVersion(f *testing.F) {
	for _, seed := range seedNames(f) {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, name string) {
		disagreement, differs := Compare(name)
		if !differs {
			return
		}
		if bug, known := knownBugs[name]; known {
			t.Skipf("known bug %s: %s", bug, describe(disagreement))
		}
		t.Errorf("%s", describe(disagreement))
	})
}
