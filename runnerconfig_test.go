package ciimage

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func loadRunnerFixture(t *testing.T, name string) (*RunnerConfig, Diagnostics) {
	t.Helper()
	path := filepath.Join("testdata", "runner", name)
	data, err := os.ReadFile(path)
	require.NoError(t, err, "read %s", path)
	return ParseRunnerConfig(path, data)
}

func TestParseRunnerConfigMultipleRunners(t *testing.T) {
	config, diagnostics := loadRunnerFixture(t, "multi.toml")
	require.Empty(t, diagnostics, "multi.toml loads without findings")
	require.Len(t, config.Runners, 3, "multi.toml has three [[runners]] entries")

	r := config.Runners[1]
	assert.Equal(t, "docker-main", r.Name, "runners[1].name")
	assert.Equal(t, "docker", r.Executor, "runners[1].executor")
	assert.Equal(t, 1, r.Index, "runners[1] index")
	assert.Equal(t, []string{"DOCKER_DRIVER=overlay2", "BROKEN", "EMPTY="}, r.Environment, "runners[1].environment")
	assert.Equal(t, "ruby:${RUBY_VERSION}", r.Docker.Image, "runners[1].docker.image is kept unexpanded")
	require.NotNil(t, r.Docker.ServicesLimit, "runners[1].docker.services_limit is set")
	assert.Equal(t, 2, *r.Docker.ServicesLimit, "runners[1].docker.services_limit")
	assert.Equal(t, []string{"ruby:*", "registry.example.com/**/*"}, r.Docker.AllowedImages, "allowed_images")
	assert.Equal(t, []string{"postgres:*", "redis:*"}, r.Docker.AllowedServices, "allowed_services")
	assert.Equal(t, []string{"always", "if-not-present"}, r.Docker.PullPolicy, "pull_policy array")
	assert.Equal(t, []string{"if-not-present"}, r.Docker.AllowedPullPolicies, "allowed_pull_policies")
	assert.True(t, r.Docker.DisableEntrypointOverwrite, "disable_entrypoint_overwrite")
	require.Len(t, r.Docker.Services, 2, "runners[1] has two [[runners.docker.services]]")
	assert.Equal(t, RunnerService{
		Name:        "docker:24-dind",
		Alias:       "docker, dind",
		Command:     []string{"--tls=false"},
		Entrypoint:  []string{"dockerd-entrypoint.sh"},
		Environment: []string{"DOCKER_TLS_CERTDIR="},
	}, r.Docker.Services[0], "runners[1].docker.services[0]")
	assert.Nil(t, r.Docker.Services[1].Entrypoint, "an unset entrypoint stays nil")

	assert.Equal(t, []string{"never"}, config.Runners[2].Docker.PullPolicy, "a pull_policy string becomes a one-element list")
	assert.Nil(t, config.Runners[0].Docker.ServicesLimit, "an unset services_limit stays nil")
}

func TestRunnerPositions(t *testing.T) {
	config, _ := loadRunnerFixture(t, "multi.toml")
	r := config.Runners[1]
	file := filepath.Join("testdata", "runner", "multi.toml")

	tests := []struct {
		keyPath  string
		location string
		line     int
		column   int
	}{
		{"docker.allowed_images", "runners[1].docker.allowed_images", 14, 5},
		{"docker.allowed_images[1]", "runners[1].docker.allowed_images[1]", 14, 33},
		{"docker.services[0].alias", "runners[1].docker.services[0].alias", 22, 5},
		{"docker.services[1].name", "runners[1].docker.services[1].name", 28, 5},
		{"environment[1]", "runners[1].environment[1]", 10, 44},
		{"docker.services[1].alias", "runners[1].docker.services[1].alias", 27, 5},
		{"docker", "runners[1].docker", 11, 4},
	}
	for _, tt := range tests {
		t.Run(tt.keyPath, func(t *testing.T) {
			assert.Equal(t, tt.location, r.Location(tt.keyPath), "Location(%q)", tt.keyPath)
			assert.Equal(t, Position{File: file, Line: tt.line, Column: tt.column}, r.Position(tt.keyPath),
				"Position(%q)", tt.keyPath)
		})
	}

	assert.Equal(t, Position{File: file, Line: 34, Column: 5}, config.Position("runners[2].docker.pull_policy"),
		"RunnerConfig.Position of runners[2].docker.pull_policy")
}

