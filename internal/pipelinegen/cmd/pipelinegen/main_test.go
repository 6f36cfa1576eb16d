package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/ciimage/ciimage/internal/pipelinegen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunWritesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pipeline.yml")
	var stdout, stderr bytes.Buffer
	status := run([]string{"-jobs", "7", "-extends-depth", "3", "-anchor-reuse", "4", "-seed", "11", "-o", path}, &stdout, &stderr)
	require.Equal(t, exitOK, status, "stderr: %s", stderr.String())

	written, err := os.ReadFile(path)
	require.NoError(t, err)
	var expected bytes.Buffer
	require.NoError(t, pipelinegen.Generate(&expected, pipelinegen.Config{Jobs: 7, ExtendsDepth: 3, AnchorReuse: 4, Seed: 11}))
	assert.Equal(t, expected.String(), string(written), "file content")
	assert.Zero(t, stdout.Len(), "standard output with -o")
}

func TestRunWritesStandardOutput(t *testing.T) {
	var stdout, stderr bytes.Buffer
	status := run([]string{"-jobs", "2"}, &stdout, &stderr)
	require.Equal(t, exitOK, status, "stderr: %s", stderr.String())
	assert.Contains(t, stdout.String(), "job-0001:", "second job")
}

func TestRunRejectsInvalidFlags(t *testing.T) {
	tests := [][]string{
		{"-jobs", "0"},
		{"-extends-depth", "12"},
		{"-unknown"},
		{"extra"},
	}
	for _, args := range tests {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, exitUsage, run(args, &stdout, &stderr), "exit status for %q", args)
		assert.NotZero(t, stderr.Len(), "error message for %q", args)
	}
}

func TestRunReportsUnwritableFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "pipeline.yml")
	var stdout, stderr bytes.Buffer
	assert.Equal(t, exitFailure, run([]string{"-o", path}, &stdout, &stderr), "exit status")
	assert.Contains(t, stderr.String(), path, "error names the file")
}
