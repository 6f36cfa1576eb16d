package pipelinegen

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// topLevelKeywords are the top-level keys that are not jobs.
var topLevelKeywords = map[string]bool{
	"default": true, "stages": true, "variables": true, "workflow": true, "include": true,
	"image": true, "services": true, "before_script": true, "after_script": true, "cache": true,
}

var configs = []Config{
	{Jobs: 1, ExtendsDepth: 0, AnchorReuse: 0, Seed: 0},
	{Jobs: 1, ExtendsDepth: MaxExtendsDepth, AnchorReuse: 3, Seed: 1},
	{Jobs: 10, ExtendsDepth: 2, AnchorReuse: 2, Seed: 1},
	{Jobs: 25, ExtendsDepth: 5, AnchorReuse: 60, Seed: -7},
	{Jobs: 200, ExtendsDepth: 3, AnchorReuse: 200, Seed: 42},
}

// generate returns the pipeline for cfg and fails the test on an error.
func generate(t *testing.T, cfg Config) []byte {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, Generate(&out, cfg), "Generate(%+v)", cfg)
	return out.Bytes()
}

// parse decodes a pipeline and returns its top-level mapping.
func parse(t *testing.T, pipeline []byte) *yaml.Node {
	t.Helper()
	var document yaml.Node
	require.NoError(t, yaml.Unmarshal(pipeline, &document))
	require.Equal(t, yaml.DocumentNode, document.Kind)
	require.Len(t, document.Content, 1)
	root := document.Content[0]
	require.Equal(t, yaml.MappingNode, root.Kind)
	return root
}

// walk calls visit on node and every node below it.
func walk(node *yaml.Node, visit func(*yaml.Node)) {
	visit(node)
	for _, child := range node.Content {
		walk(child, visit)
	}
}

func TestGenerateParsesWithJobCount(t *testing.T) {
	for _, cfg := range configs {
		t.Run(fmt.Sprintf("%+v", cfg), func(t *testing.T) {
			root := parse(t, generate(t, cfg))

			var jobs []string
			for i := 0; i < len(root.Content); i += 2 {
				key := root.Content[i].Value
				if !strings.HasPrefix(key, ".") && !topLevelKeywords[key] {
					jobs = append(jobs, key)
				}
			}
			require.Len(t, jobs, cfg.Jobs, "visible jobs")
			for index, job := range jobs {
				assert.Equal(t, JobName(index), job, "job %d", index)
			}

			// Decoding into Go values resolves the "<<" merge keys and
			// aliases, which the YAML node tree keeps as written.
			var values map[string]any
			require.NoError(t, yaml.Unmarshal(generate(t, cfg), &values), "decode into map")
			for _, job := range jobs {
				body, ok := values[job].(map[string]any)
				require.True(t, ok, "job %s is a mapping", job)
				assert.Contains(t, body, "script", "job %s", job)
			}
		})
	}
}

func TestGenerateSameSeedSameBytes(t *testing.T) {
	for _, cfg := range configs {
		first := generate(t, cfg)
		second := generate(t, cfg)
		assert.True(t, bytes.Equal(first, second), "Generate(%+v) differs between two calls", cfg)
	}
}

func TestGenerateSeedChangesOutput(t *testing.T) {
	cfg := Config{Jobs: 20, ExtendsDepth: 2, AnchorReuse: 4, Seed: 1}
	other := cfg
	other.Seed = 2
	assert.NotEqual(t, string(generate(t, cfg)), string(generate(t, other)), "seeds 1 and 2")
}

