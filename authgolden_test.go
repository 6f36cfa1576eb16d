package ciimage

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

// authGoldenInput is one case in testdata/auth/NAME.json: the sources and
// the images to look up.
type authGoldenInput struct {
	DockerAuthConfig *string                         `json:"docker_auth_config"`
	Variables        map[string]string               `json:"variables"`
	HomeFiles        map[string]string               `json:"home_files"`
	Helpers          map[string]map[string][2]string `json:"helpers"` // helper -> URL -> [user, secret]
	Images           []string                        `json:"images"`
}

// authGoldenOutput is what testdata/auth/NAME.golden holds.
type authGoldenOutput struct {
	Images      []authGoldenImage `json:"images"`
	Diagnostics []string          `json:"diagnostics"`
	Error       string            `json:"error"`
}

type authGoldenImage struct {
	Image        string   `json:"image"`
	Tried        []string `json:"tried"`
	RegistryPath string   `json:"registry_path"`
	Source       string   `json:"source"`
	Username     string   `json:"username"`
	Helper       string   `json:"helper"`
	Reasons      []string `json:"reasons"`
}

func TestAuthGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "auth", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, inputs, "golden inputs in testdata/auth")

	for _, input := range inputs {
		name := strings.TrimSuffix(filepath.Base(input), ".json")
		t.Run(name, func(t *testing.T) {
			got := runAuthGolden(t, input)
			assertGolden(t, strings.TrimSuffix(input, ".json")+".golden", input, got)
		})
	}
}

// runAuthGolden resolves one golden input and returns the indented JSON
// result.
func runAuthGolden(t *testing.T, input string) []byte {
	data, err := os.ReadFile(input)
	require.NoError(t, err)
	var in authGoldenInput
	require.NoError(t, json.Unmarshal(data, &in), "golden input %s", input)

	opts := AuthOptions{}
	for _, key := range sortedKeys(in.Variables) {
		opts.Variables = append(opts.Variables, Variable{Key: key, Value: in.Variables[key]})
	}
	if in.DockerAuthConfig != nil {
		opts.Variables = append(opts.Variables, Variable{Key: "DOCKER_AUTH_CONFIG", Value: *in.DockerAuthConfig})
	}
	opts.Credentials = JobPayloadCredentials(opts.Variables)
	if in.HomeFiles != nil {
		home := fstest.MapFS{}
		for name, contents := range in.HomeFiles {
			home[name] = &fstest.MapFile{Data: []byte(contents)}
		}
		opts.Home, opts.HomeFS = "/home/gitlab-runner", home
	}
	if in.Helpers != nil {
		fake := &fakeHelpers{stores: map[string]map[string]HelperCredentials{}}
		for helper, urls := range in.Helpers {
			fake.stores[helper] = map[string]HelperCredentials{}
			for url, c := range urls {
				fake.stores[helper][url] = HelperCredentials{ServerURL: url, Username: c[0], Secret: NewSecret(c[1])}
			}
		}
		opts.Helpers = fake
	}

	auth, diags, err := ResolveRegistryAuth(context.Background(), opts)
	out := authGoldenOutput{Images: []authGoldenImage{}, Diagnostics: []string{}}
	if err != nil {
		out.Error = err.Error()
	}
	for _, d := range diags {
		out.Diagnostics = append(out.Diagnostics, d.Severity.String()+": "+d.String())
	}
	for _, image := range in.Images {
		e := auth.Explain(image)
		record := authGoldenImage{Image: image, Tried: e.Tried, Reasons: []string{}}
		if c := e.Credentials; c != nil {
			record.RegistryPath, record.Source, record.Username, record.Helper = c.RegistryPath, c.Source, c.Username, c.Helper
		}
		for _, r := range e.Reasons {
			record.Reasons = append(record.Reasons, r.String())
		}
		out.Images = append(out.Images, record)
	}

	result, err := json.MarshalIndent(out, "", "  ")
	require.NoError(t, err)
	return append(result, '\n')
}
