package ciimage

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// b64 encodes user:password as an "auth" value.
func b64(userPassword string) string {
	return base64.StdEncoding.EncodeToString([]byte(userPassword))
}

var normalizeImageRefCases = []struct{ image, want string }{
	{"nginx:1.25", "docker.io/nginx"},
	{"nginx", "docker.io/nginx"},
	{"library/nginx", "docker.io/library/nginx"},
	{"index.docker.io/library/nginx", "docker.io/library/nginx"},
	{"docker.io/library/nginx:1", "docker.io/library/nginx"},
	{"registry-1.docker.io/x", "registry-1.docker.io/x"},
	{"LocalHost:5000/img", "localhost:5000/img"},
	{"LOCALHOST/img", "localhost/img"},
	{"Registry.Example.COM/NS/Img:1", "registry.example.com/NS/Img"},
	{"myreg:5000/img", "myreg:5000/img"},
	{"reg.io/ns/img@sha256:abc", "reg.io/ns/img@sha256"},
	{"reg.io/ns/img:1@sha256:abc", "reg.io/ns/img"},
	{"reg.io//ns/img", "reg.io/ns/img"},
	{"gitlab.example.com:5000/project-a/group/container:1.2.3", "gitlab.example.com:5000/project-a/group/container"},
	{"INDEX.DOCKER.IO/library/nginx", "docker.io/library/nginx"},
	{"Index.Docker.IO/user/app:1", "docker.io/user/app"},
	{"/registry.example.com/app", "docker.io/registry.example.com/app"},
	{"", "docker.io"},
	{":latest", "docker.io"},
	{"reg.io/ns/", "reg.io/ns"},
	{"..", "."},
}

func TestNormalizeImageRef(t *testing.T) {
	for _, tc := range normalizeImageRefCases {
		assert.Equal(t, tc.want, NormalizeImageRef(tc.image), "NormalizeImageRef(%q) should be %q", tc.image, tc.want)
	}
}

var convertToRegistryPathCases = []struct{ key, want string }{
	{"https://index.docker.io/v1/", "docker.io"},
	{"HTTPS://INDEX.DOCKER.IO/V1/blibb", "docker.io"},
	{"http://registry.example.com:5000/v2/", "registry.example.com:5000"},
	{"https://registry.example.com/ns/sub", "registry.example.com"},
	{"my.hostname:5000/with/tag/image:latest", "my.hostname:5000/with/tag/image"},
	{"REGISTRY.example.com/NS", "registry.example.com/NS"},
	{"registry.example.com/ns/", "registry.example.com/ns"},
	{"registry.example.com:5000", "registry.example.com:5000"},
	{"index.docker.io", "index.docker.io"},
	{"docker.io", "docker.io"},
	{"ftp://x.y", "ftp://x.y"},
	{"/:", "/"},
	{"", ""},
}

func TestConvertToRegistryPath(t *testing.T) {
	for _, tc := range convertToRegistryPathCases {
		assert.Equal(t, tc.want, ConvertToRegistryPath(tc.key), "ConvertToRegistryPath(%q) should be %q", tc.key, tc.want)
	}
}

var parseDockerConfigCases = []struct {
	name     string
	input    string
	wantUser map[string]string // key -> user name
	wantPass map[string]string // key -> password
	wantErr  error
	wantAt   string // FILE:LINE:COLUMN: LOCATION of the error
	wantWarn string // substring of the only warning
}{
	{name: "empty", input: "", wantUser: map[string]string{}},
	{name: "white space", input: " \n\t", wantUser: map[string]string{}},
	{name: "null", input: "null", wantUser: map[string]string{}},
	{name: "auth", input: `{"auths":{"r.io":{"auth":"` + b64("user:secret") + `"}}}`,
		wantUser: map[string]string{"r.io": "user"}, wantPass: map[string]string{"r.io": "secret"}},
	{name: "auth overrides username", input: `{"auths":{"r.io":{"username":"u2","password":"p2","auth":"` + b64("user:secret") + `"}}}`,
		wantUser: map[string]string{"r.io": "user"}, wantPass: map[string]string{"r.io": "secret"}},
	{name: "username and password", input: `{"auths":{"r.io":{"username":"u2","password":"p2"}}}`,
		wantUser: map[string]string{"r.io": "u2"}, wantPass: map[string]string{"r.io": "p2"}},
	{name: "split at first colon", input: `{"auths":{"r.io":{"auth":"` + b64("user:se:cret") + `"}}}`,
		wantUser: map[string]string{"r.io": "user"}, wantPass: map[string]string{"r.io": "se:cret"}},
	{name: "NUL trimmed", input: `{"auths":{"r.io":{"auth":"` + b64("user:secret\x00\x00") + `"}}}`,
		wantUser: map[string]string{"r.io": "user"}, wantPass: map[string]string{"r.io": "secret"}},
	{name: "newline kept", input: `{"auths":{"r.io":{"auth":"` + b64("user:secret\n") + `"}}}`,
		wantUser: map[string]string{"r.io": "user"}, wantPass: map[string]string{"r.io": "secret\n"}, wantWarn: "printf '%s:%s' user secret | base64 -w0"},
	{name: "case-insensitive field", input: `{"AUTHS":{"r.io":{"Auth":"` + b64("user:secret") + `"}}}`,
		wantUser: map[string]string{"r.io": "user"}},
	{name: "trailing text ignored", input: `{"auths":{"r.io":{}}} trailing`, wantUser: map[string]string{"r.io": ""}},
	{name: "empty entry kept", input: `{"auths":{"r.io":{}}}`, wantUser: map[string]string{"r.io": ""}},
	{name: "bad base64", input: `{"auths":{"r.io":{"auth":"!!"}}}`,
		wantErr: ErrCredentials, wantAt: "f.json:1:19: auths.r.io.auth"},
	{name: "no colon", input: `{"auths":{"r.io":{"auth":"` + b64("usersecret") + `"}}}`,
		wantErr: ErrCredentials, wantAt: "f.json:1:19: auths.r.io.auth"},
	{name: "empty user", input: `{"auths":{"r.io":{"auth":"` + b64(":secret") + `"}}}`,
		wantErr: ErrCredentials, wantAt: "f.json:1:19: auths.r.io.auth"},
	{name: "syntax error", input: "{\n  \"auths\": {\n    \"r.io\": x\n  }\n}",
		wantErr: ErrSyntax, wantAt: "f.json:3:13: auths.r.io"},
	{name: "truncated", input: `{"auths":{"r.io":{"auth":"x"}`,
		wantErr: ErrSyntax, wantAt: "f.json:1:30: auths"},
	{name: "wrong type", input: `{"auths":{"r.io":{"auth":5}}}`,
		wantErr: ErrSyntax, wantAt: "f.json:1:26: auths.r.io.auth"},
	{name: "wrong helper type", input: `{"credHelpers":{"r.io":true}}`,
		wantErr: ErrSyntax, wantAt: "f.json:1:24: credHelpers.r.io"},
}

