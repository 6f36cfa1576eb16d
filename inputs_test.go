package ciimage

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

var inputsTests = []struct {
	name     string
	include  string
	file     string
	opts     ComposeOptions
	key      string
	want     string
	messages []string
}{
	{
		name:    "required input missing",
		include: "{local: a.yml}",
		file:    lines("spec: {inputs: {env: {}}}", "---", "j: {script: 'echo $[[ inputs.env ]]'}"),
		key:     "j", want: `{"script"=>"echo $[[ inputs.env ]]"}`,
		messages: []string{"`a.yml`: `env` input: required value has not been provided"},
	},
	{
		name:    "wrong type",
		include: "{local: a.yml, inputs: {env: 1}}",
		file:    lines("spec: {inputs: {env: {}}}", "---", "j: {script: 'echo $[[ inputs.env ]]'}"),
		key:     "j", want: `{"script"=>"echo $[[ inputs.env ]]"}`,
		messages: []string{"`a.yml`: `env` input: provided value is not a string"},
	},
	{
		name:    "inputs without header",
		include: "{local: a.yml, inputs: {x: 1}}",
		file:    lines("j: {script: x}"),
		key:     "j", want: `{"script"=>"x"}`,
		messages: []string{"`a.yml`: Given inputs not defined in the `spec` section of the included configuration file"},
	},
	{
		name:    "truncate",
		include: "{local: a.yml, inputs: {test: '0123456789'}}",
		file:    lines("spec: {inputs: {test: {}}}", "---", "j: {script: 'x $[[ inputs.test | truncate(3,5) ]]'}"),
		key:     "j", want: `{"script"=>"x 34567"}`,
	},
	{
		name:    "whole block keeps type",
		include: "{local: a.yml, inputs: {n: 6, b: true}}",
		file:    lines("spec: {inputs: {n: {type: number}, b: {type: boolean}}}", "---", "j: {parallel: '$[[ inputs.n ]]', allow_failure: '$[[ inputs.b ]]'}"),
		key:     "j", want: `{"parallel"=>6, "allow_failure"=>true}`,
	},
	{
		name:    "default applies",
		include: "{local: a.yml}",
		file:    lines("spec: {inputs: {image: {default: 'ruby:3.3'}}}", "---", "j: {image: '$[[ inputs.image ]]'}"),
		key:     "j", want: `{"image"=>"ruby:3.3"}`,
	},
	{
		name:    "array input spliced into list",
		include: "{local: a.yml, inputs: {cmds: [a, b]}}",
		file:    lines("spec: {inputs: {cmds: {type: array}}}", "---", "j:", "  script:", "    - first", "    - $[[ inputs.cmds ]]"),
		key:     "j", want: `{"script"=>["first", "a", "b"]}`,
	},
	{
		name:    "posix_escape and expand_vars",
		include: "{local: a.yml, inputs: {s: \"a b's\", v: 'x-$KNOWN-$UNKNOWN'}}",
		file:    lines("spec: {inputs: {s: {}, v: {}}}", "---", "j: {a: '$[[ inputs.s | posix_escape ]]', b: '$[[ inputs.v | expand_vars ]]'}"),
		opts:    ComposeOptions{Variables: Variables{{Key: "KNOWN", Value: "k"}}},
		key:     "j", want: `{"a"=>"a\\ b\\'s", "b"=>"x-k-$UNKNOWN"}`,
	},
	{
		name:    "expand_vars with masked variable",
		include: "{local: a.yml, inputs: {v: '$SECRET'}}",
		file:    lines("spec: {inputs: {v: {}}}", "---", "j: {b: '$[[ inputs.v | expand_vars ]]'}"),
		opts:    ComposeOptions{Variables: Variables{{Key: "SECRET", Value: "0123456789", Masked: true}}},
		key:     "j", want: `{"b"=>"$[[ inputs.v | expand_vars ]]"}`,
		messages: []string{"`a.yml`: error in `expand_vars` function: variable expansion error: masked variables cannot be expanded"},
	},
	{
		name:    "unknown argument",
		include: "{local: a.yml, inputs: {test: 1, gitlab: 2, env: x}}",
		file:    lines("spec: {inputs: {env: {}}}", "---", "j: {script: x}"),
		key:     "j", want: `{"script"=>"x"}`,
		messages: []string{"`a.yml`: unknown input arguments: test, gitlab"},
	},
	{
		name:    "not in options",
		include: "{local: a.yml, inputs: {foo: niet}}",
		file:    lines("spec: {inputs: {foo: {options: [da, ja]}}}", "---", "j: {script: x}"),
		key:     "j", want: `{"script"=>"x"}`,
		messages: []string{"`a.yml`: `foo` input: `niet` cannot be used because it is not in the list of allowed options"},
	},
	{
		name:    "regex mismatch",
		include: "{local: a.yml, inputs: {t: abc}}",
		file:    lines("spec: {inputs: {t: {regex: '^\\d+$'}}}", "---", "j: {script: x}"),
		key:     "j", want: `{"script"=>"x"}`,
		messages: []string{"`a.yml`: `t` input: provided value does not match required RegEx pattern"},
	},
	{
		name:    "bad type name",
		include: "{local: a.yml}",
		file:    lines("spec: {inputs: {foo: {type: list}}}", "---", "j: {script: x}"),
		key:     "j", want: `{"script"=>"x"}`,
		messages: []string{"`a.yml`: unknown input specification for `foo` (valid types: array, boolean, number, string)"},
	},
	{
		name:    "bad default",
		include: "{local: a.yml}",
		file:    lines("spec: {inputs: {n: {type: number, default: abc}}}", "---", "j: {script: x}"),
		key:     "j", want: `{"script"=>"x"}`,
		messages: []string{"`a.yml`: `n` input: default value is not a number"},
	},
	{
		name:    "block errors",
		include: "{local: a.yml, inputs: {x: a}}",
		file:    lines("spec: {inputs: {x: {}}}", "---", "j: {a: '$[[ inputs ]]', b: '$[[ inputs.y ]]', c: '$[[ inputs.x | a | b | c | d ]]', d: '$[[ inputs.x | upcase ]]'}"),
		key:     "j", want: `{"a"=>"$[[ inputs ]]", "b"=>"$[[ inputs.y ]]", "c"=>"$[[ inputs.x | a | b | c | d ]]", "d"=>"$[[ inputs.x | upcase ]]"}`,
		messages: []string{
			"`a.yml`: invalid interpolation access pattern",
			"`a.yml`: unknown interpolation key: `y`",
			"`a.yml`: too many functions in interpolation block",
			"`a.yml`: no function matching `upcase`: check that the function name, arguments, and types are correct",
		},
	},
	{
		name:    "include path uses an input",
		include: "{local: a.yml, inputs: {next: b}}",
		file:    lines("spec: {inputs: {next: {}}}", "---", "include: '$[[ inputs.next ]].yml'"),
		key:     "b", want: `1`,
	},
	{
		name:    "matrix blocks stay for later",
		include: "{local: a.yml, inputs: {x: a}}",
		file:    lines("spec: {inputs: {x: {}}}", "---", "j: {a: '$[[ matrix.OS ]]', b: '$[[ inputs.x ]]-$[[ matrix.OS ]]'}"),
		key:     "j", want: `{"a"=>"$[[ matrix.OS ]]", "b"=>"a-$[[ matrix.OS ]]"}`,
	},
	{
		name:    "input errors stop interpolation errors",
		include: "{local: a.yml, inputs: {env: 1}}",
		file:    lines("spec: {inputs: {env: {}}}", "---", "j: {a: '$[[ inputs.env | truncate(1,2) ]]', b: '$[[ inputs.nope ]]'}"),
		key:     "j", want: `{"a"=>"$[[ inputs.env | truncate(1,2) ]]", "b"=>"$[[ inputs.nope ]]"}`,
		messages: []string{"`a.yml`: `env` input: provided value is not a string"},
	},
	{
		name:    "input errors in spec order",
		include: "{local: a.yml, inputs: {b: 1}}",
		file:    lines("spec: {inputs: {a: {}, b: {}}}", "---", "j: {b: '$[[ inputs.b ]]', a: '$[[ inputs.a ]]'}"),
		key:     "j", want: `{"b"=>"$[[ inputs.b ]]", "a"=>"$[[ inputs.a ]]"}`,
		messages: []string{
			"`a.yml`: `a` input: required value has not been provided",
			"`a.yml`: `b` input: provided value is not a string",
		},
	},
	{
		name:    "no header leaves blocks",
		include: "{local: a.yml}",
		file:    lines("j: {script: '$[[ inputs.x ]]'}"),
		key:     "j", want: `{"script"=>"$[[ inputs.x ]]"}`,
	},
}

