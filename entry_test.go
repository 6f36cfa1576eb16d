package ciimage

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pipelineMessages returns "LOCATION MESSAGE" for each finding of the pipeline and
// its jobs, in order.
func pipelineMessages(p *Pipeline) []string {
	var out []string
	all := append(Diagnostics{}, p.Diagnostics...)
	for _, j := range p.Jobs {
		all = append(all, j.Diagnostics...)
	}
	for _, d := range all {
		out = append(out, d.Location+" "+d.Message)
	}
	return out
}

// gitlabMessageCases are GitLab's validation messages for image, services
// and pull_policy entries, in GitLab's order.
var gitlabMessageCases = []struct {
	name string
	yaml string
	want []string
}{
	{"image string", "j: {script: x, image: ruby:3.3}", nil},
	{"image list", "j: {script: x, image: [ruby]}", []string{
		"jobs:j:image config should be a hash or a string",
		"jobs:j:image name should be a string",
		"jobs:j:image name can't be blank",
	}},
	{"image without name", "j: {script: x, image: {entrypoint: [sh]}}", []string{
		"jobs:j:image name should be a string",
		"jobs:j:image name can't be blank",
	}},
	{"image empty", `j: {script: x, image: ""}`, []string{"jobs:j:image name can't be blank"}},
	{"image blank", `j: {script: x, image: "   "}`, []string{"jobs:j:image name can't be blank"}},
	{"image unknown key", "j: {script: x, image: {name: x, foo: 1}}", []string{"jobs:j:image config contains unknown keys: foo"}},
	{"image unknown keys in order", "j: {script: x, image: {zeta: 1, name: x, Alpha: 2}}", []string{"jobs:j:image config contains unknown keys: zeta, alpha"}},
	{"image entrypoint string", "j: {script: x, image: {name: x, entrypoint: sh}}", []string{"jobs:j:image entrypoint should be an array of strings"}},
	{"image entrypoint number", "j: {script: x, image: {name: x, entrypoint: [sh, 1]}}", []string{"jobs:j:image entrypoint should be an array of strings"}},
	{"image ports", "test: {script: x, image: {name: x, ports: [80]}}", []string{"jobs:test:image config contains disallowed keys: ports"}},
	{"image docker platform number", "j: {script: x, image: {name: x, docker: {platform: 1}}}", []string{"jobs:j:image executor opts value at `/docker/platform` is not a string"}},
	{"image docker unknown", "j: {script: x, image: {name: x, docker: {unknown_key: a}}}", []string{"jobs:j:image executor opts object property at `/docker/unknown_key` is a disallowed additional property"}},
	{"image docker empty map", "j: {script: x, image: {name: x, docker: {}}}", nil},
	{"image kubernetes user number", "j: {script: x, image: {name: x, kubernetes: {user: 1000}}}", nil},
	{"image float", "j: {script: x, image: 3.10}", []string{
		"jobs:j:image config should be a hash or a string",
		"jobs:j:image name should be a string",
		"jobs:j:image name can't be blank",
	}},
	{"global image list", "image: [test]\nj: {script: x}", []string{
		"image config should be a hash or a string",
		"image name should be a string",
		"image name can't be blank",
	}},
	{"invalid reference is valid for GitLab", `j: {script: x, image: "Not a Valid REF!!"}`, nil},
	{"variable in name is kept", `j: {script: x, image: "$CI_REGISTRY_IMAGE:$TAG"}`, nil},

	{"pull policy string", "j: {script: x, image: {name: x, pull_policy: always}}", nil},
	{"pull policy repeat", "j: {script: x, image: {name: x, pull_policy: [always, always]}}", nil},
	{"pull policy case", "j: {script: x, image: {name: x, pull_policy: Always}}", []string{"jobs:j:image:pull_policy config is not included in the list"}},
	{"pull policy empty", "j: {script: x, image: {name: x, pull_policy: []}}", []string{"jobs:j:image:pull_policy config can't be blank"}},
	{"pull policy unknown", "j: {script: x, image: {name: x, pull_policy: [always, foo]}}", []string{"jobs:j:image:pull_policy config contains unknown values: foo"}},
	{"pull policy number", "j: {script: x, image: {name: x, pull_policy: 1}}", []string{"jobs:j:image:pull_policy config should be an array of strings or a string"}},
	{"pull policy list with number", "j: {script: x, image: {name: x, pull_policy: [always, 1]}}", []string{
		"jobs:j:image:pull_policy config should be an array of strings or a string",
		"jobs:j:image:pull_policy config contains unknown values: 1",
	}},
	{"pull policy not checked on invalid image", "j: {script: x, image: {name: x, foo: 1, pull_policy: Always}}", []string{"jobs:j:image config contains unknown keys: foo"}},
	{"service pull policy", "j: {script: x, services: [{name: x, pull_policy: never2}]}", []string{"jobs:j:services:service:pull_policy config is not included in the list"}},

	{"services string", "j: {script: x, services: test}", []string{"jobs:j:services config should be a array"}},
	{"global services string", "services: test\nj: {script: x}", []string{"services config should be a array"}},
	{"services number item", "j: {script: x, services: [10, test]}", []string{
		"jobs:j:services:service config should be a hash or a string",
		"jobs:j:services:service name should be a string",
		"jobs:j:services:service name can't be blank",
	}},
	{"service unknown key", "j: {script: x, services: [{name: x, privileged: true}]}", []string{"jobs:j:services:service config contains unknown keys: privileged"}},
	{"service alias number", "j: {script: x, services: [{name: x, alias: 5}]}", []string{"jobs:j:services:service alias should be a string"}},
	{"service command string", "j: {script: x, services: [{name: x, command: run}]}", []string{"jobs:j:services:service command should be an array of strings"}},
	{"service ports", "test: {script: x, services: [{name: test, alias: test, ports: [80]}]}", []string{"jobs:test:services:service config contains disallowed keys: ports"}},
	{"service ports without alias", "test: {script: x, services: [{name: test, ports: [80]}]}", []string{
		"jobs:test:services:service config contains disallowed keys: ports",
		"jobs:test:services:service alias can't be blank",
	}},
	{"service variable map", "j: {script: x, services: [{name: x, variables: {FOO: {value: 1}}}]}", []string{"jobs:j:services:service:variables:foo config must be a string"}},
	{"service variable list", "j: {script: x, services: [{name: x, variables: {FOO: [1]}}]}", []string{"jobs:j:services:service:variables:foo variable definition must be either a string or a hash"}},
	{"service variables not a map", "j: {script: x, services: [{name: x, variables: [A]}]}", []string{"jobs:j:services:service:variables config should be a hash"}},
	{"nested services flattened", "j: {script: x, services: [[redis, [postgres]], mysql]}", nil},
	{"null service item", "j: {script: x, services: [null, redis, [~]]}", nil},

	{"job unknown key hides image errors", "j: {script: x, foo: 1, image: [ruby]}", []string{"jobs:j config contains unknown keys: foo"}},
	{"job name is downcased", "Build-Job: {script: x, image: [ruby]}", []string{
		"jobs:build-job:image config should be a hash or a string",
		"jobs:build-job:image name should be a string",
		"jobs:build-job:image name can't be blank",
	}},
	{"only hidden jobs", ".h: {script: ls}", []string{"jobs config should contain at least one visible job"}},
	{"job without script", "build: {stage: build}", []string{
		"jobs build config should implement the script:, run:, or trigger: keyword",
		"jobs config should contain at least one visible job",
	}},
	{"run counts as script", "j: {run: [{name: a, script: b}]}", nil},
	{"trigger job counts as visible", "t: {trigger: other/project}", nil},
	{"trigger job with image", "t: {trigger: other/project, image: ruby}\nj: {script: x}", []string{"jobs:t config contains unknown keys: image"}},
	{"empty hidden job", ".h:\nj: {script: x}", []string{"jobs:.h config can't be blank"}},
	{"integer job name", "10: {script: x}", []string{"jobs:10 name should be a symbol"}},

	{"top level and default image", "image: alpine\ndefault: {image: ruby:3}\nj: {script: x}", []string{"image image is defined in top-level and `default:` entry"}},
	{"default unknown key", "default: {image: ruby, foo: [x]}\nj: {script: x}", []string{"default config contains unknown keys: foo"}},
	{"default with script is a job", "default: {image: ruby, script: [x]}\nj: {script: x}", nil},
	{"default errors before top level", "image: [x]\ndefault: {services: redis}\nj: {script: x}", []string{
		"default:services config should be a array",
		"image config should be a hash or a string",
		"image name should be a string",
		"image name can't be blank",
	}},
	{"inherit default unknown value", "j: {script: x, inherit: {default: [foo]}}", []string{"jobs:j:inherit:default config contains unknown values: foo"}},
	{"inherit default string", "j: {script: x, inherit: {default: image}}", []string{"jobs:j:inherit:default should be a bool or array of strings"}},
	{"inherit unknown key", "j: {script: x, inherit: {x: true}}", []string{"jobs:j:inherit config contains unknown keys: x"}},
}