func TestParseRunnerConfigErrors(t *testing.T) {
	tests := []struct {
		name     string
		toml     string
		location string
		line     int
		message  string
		kind     error
	}{
		{
			name:    "syntax error",
			toml:    "[[runners]]\nname = \n",
			line:    2,
			message: "toml: ",
			kind:    ErrSyntax,
		},
		{
			name:     "string services",
			toml:     "[[runners]]\nexecutor = \"docker\"\n[runners.docker]\nservices = [\"a:1\", \"b:2\"]\n",
			location: "runners[0].docker.services",
			line:     4,
			message: `toml: line 4 (last key "runners.docker.services"): type mismatch for common.Service: expected table but found string; ` +
				`the string list form of services was removed in GitLab Runner 13.0, so write each service as a table: ` +
				`[[runners.docker.services]] name = "a:1" [[runners.docker.services]] name = "b:2"`,
			kind: ErrInvalidConfig,
		},
		{
			name:     "pull_policy integer",
			toml:     "[[runners]]\n[runners.docker]\npull_policy = 3\n",
			location: "runners[0].docker.pull_policy",
			line:     3,
			message:  `toml: line 3 (last key "runners.docker.pull_policy"): cannot load value of type int64 into a StringOrArray`,
			kind:     ErrInvalidConfig,
		},
		{
			name:     "pull_policy array with integer",
			toml:     "[[runners]]\n[runners.docker]\npull_policy = [\"always\", true]\n",
			location: "runners[0].docker.pull_policy[1]",
			line:     3,
			message:  `toml: line 3 (last key "runners.docker.pull_policy"): cannot load value of type bool into a StringOrArray`,
			kind:     ErrInvalidConfig,
		},
		{
			name:     "allowed_images string",
			toml:     "[[runners]]\n[runners.docker]\nallowed_images = \"ruby:*\"\n",
			location: "runners[0].docker.allowed_images",
			line:     3,
			message:  `toml: line 3 (last key "runners.docker.allowed_images"): incompatible types: TOML value has type string; destination has type slice`,
			kind:     ErrInvalidConfig,
		},
		{
			name:     "services_limit string",
			toml:     "[[runners]]\n[runners.docker]\nservices_limit = \"2\"\n",
			location: "runners[0].docker.services_limit",
			line:     3,
			message:  `toml: line 3 (last key "runners.docker.services_limit"): incompatible types: TOML value has type string; destination has type integer`,
			kind:     ErrInvalidConfig,
		},
		{
			name:     "image integer",
			toml:     "[[runners]]\n[runners.docker]\nimage = 5\n",
			location: "runners[0].docker.image",
			line:     3,
			message:  `toml: line 3 (last key "runners.docker.image"): incompatible types: TOML value has type int64; destination has type string`,
			kind:     ErrInvalidConfig,
		},
		{
			name:     "runners as one table",
			toml:     "[runners]\nname = \"x\"\n",
			location: "runners",
			line:     1,
			message:  `toml: line 1 (last key "runners"): incompatible types: TOML value has type map[string]any; destination has type slice`,
			kind:     ErrInvalidConfig,
		},
		{
			name:     "docker string",
			toml:     "[[runners]]\ndocker = \"x\"\n",
			location: "runners[0].docker",
			line:     2,
			message:  `toml: line 2 (last key "runners.docker"): type mismatch for common.DockerConfig: expected table but found string`,
			kind:     ErrInvalidConfig,
		},
		{
			name:     "entrypoint overwrite string",
			toml:     "[[runners]]\n[runners.docker]\ndisable_entrypoint_overwrite = \"yes\"\n",
			location: "runners[0].docker.disable_entrypoint_overwrite",
			line:     3,
			message:  `toml: line 3 (last key "runners.docker.disable_entrypoint_overwrite"): incompatible types: TOML value has type string; destination has type boolean`,
			kind:     ErrInvalidConfig,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diagnostics := ParseRunnerConfig("config.toml", []byte(tt.toml))
			require.Len(t, diagnostics, 1, "findings for %q", tt.toml)
			d := diagnostics[0]
			assert.Equal(t, SeverityError, d.Severity, "severity for %q", tt.toml)
			assert.Equal(t, tt.location, d.Location, "location for %q", tt.toml)
			assert.Equal(t, tt.line, d.Line, "line for %q", tt.toml)
			assert.Positive(t, d.Column, "column for %q", tt.toml)
			assert.True(t, strings.HasPrefix(d.Message, tt.message), "message for %q: got %q, want prefix %q", tt.toml, d.Message, tt.message)
			assert.ErrorIs(t, d.Err(), tt.kind, "kind for %q", tt.toml)
		})
	}
}