func TestParseDockerConfig(t *testing.T) {
	for _, tc := range parseDockerConfigCases {
		t.Run(tc.name, func(t *testing.T) {
			config, diags, err := ParseDockerConfig("f.json", []byte(tc.input))

			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr, "input %q should fail with %v", tc.input, tc.wantErr)
				var configErr *ConfigError
				require.ErrorAs(t, err, &configErr, "input %q should give a *ConfigError", tc.input)
				assert.True(t, strings.HasPrefix(err.Error(), tc.wantAt+" "), "error for %q is %q, want it at %q", tc.input, err, tc.wantAt)
				return
			}

			require.NoError(t, err, "input %q should parse", tc.input)
			users := map[string]string{}
			for _, a := range config.Auths {
				users[a.Key] = a.Username
				if want, ok := tc.wantPass[a.Key]; ok {
					assert.Equal(t, want, a.Password.Reveal(), "password of %s in %q", a.Key, tc.input)
				}
			}
			assert.Equal(t, tc.wantUser, users, "user names in %q", tc.input)
			if tc.wantWarn == "" {
				assert.Empty(t, diags, "input %q should give no warning", tc.input)
			} else if assert.Len(t, diags, 1, "input %q should give one warning", tc.input) {
				assert.Contains(t, diags[0].Message, tc.wantWarn, "warning for %q", tc.input)
				assert.Equal(t, SeverityWarning, diags[0].Severity, "severity of the warning for %q", tc.input)
			}
		})
	}
}

func TestParseDockerConfigTokensAndHelpers(t *testing.T) {
	input := `{"auths":{"r.io":{"identitytoken":"it","registrytoken":"rt"}},"credsStore":"desktop","credHelpers":{"b.io":"ecr-login","a.io":"gcr"}}`

	config, _, err := ParseDockerConfig("f", []byte(input))

	require.NoError(t, err)
	assert.Equal(t, "it", config.Auths[0].IdentityToken.Reveal(), "identity token of r.io")
	assert.Equal(t, "rt", config.Auths[0].RegistryToken.Reveal(), "registry token of r.io")
	assert.Equal(t, "desktop", config.CredsStore, "credsStore")
	assert.Equal(t, []string{"a.io", "b.io"}, []string{config.CredHelpers[0].Key, config.CredHelpers[1].Key}, "credHelpers sorted by key")
	assert.Equal(t, "gcr", config.CredHelpers[0].Helper, "helper of a.io")
	assert.Equal(t, []string{"credsStore", "credHelpers", "auths.r.io.identitytoken", "auths.r.io.registrytoken"}, sortedFirst(config.NonCLIFields), "fields the docker CLI rejects")
}

// sortedFirst puts top-level fields before entry fields, keeping order.
func sortedFirst(fields []string) []string {
	var top, nested []string
	for _, f := range fields {
		if strings.HasPrefix(f, "auths.") {
			nested = append(nested, f)
		} else {
			top = append(top, f)
		}
	}
	return append(top, nested...)
}

func TestParseDockerConfigCorpus(t *testing.T) {
	dir := filepath.Join("..", "shared", "corpus", "docker-config")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err, "corpus directory %s", dir)
	require.NotEmpty(t, entries, "corpus directory %s", dir)

	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err, "reading %s", e.Name())

		_, _, err = ParseDockerConfig(e.Name(), data)
		assert.NoError(t, err, "corpus file %s should parse", e.Name())
	}
}

// fakeHelpers is a CredentialHelperRunner with fixed results. A helper
// missing from stores fails, as a missing program does.
type fakeHelpers struct {
	stores map[string]map[string]HelperCredentials // helper -> server URL -> credentials
	calls  []string
}

func (f *fakeHelpers) List(_ context.Context, helper string) (map[string]string, error) {
	f.calls = append(f.calls, helper+" list")
	store, ok := f.stores[helper]
	if !ok {
		return nil, errors.New("executable file not found in $PATH")
	}
	listed := map[string]string{}
	for url, c := range store {
		listed[url] = c.Username
	}
	return listed, nil
}

