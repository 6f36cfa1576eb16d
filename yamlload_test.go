package ciimage

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var yamlLoadTests = []struct {
	name  string
	input string
	key   string
	want  string
}{
	{
		name:  "merge key overwrites earlier keys",
		input: lines("a: &a {x: 1, y: 1}", "j: {x: 0, <<: *a}"),
		key:   "j", want: `{"x"=>1, "y"=>1}`,
	},
	{
		name:  "keys after merge key win",
		input: lines("a: &a {x: 1, y: 1}", "j: {<<: *a, x: 2}"),
		key:   "j", want: `{"x"=>2, "y"=>1}`,
	},
	{
		name:  "first of merged list wins",
		input: lines("a: &a {x: a}", "b: &b {x: b, y: b}", "j: {<<: [*a, *b]}"),
		key:   "j", want: `{"x"=>"a", "y"=>"b"}`,
	},
	{
		name:  "non-mapping merge value kept literally",
		input: lines("s: &s text", "j: {<<: *s, x: 1}"),
		key:   "j", want: `{"<<"=>"text", "x"=>1}`,
	},
	{
		name:  "merge list with scalar kept literally",
		input: lines("a: &a {x: 1}", "j: {<<: [*a, 2]}"),
		key:   "j", want: `{"<<"=>[{"x"=>1}, 2]}`,
	},
	{
		name:  "explicit str tag is not a merge",
		input: lines("a: &a {x: 1}", "j: {!!str <<: *a}"),
		key:   "j", want: `{"<<"=>{"x"=>1}}`,
	},
	{
		name:  "duplicate key keeps last value in first place",
		input: lines("j:", "  a: 1", "  b: 2", "  a: 3"),
		key:   "j", want: `{"a"=>3, "b"=>2}`,
	},
	{
		name:  "YAML 1.1 scalars",
		input: lines("j: {a: on, b: 010, c: 3.10, d: '3.10', e: ~, f: y, g: 1_000}"),
		key:   "j", want: `{"a"=>true, "b"=>8, "c"=>3.1, "d"=>"3.10", "e"=>nil, "f"=>"y", "g"=>1000}`,
	},
	{
		name:  "alias resolved",
		input: lines("a: &a [x, y]", "j: {s: *a}"),
		key:   "j", want: `{"s"=>["x", "y"]}`,
	},
	{
		name:  "lone spec document is content",
		input: lines("spec: {inputs: {}}"),
		key:   "spec", want: `{"inputs"=>{}}`,
	},
	{
		name:  "leading divider is not a document",
		input: lines("---", "j: 1"),
		key:   "j", want: `1`,
	},
}

func TestLoadYAML(t *testing.T) {
	for _, tt := range yamlLoadTests {
		t.Run(tt.name, func(t *testing.T) {
			doc, diags := ParseDocument(".gitlab-ci.yml", []byte(tt.input), ComposeOptions{})
			assert.Empty(t, messages(diags), "input %q: diagnostics", tt.input)
			assert.Equal(t, tt.want, entry(doc, tt.key), "input %q: entry %s", tt.input, tt.key)
		})
	}
}

func TestLoadYAMLErrors(t *testing.T) {
	tests := []struct {
		name, input, message string
		line                 int
		kind                 error
	}{
		{"syntax error", lines("a: 1", "  b: 2"), "mapping values are not allowed in this context (quote a value that contains \": \", and check that no line is indented under a plain value)", 2, ErrSyntax},
		{"list root", lines("- a"), "Invalid configuration format", 1, ErrInvalidConfig},
		{"scalar root", lines("text"), "Invalid configuration format", 1, ErrInvalidConfig},
		{"empty file", "", "Invalid configuration format", 1, ErrInvalidConfig},
		{"date scalar", lines("a: 1", "b: 2024-01-31"), "Tried to load unspecified class: Date", 2, ErrSyntax},
		{"unknown anchor", lines("a: *x"), "unknown anchor 'x' referenced", 1, ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, diags := ParseDocument(".gitlab-ci.yml", []byte(tt.input), ComposeOptions{})
			require.Len(t, diags, 1, "input %q: want one diagnostic, got %v", tt.input, messages(diags))
			assert.Equal(t, tt.message, diags[0].Message, "input %q: message", tt.input)
			assert.Equal(t, tt.line, diags[0].Line, "input %q: line", tt.input)
			assert.ErrorIs(t, diags[0].Err(), tt.kind, "input %q: kind", tt.input)
			assert.NotNil(t, doc.Root, "input %q: root", tt.input)
		})
	}
}

