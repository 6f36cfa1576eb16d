package ciimage

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

var referenceTests = []struct {
	name     string
	input    string
	key      string
	want     string
	messages []string
	failed   []string
}{
	{
		name:  "list inserted as nested list",
		input: lines(".svc: {services: [postgres]}", "j: {script: x, services: [!reference [.svc, services], redis]}"),
		key:   "j", want: `{"script"=>"x", "services"=>[["postgres"], "redis"]}`,
	},
	{
		name:  "reference sees extends result",
		input: lines(".b: {extends: .c}", ".c: {image: alpine}", "j: {image: !reference [.b, image]}"),
		key:   "j", want: `{"image"=>"alpine"}`,
	},
	{
		name: "three-level extends with reference into it",
		input: lines(".a: {image: {name: a}, before_script: [setup]}", ".b: {extends: .a, image: {entrypoint: ['']}}",
			".c: {extends: .b, variables: {X: 1}}", "j: {image: !reference [.c, image], script: !reference [.c, before_script]}"),
		key: "j", want: `{"image"=>{"name"=>"a", "entrypoint"=>[""]}, "script"=>["setup"]}`,
	},
	{
		name:  "nested references",
		input: lines(".a: {s: [one]}", ".b: {s: !reference [.a, s]}", "j: {script: !reference [.b, s]}"),
		key:   "j", want: `{"script"=>["one"]}`,
	},
	{
		name:  "default and hidden jobs are visible",
		input: lines("default: {image: ruby}", "j: {image: !reference [default, image]}"),
		key:   "j", want: `{"image"=>"ruby"}`,
	},
	{
		name:  "missing key",
		input: lines(".a: {}", "j: {image: !reference [.a, image]}", "k: {script: x}"),
		key:   "k", want: `{"script"=>"x"}`,
		messages: []string{`!reference [".a", "image"] could not be found`},
		failed:   []string{"j"},
	},
	{
		name:  "step into a list",
		input: lines(".a: {s: [x]}", "j: {script: !reference [.a, s, '0']}"),
		key:   "j", want: `{"script"=>[".a", "s", "0"]}`,
		messages: []string{`!reference [".a", "s", "0"] could not be found`},
		failed:   []string{"j"},
	},
	{
		name:  "false value",
		input: lines(".a: {f: false}", "j: {allow_failure: !reference [.a, f]}"),
		key:   "j", want: `{"allow_failure"=>[".a", "f"]}`,
		messages: []string{`!reference [".a", "f"] could not be found`},
		failed:   []string{"j"},
	},
	{
		name:  "circular chain",
		input: lines("job-1: {script: x, before_script: !reference [job-2, before_script]}", "job-2: {script: y, before_script: !reference [job-1, before_script]}"),
		key:   "job-1", want: `{"script"=>"x", "before_script"=>["job-2", "before_script"]}`,
		messages: []string{`!reference ["job-2", "before_script"] is part of a circular chain`},
		failed:   []string{"job-1", "job-2"},
	},
	{
		name:  "scalar form",
		input: lines(".a: {image: x}", "j: {image: !reference .a}"),
		key:   "j", want: `{"image"=>".a"}`,
		messages: []string{`!reference ".a" is not valid`},
		failed:   []string{"j"},
	},
	{
		name:  "non-string element",
		input: lines(".a: {image: x}", "j: {image: !reference [.a, 1]}"),
		key:   "j", want: `{"image"=>[".a", 1]}`,
		messages: []string{`!reference [".a", 1] is not valid`},
		failed:   []string{"j"},
	},
	{
		name:  "empty list",
		input: lines("j: {image: !reference []}"),
		key:   "j", want: `{"image"=>[]}`,
		messages: []string{`!reference [] is not valid`},
		failed:   []string{"j"},
	},
	{
		name:  "one error reported once",
		input: lines(".a: {s: !reference [.nope, s]}", "j: {script: !reference [.a, s]}", "k: {script: !reference [.a, s]}"),
		key:   "k", want: `{"script"=>[".a", "s"]}`,
		messages: []string{`!reference [".nope", "s"] could not be found`},
		failed:   []string{".a", "j", "k"},
	},
}

func TestReference(t *testing.T) {
	for _, tt := range referenceTests {
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
		})
	}
}

func TestReferencePosition(t *testing.T) {
	input := lines(".a: {}", "j:", "  image: !reference [.a, image]")
	_, diags := composeFiles(t, map[string]string{".gitlab-ci.yml": input}, ComposeOptions{})
	if assert.Len(t, diags, 1, "input %q: diagnostics", input) {
		assert.Equal(t, Position{File: ".gitlab-ci.yml", Line: 3, Column: 10}, diags[0].Position, "input %q: position", input)
	}
}