func (f *fakeHelpers) Get(_ context.Context, helper, serverURL string) (HelperCredentials, error) {
	f.calls = append(f.calls, helper+" get "+serverURL)
	store, ok := f.stores[helper]
	if !ok {
		return HelperCredentials{}, errors.New("executable file not found in $PATH")
	}
	c, ok := store[serverURL]
	if !ok {
		return HelperCredentials{}, ErrHelperCredentialsNotFound
	}
	return c, nil
}

// lookupResult formats what Lookup returns: "PATH SOURCE USER HELPER", or
// "none".
func lookupResult(a *RegistryAuth, image string) string {
	c := a.Lookup(image)
	if c == nil {
		return "none"
	}
	return strings.TrimSpace(fmt.Sprintf("%s %s %s %s", c.RegistryPath, c.Source, c.Username, c.Helper))
}

func dockerAuthConfigVar(value string) Variables {
	return Variables{{Key: "DOCKER_AUTH_CONFIG", Value: value}}
}

func TestResolveRegistryAuthLookup(t *testing.T) {
	pathsConfig := `{"auths":{"registry.local":{"auth":"` + b64("host:p") + `"},"registry.local/ns":{"auth":"` + b64("ns:p") + `"},"registry.local/ns/some/image":{"auth":"` + b64("deep:p") + `"}}}`
	payload := []RegistryCredential{{Type: "registry", URL: "registry.local/ns/blipp", Username: "job", Password: NewSecret("t")}}

	tests := []struct {
		name  string
		opts  AuthOptions
		image string
		want  string
	}{
		{"parent path", AuthOptions{Variables: dockerAuthConfigVar(pathsConfig)}, "registry.local/ns/image:5", "registry.local/ns $DOCKER_AUTH_CONFIG ns"},
		{"host entry", AuthOptions{Variables: dockerAuthConfigVar(pathsConfig)}, "registry.local/foo/image:3", "registry.local $DOCKER_AUTH_CONFIG host"},
		{"deeper path from a later source", AuthOptions{Variables: dockerAuthConfigVar(pathsConfig), Credentials: payload}, "registry.local/ns/blipp/image:bar", "registry.local/ns/blipp job payload (GitLab Registry) job"},
		{"whole segments only", AuthOptions{Variables: dockerAuthConfigVar(pathsConfig)}, "registry.local/nsx/image", "registry.local $DOCKER_AUTH_CONFIG host"},
		{"other host", AuthOptions{Variables: dockerAuthConfigVar(pathsConfig)}, "registry.localhost/ns/image", "none"},
		{"digest skips own repository", AuthOptions{Variables: dockerAuthConfigVar(`{"auths":{"reg.io/ns/img":{"auth":"` + b64("own:p") + `"},"reg.io/ns":{"auth":"` + b64("parent:p") + `"}}}`)}, "reg.io/ns/img@sha256:abc", "reg.io/ns $DOCKER_AUTH_CONFIG parent"},
		{"empty value", AuthOptions{Variables: dockerAuthConfigVar("")}, "nginx", "none"},
		{"empty entry matches", AuthOptions{Variables: dockerAuthConfigVar(`{"auths":{"r.io":{}}}`)}, "r.io/x", "r.io $DOCKER_AUTH_CONFIG"},
		{"last variable wins", AuthOptions{Variables: append(dockerAuthConfigVar(`{"auths":{"r.io":{"auth":"`+b64("runner:p")+`"}}}`), dockerAuthConfigVar(`{"auths":{"r.io":{"auth":"`+b64("job:p")+`"}}}`)...)}, "r.io/x", "r.io $DOCKER_AUTH_CONFIG job"},
		{"empty job value replaces runner value", AuthOptions{Variables: append(dockerAuthConfigVar(`{"auths":{"r.io":{"auth":"`+b64("runner:p")+`"}}}`), dockerAuthConfigVar("")...)}, "r.io/x", "none"},
		{"file variable gives contents", AuthOptions{Variables: Variables{{Key: "DOCKER_AUTH_CONFIG", Value: `{"auths":{"r.io":{"auth":"` + b64("file:p") + `"}}}`, File: true}}}, "r.io/x", "r.io $DOCKER_AUTH_CONFIG file"},
		{"first sorted key wins a path", AuthOptions{Variables: dockerAuthConfigVar(`{"auths":{"https://index.docker.io/v1/":{"auth":"` + b64("v1:p") + `"},"docker.io":{"auth":"` + b64("plain:p") + `"}}}`)}, "alpine", "docker.io $DOCKER_AUTH_CONFIG plain"},
		{"scheme key keeps only the host", AuthOptions{Variables: dockerAuthConfigVar(`{"auths":{"https://r.io/ns":{"auth":"` + b64("u:p") + `"}}}`)}, "r.io/other/x", "r.io $DOCKER_AUTH_CONFIG u"},
		{"host case", AuthOptions{Variables: dockerAuthConfigVar(`{"auths":{"R.IO/NS":{"auth":"` + b64("u:p") + `"}}}`)}, "r.io/NS/x", "r.io/NS $DOCKER_AUTH_CONFIG u"},
		{"path case", AuthOptions{Variables: dockerAuthConfigVar(`{"auths":{"r.io/NS":{"auth":"` + b64("u:p") + `"}}}`)}, "r.io/ns/x", "none"},
		{"key tag removed", AuthOptions{Variables: dockerAuthConfigVar(`{"auths":{"r.io:5000/ns/img:latest":{"auth":"` + b64("u:p") + `"}}}`)}, "r.io:5000/ns/img:2", "r.io:5000/ns/img $DOCKER_AUTH_CONFIG u"},
		{"payload type other than registry ignored", AuthOptions{Credentials: []RegistryCredential{{Type: "other", URL: "r.io", Username: "u"}}}, "r.io/x", "none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			auth, _, err := ResolveRegistryAuth(context.Background(), tc.opts)
			require.NoError(t, err)

			assert.Equal(t, tc.want, lookupResult(auth, tc.image), "credentials for %s", tc.image)
		})
	}
}