func TestParseRunnerConfigCaseInsensitiveKeys(t *testing.T) {
	config, diagnostics := ParseRunnerConfig("config.toml", []byte("[[runners]]\nName = \"a\"\n[runners.Docker]\nImage = \"alpine\"\n"))
	require.Empty(t, diagnostics, "findings for mixed-case keys")
	assert.Equal(t, "a", config.Runners[0].Name, "Name matches name, as in the runner's TOML library")
	assert.Equal(t, "alpine", config.Runners[0].Docker.Image, "Docker.Image matches docker.image")
}

func TestParseRunnerConfigCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "shared", "corpus", "config-toml", "*.toml"))
	require.NoError(t, err, "glob the corpus")
	if len(files) == 0 {
		t.Skip("no corpus at ../shared/corpus/config-toml")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err, "read %s", file)
			config, diagnostics := ParseRunnerConfig(file, data)
			assert.Empty(t, diagnostics, "%s loads in the runner, so it has no findings", file)
			require.NotNil(t, config, "config of %s", file)
			assert.NotEmpty(t, config.Runners, "%s has [[runners]] entries", file)
		})
	}
}

func TestParseRunnerConfigCorpusServices(t *testing.T) {
	file := filepath.Join("..", "shared", "corpus", "config-toml", "017-cattle-ops-terraform-aws-gitlab-runner.toml")
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("corpus file not present")
	}
	require.NoError(t, err, "read %s", file)

	config, _ := ParseRunnerConfig(file, data)
	r, err := config.Runner("")
	require.NoError(t, err, "select the Docker runner of %s", file)
	assert.Equal(t, "docker+machine", r.Executor, "executor of %s", file)
	require.Len(t, r.Docker.Services, 1, "services of %s", file)
	assert.Equal(t, "docker:20.10.16-dind", r.Docker.Services[0].Name, "service name of %s", file)
	assert.Equal(t, []string{"--registry-mirror", "https://mirror.gcr.io"}, r.Docker.Services[0].Command, "service command of %s", file)
}

