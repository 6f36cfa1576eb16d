package ciimage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePayload(t *testing.T) {
	path := filepath.Join("testdata", "runner", "payload.json")
	data, err := os.ReadFile(path)
	require.NoError(t, err, "read %s", path)

	payload, diagnostics := ParsePayload(path, data)
	require.Empty(t, diagnostics, "findings for %s", path)
	assert.Equal(t, "test", payload.JobName, "job_info.name")

	require.NotNil(t, payload.Image, "image")
	assert.Equal(t, "ruby:3.3", payload.Image.Name, "image.name")
	assert.Equal(t, []string{""}, payload.Image.Entrypoint, `image.entrypoint [""] is kept`)
	assert.Equal(t, []string{"if-not-present"}, payload.Image.PullPolicy, "image.pull_policy")
	assert.Equal(t, DockerOptions{Platform: "linux/amd64", User: "1000"}, payload.Image.Docker, "an integer user becomes a string")
	assert.Equal(t, "image", payload.Image.Location, "image location")
	assert.Equal(t, Position{File: path, Line: 5, Column: 12}, payload.Image.Pos, "image position")
	assert.Equal(t, []Port{{Number: 80, Protocol: "http", Name: "web"}}, payload.ImagePorts, "image.ports")

	require.Len(t, payload.Services, 2, "services")
	postgres := payload.Services[0]
	assert.Equal(t, "postgres:16", postgres.Name, "services[0].name")
	assert.Equal(t, "db, pg", postgres.Alias, "services[0].alias")
	assert.Equal(t, []string{"postgres", "-c", "fsync=off"}, postgres.Command, "services[0].command")
	assert.Nil(t, postgres.Entrypoint, "services[0].entrypoint is unset")
	assert.Equal(t, "postgres", postgres.Docker.User, "services[0] user")
	assert.Equal(t, Variables{{Key: "POSTGRES_PASSWORD", Value: "$DB_PASS", Public: true}}, postgres.Variables, "services[0].variables")
	assert.Equal(t, "services[1]", payload.Services[1].Location, "services[1] location")
	assert.Equal(t, []string{}, payload.Services[1].Entrypoint, "services[1].entrypoint [] stays an empty list")
	assert.Len(t, payload.ServicePorts, 2, "one ports list per service")

	assert.Equal(t, Variables{
		{Key: "CI_JOB_NAME", Value: "test", Public: true},
		{Key: "DB_PASS", Value: "s3cret", Masked: true},
		{Key: "SSH_KEY", Value: "key", File: true},
		{Key: "LITERAL", Value: "$NOT", Public: true, Raw: true},
	}, payload.Variables, "variables")

	require.Len(t, payload.Credentials, 1, "credentials")
	credential := payload.Credentials[0]
	assert.Equal(t, "registry", credential.Type, "credentials[0].type")
	assert.Equal(t, "registry.example.com", credential.URL, "credentials[0].url")
	assert.Equal(t, "gitlab-ci-token", credential.Username, "credentials[0].username")
	assert.Equal(t, "job-token", credential.Password.Reveal(), "credentials[0].password")
	assert.NotContains(t, fmt.Sprintf("%+v", payload), "job-token", "the printed payload hides the password")
}

func TestParsePayloadServiceEnvironment(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "runner", "payload.json"))
	require.NoError(t, err, "read payload.json")
	payload, _ := ParsePayload("payload.json", data)

	environment := ServiceEnvironment(payload.Variables, payload.Services[0].Variables)
	assert.Equal(t, "s3cret", environment.Get("POSTGRES_PASSWORD"), "POSTGRES_PASSWORD expands against the non-public DB_PASS")
	_, passed := environment.Lookup("DB_PASS")
	assert.False(t, passed, "the non-public DB_PASS is not passed to the service")
	assert.Equal(t, "$NOT", environment.Get("LITERAL"), "the raw public LITERAL is passed unchanged")
}

// TestPayloadServiceFileVariable covers a public File variable: a service
// container receives the path of its file, not its content.
func TestPayloadServiceFileVariable(t *testing.T) {
	data := []byte(`{
  "job_info": {"name": "test"},
  "image": {"name": "alpine"},
  "services": [{"name": "postgres:16", "variables": [{"key": "CERT_PATH", "value": "$CERT", "public": true}]}],
  "variables": [
    {"key": "CERT", "value": "certificate content", "public": true, "file": true},
    {"key": "KEY", "value": "key content", "public": true, "file": true},
    {"key": "RUNNER_TEMP_PROJECT_DIR", "value": "/builds/tmp", "public": true}
  ]
}`)
	payload, diagnostics := ParsePayload("payload.json", data)
	require.Empty(t, diagnostics, "findings for the payload")
	plan, err := Resolve(context.Background(), PipelineFromPayload(payload), ResolveOptions{})
	require.NoError(t, err, "Resolve")
	require.Len(t, plan.Jobs, 1, "jobs")
	require.Len(t, plan.Jobs[0].Services, 1, "services")

	service := plan.Jobs[0].Services[0]
	assert.Equal(t, "/builds/tmp/CERT", service.Environment["CERT"], "CERT is passed as the path of its file")
	assert.Equal(t, "/builds/tmp/KEY", service.Environment["KEY"], "KEY is passed as the path of its file")
	assert.Equal(t, "/builds/tmp/CERT", service.Environment["CERT_PATH"], "$CERT expands to the path of its file")
	assert.Equal(t, "/builds/tmp/CERT", service.Variables["CERT_PATH"], "the service's own CERT_PATH")
	assert.NotContains(t, fmt.Sprint(service.Environment), "content", "no file content reaches the environment")
}

