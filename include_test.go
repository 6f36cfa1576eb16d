package ciimage

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var includeTests = []struct {
	name     string
	files    map[string]string
	opts     ComposeOptions
	key      string
	want     string
	messages []string
}{
	{
		name: "deep merge, including file last",
		files: map[string]string{
			".gitlab-ci.yml": lines("include: common.yml", "variables: {POSTGRES_USER: username}", "test: {rules: [{if: X, when: manual}], artifacts: {reports: {junit: rspec.xml}}}"),
			"common.yml": lines("variables: {POSTGRES_USER: common_username, POSTGRES_PASSWORD: testing_password}",
				"test: {rules: [{when: never}], script: [a], artifacts: {reports: {dotenv: deploy.env}}}"),
		},
		key:  "test",
		want: `{"rules"=>[{"if"=>"X", "when"=>"manual"}], "script"=>["a"], "artifacts"=>{"reports"=>{"dotenv"=>"deploy.env", "junit"=>"rspec.xml"}}}`,
	},
	{
		name: "variables merged",
		files: map[string]string{
			".gitlab-ci.yml": lines("include: common.yml", "variables: {POSTGRES_USER: username}"),
			"common.yml":     lines("variables: {POSTGRES_USER: common_username, POSTGRES_PASSWORD: testing_password}"),
		},
		key: "variables", want: `{"POSTGRES_USER"=>"username", "POSTGRES_PASSWORD"=>"testing_password"}`,
	},
	{
		name: "wildcard in bytewise order",
		files: map[string]string{
			".gitlab-ci.yml":    lines("include: 'configs/*.yml'"),
			"configs/b.yml":     lines("order: {b: 1}"),
			"configs/a.yml":     lines("order: {a: 1}"),
			"configs/sub/c.yml": lines("order: {c: 1}"),
		},
		key: "order", want: `{"a"=>1, "b"=>1}`,
	},
	{
		name: "double star crosses folders",
		files: map[string]string{
			".gitlab-ci.yml":    lines("include: 'configs/**.yml'"),
			"configs/a.yml":     lines("order: {a: 1}"),
			"configs/sub/c.yml": lines("order: {c: 1}"),
		},
		key: "order", want: `{"a"=>1, "c"=>1}`,
	},
	{
		name: "nested include from repository root",
		files: map[string]string{
			".gitlab-ci.yml":       lines("include: {local: /some/file/config.yml}", "j: {script: main}"),
			"some/file/config.yml": lines("include: {local: another-config.yml}", "j: {stage: nested}"),
			"another-config.yml":   lines("j: {image: root, stage: root}"),
		},
		key: "j", want: `{"image"=>"root", "stage"=>"nested", "script"=>"main"}`,
	},
	{
		name: "same file twice",
		files: map[string]string{
			".gitlab-ci.yml": lines("include: [{local: a.yml}, {local: a.yml}]"),
			"a.yml":          lines("a: {x: 1}"),
		},
		key: "a", want: `{"x"=>1}`,
	},
	{
		name: "variables in location",
		files: map[string]string{
			".gitlab-ci.yml": lines("include: 'ci/$DIR/a.yml'"),
			"ci/x/a.yml":     lines("a: 1"),
		},
		opts: ComposeOptions{Variables: Variables{{Key: "DIR", Value: "x"}}},
		key:  "a", want: `1`,
	},
	{
		name:  "unknown variable becomes empty",
		files: map[string]string{".gitlab-ci.yml": lines("include: 'ci/$NOPE/a.yml'")},
		key:   "include", want: `<missing>`,
		messages: []string{"Local file `ci//a.yml` does not exist!"},
	},
	{
		name:  "wrong extension",
		files: map[string]string{".gitlab-ci.yml": lines("include: docs/readme.md"), "docs/readme.md": "x: 1\n"},
		key:   "x", want: `<missing>`,
		messages: []string{"Included file `docs/readme.md` does not have YAML extension!"},
	},
	{
		name:  "missing file",
		files: map[string]string{".gitlab-ci.yml": lines("include: /missing.yml", "j: {script: x}")},
		key:   "j", want: `{"script"=>"x"}`,
		messages: []string{"Local file `missing.yml` does not exist!"},
	},
	{
		name:  "empty file",
		files: map[string]string{".gitlab-ci.yml": lines("include: e.yml"), "e.yml": "  \n"},
		key:   "e", want: `<missing>`,
		messages: []string{"Local file `e.yml` is empty!"},
	},
	{
		name:  "comments only",
		files: map[string]string{".gitlab-ci.yml": lines("include: c.yml"), "c.yml": "# nothing\n"},
		key:   "c", want: `<missing>`,
		messages: []string{"Included file `c.yml` does not have valid YAML syntax!"},
	},
	{
		name:  "not a mapping",
		files: map[string]string{".gitlab-ci.yml": lines("include: l.yml"), "l.yml": "- a\n"},
		key:   "l", want: `<missing>`,
		messages: []string{"`l.yml`: Invalid configuration format"},
	},
	{
		name:  "syntax error in included file",
		files: map[string]string{".gitlab-ci.yml": lines("include: s.yml"), "s.yml": "a: 1\n  b: 2\n"},
		key:   "a", want: `<missing>`,
		messages: []string{"`s.yml`: mapping values are not allowed in this context (quote a value that contains \": \", and check that no line is indented under a plain value)"},
	},
	{
		name:  "invalid item",
		files: map[string]string{".gitlab-ci.yml": lines("include: [1, null]")},
		key:   "x", want: `<missing>`,
		messages: []string{"Each include must be a hash or a string"},
	},
	{
		name:  "no location key",
		files: map[string]string{".gitlab-ci.yml": lines("include: {invalid: x.yml}")},
		key:   "x", want: `<missing>`,
		messages: []string{"`{\"invalid\":\"x.yml\"}` does not have a valid subkey for include. Valid subkeys are: `local`, `project`, `remote`, `template`, `artifact`, `component`"},
	},
	{
		name:  "two location keys",
		files: map[string]string{".gitlab-ci.yml": lines("include: {local: a.yml, remote: 'https://example.com/a.yml'}")},
		key:   "x", want: `<missing>`,
		messages: []string{"Each include must use only one of: `local`, `project`, `remote`, `template`, `artifact`, `component`"},
	},
	{
		name: "forms that need GitLab are warned about",
		files: map[string]string{".gitlab-ci.yml": lines("include:", "  - https://example.com/ci.yml", "  - {project: group/tools, file: [a.yml, b.yml]}",
			"  - {template: Auto-DevOps.gitlab-ci.yml}", "  - {component: gitlab.com/org/c@1}", "  - {artifact: gen.yml, job: build}", "j: {script: x}")},
		key: "j", want: `{"script"=>"x"}`,
		messages: []string{
			"warning: remote include https://example.com/ci.yml was not read: ciimage reads only local files, so the jobs and keys it defines are missing",
			"warning: project include group/tools [\"a.yml\", \"b.yml\"] was not read: ciimage reads only local files, so the jobs and keys it defines are missing",
			"warning: template include Auto-DevOps.gitlab-ci.yml was not read: ciimage reads only local files, so the jobs and keys it defines are missing",
			"warning: component include gitlab.com/org/c@1 was not read: ciimage reads only local files, so the jobs and keys it defines are missing",
			"warning: artifact include gen.yml was not read: ciimage reads only local files, so the jobs and keys it defines are missing",
		},
	},
	{
		name: "rules exists matches",
		files: map[string]string{
			".gitlab-ci.yml": lines("include: [{local: a.yml, rules: [{exists: [Gemfile]}]}, {local: b.yml, rules: [{exists: [go.mod]}]}]"),
			"a.yml":          lines("a: 1"), "b.yml": lines("b: 1"), "Gemfile": "",
		},
		key: "a", want: `1`,
	},
	{
		name: "rules exists with when never",
		files: map[string]string{
			".gitlab-ci.yml": lines("include: [{local: a.yml, rules: [{exists: [Gemfile], when: never}, {when: always}]}]"),
			"a.yml":          lines("a: 1"), "Gemfile": "",
		},
		key: "a", want: `<missing>`,
	},
	{
		name: "rules if is kept with a warning",
		files: map[string]string{
			".gitlab-ci.yml": lines("include: [{local: a.yml, rules: [{if: '$CI'}]}]"),
			"a.yml":          lines("a: 1"),
		},
		key: "a", want: `1`,
		messages: []string{"warning: include rules with `if` are not evaluated, so the include is kept"},
	},
	{
		name: "masked variable in message",
		files: map[string]string{
			".gitlab-ci.yml": lines("include: 'ci/$SECRET.yml'"),
		},
		opts: ComposeOptions{Variables: Variables{{Key: "SECRET", Value: "0123456789ab", Masked: true}}},
		key:  "x", want: `<missing>`,
		messages: []string{"Local file `ci/[MASKED]xxxx.yml` does not exist!"},
	},
	{
		name: "include limit",
		files: map[string]string{
			".gitlab-ci.yml": lines("include: [a.yml, a.yml, a.yml]"),
			"a.yml":          lines("a: 1"),
		},
		opts: ComposeOptions{MaxIncludes: 2},
		key:  "a", want: `1`,
		messages: []string{"Maximum of 2 nested includes are allowed!"},
	},
	{
		name: "include loop stops at the limit",
		files: map[string]string{
			".gitlab-ci.yml": lines("include: a.yml"),
			"a.yml":          lines("include: b.yml", "a: 1"),
			"b.yml":          lines("include: a.yml", "b: 1"),
		},
		key: "b", want: `1`,
		messages: []string{"Maximum of 150 nested includes are allowed!"},
	},
	{
		name: "anchors do not cross files",
		files: map[string]string{
			".gitlab-ci.yml": lines("include: a.yml", "x: &x {v: 1}"),
			"a.yml":          lines("y: *x"),
		},
		key: "y", want: `<missing>`,
		messages: []string{"`a.yml`: unknown anchor 'x' referenced"},
	},
}

