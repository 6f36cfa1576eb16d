package ciimage

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lookalikeImages are images on registries that try to pass for
// registry.example.com, or that it tries to pass for.
var lookalikeImages = []string{
	"registry.example.com/app:1",
	"registry.example.com.attacker.example/app",
	"attacker.example/registry.example.com/app",
	"registry.example.com:5000/app",
	"registry.example.com./app",
	"Registry.Example.com/app",
}

// TestCredentialKeysMatchOnlyTheirRegistry configures one auths key and
// lists, for each image of lookalikeImages, the registry path whose
// credentials are offered, or "" for none.
func TestCredentialKeysMatchOnlyTheirRegistry(t *testing.T) {
	tests := []struct {
		key  string
		want []string
	}{
		{"registry.example.com", []string{"registry.example.com", "", "", "", "", "registry.example.com"}},
		{"registry.example.com.attacker.example", []string{"", "registry.example.com.attacker.example", "", "", "", ""}},
		{"registry.example.com@attacker", []string{"", "", "", "", "", ""}},
		{"user:pw@registry.example.com", []string{"", "", "", "", "", ""}},
		{"https://registry.example.com@attacker.example/", []string{"", "", "", "", "", ""}},
		{"registry.example.com.", []string{"", "", "", "", "registry.example.com.", ""}},
		{"registry.example.com:5000", []string{"", "", "", "registry.example.com:5000", "", ""}},
		{"REGISTRY.EXAMPLE.COM", []string{"registry.example.com", "", "", "", "", "registry.example.com"}},
		{"https://registry.example.com/v1/", []string{"registry.example.com", "", "", "", "", "registry.example.com"}},
		{"attacker.example/registry.example.com", []string{"", "", "attacker.example/registry.example.com", "", "", ""}},
	}
	for _, tc := range tests {
		config := fmt.Sprintf(`{"auths": {%q: {"auth": "dTpw"}}}`, tc.key)
		auth, _, err := ResolveRegistryAuth(context.Background(), AuthOptions{Variables: Variables{{Key: "DOCKER_AUTH_CONFIG", Value: config}}})
		require.NoError(t, err, "key %q", tc.key)
		for i, image := range lookalikeImages {
			got := ""
			if c := auth.Lookup(image); c != nil {
				got = c.RegistryPath
			}
			assert.Equal(t, tc.want[i], got, "key %q, image %q: registry path of the credentials offered", tc.key, image)
		}
	}
}

func TestHelperNamesUnderAttack(t *testing.T) {
	tests := []struct {
		helper        string
		wantTraversal bool
	}{
		{"../x", true},
		{"/bin/sh", true},
		{"a/b", true},
		{"..", false},
		{"x;rm -rf /", true},
		{"x;id", false},
		{"$(id)", false},
		{"ecr-login", false},
	}
	for _, tc := range tests {
		config := fmt.Sprintf(`{"credHelpers": {"registry.example.com": %q}}`, tc.helper)
		auth, _, err := ResolveRegistryAuth(context.Background(), AuthOptions{Variables: Variables{{Key: "DOCKER_AUTH_CONFIG", Value: config}}})
		if tc.wantTraversal {
			assert.ErrorIs(t, err, ErrPathTraversal, "helper %q", tc.helper)
			continue
		}
		require.NoError(t, err, "helper %q", tc.helper)
		// No helper runner is given, so the helper is named and not run.
		c := auth.Lookup("registry.example.com/app")
		require.NotNil(t, c, "helper %q: credentials", tc.helper)
		assert.Equal(t, HelperProgram(tc.helper), c.Helper, "helper %q: helper named", tc.helper)
		assert.Empty(t, c.Username, "helper %q: user name of a helper that was not run", tc.helper)
	}
}

func TestDockerAuthConfigNotAnObject(t *testing.T) {
	tests := []struct {
		value       string
		wantWarning string
	}{
		{`[]`, "json: cannot unmarshal array into Go value of type configfile.ConfigFile"},
		{`"x"`, "json: cannot unmarshal string into Go value of type configfile.ConfigFile"},
		{`1`, "json: cannot unmarshal number into Go value of type configfile.ConfigFile"},
		{`null`, ""},
		{`{"auths": []}`, "json: cannot unmarshal array into Go struct field ConfigFile.auths of type map[string]types.AuthConfig"},
		{`{"auths": {"a": "x"}}`, "json: cannot unmarshal string into Go struct field ConfigFile.auths of type types.AuthConfig"},
		{`{"auths": {"a": {"auth": 1}}}`, "json: cannot unmarshal number into Go struct field AuthConfig.auths.auth of type string"},
		{`{"proxies": {"default": 1}}`, "json: cannot unmarshal number into Go struct field ConfigFile.proxies of type configfile.ProxyConfig"},
	}
	for _, tc := range tests {
		auth, diags, err := ResolveRegistryAuth(context.Background(), AuthOptions{Variables: Variables{{Key: "DOCKER_AUTH_CONFIG", Value: tc.value}}})
		require.NoError(t, err, "DOCKER_AUTH_CONFIG %s", tc.value)
		assert.Empty(t, auth.Entries(), "DOCKER_AUTH_CONFIG %s: credentials", tc.value)
		if tc.wantWarning == "" {
			assert.Empty(t, diags, "DOCKER_AUTH_CONFIG %s: diagnostics", tc.value)
			continue
		}
		require.Len(t, diags, 1, "DOCKER_AUTH_CONFIG %s: diagnostics", tc.value)
		assert.Equal(t, SeverityWarning, diags[0].Severity, "DOCKER_AUTH_CONFIG %s: severity", tc.value)
		assert.Contains(t, diags[0].Message, tc.wantWarning, "DOCKER_AUTH_CONFIG %s: message", tc.value)
	}
}
