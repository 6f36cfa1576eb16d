package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Planted secrets that the command's output must never contain.
const (
	plantedPassword      = "planted-password-8c1f0e"
	plantedAuthPassword  = "planted-auth-password-3b9d"
	plantedIdentityToken = "planted-identity-token-51a7"
	plantedRegistryPass  = "planted-ci-registry-password-7d06"
)

var plantedAuth = base64.StdEncoding.EncodeToString([]byte("deploy:" + plantedAuthPassword))

var plantedDockerConfig = `{"auths": {
  "registry.example.com": {"auth": "` + plantedAuth + `"},
  "registry.example.com:5000": {"username": "u", "password": "` + plantedPassword + `"},
  "ghcr.io": {"username": "u", "password": "p", "identitytoken": "` + plantedIdentityToken + `"}
}}`

// FuzzResolveCommand runs "ciimage resolve" on a fuzzed pipeline, with
// secrets planted in -var CI_REGISTRY_PASSWORD and in the runner user's
// Docker config, in text and JSON form. Neither output may show a secret,
// and every error line on standard error has a file and line.
func FuzzResolveCommand(f *testing.F) {
	f.Add("j: {script: [x], image: registry.example.com/app:1, services: [registry.example.com:5000/db, ghcr.io/o/c]}")
	f.Add("j: {script: [x], services: [{name: 'registry.gitlab.example.com/g/p', alias: 'a b'}]}")
	f.Add("include: missing.yml\nj: {script: x}")
	f.Add("\ufeffj:\r\n  script: [x]\r\n  image: ruby\r\n")
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "corpus", "gitlab-ci", "*.yml"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(string(data))
		}
	}

	home := f.TempDir()
	require.NoError(f, os.MkdirAll(filepath.Join(home, ".docker"), 0o755))
	require.NoError(f, os.WriteFile(filepath.Join(home, ".docker", "config.json"), []byte(plantedDockerConfig), 0o600))

	f.Fuzz(func(t *testing.T, pipeline string) {
		dir := t.TempDir()
		file := filepath.Join(dir, ".gitlab-ci.yml")
		require.NoError(t, os.WriteFile(file, []byte(pipeline), 0o600))

		for _, format := range []string{"text", "json"} {
			var stdout, stderr bytes.Buffer
			args := []string{"resolve", "-format", format, "-home", home,
				"-var", "CI_REGISTRY=registry.gitlab.example.com", "-var", "CI_REGISTRY_USER=gitlab-ci-token",
				"-var", "CI_REGISTRY_PASSWORD=" + plantedRegistryPass, file}
			status := run(context.Background(), args, &stdout, &stderr)
			require.Contains(t, []int{exitOK, exitFindings}, status, "input %q: exit status; stderr %s", pipeline, stderr.String())

			output := stdout.String() + stderr.String()
			for _, secret := range []string{plantedPassword, plantedAuth, plantedAuthPassword, plantedIdentityToken} {
				require.NotContains(t, output, secret, "input %q: -format %s output shows a planted secret", pipeline, format)
			}
			if !strings.Contains(pipeline, "CI_REGISTRY_PASSWORD") {
				require.NotContains(t, output, plantedRegistryPass, "input %q: -format %s output shows CI_REGISTRY_PASSWORD", pipeline, format)
			}
		}
	})
}