func TestInclude(t *testing.T) {
	for _, tt := range includeTests {
		t.Run(tt.name, func(t *testing.T) {
			doc, diags := composeFiles(t, tt.files, tt.opts)
			want := tt.messages
			if want == nil {
				want = []string{}
			}
			assert.Equal(t, want, messages(diags), "files %v: messages", tt.files)
			assert.Equal(t, tt.want, entry(doc, tt.key), "files %v: entry %s", tt.files, tt.key)
			assert.Equal(t, "<missing>", entry(doc, "include"), "files %v: include key removed", tt.files)
			checkDiagnosticProperties(t, fmt.Sprint(tt.files), doc, diags)
		})
	}
}

func TestIncludePositions(t *testing.T) {
	doc, _ := composeFiles(t, map[string]string{
		".gitlab-ci.yml": lines("include: ci/jobs.yml", "main: {script: x}"),
		"ci/jobs.yml":    lines("# jobs", "build:", "  script: make"),
	}, ComposeOptions{})
	build := mappingValue(doc.Root, "build")
	require.NotNil(t, build, "included job build")
	assert.Equal(t, Position{File: "ci/jobs.yml", Line: 3, Column: 3}, doc.Position(build), "position of build's value")
	assert.Equal(t, Position{File: ".gitlab-ci.yml", Line: 2, Column: 7}, doc.Position(mappingValue(doc.Root, "main")), "position of main's value")
}

