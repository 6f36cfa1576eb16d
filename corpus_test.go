package ciimage

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// corpusDir holds real configuration files written by GitLab users,
// beside the repository.
const corpusDir = "../shared/corpus"

// corpusFiles lists the files of one corpus folder and skips the test
// when the corpus is not there.
func corpusFiles(t *testing.T, folder, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, folder, pattern))
	require.NoError(t, err)
	if len(files) == 0 {
		t.Fatalf("no corpus files in %s: the corpus must be beside the repository", filepath.Join(corpusDir, folder))
	}
	return files
}

// TestCorpusPipelinesResolve resolves every corpus pipeline: none may
// panic, and each gives a plan with lists that are not nil.
func TestCorpusPipelinesResolve(t *testing.T) {
	for _, file := range corpusFiles(t, "gitlab-ci", "*.yml") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)

			pipeline, _ := ParsePipeline(file, data)
			plan, err := Resolve(context.Background(), pipeline, ResolveOptions{})
			require.NoError(t, err)
			require.NotNil(t, plan.Jobs, "plan of %s has nil jobs", file)
			for _, job := range plan.Jobs {
				require.NotNil(t, job.Services, "job %s of %s has nil services", job.Name, file)
				require.NotNil(t, job.Diagnostics, "job %s of %s has nil diagnostics", job.Name, file)
			}
		})
	}
}