var payloadErrorTests = []struct {
	name     string
	json     string
	location string
	line     int
	column   int
	message  string
	kind     error
}{
	{
		name: "syntax error", json: "{\n  \"image\": {\"name\": \"a\",}\n}", line: 2, column: 26,
		message: "invalid character '}' looking for beginning of object key string", kind: ErrSyntax,
	},
	{
		name: "truncated", json: "{\"image\": {", line: 1, column: 12,
		message: "unexpected end of JSON input", kind: ErrSyntax,
	},
	{
		name: "unknown executor_opts key", json: `{"image": {"name": "a", "executor_opts": {"docker": {}, "podman": {}}}}`,
		location: "image.executor_opts.podman", line: 1, column: 67,
		message: `Unsupported "image" options [podman] for "executor_opts"; supported options are [docker kubernetes]`, kind: ErrInvalidConfig,
	},
	{
		name: "unknown docker option", json: `{"services": [{"name": "a", "executor_opts": {"docker": {"user": "x", "privileged": true, "shm": 1}}}]}`,
		location: "services[0].executor_opts.docker.privileged", line: 1, column: 85,
		message: `Unsupported "image" options [privileged shm] for "docker executor"; supported options are [platform user]`, kind: ErrInvalidConfig,
	},
	{
		name: "unknown kubernetes option", json: `{"image": {"name": "a", "executor_opts": {"kubernetes": {"group": "x"}}}}`,
		location: "image.executor_opts.kubernetes.group", line: 1, column: 67,
		message: `Unsupported "image" options [group] for "kubernetes executor"; supported options are [user]`, kind: ErrInvalidConfig,
	},
	{
		name: "user float", json: `{"image": {"name": "a", "executor_opts": {"docker": {"user": 1.5}}}}`,
		location: "image.executor_opts.docker.user", line: 1, column: 62,
		message: "StringOrInt: input not string or integer", kind: ErrInvalidConfig,
	},
	{
		name: "variable value number", json: `{"variables": [{"key": "A", "value": 1}]}`,
		location: "variables[0].value", line: 1, column: 38,
		message: "json: cannot unmarshal number into variables[0].value of type string", kind: ErrInvalidConfig,
	},
	{
		name: "services object", json: `{"services": {"name": "a"}}`,
		location: "services", line: 1, column: 14,
		message: "json: cannot unmarshal object into services of type array", kind: ErrInvalidConfig,
	},
	{
		name: "not an object", json: `[1]`, line: 1, column: 1,
		message: "json: cannot unmarshal array into a job payload, which is a JSON object", kind: ErrInvalidConfig,
	},
}

func TestParsePayloadErrors(t *testing.T) {
	for _, tt := range payloadErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			_, diagnostics := ParsePayload("job.json", []byte(tt.json))
			require.Len(t, diagnostics, 1, "findings for %s", tt.json)
			d := diagnostics[0]
			assert.Equal(t, tt.message, d.Message, "message for %s", tt.json)
			assert.Equal(t, tt.location, d.Location, "location for %s", tt.json)
			assert.Equal(t, tt.line, d.Line, "line for %s", tt.json)
			assert.Equal(t, tt.column, d.Column, "column for %s", tt.json)
			assert.ErrorIs(t, d.Err(), tt.kind, "kind for %s", tt.json)
		})
	}
}

func TestParsePayloadNullsAndCase(t *testing.T) {
	payload, diagnostics := ParsePayload("job.json", []byte(`{"image": null, "services": [{"Name": "a", "name": "b", "entrypoint": null, "variables": null}], "credentials": null}`))
	require.Empty(t, diagnostics, "findings for nulls")
	assert.Nil(t, payload.Image, "a null image")
	require.Len(t, payload.Services, 1, "services")
	assert.Equal(t, "b", payload.Services[0].Name, "an exact key wins over a case variant, as in encoding/json")
	assert.Nil(t, payload.Services[0].Entrypoint, "a null entrypoint is unset")
	assert.Empty(t, payload.Credentials, "null credentials")

	payload, _ = ParsePayload("job.json", []byte(`{"job_info": {"NAME": "x"}}`))
	assert.Equal(t, "x", payload.JobName, "keys match case-insensitively, as in encoding/json")
}

func FuzzParsePayload(f *testing.F) {
	for _, tt := range payloadErrorTests {
		f.Add([]byte(tt.json))
	}
	if data, err := os.ReadFile(filepath.Join("testdata", "runner", "payload.json")); err == nil {
		f.Add(data)
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		payload, diagnostics := ParsePayload("fuzz.json", data)
		again, diagnosticsAgain := ParsePayload("fuzz.json", data)
		if !reflect.DeepEqual(payload, again) || !reflect.DeepEqual(diagnostics, diagnosticsAgain) {
			t.Fatalf("ParsePayload(%q) is not deterministic", data)
		}
		for _, d := range diagnostics {
			if d.Line == 0 || d.Column == 0 {
				t.Errorf("ParsePayload(%q): %q has no line and column", data, d.Message)
			}
		}
		if payload == nil && !diagnostics.HasErrors() {
			t.Errorf("ParsePayload(%q) returned no payload and no error", data)
		}
		for _, v := range payloadVariables(payload) {
			if v.Masked && v.Value != "" {
				for _, d := range diagnostics {
					if strings.Contains(d.Message, v.Value) && len(v.Value) > 3 {
						t.Errorf("ParsePayload(%q): %q shows the masked value of %s", data, d.Message, v.Key)
					}
				}
			}
		}
	})
}

func payloadVariables(p *Payload) Variables {
	if p == nil {
		return nil
	}
	return p.Variables
}