func TestLoadYAMLHeader(t *testing.T) {
	input := lines("spec:", "  inputs:", "    env: {default: dev}", "---", "", "j:", "  script:", "    - echo $[[ inputs.env ]]")
	doc, diags := ParseDocument(".gitlab-ci.yml", []byte(input), ComposeOptions{})
	assert.Empty(t, messages(diags), "header input: diagnostics")
	assert.Equal(t, `{"script"=>["echo dev"]}`, entry(doc, "j"), "header input: job")
	assert.Equal(t, "<missing>", entry(doc, "spec"), "header input: spec is not content")
	assert.Equal(t, 7, doc.Position(mappingValue(doc.Root, "j")).Line, "header input: line of j's value")
}

func TestLoadYAMLPositionsAfterDivider(t *testing.T) {
	input := lines("spec: {inputs: {}}", "---", "a:", "  b: 1")
	doc, _ := ParseDocument("p.yml", []byte(input), ComposeOptions{})
	b := mappingValue(mappingValue(doc.Root, "a"), "b")
	require.NotNil(t, b, "input %q: a:b", input)
	assert.Equal(t, Position{File: "p.yml", Line: 4, Column: 6}, doc.Position(b), "input %q: position of a:b", input)
}

// billionLaughs returns a file whose aliases expand to 10^levels scalars.
func billionLaughs(levels int) string {
	var b strings.Builder
	b.WriteString("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < levels; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [*l%[3]d, *l%[3]d, *l%[3]d, *l%[3]d, *l%[3]d, *l%[3]d, *l%[3]d, *l%[3]d, *l%[3]d, *l%[3]d]\n", i, i, i-1)
	}
	fmt.Fprintf(&b, "j: {script: *l%d, extends: .b}\n.b: {variables: *l%d, v: !reference [l%d]}\n", levels-1, levels-1, levels-1)
	return b.String()
}

func TestBillionLaughsNodeCount(t *testing.T) {
	input := billionLaughs(9)
	unlimited := ComposeOptions{Limits: Limits{MaxYAMLNodes: math.MaxInt - 1}}
	doc, diags := ParseDocument(".gitlab-ci.yml", []byte(input), unlimited)
	assert.Empty(t, messages(diags), "billion laughs without a node limit: diagnostics")
	assert.Less(t, countNodes(doc.Root), 500, "billion laughs: distinct nodes after composing (10^9 when copied)")
}

func TestBillionLaughsRejected(t *testing.T) {
	input := billionLaughs(9)
	doc, diags := ParseDocument(".gitlab-ci.yml", []byte(input), ComposeOptions{})
	require.Len(t, diags, 1, "billion laughs: diagnostics %v", messages(diags))
	assert.ErrorIs(t, diags[0].Err(), ErrLimit, "billion laughs: kind")
	assert.Contains(t, diags[0].Message, "Limits.MaxYAMLNodes", "billion laughs: message")
	assert.Empty(t, doc.Root.Content, "billion laughs: composed root")
}

func TestRecursiveAlias(t *testing.T) {
	input := lines("a: &a [1, *a]")
	_, diags := ParseDocument(".gitlab-ci.yml", []byte(input), ComposeOptions{})
	require.Len(t, diags, 1, "input %q: diagnostics %v", input, messages(diags))
	assert.Contains(t, diags[0].Message, "alias *a", "input %q: message", input)
}