func TestGitLabMessages(t *testing.T) {
	for _, tc := range gitlabMessageCases {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := ParsePipeline(".gitlab-ci.yml", []byte(tc.yaml))
			assert.Equal(t, tc.want, pipelineMessages(p), "findings for %q", tc.yaml)
		})
	}
}

func TestErrorsCarryPosition(t *testing.T) {
	p, err := ParsePipeline("ci.yml", []byte("j:\n  script: x\n  services:\n    - name: x\n      alias: 5\n"))
	require.Error(t, err)
	job := p.Job("j")
	require.NotNil(t, job)
	require.Len(t, job.Diagnostics, 1)

	d := job.Diagnostics[0]
	assert.Equal(t, Position{File: "ci.yml", Line: 5, Column: 14}, d.Position, "position of the alias value")
	assert.Equal(t, "jobs:j:services:service", d.Location)
	assert.ErrorIs(t, err, ErrInvalidConfig)

	var cfgErr *ConfigError
	require.ErrorAs(t, err, &cfgErr)
	assert.Equal(t, "ci.yml:5:14: jobs:j:services:service alias should be a string", cfgErr.Error())
}

// TestDefaultInheritance checks GitLab's default: inheritance rules, given
// default: {image: ruby:3, services: [postgres]}.
func TestDefaultInheritance(t *testing.T) {
	const base = "default: {image: 'ruby:3', services: [postgres]}\n"
	cases := []struct {
		job          string
		wantImage    string
		wantServices []string
		wantSource   Source
	}{
		{"j: {script: x}", "ruby:3", []string{"postgres"}, SourceDefault},
		{"j: {script: x, services: [redis]}", "ruby:3", []string{"redis"}, SourceJob},
		{"j: {script: x, inherit: {default: [image]}}", "ruby:3", nil, ""},
		{"j: {script: x, inherit: {default: false}}", "", nil, ""},
		{"j: {script: x, services: []}", "ruby:3", nil, SourceJob},
		{"j: {script: x, image: null}", "ruby:3", []string{"postgres"}, SourceDefault},
		{"j: {script: x, services: null}", "ruby:3", []string{"postgres"}, SourceDefault},
	}
	for _, tc := range cases {
		t.Run(tc.job, func(t *testing.T) {
			p, err := ParsePipeline("ci.yml", []byte(base+tc.job))
			require.NoError(t, err)
			job := p.Job("j")
			require.NotNil(t, job)

			var image string
			if job.Image != nil {
				image = job.Image.Name
			}
			assert.Equal(t, tc.wantImage, image, "image of %s", tc.job)
			var names []string
			for _, s := range job.Services {
				names = append(names, s.Name)
			}
			assert.Equal(t, tc.wantServices, names, "services of %s", tc.job)
			assert.Equal(t, tc.wantSource, job.ServicesSource, "services source of %s", tc.job)
		})
	}
}