func TestInputs(t *testing.T) {
	for _, tt := range inputsTests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{".gitlab-ci.yml": "include: " + tt.include + "\n", "a.yml": tt.file, "b.yml": "b: 1\n"}
			doc, diags := composeFiles(t, files, tt.opts)
			want := tt.messages
			if want == nil {
				want = []string{}
			}
			assert.Equal(t, want, messages(diags), "include %s of %q: messages", tt.include, tt.file)
			assert.Equal(t, tt.want, entry(doc, tt.key), "include %s of %q: entry %s", tt.include, tt.file, tt.key)
		})
	}
}

func TestPipelineInputs(t *testing.T) {
	input := lines("spec: {inputs: {stage: {default: test}, n: {type: number}}}", "---", "j: {stage: '$[[ inputs.stage ]]', parallel: '$[[ inputs.n ]]'}")
	doc, diags := ParseDocument(".gitlab-ci.yml", []byte(input), ComposeOptions{Inputs: map[string]any{"n": 3}})
	assert.Empty(t, messages(diags), "pipeline inputs: messages")
	assert.Equal(t, `{"stage"=>"test", "parallel"=>3}`, entry(doc, "j"), "pipeline inputs: job")
}

func TestShellEscape(t *testing.T) {
	tests := map[string]string{"": "''", "abc": "abc", "a b": `a\ b`, "it's": `it\'s`, "a\nb": "a'\n'b", "$x": `\$x`}
	for in, want := range tests {
		assert.Equal(t, want, shellEscape(in), "shellEscape(%q)", in)
	}
}