func TestResolveRegistryAuthHome(t *testing.T) {
	configJSON := `{"auths":{"r.io":{"auth":"` + b64("home:p") + `"}}}`
	dockercfg := `{"auths":{"r.io":{"auth":"` + b64("legacy:p") + `"}}}`
	home := filepath.FromSlash("/home/gitlab-runner")

	tests := []struct {
		name     string
		files    fstest.MapFS
		want     string
		wantWarn string
	}{
		{"config.json", fstest.MapFS{".docker/config.json": {Data: []byte(configJSON)}, ".dockercfg": {Data: []byte(dockercfg)}}, "r.io " + filepath.Join(home, ".docker", "config.json") + " home", ""},
		{".dockercfg", fstest.MapFS{".dockercfg": {Data: []byte(dockercfg)}}, "r.io " + filepath.Join(home, ".dockercfg") + " legacy", ""},
		{"no file", fstest.MapFS{}, "none", ""},
		{"invalid JSON ignored", fstest.MapFS{".docker/config.json": {Data: []byte("{")}}, "none", "GitLab Runner ignores this error"},
		{"config.json opens but cannot be read", fstest.MapFS{".docker/config.json/unused": {}, ".dockercfg": {Data: []byte(dockercfg)}}, "none", "GitLab Runner ignores this error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			auth, diags, err := ResolveRegistryAuth(context.Background(), AuthOptions{Home: home, HomeFS: tc.files})
			require.NoError(t, err)

			assert.Equal(t, tc.want, lookupResult(auth, "r.io/x"), "credentials for r.io/x with %s", tc.name)
			if tc.wantWarn != "" && assert.Len(t, diags, 1, "one warning with %s", tc.name) {
				assert.Contains(t, diags[0].Message, tc.wantWarn, "warning with %s", tc.name)
			}
		})
	}
}

func TestResolveRegistryAuthSourceOrder(t *testing.T) {
	home := fstest.MapFS{".docker/config.json": {Data: []byte(`{"auths":{"r.io":{"auth":"` + b64("home:p") + `"},"h.io":{"auth":"` + b64("home:p") + `"}}}`)}}
	opts := AuthOptions{
		Variables:   dockerAuthConfigVar(`{"auths":{"r.io":{"auth":"` + b64("var:p") + `"}}}`),
		Home:        "/home/u",
		HomeFS:      home,
		Credentials: []RegistryCredential{{Type: "registry", URL: "h.io", Username: "job"}, {Type: "registry", URL: "j.io", Username: "job"}},
	}

	auth, diags, err := ResolveRegistryAuth(context.Background(), opts)

	require.NoError(t, err)
	assert.Equal(t, "r.io $DOCKER_AUTH_CONFIG var", lookupResult(auth, "r.io/x"), "DOCKER_AUTH_CONFIG beats the home file")
	assert.Equal(t, "h.io "+filepath.Join("/home/u", ".docker", "config.json")+" home", lookupResult(auth, "h.io/x"), "the home file beats the job payload")
	assert.Equal(t, "j.io job payload (GitLab Registry) job", lookupResult(auth, "j.io/x"), "the job payload fills the rest")
	var dropped []string
	for _, d := range diags {
		if strings.HasPrefix(d.Message, "Not adding Docker credentials") {
			dropped = append(dropped, d.Message)
		}
	}
	assert.Equal(t, []string{
		`Not adding Docker credentials: credentials for "r.io" already set from "$DOCKER_AUTH_CONFIG", ignoring credentials from "` + filepath.Join("/home/u", ".docker", "config.json") + `"`,
		`Not adding Docker credentials: credentials for "h.io" already set from "` + filepath.Join("/home/u", ".docker", "config.json") + `", ignoring credentials from "job payload (GitLab Registry)"`,
	}, dropped, "dropped entries")
	assert.Len(t, auth.Entries(), 3, "claimed registry paths")
}