func TestEntrypointForms(t *testing.T) {
	cases := []struct {
		yaml string
		want []string
	}{
		{"j: {script: x, image: {name: a}}", nil},
		{"j: {script: x, image: {name: a, entrypoint: []}}", []string{}},
		{`j: {script: x, image: {name: a, entrypoint: [""]}}`, []string{""}},
		{"j: {script: x, image: {name: a, entrypoint: null}}", nil},
	}
	for _, tc := range cases {
		p, err := ParsePipeline("ci.yml", []byte(tc.yaml))
		require.NoError(t, err, tc.yaml)
		img := p.Job("j").Image
		require.NotNil(t, img, tc.yaml)
		assert.Equal(t, tc.want, img.Entrypoint, "entrypoint of %s", tc.yaml)
		assert.Equal(t, tc.want == nil, img.Entrypoint == nil, "nil-ness of entrypoint of %s", tc.yaml)
	}
}

func TestServiceValue(t *testing.T) {
	p, err := ParsePipeline("ci.yml", []byte(`j:
  script: x
  services:
    - redis
    - name: postgres:16
      alias: db
      command: [postgres, -c, fsync=off]
      variables: {POSTGRES_DB: app, N: 1}
`))
	require.NoError(t, err)
	svcs := p.Job("j").Services
	require.Len(t, svcs, 2)
	assert.Equal(t, "redis", svcs[0].Name)
	assert.Equal(t, "postgres:16", svcs[1].Name)
	assert.Equal(t, "db", svcs[1].Alias)
	assert.Equal(t, []string{"postgres", "-c", "fsync=off"}, svcs[1].Command)
	assert.Equal(t, Variables{{Key: "POSTGRES_DB", Value: "app", Public: true}, {Key: "N", Value: "1", Public: true}}, svcs[1].Variables)
}