func TestRunnerSelection(t *testing.T) {
	config, _ := loadRunnerFixture(t, "multi.toml")

	tests := []struct {
		request string
		want    string
	}{
		{"", "docker-main"},
		{"autoscaler", "autoscaler"},
		{"shell", "shell"},
	}
	for _, tt := range tests {
		r, err := config.Runner(tt.request)
		require.NoError(t, err, "Runner(%q)", tt.request)
		assert.Equal(t, tt.want, r.Name, "Runner(%q)", tt.request)
	}

	_, err := config.Runner("missing")
	var notFound *RunnerNotFoundError
	require.ErrorAs(t, err, &notFound, "Runner(\"missing\") error type")
	assert.Contains(t, err.Error(), `no [[runners]] entry named "missing"`, "Runner(\"missing\") names the request")
	assert.Contains(t, err.Error(), `"shell" (shell), "docker-main" (docker), "autoscaler" (docker-autoscaler)`,
		"Runner(\"missing\") lists the entries")

	shellOnly, _ := ParseRunnerConfig("shell.toml", []byte("[[runners]]\nname = \"s\"\nexecutor = \"shell\"\n"))
	_, err = shellOnly.Runner("")
	require.ErrorAs(t, err, &notFound, "Runner(\"\") without a Docker entry")
	assert.Contains(t, err.Error(), "no [[runners]] entry with a Docker executor", "Runner(\"\") message")
}

func TestDefaultRunner(t *testing.T) {
	r := DefaultRunner()
	assert.True(t, r.Default, "DefaultRunner is marked Default")
	assert.True(t, r.IsDocker(), "DefaultRunner has a Docker executor")
	assert.Empty(t, r.Docker.Image, "DefaultRunner has no image")
	assert.Empty(t, r.Docker.Services, "DefaultRunner has no services")
	assert.Nil(t, r.Docker.ServicesLimit, "DefaultRunner has no services limit")
	assert.Equal(t, "", r.Location("docker.pull_policy"), "DefaultRunner has no locations")
	assert.Equal(t, Position{}, r.Position("docker.pull_policy"), "DefaultRunner has no positions")

	policies, diagnostics := r.PullPolicies()
	assert.Empty(t, diagnostics, "DefaultRunner pull_policy findings")
	assert.Equal(t, []string{"always"}, policies, "DefaultRunner pull_policy")
	allowed, _ := r.AllowedPullPolicies()
	assert.Equal(t, []string{"always"}, allowed, "DefaultRunner allowed_pull_policies")
}

// runnerConfigSeeds are the inputs of the table tests above.
var runnerConfigSeeds = []string{
	"[[runners]]\nname = \n",
	"[[runners]]\nexecutor = \"docker\"\n[runners.docker]\nservices = [\"a:1\", \"b:2\"]\n",
	"[[runners]]\n[runners.docker]\npull_policy = [\"always\", true]\n",
	"[runners]\nname = \"x\"\n",
	"[[runners]]\nName = \"a\"\n[runners.Docker]\nImage = \"alpine\"\n",
	"[[runners]]\n[runners.docker]\nservices = [{name = \"x\", alias = 1}]\n",
	"[runners.\"\"] ",
	"a = 1979-05-27\n[[runners]]\n[runners.docker]\nimage = 1979-05-27T07:32:00\n",
}

func FuzzParseRunnerConfig(f *testing.F) {
	for _, seed := range runnerConfigSeeds {
		f.Add([]byte(seed))
	}
	if data, err := os.ReadFile(filepath.Join("testdata", "runner", "multi.toml")); err == nil {
		f.Add(data)
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		config, diagnostics := ParseRunnerConfig("fuzz.toml", data)
		again, diagnosticsAgain := ParseRunnerConfig("fuzz.toml", data)
		if !reflect.DeepEqual(config, again) || !reflect.DeepEqual(diagnostics, diagnosticsAgain) {
			t.Fatalf("ParseRunnerConfig(%q) is not deterministic", data)
		}
		for _, d := range diagnostics {
			if d.Severity == SeverityError && d.Line == 0 {
				t.Errorf("ParseRunnerConfig(%q): error %q has no line", data, d.Message)
			}
		}
		if config == nil {
			return
		}
		for _, r := range config.Runners {
			_ = r.Position("docker.services[0].alias")
			_, _ = r.EffectivePullPolicy("img", nil)
			_, _ = r.EnvironmentVariables()
		}
	})
}
