package ciimage

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// entrySeeds are image and services values from the table tests.
var entrySeeds = []string{
	"ruby:3.3", `""`, "[ruby]", "{name: x, entrypoint: [sh]}", "{entrypoint: [sh]}",
	"{name: x, docker: {platform: 1}}", "{name: x, ports: [80]}", "3.10",
	"registry.example.com:5000/group/app:1", "{name: postgres:16, alias: db pg}",
	"[postgres, {name: mysql:8, alias: db}]", "[{name: $CI_REGISTRY/img, pull_policy: [never]}]",
	"[[!reference [.x, services]], redis]", "{name: 'docker:dind', command: [--tls=false], variables: {A: b}}",
	"[::1]:5000/app", "quay.io/org/app@sha256:" + strings.Repeat("a", 64),
}

// pipelineWithEntry returns a pipeline whose job j has key set to value,
// written in flow style on one line.
func pipelineWithEntry(key, value string) string {
	value = strings.ReplaceAll(value, "\n", " ")
	return ".x: {services: [busybox]}\nj:\n  script: [x]\n  " + key + ": " + value + "\n"
}

func FuzzImageEntry(f *testing.F) {
	for _, seed := range entrySeeds {
		f.Add(seed)
	}
	for _, tc := range gitlabMessageCases {
		f.Add(tc.yaml)
	}
	f.Fuzz(func(t *testing.T, value string) {
		checkResolvedPipeline(t, pipelineWithEntry("image", value))
	})
}

func FuzzServiceEntry(f *testing.F) {
	for _, seed := range entrySeeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		checkResolvedPipeline(t, pipelineWithEntry("services", value))
	})
}

func FuzzPipelineResolve(f *testing.F) {
	for _, tc := range gitlabMessageCases {
		f.Add(tc.yaml)
	}
	addCorpusSeeds(f, "gitlab-ci", "*.yml")
	files, _ := filepath.Glob(filepath.Join("testdata", "resolve", "*.yml"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(string(data))
		}
	}
	f.Add(billionLaughs(9))
	f.Fuzz(func(t *testing.T, data string) {
		checkResolvedPipeline(t, data)
	})
}

func FuzzPayloadResolve(f *testing.F) {
	for _, tt := range payloadErrorTests {
		f.Add(tt.json)
	}
	if data, err := os.ReadFile(filepath.Join("testdata", "runner", "payload.json")); err == nil {
		f.Add(string(data))
	}
	f.Fuzz(func(t *testing.T, data string) {
		payload, diags := ParsePayload("job.json", []byte(data))
		requireErrorPositions(t, data, diags)
		if payload == nil {
			require.True(t, diags.HasErrors(), "input %q: no payload and no error", data)
			return
		}
		payload.Variables = append(payload.Variables, Variable{Key: "PLANTED_MASKED", Value: plantedMasked, Masked: true})
		payload.Credentials = append(payload.Credentials, RegistryCredential{Type: "registry", URL: "registry.gitlab.example.com", Username: "gitlab-ci-token", Password: NewSecret(plantedPayloadPass)})

		pipeline := PipelineFromPayload(payload)
		plan, first := resolvePlanJSON(t, pipeline, ResolveOptions{})
		if plan == nil {
			return
		}
		_, second := resolvePlanJSON(t, PipelineFromPayload(payload), ResolveOptions{})
		require.Equal(t, first, second, "input %q: resolving twice", data)
		requireNoSecret(t, data, first)
		requireAliasForms(t, data, plan)
		for _, d := range plan.AllDiagnostics() {
			requireNoSecret(t, data, d.String())
		}
	})
}

// FuzzDockerAuthConfig checks credential matching: every credential
// offered for an image is for the registry path the image names, and no
// secret of the configuration appears in a diagnostic or the result.
func FuzzDockerAuthConfig(f *testing.F) {
	for _, tc := range parseDockerConfigCases {
		f.Add(tc.input, "registry.example.com/app:1")
	}
	f.Add(plantedDockerAuthConfig, "registry.example.com.attacker.example/app")
	f.Add(`{"auths": {"registry.example.com@attacker": {"auth": "dTpw"}}}`, "registry.example.com/app")
	f.Add(`{"credHelpers": {"registry.example.com": "../../bin/sh"}}`, "registry.example.com/app")
	files, _ := filepath.Glob(filepath.Join(corpusDir, "docker-config", "*.json"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(string(data), "docker.io/library/alpine")
		}
	}
	f.Fuzz(func(t *testing.T, config, image string) {
		auth, diags, err := ResolveRegistryAuth(context.Background(), AuthOptions{Variables: Variables{{Key: "DOCKER_AUTH_CONFIG", Value: config}}})
		if err != nil {
			require.NotContains(t, err.Error(), "\x00", "input %q: error", config)
			return
		}
		secrets := configSecrets(config)
		for _, d := range diags {
			for _, secret := range secrets {
				require.NotContains(t, d.String(), secret, "input %q: diagnostic shows a secret", config)
			}
		}
		got := auth.Lookup(image)
		if got == nil {
			return
		}
		rendered, err := json.Marshal(got)
		require.NoError(t, err)
		for _, secret := range secrets {
			require.NotContains(t, string(rendered)+fmt.Sprintf("%v %+v %#v", got, got, got), secret, "input %q: credentials render a secret", config)
		}
		want := NormalizeImageRef(image)
		require.True(t, want == got.RegistryPath || strings.HasPrefix(want, got.RegistryPath+"/"),
			"input %q: credentials for %q offered to image %q (registry path %q)", config, got.RegistryPath, image, want)
	})
}

// configSecrets returns the secret values of a Docker config that are long
// enough not to occur in output by chance.
func configSecrets(config string) []string {
	var parsed struct {
		Auths map[string]struct {
			Auth, Password, IdentityToken, RegistryToken string
		} `json:"auths"`
	}
	_ = json.Unmarshal([]byte(config), &parsed)
	var secrets []string
	for _, a := range parsed.Auths {
		for _, s := range []string{a.Auth, a.Password, a.IdentityToken, a.RegistryToken} {
			if len(s) >= 8 && !inRegistryKey(s, parsed.Auths) {
				secrets = append(secrets, s)
			}
		}
	}
	return secrets
}

// inRegistryKey reports whether secret is part of a registry key, which
// findings name on purpose, as in {"auths": {"00000000": {"auth":
// "00000000"}}}. Such a value cannot show whether a secret leaked.
func inRegistryKey[V any](secret string, auths map[string]V) bool {
	for key := range auths {
		if strings.Contains(strings.ToLower(key), strings.ToLower(secret)) {
			return true
		}
	}
	return false
}

// FuzzDefaultAliases checks the aliases the runner derives from a service
// name: never a "/", and a ":" only with a bracketed IPv6 host, which
// Docker's reference grammar accepts even as "[:]".
func FuzzDefaultAliases(f *testing.F) {
	for _, seed := range []string{"postgres:16", "registry.example.com:5000/group/app:1", "[::1]:5000/app", "tutum/wordpress", "a/b/c@sha256:" + strings.Repeat("0", 64), "", ":", "/"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, alias := range DefaultAliases(name) {
			require.NotContains(t, alias, "/", "DefaultAliases(%q)", name)
			if strings.Contains(alias, ":") {
				require.Contains(t, alias, "[", "DefaultAliases(%q) = %q holds ':' outside a bracketed IPv6 host", name, alias)
			}
		}
	})
}
