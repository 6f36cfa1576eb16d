package ciimage

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestKeyPaths(t *testing.T) {
	const input = `
default:
  image: ruby
.Base: &base
  variables: {A: "1"}
Test:
  services:
    - name: postgres
      alias: db
  script: [x]
other:
  <<: *base
  script: [y]
`
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(input), &doc))
	root := doc.Content[0]
	k := &keyPaths{root: root}

	tests := []struct {
		path []string
		want string
	}{
		{[]string{"default", "image"}, "default:image"},
		{[]string{".Base", "variables", "A"}, "jobs:.base:variables:A"},
		{[]string{"Test", "script"}, "jobs:test:script"},
		{[]string{"Test", "services"}, "jobs:test:services"},
	}
	for _, tt := range tests {
		n := root
		for _, key := range tt.path {
			n = mappingValue(n, key)
			require.NotNil(t, n, "key %q of %v", key, tt.path)
		}
		assert.Equal(t, tt.want, k.of(n), "key path of %v", tt.path)
	}

	services := mappingValue(mappingValue(root, "Test"), "services")
	assert.Equal(t, "jobs:test:services:service", k.of(services.Content[0]), "key path of the first service")
	assert.Equal(t, "jobs:test:services:service:alias", k.of(mappingValue(services.Content[0], "alias")), "key path of the first service's alias")
	assert.Equal(t, "", k.of(&yaml.Node{}), "key path of a node outside the root")
}

// TestCompositionErrorLocations checks the key path given to extends and
// !reference errors, which GitLab raises without one.
func TestCompositionErrorLocations(t *testing.T) {
	const input = `
.A:
  extends: .missing
j:
  extends: .A
  script: [x]
k:
  script: [x]
  image: !reference [.none, image]
  services:
    - !reference [.none, services]
default:
  before_script: !reference [.none, script]
`
	p, _ := ParsePipeline(".gitlab-ci.yml", []byte(input))
	require.NotNil(t, p, "ParsePipeline")

	want := map[string]string{
		".A: unknown keys in `extends` (.missing)":            "jobs:.a:extends",
		`!reference [".none", "image"] could not be found`:    "jobs:k:image",
		`!reference [".none", "services"] could not be found`: "jobs:k:services:service",
		`!reference [".none", "script"] could not be found`:   "default:before_script",
	}
	got := map[string]string{}
	for _, d := range p.Diagnostics {
		if _, ok := want[d.Message]; ok {
			got[d.Message] = d.Location
		}
	}
	assert.Equal(t, want, got, "locations of the composition errors in\n%s", input)
}