func TestResolveRegistryAuthHelpers(t *testing.T) {
	helpers := &fakeHelpers{stores: map[string]map[string]HelperCredentials{
		"store": {
			"https://s.io/v1/": {Username: "stored", Secret: NewSecret("p")},
			"t.io":             {Username: "<token>", Secret: NewSecret("idtoken")},
		},
		"ecr": {"e.io": {Username: "AWS", Secret: NewSecret("p")}},
	}}
	tests := []struct {
		name     string
		config   string
		helpers  CredentialHelperRunner
		image    string
		want     string
		wantWarn string
		wantErr  error
	}{
		{"credsStore", `{"credsStore":"store"}`, helpers, "s.io/x", "s.io $DOCKER_AUTH_CONFIG stored docker-credential-store", "", nil},
		{"identity token", `{"credsStore":"store"}`, helpers, "t.io/x", "t.io $DOCKER_AUTH_CONFIG  docker-credential-store", "", nil},
		{"credHelpers", `{"credHelpers":{"e.io":"ecr"}}`, helpers, "e.io/x", "e.io $DOCKER_AUTH_CONFIG AWS docker-credential-ecr", "", nil},
		{"credHelpers replace auths", `{"auths":{"e.io":{"auth":"` + b64("plain:p") + `"}},"credHelpers":{"e.io":"ecr"}}`, helpers, "e.io/x", "e.io $DOCKER_AUTH_CONFIG AWS docker-credential-ecr", "", nil},
		{"not found never matches", `{"auths":{"n.io":{"auth":"` + b64("plain:p") + `"}},"credHelpers":{"n.io":"ecr"}}`, helpers, "n.io/x", "none", "has no credentials for n.io", nil},
		{"failing helper drops the source", `{"auths":{"a.io":{"auth":"` + b64("plain:p") + `"}},"credHelpers":{"m.io":"missing"}}`, helpers, "a.io/x", "none", "Credentials from this source will not be used", nil},
		{"not run", `{"credHelpers":{"e.io":"ecr"}}`, nil, "e.io/x", "e.io $DOCKER_AUTH_CONFIG  docker-credential-ecr", "docker-credential-ecr was not run", nil},
		{"credsStore not run", `{"credsStore":"store"}`, nil, "s.io/x", "none", "the registries it stores are not known", nil},
		{"path traversal in credHelpers", `{"credHelpers":{"e.io":"../ecr"}}`, helpers, "e.io/x", "", "", ErrPathTraversal},
		{"path traversal in credsStore", `{"credsStore":"/usr/bin/x"}`, nil, "e.io/x", "", "", ErrPathTraversal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			auth, diags, err := ResolveRegistryAuth(context.Background(), AuthOptions{Variables: dockerAuthConfigVar(tc.config), Helpers: tc.helpers})

			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr, "config %s", tc.config)
				assert.Contains(t, err.Error(), "path traversal is not allowed", "error text for %s", tc.config)
				assert.Nil(t, auth, "no table after %v", tc.wantErr)
				return
			}
			require.NoError(t, err, "config %s", tc.config)
			assert.Equal(t, tc.want, lookupResult(auth, tc.image), "credentials for %s with %s", tc.image, tc.config)
			if tc.wantWarn != "" {
				assert.True(t, containsMessage(diags, tc.wantWarn), "diagnostics for %s should contain %q: %v", tc.config, tc.wantWarn, diags)
			}
		})
	}
}

func containsMessage(diags Diagnostics, text string) bool {
	for _, d := range diags {
		if strings.Contains(d.Message, text) {
			return true
		}
	}
	return false
}

func TestResolveRegistryAuthPayloadOrder(t *testing.T) {
	opts := AuthOptions{Credentials: []RegistryCredential{
		{Type: "registry", URL: "z.io", Username: "registry"},
		{Type: "registry", URL: "z.io", Username: "proxy"},
		{Type: "registry", URL: "https://a.io", Username: "scheme"},
		{Type: "registry", URL: "a.io", Username: "plain"},
	}}

	auth, diags, err := ResolveRegistryAuth(context.Background(), opts)

	require.NoError(t, err)
	assert.Equal(t, "z.io job payload (GitLab Registry) registry", lookupResult(auth, "z.io/x"), "the first credential for a URL wins")
	assert.Equal(t, "a.io job payload (GitLab Registry) scheme", lookupResult(auth, "a.io/x"), "the first credential for a path wins, in payload order")
	var paths []string
	for _, c := range auth.Entries() {
		paths = append(paths, c.RegistryPath)
	}
	assert.Equal(t, []string{"z.io", "a.io"}, paths, "entries keep the payload order")
	var dropped []string
	for _, d := range diags {
		dropped = append(dropped, d.Location+" "+d.Message)
	}
	assert.Equal(t, []string{
		`credentials[1] Not adding Docker credentials: credentials for "z.io" already set from "job payload (GitLab Registry)", ignoring credentials from "job payload (GitLab Registry)"`,
		`credentials[3] Not adding Docker credentials: credentials for "a.io" already set from "job payload (GitLab Registry)", ignoring credentials from "job payload (GitLab Registry)"`,
	}, dropped, "dropped payload credentials")
}

func TestJobPayloadCredentials(t *testing.T) {
	vars := Variables{
		{Key: "CI_REGISTRY", Value: "registry.example.com:5005"},
		{Key: "CI_REGISTRY_USER", Value: "gitlab-ci-token"},
		{Key: "CI_REGISTRY_PASSWORD", Value: "jobtoken"},
		{Key: "CI_DEPENDENCY_PROXY_SERVER", Value: "gitlab.example.com:443"},
		{Key: "CI_DEPENDENCY_PROXY_USER", Value: "gitlab-ci-token"},
		{Key: "CI_DEPENDENCY_PROXY_PASSWORD", Value: "jobtoken"},
	}

	got := JobPayloadCredentials(vars)

	require.Len(t, got, 2, "registry and dependency proxy")
	assert.Equal(t, "registry.example.com:5005", got[0].URL, "registry URL")
	assert.Equal(t, "gitlab.example.com:443", got[1].URL, "dependency proxy URL")
	assert.Equal(t, "jobtoken", got[1].Password.Reveal(), "dependency proxy password")
	assert.Equal(t, "registry", got[0].Type, "credential type")
	assert.Empty(t, JobPayloadCredentials(nil), "no variables give no credentials")
}