func FuzzParseDocument(f *testing.F) {
	for _, tt := range yamlLoadTests {
		f.Add(tt.input)
	}
	f.Add(billionLaughs(4))
	f.Add(lines("a: &a [1, *a]"))
	f.Add(lines("spec: {inputs: {x: {default: 1, type: number}}}", "---", "j: {parallel: $[[ inputs.x ]]}"))
	f.Fuzz(func(t *testing.T, input string) {
		doc1, diags1 := ParseDocument(".gitlab-ci.yml", []byte(input), ComposeOptions{})
		checkDiagnosticProperties(t, input, doc1, diags1)
		doc2, diags2 := ParseDocument(".gitlab-ci.yml", []byte(input), ComposeOptions{})
		if fingerprint(doc1.Root) != fingerprint(doc2.Root) || fmt.Sprint(diags1) != fmt.Sprint(diags2) {
			t.Fatalf("input %q: two compositions differ", input)
		}
	})
}

// TestFindDividersMatchesRegexp checks the hand-written document divider
// against the regular expression GitLab uses.
func TestFindDividersMatchesRegexp(t *testing.T) {
	inputs := []string{
		"", "---", "--- ", "---\n", "a: 1\n---\nb: 2\n", "---\n---\n---\n", "--- \n\n  a: 1",
		"a: '---'\n--- x\n", " ---\n", "----\n", "---\t\r\n---\n", "x\n---  \n\n\n---\ny", "---a\n--- b",
	}
	for _, input := range inputs {
		var want [][2]int
		for _, loc := range documentDivider.FindAllIndex([]byte(input), maxDocuments) {
			want = append(want, [2]int{loc[0], loc[1]})
		}
		assert.Equal(t, want, findDividers([]byte(input), maxDocuments), "dividers of %q", input)
	}
}

func FuzzFindDividers(f *testing.F) {
	for _, seed := range []string{"a: 1\n---\nb: 2\n", "---\n---\n---\n", "x\n---  \n\n\n---\ny"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, input string) {
		var want [][2]int
		for _, loc := range documentDivider.FindAllIndex([]byte(input), maxDocuments) {
			want = append(want, [2]int{loc[0], loc[1]})
		}
		got := findDividers([]byte(input), maxDocuments)
		if len(want) != len(got) {
			t.Fatalf("dividers of %q: got %v, want %v", input, got, want)
		}
		for i := range want {
			if want[i] != got[i] {
				t.Fatalf("dividers of %q: got %v, want %v", input, got, want)
			}
		}
	})
}

// TestSyntaxErrorPositions checks the errors whose position yaml.v3 gives
// on an earlier line than the byte at fault.
func TestSyntaxErrorPositions(t *testing.T) {
	tests := []struct {
		name, input, message string
		line, column         int
	}{
		{"tab in indentation", "a:\n  script: x\n\tb: 1\n", "found a tab character that violates indentation", 3, 1},
		{"tab after spaces", "a:\n  script: x\n  \tb: 1\n", "found a tab character that violates indentation", 3, 3},
		{"invalid UTF-8 in a quoted value", "a:\n  script: \"x\xff\"\nb: 1\n", "invalid leading UTF-8 octet", 2, 13},
		{"invalid UTF-8 after a multibyte character", "a: \"é\xff\"\n", "invalid leading UTF-8 octet", 1, 6},
		{"unclosed quote", "a:\n  script: \"x\nb: 1\n", "found unexpected end of stream (a quoted value is not closed, or a [ or { has no matching ] or })", 2, 1},
	}
	for _, tt := range tests {
		_, diags := ParseDocument(".gitlab-ci.yml", []byte(tt.input), ComposeOptions{})
		require.NotEmpty(t, diags, "%s: input %q: want a syntax error", tt.name, tt.input)
		assert.Equal(t, tt.message, diags[0].Message, "%s: input %q: message", tt.name, tt.input)
		assert.Equal(t, tt.line, diags[0].Line, "%s: input %q: line", tt.name, tt.input)
		assert.Equal(t, tt.column, diags[0].Column, "%s: input %q: column", tt.name, tt.input)
	}
}