func TestGenerateFeatures(t *testing.T) {
	cfg := Config{Jobs: 40, ExtendsDepth: 4, AnchorReuse: 50, Seed: 3}
	root := parse(t, generate(t, cfg))

	var references, merges, mergeAliases, stringServices, mapServices int
	serviceKeys := map[string]int{}
	walk(root, func(node *yaml.Node) {
		if node.Tag == "!reference" {
			references++
			assert.Equal(t, yaml.SequenceNode, node.Kind, "!reference at line %d is a sequence", node.Line)
		}
		if node.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			key, value := node.Content[i], node.Content[i+1]
			switch key.Value {
			case "<<":
				merges++
				walk(value, func(alias *yaml.Node) {
					if alias.Kind == yaml.AliasNode {
						mergeAliases++
					}
				})
			case "services":
				for _, item := range value.Content {
					switch item.Kind {
					case yaml.ScalarNode:
						stringServices++
					case yaml.MappingNode:
						mapServices++
						for j := 0; j < len(item.Content); j += 2 {
							serviceKeys[item.Content[j].Value]++
						}
					}
				}
			}
		}
	})

	assert.Positive(t, references, "!reference tags")
	assert.Equal(t, cfg.AnchorReuse, mergeAliases, "anchors merged with <<")
	assert.LessOrEqual(t, merges, cfg.Jobs, "<< keys, at most one per job")
	assert.Positive(t, stringServices, "services written as strings")
	assert.Positive(t, mapServices, "services written as mappings")
	for _, key := range []string{"name", "alias", "variables", "entrypoint", "command"} {
		assert.Positive(t, serviceKeys[key], "service mappings with %q", key)
	}

	defaultNode := mappingValue(root, "default")
	require.NotNil(t, defaultNode, "default:")
	assert.NotNil(t, mappingValue(defaultNode, "image"), "default:image")
	assert.NotNil(t, mappingValue(defaultNode, "services"), "default:services")
}

func TestGenerateExtendsChainDepth(t *testing.T) {
	for _, depth := range []int{0, 1, 4, MaxExtendsDepth} {
		t.Run(fmt.Sprint(depth), func(t *testing.T) {
			root := parse(t, generate(t, Config{Jobs: 5, ExtendsDepth: depth, Seed: 9}))

			for index := range 5 {
				// Follow extends from the job to the leaf hidden job.
				steps := 0
				entry := mappingValue(root, JobName(index))
				require.NotNil(t, entry, "job %s", JobName(index))
				for {
					parent := mappingValue(entry, "extends")
					if parent == nil {
						break
					}
					steps++
					require.LessOrEqual(t, steps, MaxExtendsDepth, "extends chain of %s is too long", JobName(index))
					entry = mappingValue(root, parent.Value)
					require.NotNil(t, entry, "hidden job %q", parent.Value)
					assert.True(t, strings.HasPrefix(parent.Value, "."), "%q is hidden", parent.Value)
				}
				assert.Equal(t, depth, steps, "extends chain of %s", JobName(index))
			}
		})
	}
}

func TestGenerateRejectsInvalidConfig(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Jobs: 0}, "invalid job count 0"},
		{Config{Jobs: 1, ExtendsDepth: -1}, "invalid extends depth -1"},
		{Config{Jobs: 1, ExtendsDepth: MaxExtendsDepth + 1}, "invalid extends depth 12"},
		{Config{Jobs: 1, AnchorReuse: -1}, "invalid anchor reuse count -1"},
	}
	for _, test := range tests {
		var out bytes.Buffer
		err := Generate(&out, test.cfg)
		require.Error(t, err, "Generate(%+v)", test.cfg)
		assert.Contains(t, err.Error(), test.want, "error for %+v", test.cfg)
		assert.Zero(t, out.Len(), "bytes written for %+v", test.cfg)
	}
}

// failingWriter rejects every write.
type failingWriter struct{}

var errWriteFailed = errors.New("write failed")

func (failingWriter) Write([]byte) (int, error) { return 0, errWriteFailed }

func TestGenerateReturnsWriteError(t *testing.T) {
	err := Generate(failingWriter{}, Config{Jobs: 1})
	assert.ErrorIs(t, err, errWriteFailed)
}

// mappingValue returns the value of key in a mapping node, or nil.
func mappingValue(mapping *yaml.Node, key string) *yaml.Node {
	if mapping == nil || mapping.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(mapping.Content); i += 2 {
		if mapping.Content[i].Value == key {
			return mapping.Content[i+1]
		}
	}
	return nil
}

func BenchmarkGenerate(b *testing.B) {
	cfg := Config{Jobs: 200, ExtendsDepth: 3, AnchorReuse: 50, Seed: 1}
	b.ReportAllocs()
	for b.Loop() {
		if err := Generate(&bytes.Buffer{}, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