func TestExplainReasons(t *testing.T) {
	tests := []struct {
		name   string
		config string
		image  string
		want   string
	}{
		{"port", `{"auths":{"registry.example.com":{}}}`, "registry.example.com:5000/app:1", "registry.example.com is configured, but the image is on registry.example.com:5000: the port must match"},
		{"index.docker.io", `{"auths":{"index.docker.io":{}}}`, "node:22", "index.docker.io without https:// never matches Docker Hub images in GitLab Runner; use https://index.docker.io/v1/ or docker.io"},
		{"registry-1.docker.io", `{"auths":{"registry-1.docker.io":{}}}`, "node:22", "registry-1.docker.io never matches Docker Hub images"},
		{"digest", `{"auths":{"reg.io/ns/img":{}}}`, "reg.io/ns/img@sha256:abc", "is a digest reference"},
		{"path case", `{"auths":{"reg.io/NS":{}}}`, "reg.io/ns/img", "compares the rest of the path as written"},
		{"partial segment", `{"auths":{"reg.io/ns":{}}}`, "reg.io/nsx/img", "keys match whole path segments"},
		{"deeper key", `{"auths":{"reg.io/ns/img/sub":{}}}`, "reg.io/ns/img", "not its parents"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			auth, _, err := ResolveRegistryAuth(context.Background(), AuthOptions{Variables: dockerAuthConfigVar(tc.config)})
			require.NoError(t, err)

			e := auth.Explain(tc.image)

			assert.Nil(t, e.Credentials, "no credentials for %s with %s", tc.image, tc.config)
			require.Len(t, e.Reasons, 1, "one reason for %s with %s", tc.image, tc.config)
			assert.Contains(t, e.Reasons[0].Message, tc.want, "reason for %s with %s", tc.image, tc.config)
		})
	}
}

func TestExplainNoReasonForUnrelatedKey(t *testing.T) {
	auth, _, err := ResolveRegistryAuth(context.Background(), AuthOptions{Variables: dockerAuthConfigVar(`{"auths":{"other.io":{}}}`)})
	require.NoError(t, err)

	e := auth.Explain("node:22")

	assert.Empty(t, e.Reasons, "other.io is not close to node:22")
	assert.Equal(t, []string{"docker.io/node", "docker.io"}, e.Tried, "paths tried for node:22")
}

func TestDockerCLIDifferences(t *testing.T) {
	tests := []struct {
		name   string
		config string
		want   string
	}{
		{"docker.io key", `{"auths":{"docker.io":{"auth":"` + b64("u:p") + `"}}}`, "the docker CLI looks up Docker Hub credentials only under https://index.docker.io/v1/"},
		{"path key", `{"auths":{"r.io/ns":{"auth":"` + b64("u:p") + `"}}}`, "does not limit them to a path"},
		{"host case", `{"auths":{"R.io":{"auth":"` + b64("u:p") + `"}}}`, "the docker CLI compares keys as written"},
		{"scheme with path", `{"auths":{"https://r.io/ns":{"auth":"` + b64("u:p") + `"}}}`, "applies to every image on r.io"},
		{"extra field", `{"auths":{"r.io":{"username":"u","password":"p"}}}`, `because of "auths.r.io.username" it ignores the variable`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, diags, err := ResolveRegistryAuth(context.Background(), AuthOptions{Variables: dockerAuthConfigVar(tc.config)})
			require.NoError(t, err)

			assert.True(t, containsMessage(diags, tc.want), "diagnostics for %s should contain %q: %v", tc.config, tc.want, diags)
		})
	}

	_, diags, err := ResolveRegistryAuth(context.Background(), AuthOptions{Variables: dockerAuthConfigVar(`{"auths":{"https://index.docker.io/v1/":{"auth":"` + b64("u:p") + `"}}}`)})
	require.NoError(t, err)
	assert.Empty(t, diags, "the docker CLI's own Docker Hub key gives no warning")
}

// Real-world cases.

func TestCaseDockerHubKeySpellings(t *testing.T) {
	tests := []struct{ key, want string }{
		{"index.docker.io", "none"},
		{"registry-1.docker.io", "none"},
		{"docker.io", "docker.io $DOCKER_AUTH_CONFIG user"},
		{"https://index.docker.io/v1/", "docker.io $DOCKER_AUTH_CONFIG user"},
	}
	for _, tc := range tests {
		config := `{"auths":{"` + tc.key + `":{"auth":"` + b64("user:secret") + `"}}}`
		auth, _, err := ResolveRegistryAuth(context.Background(), AuthOptions{Variables: dockerAuthConfigVar(config)})
		require.NoError(t, err, "key %s", tc.key)

		assert.Equal(t, tc.want, lookupResult(auth, "node:22"), "node:22 with key %s", tc.key)
	}
}

func TestCasePortAndPayloadPrecedence(t *testing.T) {
	image := "gitlab.example.com:5000/project-a/group/container:1.2.3"
	payload := []RegistryCredential{{Type: "registry", URL: "gitlab.example.com:5000", Username: "gitlab-ci-token", Password: NewSecret("jobtoken")}}
	tests := []struct{ key, want string }{
		{"gitlab.example.com:5000", "gitlab.example.com:5000 $DOCKER_AUTH_CONFIG deploy"},
		{"gitlab.example.com:5000/project-a", "gitlab.example.com:5000/project-a $DOCKER_AUTH_CONFIG deploy"},
		{"gitlab.example.com", "gitlab.example.com:5000 job payload (GitLab Registry) gitlab-ci-token"},
	}
	for _, tc := range tests {
		config := `{"auths":{"` + tc.key + `":{"auth":"` + b64("deploy:secret") + `"}}}`
		auth, _, err := ResolveRegistryAuth(context.Background(), AuthOptions{Variables: dockerAuthConfigVar(config), Credentials: payload})
		require.NoError(t, err, "key %s", tc.key)

		assert.Equal(t, tc.want, lookupResult(auth, image), "%s with key %s", image, tc.key)
	}
}

