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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runAuthCommand runs "ciimage auth" with args and returns the exit
// status, standard output and standard error.
func runAuthCommand(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"auth"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func b64(userPassword string) string {
	return base64.StdEncoding.EncodeToString([]byte(userPassword))
}

// authJSON is the JSON output of "ciimage auth -format json".
type authJSON struct {
	Images      []map[string]string `json:"images"`
	Diagnostics []map[string]any    `json:"diagnostics"`
}

func decodeAuthJSON(t *testing.T, stdout string) authJSON {
	t.Helper()
	var out authJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &out), "JSON output: %s", stdout)
	return out
}

func TestAuthCommandJSON(t *testing.T) {
	config := `{"auths":{"registry.example.com:5000":{"auth":"` + b64("deploy:secret") + `"}}}`

	code, stdout, _ := runAuthCommand(t, "-format", "json", "-docker-auth-config", config, "registry.example.com:5000/app:1", "alpine")

	assert.Equal(t, exitOK, code, "exit status")
	out := decodeAuthJSON(t, stdout)
	require.Len(t, out.Images, 2, "one record per image")
	assert.Equal(t, map[string]string{"image": "registry.example.com:5000/app:1", "registry_path": "registry.example.com:5000", "source": "$DOCKER_AUTH_CONFIG", "username": "deploy", "helper": ""}, out.Images[0], "matched image")
	assert.Equal(t, map[string]string{"image": "alpine", "registry_path": "", "source": "", "username": "", "helper": ""}, out.Images[1], "unmatched image")
	assert.NotNil(t, out.Diagnostics, "diagnostics are a list, never null")
	assert.Contains(t, stdout, `"diagnostics": []`, "empty diagnostics list")
}

func TestAuthCommandExitStatus(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.json")
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"no image", []string{"-docker-auth-config", "{}"}, exitUsage, "missing IMAGE"},
		{"unknown flag", []string{"-nope", "alpine"}, exitUsage, "flag provided but not defined"},
		{"bad format", []string{"-format", "yaml", "alpine"}, exitUsage, "invalid -format"},
		{"bad variable", []string{"-var", "NOVALUE", "alpine"}, exitUsage, "want KEY=VALUE"},
		{"unreadable file", []string{"-docker-auth-config", "@" + missing, "alpine"}, exitUsage, missing},
		{"invalid JSON is a warning", []string{"-docker-auth-config", "{", "alpine"}, exitOK, "$DOCKER_AUTH_CONFIG:1:2: Failed to resolve credentials from $DOCKER_AUTH_CONFIG: unexpected EOF. Credentials from this source will not be used."},
		{"path traversal is an error", []string{"-docker-auth-config", `{"credsStore":"../x"}`, "alpine"}, exitFindings, "credsStore path traversal is not allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runAuthCommand(t, tc.args...)

			assert.Equal(t, tc.wantCode, code, "exit status for %v", tc.args)
			assert.Contains(t, stderr, tc.wantStderr, "standard error for %v", tc.args)
		})
	}
}

func TestAuthCommandFileAndVariables(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "auth.json")
	require.NoError(t, os.WriteFile(file, []byte("{\n  \"auths\": {\"r.io\": {\"auth\": \"!!\"}}\n}"), 0o600))

	code, _, stderr := runAuthCommand(t, "-docker-auth-config", "@"+file, "r.io/x")
	assert.Equal(t, exitOK, code, "exit status with a bad auth value")
	assert.Contains(t, stderr, file+":2:22: auths.r.io.auth Failed to resolve credentials from $DOCKER_AUTH_CONFIG", "the position names the file")

	jobConfig := `{"auths":{"r.io":{"auth":"` + b64("job:secret") + `"}}}`
	code, stdout, _ := runAuthCommand(t, "-docker-auth-config", "@"+file, "-var", "DOCKER_AUTH_CONFIG="+jobConfig, "r.io/x")
	assert.Equal(t, exitOK, code, "exit status with -var")
	assert.Equal(t, "r.io/x: r.io from $DOCKER_AUTH_CONFIG, user job\n", stdout, "-var DOCKER_AUTH_CONFIG replaces -docker-auth-config")

	code, stdout, _ = runAuthCommand(t, "-var", "CI_REGISTRY=registry.gitlab.example.com", "-var", "CI_REGISTRY_USER=gitlab-ci-token", "-var", "CI_REGISTRY_PASSWORD=jobtoken", "registry.gitlab.example.com/group/app")
	assert.Equal(t, exitOK, code, "exit status with CI_REGISTRY")
	assert.Equal(t, "registry.gitlab.example.com/group/app: registry.gitlab.example.com from job payload (GitLab Registry), user gitlab-ci-token\n", stdout, "CI_REGISTRY gives job payload credentials")
}

