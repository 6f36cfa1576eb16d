package ciimage

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

var extendsTests = []struct {
	name     string
	input    string
	key      string
	want     string
	messages []string
	failed   []string
}{
	{
		name:  "hash deep merge and array replaced",
		input: lines(".base: {image: {name: ruby:3, entrypoint: ['']}, services: [postgres, redis]}", "j: {extends: .base, image: {name: ruby:3.3}, services: [mysql], script: x}"),
		key:   "j", want: `{"image"=>{"name"=>"ruby:3.3", "entrypoint"=>[""]}, "services"=>["mysql"], "extends"=>".base", "script"=>"x"}`,
	},
	{
		name:  "hash replaces string",
		input: lines(".s: {image: ruby:3}", "j: {extends: .s, image: {entrypoint: [sh]}}"),
		key:   "j", want: `{"image"=>{"entrypoint"=>["sh"]}, "extends"=>".s"}`,
	},
	{
		name:  "later parent wins",
		input: lines(".a: {image: a}", ".b: {image: b}", "j: {extends: [.a, .b]}"),
		key:   "j", want: `{"image"=>"b", "extends"=>[".a", ".b"]}`,
	},
	{
		name:  "child null blanks key",
		input: lines(".a: {image: a, script: x}", "j: {extends: .a, image: null}"),
		key:   "j", want: `{"image"=>nil, "script"=>"x", "extends"=>".a"}`,
	},
	{
		name:  "three levels",
		input: lines(".a: {image: {name: a, entrypoint: [sh]}, variables: {A: 1}}", ".b: {extends: .a, variables: {B: 2}}", "j: {extends: .b, image: {name: j}}"),
		key:   "j", want: `{"image"=>{"name"=>"j", "entrypoint"=>["sh"]}, "variables"=>{"A"=>1, "B"=>2}, "extends"=>".b"}`,
	},
	{
		name:  "circular dependency",
		input: lines("a: {extends: b, script: x}", "b: {extends: a, script: y}", "c: {script: z}"),
		key:   "c", want: `{"script"=>"z"}`,
		messages: []string{"a: circular dependency detected in `extends`"},
		failed:   []string{"a", "b"},
	},
	{
		name:  "unknown base",
		input: lines("rspec: {extends: [something, other], script: x}", "ok: {script: y}"),
		key:   "ok", want: `{"script"=>"y"}`,
		messages: []string{"rspec: unknown keys in `extends` (something, other)"},
		failed:   []string{"rspec"},
	},
	{
		name:  "invalid base hash",
		input: lines(".x: str", "j: {extends: .x}"),
		key:   "j", want: `{"extends"=>".x"}`,
		messages: []string{"j: invalid base hashes in `extends` (.x)"},
		failed:   []string{"j"},
	},
	{
		name:  "default is extended too",
		input: lines(".d: {image: a}", "default: {extends: .d}"),
		key:   "default", want: `{"image"=>"a", "extends"=>".d"}`,
	},
	{
		name:  "integer name is not a key",
		input: lines("1: {script: x}", "j: {extends: 1}"),
		key:   "j", want: `{"extends"=>1}`,
		messages: []string{"j: unknown keys in `extends` (1)"},
		failed:   []string{"j"},
	},
}

func TestExtends(t *testing.T) {
	for _, tt := range extendsTests {
		t.Run(tt.name, func(t *testing.T) {
			doc, diags := composeFiles(t, map[string]string{".gitlab-ci.yml": tt.input}, ComposeOptions{})
			want := tt.messages
			if want == nil {
				want = []string{}
			}
			assert.Equal(t, want, messages(diags), "input %q: messages", tt.input)
			assert.Equal(t, tt.want, entry(doc, tt.key), "input %q: entry %s", tt.input, tt.key)
			for _, key := range tt.failed {
				assert.True(t, doc.Failed(key), "input %q: Failed(%q)", tt.input, key)
			}
			assert.False(t, doc.Failed(tt.key) && tt.messages == nil, "input %q: %s marked failed", tt.input, tt.key)
		})
	}
}

// extendsChain returns a job extending .e1, each .eN extending .eN+1, up
// to .e{length}; the last has extends only when lastExtends is set.
func extendsChain(length int, lastExtends bool) string {
	var b strings.Builder
	b.WriteString("job: {extends: .e1, script: x}\n")
	for i := 1; i < length; i++ {
		fmt.Fprintf(&b, ".e%d: {extends: .e%d}\n", i, i+1)
	}
	if lastExtends {
		fmt.Fprintf(&b, ".e%d: {extends: .leaf}\n.leaf: {image: alpine}\n", length)
	} else {
		fmt.Fprintf(&b, ".e%d: {image: alpine}\n", length)
	}
	return b.String()
}

func TestExtendsNesting(t *testing.T) {
	doc, diags := composeFiles(t, map[string]string{".gitlab-ci.yml": extendsChain(11, false)}, ComposeOptions{})
	assert.Empty(t, messages(diags), "job and eleven bases: messages")
	assert.Contains(t, entry(doc, "job"), `"image"=>"alpine"`, "job and eleven bases: image")

	doc, diags = composeFiles(t, map[string]string{".gitlab-ci.yml": extendsChain(11, true)}, ComposeOptions{})
	assert.Equal(t, []string{".e11: nesting too deep in `extends`"}, messages(diags), "twelve bases: messages")
	assert.True(t, doc.Failed("job"), "twelve bases: Failed(job)")
	assert.False(t, doc.Failed(".e5"), "twelve bases: Failed(.e5) (its chain is short enough)")
}

func TestExtendsErrorPosition(t *testing.T) {
	input := lines("ok: {script: x}", "j:", "  extends: .missing")
	_, diags := composeFiles(t, map[string]string{".gitlab-ci.yml": input}, ComposeOptions{})
	if assert.Len(t, diags, 1, "input %q: diagnostics", input) {
		assert.Equal(t, Position{File: ".gitlab-ci.yml", Line: 3, Column: 12}, diags[0].Position, "input %q: position", input)
		assert.ErrorIs(t, diags[0].Err(), ErrInvalidConfig, "input %q: kind", input)
	}
}