func TestInheritVariables(t *testing.T) {
	const base = "variables: {A: '1', B: '2'}\n"
	cases := []struct {
		job  string
		want Variables
	}{
		{"j: {script: x}", Variables{{Key: "A", Value: "1", Public: true}, {Key: "B", Value: "2", Public: true}}},
		{"j: {script: x, inherit: {variables: false}}", Variables{}},
		{"j: {script: x, inherit: {variables: [B]}}", Variables{{Key: "B", Value: "2", Public: true}}},
		{"j: {script: x, variables: {A: '3'}}", Variables{{Key: "A", Value: "1", Public: true}, {Key: "B", Value: "2", Public: true}, {Key: "A", Value: "3", Public: true}}},
		{"j: {script: x, variables: {C: {value: '$A', expand: false}}}", Variables{{Key: "A", Value: "1", Public: true}, {Key: "B", Value: "2", Public: true}, {Key: "C", Value: "$A", Public: true, Raw: true}}},
	}
	for _, tc := range cases {
		p, err := ParsePipeline("ci.yml", []byte(base+tc.job))
		require.NoError(t, err, tc.job)
		assert.Equal(t, tc.want, p.Job("j").Variables, "variables of %s", tc.job)
	}
}

func TestInheritVariablesInvalid(t *testing.T) {
	p, _ := ParsePipeline("ci.yml", []byte("j: {script: x, inherit: {variables: yes please}}"))
	assert.Equal(t, []string{"jobs:j:inherit:variables should be a bool or array of strings"}, pipelineMessages(p))
}

// TestServiceVariablesAsGitLabSendsThem checks that YAML 1.1 scalars reach
// the service as GitLab turns them into strings.
func TestServiceVariablesAsGitLabSendsThem(t *testing.T) {
	p, err := ParsePipeline("ci.yml", []byte(`j:
  script: x
  services:
    - name: postgres:16
      variables: {ON: on, OCTAL: 010, FLOAT: 3.10, UNDERSCORE: 1_000, QUOTED: "010", NO: no}
`))
	require.NoError(t, err)
	want := Variables{
		{Key: "true", Value: "true", Public: true}, // Psych reads the key ON as a boolean too.
		{Key: "OCTAL", Value: "8", Public: true},
		{Key: "FLOAT", Value: "3.1", Public: true},
		{Key: "UNDERSCORE", Value: "1000", Public: true},
		{Key: "QUOTED", Value: "010", Public: true},
		{Key: "false", Value: "false", Public: true},
	}
	assert.Equal(t, want, p.Job("j").Services[0].Variables)
}

// TestDefaultWithScriptIsJob checks that a top-level default: with script:
// is a job named default and sets no defaults for the other jobs.
func TestDefaultWithScriptIsJob(t *testing.T) {
	p, err := ParsePipeline("ci.yml", []byte("default: {image: ruby, script: [x]}\nj: {script: x}\n"))
	require.NoError(t, err)

	job := p.Job("default")
	require.NotNil(t, job, "job named default")
	require.NotNil(t, job.Image)
	assert.Equal(t, "ruby", job.Image.Name)
	assert.Equal(t, SourceJob, job.ImageSource)
	assert.Nil(t, p.Job("j").Image, "image of j")
}

// TestNullServiceItem checks that a null services item is dropped: GitLab
// builds no entry for it, and the runner is sent no service.
func TestNullServiceItem(t *testing.T) {
	p, err := ParsePipeline("ci.yml", []byte("j:\n  script: x\n  services:\n    -\n    - redis\n"))
	require.NoError(t, err)
	svcs := p.Job("j").Services
	require.Len(t, svcs, 1)
	assert.Equal(t, "redis", svcs[0].Name)
}
