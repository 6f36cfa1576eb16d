package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ciimage/ciimage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResolveNeverPrintsSecrets plants a secret in every credential
// source that resolve reads and checks that no output, in either format,
// contains one.
func TestResolveNeverPrintsSecrets(t *testing.T) {
	secrets := []string{
		"runner-env-password-1a2b", "home-password-3c4d", "identity-token-5e6f",
		"registry-token-7a8b", "job-token-9c0d", "payload-password-1e2f",
	}
	dir := t.TempDir()
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

	authConfig := `{\"auths\":{\"registry.example.com\":{\"auth\":\"` + b64("runner:"+secrets[0]) + `\",\"identitytoken\":\"` + secrets[2] + `\"}}}`
	writeFile(t, dir, "config.toml", "[[runners]]\n  name = \"d\"\n  executor = \"docker\"\n  environment = [\"DOCKER_AUTH_CONFIG="+authConfig+"\"]\n")
	writeFile(t, dir, "home/.docker/config.json", `{"auths":{"registry.example.com:5000":{"username":"home","password":"`+secrets[1]+`","registrytoken":"`+secrets[3]+`"}}}`)
	writeFile(t, dir, ".gitlab-ci.yml", `variables:
  CI_REGISTRY: registry.gitlab.example.com
build:
  image: registry.example.com/group/builder:1
  services:
    - registry.example.com:5000/db/postgres:16
    - registry.gitlab.example.com/group/app/cache:1
  script: [make]
`)
	writeFile(t, dir, "payload.json", `{"job_info": {"name": "p"}, "image": {"name": "registry.gitlab.example.com/app:1"},
  "credentials": [{"type": "registry", "url": "registry.gitlab.example.com", "username": "gitlab-ci-token", "password": "`+secrets[5]+`"}]}`)
	t.Chdir(dir)

	runs := [][]string{
		{"resolve", "-config", "config.toml", "-home", "home", "-var", "CI_REGISTRY_USER=gitlab-ci-token", "-var", "CI_REGISTRY_PASSWORD=" + secrets[4], ".gitlab-ci.yml"},
		{"resolve", "-format", "json", "-config", "config.toml", "-home", "home", "-var", "CI_REGISTRY_USER=gitlab-ci-token", "-var", "CI_REGISTRY_PASSWORD=" + secrets[4], ".gitlab-ci.yml"},
		{"resolve", "-payload", "payload.json"},
		{"resolve", "-format", "json", "-payload", "payload.json"},
	}
	for _, args := range runs {
		var stdout, stderr bytes.Buffer
		run(context.Background(), args, &stdout, &stderr)
		require.Contains(t, stdout.String(), "registry", "ciimage %s printed a plan", strings.Join(args, " "))
		for _, secret := range secrets {
			assert.NotContains(t, stdout.String(), secret, "standard output of ciimage %s", strings.Join(args, " "))
			assert.NotContains(t, stderr.String(), secret, "standard error of ciimage %s", strings.Join(args, " "))
		}
	}
}

// writeFile writes content to dir/name, creating folders as needed.
func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

// TestWriteJSONMatchesEncoder checks that the streamed JSON plan is the
// same as encoding the whole plan at once.
func TestWriteJSONMatchesEncoder(t *testing.T) {
	pipelines := []string{
		"x: 1\n",
		"a: {extends: .missing, script: [x]}\nb: {image: ruby, services: [postgres, {name: 'redis:7', alias: cache}], script: [x]}\n",
	}
	for _, yaml := range pipelines {
		pipeline, _ := ciimage.ParsePipeline("ci.yml", []byte(yaml))
		plan, err := ciimage.Resolve(context.Background(), pipeline, ciimage.ResolveOptions{})
		require.NoError(t, err)

		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(plan))

		var got bytes.Buffer
		require.NoError(t, writeJSON(&got, plan))
		assert.Equal(t, want.String(), got.String(), "JSON plan of %q", yaml)
	}
}