func TestCaseRunnerProcessEnvironmentIgnored(t *testing.T) {
	t.Setenv("DOCKER_AUTH_CONFIG", `{"auths":{"r.io":{"auth":"`+b64("process:p")+`"}}}`)
	runnerEnv := Variable{Key: "DOCKER_AUTH_CONFIG", Value: `{"auths":{"r.io":{"auth":"` + b64("runner:p") + `"}}}`, Internal: true}
	jobVar := Variable{Key: "DOCKER_AUTH_CONFIG", Value: `{"auths":{"r.io":{"auth":"` + b64("job:p") + `"}}}`}

	tests := []struct {
		name string
		vars Variables
		want string
	}{
		{"process environment", nil, "none"},
		{"runner environment", Variables{runnerEnv}, "r.io $DOCKER_AUTH_CONFIG runner"},
		{"job replaces runner", Variables{runnerEnv, jobVar}, "r.io $DOCKER_AUTH_CONFIG job"},
	}
	for _, tc := range tests {
		auth, _, err := ResolveRegistryAuth(context.Background(), AuthOptions{Variables: tc.vars})
		require.NoError(t, err, tc.name)

		assert.Equal(t, tc.want, lookupResult(auth, "r.io/x"), "credentials with %s", tc.name)
	}
}

func TestCaseDockerCLIRejectsRunnerFields(t *testing.T) {
	config := `{"auths":{"registry.example.com":{"auth":"` + b64("reader:secret") + `"}},"credHelpers":{"other.example.com":"ecr-login"}}`

	auth, diags, err := ResolveRegistryAuth(context.Background(), AuthOptions{Variables: dockerAuthConfigVar(config)})

	require.NoError(t, err)
	assert.Equal(t, "registry.example.com $DOCKER_AUTH_CONFIG reader", lookupResult(auth, "registry.example.com/app"), "GitLab Runner uses the variable")
	assert.True(t, containsMessage(diags, `because of "credHelpers" it ignores the variable with an error, while GitLab Runner uses it`), "docker CLI difference in %v", diags)
}

func TestCaseAuthWithTrailingNewline(t *testing.T) {
	config := `{"auths":{"r.io":{"auth":"` + b64("user:secret\n") + `"}}}`

	auth, diags, err := ResolveRegistryAuth(context.Background(), AuthOptions{Variables: dockerAuthConfigVar(config)})

	require.NoError(t, err)
	c := auth.Lookup("r.io/x")
	require.NotNil(t, c, "credentials for r.io/x")
	assert.Equal(t, "secret\n", c.Password.Reveal(), "the password keeps its newline, as in GitLab Runner")
	assert.True(t, containsMessage(diags, "printf '%s:%s' user secret | base64 -w0"), "the warning shows the fix: %v", diags)
}

func TestCaseInvalidSourceDropped(t *testing.T) {
	auth, diags, err := ResolveRegistryAuth(context.Background(), AuthOptions{
		Variables:   dockerAuthConfigVar(`{"auths":{"r.io":{"auth":"` + b64("user:p") + `"},"bad.io":{"auth":"` + b64("nocolon") + `"}}}`),
		Credentials: []RegistryCredential{{Type: "registry", URL: "r.io", Username: "job"}},
	})

	require.NoError(t, err)
	assert.Equal(t, "r.io job payload (GitLab Registry) job", lookupResult(auth, "r.io/x"), "the whole variable is dropped, good entries too")
	require.NotEmpty(t, diags)
	assert.Equal(t, "Failed to resolve credentials from $DOCKER_AUTH_CONFIG: invalid auth configuration file. Credentials from this source will not be used.", diags[0].Message, "the runner's warning")
	assert.Equal(t, "auths.bad.io.auth", diags[0].Location, "location of the bad value")
}

// Secrets.

// plantedSecrets are values placed in every source that must never show
// up in any output.
var plantedSecrets = []string{"AUTHPASS-7f3a", "PLAINPASS-91c2", "IDTOKEN-55d0", "REGTOKEN-0b9e", "HELPERSECRET-c4e1", "JOBPASS-a8f6"}

func TestSecretsNeverPrinted(t *testing.T) {
	authValue := b64("authuser:" + plantedSecrets[0])
	config := `{"auths":{"a.io":{"auth":"` + authValue + `"},"p.io":{"username":"u","password":"` + plantedSecrets[1] +
		`"},"t.io":{"identitytoken":"` + plantedSecrets[2] + `","registrytoken":"` + plantedSecrets[3] +
		`"},"index.docker.io":{"auth":"` + b64("hub:"+plantedSecrets[0]+"\n") + `"}},"credHelpers":{"h.io":"fake"}}`
	helpers := &fakeHelpers{stores: map[string]map[string]HelperCredentials{"fake": {"h.io": {Username: "hu", Secret: NewSecret(plantedSecrets[4])}}}}
	payload := JobPayloadCredentials(Variables{{Key: "CI_REGISTRY", Value: "j.io"}, {Key: "CI_REGISTRY_USER", Value: "gitlab-ci-token"}, {Key: "CI_REGISTRY_PASSWORD", Value: plantedSecrets[5]}})
	broken := `{"auths":{"x.io":{"auth":"` + b64(plantedSecrets[0]) + `"}}}`

	var outputs []string
	record := func(values ...any) {
		for _, v := range values {
			outputs = append(outputs, fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprint(v))
			if data, err := json.Marshal(v); err == nil {
				outputs = append(outputs, string(data))
			}
		}
	}

	for _, vars := range []Variables{dockerAuthConfigVar(config), dockerAuthConfigVar(broken)} {
		auth, diags, err := ResolveRegistryAuth(context.Background(), AuthOptions{Variables: vars, Helpers: helpers, Credentials: payload})
		require.NoError(t, err)
		record(auth, diags, auth.Entries(), payload)
		for _, d := range diags {
			record(d, d.String(), d.Err(), d.Err().Error())
		}
		for _, image := range []string{"a.io/x", "p.io/x", "t.io/x", "h.io/x", "j.io/x", "node", "x.io/y"} {
			e := auth.Explain(image)
			record(e, auth.Lookup(image))
		}
	}
	parsed, parseDiags, err := ParseDockerConfig("f", []byte(config))
	require.NoError(t, err)
	record(parsed, parseDiags)
	_, _, err = ParseDockerConfig("f", []byte(broken))
	record(err, err.Error())

	for _, out := range outputs {
		for _, secret := range append(plantedSecrets, authValue) {
			assert.NotContains(t, out, secret, "output must not contain a planted secret")
		}
	}
}

