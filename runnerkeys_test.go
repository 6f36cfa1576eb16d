package ciimage

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestUnknownDockerKeys(t *testing.T) {
	const config = `
[[runners]]
  name = "r"
  executor = "docker"
  [runners.docker]
    image = "alpine"
    alowed_images = ["ruby:*"]
    allowed-services = ["postgres:*"]
    Pull_Policy = "never"
    privileged = true
    some_future_key = 1
    usr = "x"
`
	_, diags := ParseRunnerConfig("config.toml", []byte(config))
	want := []string{
		`warning: GitLab Runner ignores the unknown key "allowed-services" in [runners.docker]; did you mean allowed_services?`,
		`warning: GitLab Runner ignores the unknown key "alowed_images" in [runners.docker]; did you mean allowed_images?`,
	}
	assert.Equal(t, want, messages(diags), "findings for config.toml:\n%s", config)
	if assert.Len(t, diags, 2, "findings") {
		assert.Equal(t, "runners[0].docker.allowed-services", diags[0].Location, "location of the first finding")
		assert.Equal(t, 8, diags[0].Line, "line of the first finding")
	}
}

func TestClosestKey(t *testing.T) {
	tests := []struct{ key, want string }{
		{"alowed_images", "allowed_images"},
		{"allowed-images", "allowed_images"},
		{"ALLOWED_SERVICES", "allowed_services"},
		{"pul_policy", "pull_policy"},
		{"servics", "services"},
		{"usr", ""},
		{"privileged", ""},
		{"some_future_key", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, closestKey(tt.key, readDockerKeys), "closestKey(%q)", tt.key)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"image", "images", 1}, {"same", "same", 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, editDistance(tt.a, tt.b), "editDistance(%q, %q)", tt.a, tt.b)
	}
}