func TestAuthCommandHome(t *testing.T) {
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".docker"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(home, ".docker", "config.json"), []byte(`{"auths":{"r.io":{"auth":"`+b64("home:secret")+`"}}}`), 0o600))

	code, stdout, _ := runAuthCommand(t, "-home", home, "r.io/x")

	assert.Equal(t, exitOK, code, "exit status")
	assert.Equal(t, "r.io/x: r.io from "+filepath.Join(home, ".docker", "config.json")+", user home\n", stdout, "credentials from the home config")
}

// writeFakeHelper creates a docker-credential-fake script in a temporary
// directory at the front of PATH. It stores secret for fake.example.com.
func writeFakeHelper(t *testing.T, secret string) {
	t.Helper()
	dir := t.TempDir()
	script := `#!/bin/sh
case "$1" in
list) echo '{"fake.example.com":"helperuser"}' ;;
get)
  read -r url
  if [ "$url" = "fake.example.com" ]; then
    echo '{"ServerURL":"fake.example.com","Username":"helperuser","Secret":"` + secret + `"}'
  else
    echo "credentials not found in native keychain"; exit 1
  fi ;;
*) exit 1 ;;
esac
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "docker-credential-fake"), []byte(script), 0o700))
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func TestAuthCommandRunHelpers(t *testing.T) {
	writeFakeHelper(t, "HELPERSECRET-c4e1")
	config := `{"credHelpers":{"fake.example.com":"fake","none.example.com":"fake"}}`

	code, stdout, stderr := runAuthCommand(t, "-run-helpers", "-docker-auth-config", config, "fake.example.com/app")
	assert.Equal(t, exitOK, code, "exit status with -run-helpers")
	assert.Equal(t, "fake.example.com/app: fake.example.com from $DOCKER_AUTH_CONFIG, user helperuser, helper docker-credential-fake\n", stdout, "helper credentials")
	assert.Contains(t, stderr, "docker-credential-fake has no credentials for none.example.com", "not found is reported")

	code, stdout, stderr = runAuthCommand(t, "-docker-auth-config", config, "fake.example.com/app")
	assert.Equal(t, exitOK, code, "exit status without -run-helpers")
	assert.Equal(t, "fake.example.com/app: fake.example.com from $DOCKER_AUTH_CONFIG, helper docker-credential-fake\n", stdout, "helper named, no user name")
	assert.Contains(t, stderr, "docker-credential-fake was not run", "the helper was not run")

	code, _, stderr = runAuthCommand(t, "-run-helpers", "-docker-auth-config", `{"credsStore":"absent"}`, "fake.example.com/app")
	assert.Equal(t, exitOK, code, "exit status with a missing helper")
	assert.Contains(t, stderr, "Failed to resolve credentials from $DOCKER_AUTH_CONFIG", "a missing helper drops the source")
}

func TestAuthCommandSecretsNeverPrinted(t *testing.T) {
	secrets := []string{"AUTHPASS-7f3a", "PLAINPASS-91c2", "IDTOKEN-55d0", "REGTOKEN-0b9e", "HELPERSECRET-c4e1", "JOBPASS-a8f6"}
	writeFakeHelper(t, secrets[4])
	authValue := b64("authuser:" + secrets[0] + "\n")
	config := `{"auths":{"a.io":{"auth":"` + authValue + `"},"p.io":{"username":"u","password":"` + secrets[1] +
		`"},"t.io":{"identitytoken":"` + secrets[2] + `","registrytoken":"` + secrets[3] + `"}},"credHelpers":{"fake.example.com":"fake"}}`
	broken := `{"auths":{"x.io":{"auth":"` + b64(secrets[0]) + `"}}}`
	images := []string{"a.io/x", "p.io/x", "t.io/x", "fake.example.com/x", "j.io/x"}

	var outputs []string
	for _, value := range []string{config, broken} {
		for _, format := range []string{"text", "json"} {
			args := append([]string{"-run-helpers", "-format", format, "-docker-auth-config", value,
				"-var", "CI_REGISTRY=j.io", "-var", "CI_REGISTRY_USER=gitlab-ci-token", "-var", "CI_REGISTRY_PASSWORD=" + secrets[5]}, images...)
			_, stdout, stderr := runAuthCommand(t, args...)
			outputs = append(outputs, stdout, stderr)
		}
	}

	for _, out := range outputs {
		for _, secret := range append(secrets, authValue, strings.TrimRight(authValue, "=")) {
			assert.NotContains(t, out, secret, "command output must not contain a planted secret")
		}
	}
}