func TestIncludeMissingFileErrorPosition(t *testing.T) {
	_, diags := composeFiles(t, map[string]string{".gitlab-ci.yml": lines("a: 1", "include:", "  - local: nope.yml")}, ComposeOptions{})
	require.Len(t, diags, 1, "missing include: diagnostics")
	assert.Equal(t, Position{File: ".gitlab-ci.yml", Line: 3, Column: 5}, diags[0].Position, "missing include: position of the entry")
	assert.Equal(t, "include", diags[0].Location, "missing include: location")
}

func TestParseDocumentWithoutFS(t *testing.T) {
	doc, diags := ParseDocument(".gitlab-ci.yml", []byte(lines("include: [a.yml, {local: b.yml}]", "j: {script: x}")), ComposeOptions{})
	assert.Equal(t, []string{
		"warning: Local file `a.yml` was not read: no repository files were given, so the jobs and keys it defines are missing",
		"warning: Local file `b.yml` was not read: no repository files were given, so the jobs and keys it defines are missing",
	}, messages(diags), "ParseDocument without FS: messages")
	assert.Equal(t, `{"script"=>"x"}`, entry(doc, "j"), "ParseDocument without FS: job")
}

func TestIncludeSplitPipeline(t *testing.T) {
	doc, diags := composeFiles(t, map[string]string{
		".gitlab-ci.yml": lines("include: [ci/base.yml, ci/test.yml]", "variables: {APP: demo}"),
		"ci/base.yml":    lines("default: {image: ruby:3.3}", ".db: {services: [postgres:16]}"),
		"ci/test.yml":    lines("include: ci/lint.yml", "rspec: {extends: .db, script: [rspec], image: !reference [default, image]}"),
		"ci/lint.yml":    lines("lint: {script: [rubocop]}"),
	}, ComposeOptions{})
	assert.Empty(t, messages(diags), "split pipeline: messages")
	assert.Equal(t, `{"services"=>["postgres:16"], "extends"=>".db", "script"=>["rspec"], "image"=>"ruby:3.3"}`, entry(doc, "rspec"), "split pipeline: rspec")
	assert.Equal(t, `{"script"=>["rubocop"]}`, entry(doc, "lint"), "split pipeline: lint")
	keys := []string{}
	for i := 0; i < len(doc.Root.Content); i += 2 {
		keys = append(keys, doc.Root.Content[i].Value)
	}
	assert.Equal(t, "default .db lint rspec variables", strings.Join(keys, " "), "split pipeline: key order")
}
