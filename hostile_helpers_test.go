package ciimage

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Planted secrets: values that no output may contain, whatever the input.
const (
	plantedPassword      = "planted-password-8c1f0e"
	plantedAuthPassword  = "planted-auth-password-3b9d"
	plantedIdentityToken = "planted-identity-token-51a7"
	plantedRegistryToken = "planted-registry-token-e24c"
	plantedRegistryPass  = "planted-ci-registry-password-7d06"
	plantedMasked        = "planted-masked-value-9f33"
	plantedPayloadPass   = "planted-payload-password-0ab8"
)

// plantedAuth is the base64 "auth" value of the planted Docker config.
var plantedAuth = base64.StdEncoding.EncodeToString([]byte("deploy:" + plantedAuthPassword))

// plantedDockerAuthConfig is a DOCKER_AUTH_CONFIG with a secret in every
// field that holds one.
var plantedDockerAuthConfig = `{"auths": {
  "registry.example.com": {"auth": "` + plantedAuth + `"},
  "registry.example.com:5000": {"username": "u", "password": "` + plantedPassword + `"},
  "ghcr.io": {"username": "u", "password": "p", "identitytoken": "` + plantedIdentityToken + `"},
  "quay.io": {"username": "u", "password": "p", "registrytoken": "` + plantedRegistryToken + `"}
}}`

// plantedVariables are CI/CD variables that carry the planted secrets.
func plantedVariables() Variables {
	return Variables{
		{Key: "DOCKER_AUTH_CONFIG", Value: plantedDockerAuthConfig},
		{Key: "CI_REGISTRY", Value: "registry.gitlab.example.com"},
		{Key: "CI_REGISTRY_USER", Value: "gitlab-ci-token"},
		{Key: "CI_REGISTRY_PASSWORD", Value: plantedRegistryPass, Masked: true},
	}
}

// secretsThatMustNotSurface returns the planted values that must not
// appear in the output for this input. A variable's value may appear when
// the input names the variable, because expansion then puts it in the plan
// as the runner would.
func secretsThatMustNotSurface(input string) []string {
	secrets := []string{plantedPassword, plantedAuth, plantedAuthPassword, plantedIdentityToken, plantedRegistryToken, plantedPayloadPass}
	if strings.Contains(input, "DOCKER_AUTH_CONFIG") {
		secrets = []string{plantedAuthPassword, plantedPayloadPass}
	}
	if !strings.Contains(input, "CI_REGISTRY_PASSWORD") {
		secrets = append(secrets, plantedRegistryPass)
	}
	if !strings.Contains(input, "PLANTED_MASKED") {
		secrets = append(secrets, plantedMasked)
	}
	return secrets
}

// requireNoSecret fails when output contains a planted secret.
func requireNoSecret(t *testing.T, input, output string) {
	t.Helper()
	for _, secret := range secretsThatMustNotSurface(input) {
		require.NotContains(t, output, secret, "output for input %q contains a planted secret", input)
	}
}

// requireErrorPositions fails when an error diagnostic has no file or no
// line.
func requireErrorPositions(t *testing.T, input string, diags Diagnostics) {
	t.Helper()
	for _, d := range diags {
		if d.Severity != SeverityError {
			continue
		}
		require.NotEmpty(t, d.File, "input %q: error %q has no file", input, d.Message)
		require.Positive(t, d.Line, "input %q: error %q has no line", input, d.Message)
	}
}

// requireAliasForms fails when a service alias holds "/", or ":" without a
// bracketed IPv6 host, unless the input wrote it as a custom alias.
func requireAliasForms(t *testing.T, input string, plan *Plan) {
	t.Helper()
	for _, job := range plan.Jobs {
		for _, svc := range job.Services {
			for _, alias := range svc.Aliases {
				if strings.Contains(input, alias) && !strings.Contains(svc.Name, alias) {
					continue
				}
				require.NotContains(t, alias, "/", "input %q: job %s service %q alias", input, job.Name, svc.Name)
				if strings.Contains(alias, ":") {
					require.Contains(t, alias, "[", "input %q: job %s service %q alias %q holds ':' outside a bracketed IPv6 host", input, job.Name, svc.Name, alias)
				}
			}
		}
	}
}

// resolvePlanJSON resolves p with the planted variables and returns the
// plan and its JSON.
func resolvePlanJSON(t *testing.T, p *Pipeline, opts ResolveOptions) (*Plan, string) {
	t.Helper()
	plan, err := Resolve(context.Background(), p, opts)
	if err != nil {
		return nil, ""
	}
	data, err := json.Marshal(plan)
	require.NoError(t, err, "plan JSON")
	return plan, string(data)
}

// checkResolvedPipeline parses data as a pipeline twice, resolves it and
// checks the properties every plan has.
func checkResolvedPipeline(t *testing.T, data string) {
	t.Helper()
	opts := ResolveOptions{Variables: plantedVariables()}
	p1, _ := ParsePipeline(".gitlab-ci.yml", []byte(data))
	require.NotNil(t, p1, "input %q: pipeline", data)
	plan1, json1 := resolvePlanJSON(t, p1, opts)
	if plan1 == nil {
		return
	}
	p2, _ := ParsePipeline(".gitlab-ci.yml", []byte(data))
	_, json2 := resolvePlanJSON(t, p2, opts)

	require.Equal(t, json1, json2, "input %q: resolving twice", data)
	requireErrorPositions(t, data, plan1.AllDiagnostics())
	requireNoSecret(t, data, json1)
	for _, d := range plan1.AllDiagnostics() {
		requireNoSecret(t, data, d.String())
	}
	requireAliasForms(t, data, plan1)
}

// addCorpusSeeds adds every corpus file of folder as a seed.
func addCorpusSeeds(f *testing.F, folder, pattern string) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, folder, pattern))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(string(data))
		}
	}
}