// Fuzz tests.

func FuzzParseDockerConfig(f *testing.F) {
	for _, tc := range parseDockerConfigCases {
		f.Add(tc.input)
	}
	f.Fuzz(func(t *testing.T, input string) {
		config, diags, err := ParseDockerConfig("f", []byte(input))
		if err != nil {
			var configErr *ConfigError
			require.ErrorAs(t, err, &configErr, "error for %q", input)
			return
		}
		for _, a := range config.Auths {
			secret := a.Password.Reveal()
			if len(secret) < 4 {
				continue
			}
			for _, d := range diags {
				assert.NotContains(t, d.String(), secret, "diagnostic for %q contains the password", input)
			}
			assert.NotContains(t, fmt.Sprintf("%+v %#v", config, config), secret, "rendering of %q contains the password", input)
		}
	})
}

func FuzzConvertToRegistryPath(f *testing.F) {
	for _, tc := range convertToRegistryPathCases {
		f.Add(tc.key)
	}
	f.Fuzz(func(t *testing.T, key string) {
		path := ConvertToRegistryPath(key)
		host, _, _ := strings.Cut(path, "/")
		assert.Equal(t, strings.ToLower(host), host, "host of the path of %q is lowercased", key)
		if registryKeyScheme.MatchString(key) {
			assert.NotContains(t, path, "/", "a key with a scheme keeps only its host: %q gave %q", key, path)
		}
	})
}

func FuzzNormalizeImageRef(f *testing.F) {
	for _, tc := range normalizeImageRefCases {
		f.Add(tc.image, "registry.example.com")
	}
	f.Fuzz(func(t *testing.T, image, key string) {
		path := NormalizeImageRef(image)
		host, _, _ := strings.Cut(path, "/")
		assert.Equal(t, strings.ToLower(host), host, "host of %q is lowercased", image)

		config, err := json.Marshal(map[string]any{"auths": map[string]any{key: map[string]string{"username": "u"}}})
		require.NoError(t, err)
		auth, _, err := ResolveRegistryAuth(context.Background(), AuthOptions{Variables: dockerAuthConfigVar(string(config))})
		require.NoError(t, err)

		c := auth.Lookup(image)
		if c == nil {
			return
		}
		keyPath := ConvertToRegistryPath(key)
		assert.Equal(t, keyPath, c.RegistryPath, "key %q is offered only under its own registry path", key)
		assert.True(t, path == keyPath || strings.HasPrefix(path, keyPath+"/"), "key %q (path %q) is offered only to images at or under it, not to %q (path %q)", key, keyPath, image, path)
	})
}

// Benchmarks.

func BenchmarkLookup(b *testing.B) {
	for _, registries := range []int{10, 10000} {
		b.Run(fmt.Sprintf("registries=%d", registries), func(b *testing.B) {
			payload := make([]RegistryCredential, registries)
			for i := range payload {
				payload[i] = RegistryCredential{Type: "registry", URL: fmt.Sprintf("registry%d.example.com/group/project", i), Username: "u"}
			}
			auth, _, err := ResolveRegistryAuth(context.Background(), AuthOptions{Credentials: payload})
			require.NoError(b, err)
			image := "registry7.example.com/group/project/sub/image:1"

			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if auth.Lookup(image) == nil {
					b.Fatal("no credentials for " + image)
				}
			}
		})
	}
}

func TestResolvePathTraversalFailsOnlyItsJob(t *testing.T) {
	yaml := `
clean:
  image: r.io/app:1
  script: [true]
traversal:
  image: r.io/app:1
  variables:
    DOCKER_AUTH_CONFIG: '{"auths":{"r.io":{"username":"u"}},"credHelpers":{"h.io":"../x"}}'
  script: [true]
`
	pipeline, err := ParsePipeline(".gitlab-ci.yml", []byte(yaml))
	require.NoError(t, err)

	plan, err := Resolve(context.Background(), pipeline, ResolveOptions{})

	require.NoError(t, err, "a helper name in one job's DOCKER_AUTH_CONFIG does not stop the plan")
	require.Len(t, plan.Jobs, 2, "both jobs are planned")
	clean, traversal := plan.Jobs[0], plan.Jobs[1]
	assert.False(t, clean.Diagnostics.HasErrors(), "job clean has no error: %v", clean.Diagnostics)
	require.NotNil(t, traversal.Image, "job traversal image")
	assert.Nil(t, traversal.Image.Credentials, "job traversal pulls with no credentials")
	var found []Diagnostic
	for _, d := range traversal.Diagnostics {
		if errors.Is(d.Kind, ErrPathTraversal) {
			found = append(found, d)
		}
	}
	require.Len(t, found, 1, "job traversal reports the helper name: %v", traversal.Diagnostics)
	assert.Equal(t, SeverityError, found[0].Severity, "path traversal severity")
	assert.Equal(t, "credHelpers.h.io", found[0].Location, "path traversal location")
}
