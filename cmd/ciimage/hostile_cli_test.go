package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// snapshot lists every path under dir with its size and modification time.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		info, err := d.Info()
		require.NoError(t, err)
		files[path] = fmt.Sprint(info.ModTime(), " ", info.Mode(), " ", info.Size())
		return nil
	})
	require.NoError(t, err)
	return files
}

func TestCommandWritesNoFiles(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.WriteFile(".gitlab-ci.yml", []byte("include: other.yml\nj: {script: x, image: ruby, services: [postgres]}\n"), 0o600))
	require.NoError(t, os.WriteFile("other.yml", []byte("k: {script: x}\n"), 0o600))
	require.NoError(t, os.WriteFile("config.toml", []byte("[[runners]]\nexecutor = \"docker\"\n"), 0o600))
	before := snapshot(t, dir)

	for _, args := range [][]string{
		{"resolve"},
		{"resolve", "-format", "json", "-config", "config.toml", "-home", dir},
		{"auth", "-docker-auth-config", `{"auths": {"r.example": {"auth": "dTpw"}}}`, "r.example/app"},
	} {
		var stdout, stderr bytes.Buffer
		status := run(context.Background(), args, &stdout, &stderr)
		assert.Contains(t, []int{exitOK, exitFindings}, status, "ciimage %q: exit status; stderr %s", args, stderr.String())
		assert.Equal(t, before, snapshot(t, dir), "ciimage %q: the working folder is unchanged", args)
	}
}

func TestCommandUnreadableFiles(t *testing.T) {
	dir := t.TempDir()
	pipeline := filepath.Join(dir, "p.yml")
	require.NoError(t, os.WriteFile(pipeline, []byte("j: {script: x}\n"), 0o600))
	missing := filepath.Join(dir, "missing-file")

	tests := []struct {
		name string
		args []string
	}{
		{"pipeline", []string{"resolve", missing}},
		{"config", []string{"resolve", "-config", missing, pipeline}},
		{"payload", []string{"resolve", "-payload", missing}},
		{"docker auth config file", []string{"auth", "-docker-auth-config", "@" + missing, "r.example/app"}},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		status := run(context.Background(), tc.args, &stdout, &stderr)
		assert.Equal(t, exitUsage, status, "%s: exit status", tc.name)
		assert.Contains(t, stderr.String(), missing, "%s: standard error names the file", tc.name)
	}
}

// TestHomeConfigSymlinkIsFollowed documents that a Docker config.json that
// is a symbolic link is read through the link, wherever it points, as the
// runner's os.Open of the same path does.
func TestHomeConfigSymlinkIsFollowed(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "elsewhere.json")
	require.NoError(t, os.WriteFile(outside, []byte(`{"auths": {"r.example": {"auth": "dTpw"}}}`), 0o600))
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".docker"), 0o755))
	if err := os.Symlink(outside, filepath.Join(home, ".docker", "config.json")); err != nil {
		t.Skipf("symbolic links are not available: %v", err)
	}

	var stdout, stderr bytes.Buffer
	status := run(context.Background(), []string{"auth", "-format", "json", "-home", home, "r.example/app"}, &stdout, &stderr)
	assert.Equal(t, exitOK, status, "symlinked config.json: exit status; stderr %s", stderr.String())
	assert.Contains(t, stdout.String(), `"username": "u"`, "symlinked config.json: credentials are read through the link")
	assert.NotContains(t, stdout.String(), "dTpw", "symlinked config.json: the auth value is not shown")
}
