package ciimage_test

import (
	"context"
	"errors"
	"fmt"
	"testing/fstest"

	"github.com/ciimage/ciimage"
)

func ExampleParsePipeline() {
	pipeline, err := ciimage.ParsePipeline(".gitlab-ci.yml", []byte(`
default:
  image: ruby:3.3
test:
  services: [postgres:16]
  script: [rake spec]
lint:
  image: {name: rubocop, entrypoint: sh}
  script: [rubocop]
`))
	for _, job := range pipeline.Jobs {
		if job.Image != nil {
			fmt.Println(job.Name, job.Image.Name, job.ImageSource)
		}
	}
	fmt.Println(err)
	// Output:
	// test ruby:3.3 default
	// .gitlab-ci.yml:8:38: jobs:lint:image entrypoint should be an array of strings
}

func ExampleResolve() {
	pipeline, _ := ciimage.ParsePipeline(".gitlab-ci.yml", []byte(`
test:
  image: alpine:3.20
  services:
    - name: postgres:15
      alias: "db, pg db"
  script: [psql -h db]
`))
	plan, _ := ciimage.Resolve(context.Background(), pipeline, ciimage.ResolveOptions{})
	svc := plan.Jobs[0].Services[0]
	fmt.Println(svc.Image, svc.Aliases, svc.SkippedAliases, svc.PullPolicy)
	// Output:
	// postgres:15 [postgres db pg] [db] [always]
}

func ExamplePipelineFromPayload() {
	payload, _ := ciimage.ParsePayload("payload.json", []byte(`{
  "job_info": {"name": "test"},
  "image": {"name": "$BASE_IMAGE"},
  "services": [{"name": "registry.example.com/db/postgres:16"}],
  "variables": [{"key": "BASE_IMAGE", "value": "ruby:3.3", "public": true}]
}`))
	plan, _ := ciimage.Resolve(context.Background(), ciimage.PipelineFromPayload(payload), ciimage.ResolveOptions{})
	job := plan.Jobs[0]
	fmt.Println(job.Name, job.Image.Name, job.Services[0].Aliases)
	// Output:
	// test ruby:3.3 [registry.example.com__db__postgres registry.example.com-db-postgres]
}

func ExampleLoadPipeline() {
	repo := fstest.MapFS{
		".gitlab-ci.yml":  {Data: []byte("include: ci/services.yml\ntest:\n  extends: .db\n  script: [rake]\n")},
		"ci/services.yml": {Data: []byte(".db:\n  image: ruby:3.3\n  services: [{name: 'postgres:16', alias: db}]\n")},
	}
	pipeline, err := ciimage.LoadPipeline(repo, ".gitlab-ci.yml", ciimage.ComposeOptions{})
	job := pipeline.Job("test")
	fmt.Println(job.Image.Name, job.Services[0].Name, job.Services[0].Alias, err)
	// Output:
	// ruby:3.3 postgres:16 db <nil>
}

func ExampleParseDocument() {
	doc, _ := ciimage.ParseDocument("ci.yml", []byte(`
.base: &base
  image: ruby:3.3
test:
  <<: *base
  script: [rake]
`), ciimage.ComposeOptions{})
	pipeline := ciimage.PipelineFromDocument(doc)
	fmt.Println(pipeline.Job("test").Image.Name)
	// Output:
	// ruby:3.3
}

func ExamplePipelineFromDocument() {
	doc, _ := ciimage.ParseDocument("ci.yml", []byte("default: {image: alpine}\nj: {script: [x], image: null}\n"), ciimage.ComposeOptions{})
	job := ciimage.PipelineFromDocument(doc).Job("j")
	fmt.Println(job.Image.Name, job.ImageSource)
	// Output:
	// alpine default
}

func ExampleNewSecret() {
	password := ciimage.NewSecret("s3cr3t-value")
	fmt.Printf("%v %+v %#v %s\n", password, password, password, password)
	fmt.Println(password.Reveal())
	// Output:
	// REDACTED REDACTED REDACTED REDACTED
	// s3cr3t-value
}

func ExampleIsValidPullPolicy() {
	fmt.Println(ciimage.IsValidPullPolicy("if-not-present"), ciimage.IsValidPullPolicy("Always"))
	// Output:
	// true false
}

func ExampleHelperProgram() {
	fmt.Println(ciimage.HelperProgram("ecr-login"))
	// Output:
	// docker-credential-ecr-login
}

func ExampleParseImageName() {
	name := ciimage.ParseImageName("registry.example.com:5000/ns/img:tag")
	fmt.Println(name.Valid, name.Service, name.Version, name.Pulled)
	fmt.Println(name.Aliases)

	dropped := ciimage.ParseImageName("img@sha512:" + "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
	fmt.Println(dropped.Pulled, dropped.DigestDropped)

	invalid := ciimage.ParseImageName("Postgres:15")
	fmt.Println(invalid.Valid, len(invalid.Aliases))
	// Output:
	// true registry.example.com/ns/img tag registry.example.com:5000/ns/img:tag
	// [registry.example.com__ns__img registry.example.com-ns-img]
	// img:latest true
	// false 0
}

func ExampleDefaultAliases() {
	fmt.Println(ciimage.DefaultAliases("postgres:16"))
	fmt.Println(ciimage.DefaultAliases("localhost:5000/img"))
	fmt.Println(ciimage.DefaultAliases("myorg/MyImg"))
	// Output:
	// [postgres]
	// [localhost__img localhost-img]
	// []
}

func ExampleCheckPullReference() {
	fmt.Println(ciimage.CheckPullReference("ruby:3.3"))

	err := ciimage.CheckPullReference("Ruby:3.3")
	fmt.Println(errors.Is(err, ciimage.ErrInvalidImageName))
	fmt.Println(err)
	// Output:
	// <nil>
	// true
	// invalid image name "Ruby:3.3": invalid reference format: repository name (library/Ruby) must be lowercase
}

func ExampleContainsVariable() {
	fmt.Println(ciimage.ContainsVariable("$CI_REGISTRY_IMAGE:$TAG"))
	fmt.Println(ciimage.ContainsVariable("ruby:3.3"))
	// Output:
	// true
	// false
}

func ExampleImageNameDiagnostics() {
	for _, d := range ciimage.ImageNameDiagnostics("Postgres:15", ciimage.RoleServiceWithAlias) {
		fmt.Println(d.Severity, d.Message)
	}
	for _, d := range ciimage.ImageNameDiagnostics("$SERVICE_IMAGE", ciimage.RoleService) {
		fmt.Println(d.Severity, d.Message)
	}
	// Output:
	// error invalid service image name: Postgres:15
	// warning image name "$SERVICE_IMAGE" contains a variable that was not expanded, so it was not checked
}

func ExampleSplitAliases() {
	fmt.Printf("%q\n", ciimage.SplitAliases("db, pg db"))
	// Output:
	// ["db" "pg" "db"]
}

func ExampleAssignAliases() {
	assignments := ciimage.AssignAliases([]ciimage.AliasRequest{
		{Name: "postgres:15", Alias: "db, pg db"},
		{Name: "postgres:16"},
	})
	for _, a := range assignments {
		fmt.Println(a.Started, a.Aliases, a.Skipped, a.NetworkAliases)
	}
	for _, d := range assignments[1].Diagnostics {
		fmt.Println(d.Message)
	}
	// Output:
	// true [postgres db pg] [db] [postgres db pg db]
	// false [] [postgres] []
	// Skipping alias "postgres" for service "postgres:16" (services[1]): alias is already in use by another service.
	// service "postgres:16" (services[1]) is not started: every alias in its list (postgres) is already in use by an earlier service. The runner reports no error and the job runs without this service.
}

func ExampleHostnameDiagnostics() {
	fmt.Println(len(ciimage.HostnameDiagnostics("localhost.localstack.cloud", "localstack/localstack:4", true)))
	for _, d := range ciimage.HostnameDiagnostics("alpine_edge", "alpine:edge", true) {
		fmt.Println(d.Message)
	}
	// Output:
	// 0
	// alias "alpine_edge" works on the Docker executor, but it is not a valid RFC 1123 host name (it contains '_'), so HTTP clients and URI parsers may reject it as a host; and it is not a DNS-1123 subdomain (lowercase letters, digits, "-" and "."), so on the Kubernetes executor the job fails with "provided host alias alpine_edge for service alpine:edge is invalid DNS".
}

func ExampleNormalizeImageRef() {
	fmt.Println(ciimage.NormalizeImageRef("nginx:1.25"))
	fmt.Println(ciimage.NormalizeImageRef("Registry.Example.COM:5000/NS/app:1"))
	fmt.Println(ciimage.NormalizeImageRef("reg.example.com/ns/app@sha256:0123"))
	// Output:
	// docker.io/nginx
	// registry.example.com:5000/NS/app
	// reg.example.com/ns/app@sha256
}

func ExampleConvertToRegistryPath() {
	fmt.Println(ciimage.ConvertToRegistryPath("https://index.docker.io/v1/"))
	fmt.Println(ciimage.ConvertToRegistryPath("index.docker.io"))
	fmt.Println(ciimage.ConvertToRegistryPath("REGISTRY.example.com/ns/"))
	// Output:
	// docker.io
	// index.docker.io
	// registry.example.com/ns
}

func ExampleParseDockerConfig() {
	// dXNlcjpzZWNyZXQ= is base64 of "user:secret".
	config, _, err := ciimage.ParseDockerConfig("config.json", []byte(`{"auths":{"registry.example.com":{"auth":"dXNlcjpzZWNyZXQ="}}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	auth := config.Auths[0]
	fmt.Println(auth.Key, auth.Username, auth.Password)
	fmt.Printf("%+v\n", auth.Password)
	// Output:
	// registry.example.com user REDACTED
	// REDACTED
}

func ExampleResolveRegistryAuth() {
	opts := ciimage.AuthOptions{
		Variables: ciimage.Variables{
			{Key: "DOCKER_AUTH_CONFIG", Value: `{"auths":{"registry.example.com:5000":{"auth":"ZGVwbG95OnNlY3JldA=="}}}`},
		},
		Credentials: []ciimage.RegistryCredential{
			{Type: "registry", URL: "registry.example.com:5000", Username: "gitlab-ci-token", Password: ciimage.NewSecret("job-token")},
		},
	}
	auth, _, err := ciimage.ResolveRegistryAuth(context.Background(), opts)
	if err != nil {
		fmt.Println(err)
		return
	}

	c := auth.Lookup("registry.example.com:5000/group/app:1")
	fmt.Printf("%s from %s as %s, password %v\n", c.RegistryPath, c.Source, c.Username, c.Password)
	fmt.Println(auth.Lookup("registry.example.com/group/app:1") == nil)
	// Output:
	// registry.example.com:5000 from $DOCKER_AUTH_CONFIG as deploy, password REDACTED
	// true
}

func ExampleRegistryAuth_Explain() {
	opts := ciimage.AuthOptions{
		Variables: ciimage.Variables{{Key: "DOCKER_AUTH_CONFIG", Value: `{"auths":{"registry.example.com":{"auth":"ZGVwbG95OnNlY3JldA=="}}}`}},
	}
	auth, _, err := ciimage.ResolveRegistryAuth(context.Background(), opts)
	if err != nil {
		fmt.Println(err)
		return
	}

	e := auth.Explain("registry.example.com:5000/app:1")
	fmt.Println(e.Tried, e.Credentials == nil)
	fmt.Println(e.Reasons[0].Message)
	// Output:
	// [registry.example.com:5000/app registry.example.com:5000] true
	// image registry.example.com:5000/app:1: registry.example.com is configured, but the image is on registry.example.com:5000: the port must match
}

func ExampleJobPayloadCredentials() {
	vars := ciimage.Variables{
		{Key: "CI_REGISTRY", Value: "registry.gitlab.example.com"},
		{Key: "CI_REGISTRY_USER", Value: "gitlab-ci-token"},
		{Key: "CI_REGISTRY_PASSWORD", Value: "job-token"},
	}
	for _, c := range ciimage.JobPayloadCredentials(vars) {
		fmt.Println(c.Type, c.URL, c.Username, c.Password)
	}
	// Output:
	// registry registry.gitlab.example.com gitlab-ci-token REDACTED
}

// ExampleCompose composes a pipeline split over two local files, with a
// job that extends a hidden job and takes its image by !reference.
func ExampleCompose() {
	repo := fstest.MapFS{
		".gitlab-ci.yml": {Data: []byte(`
include: ci/base.yml
rspec:
  extends: .db
  image: !reference [default, image]
  script: [bundle exec rspec]
`)},
		"ci/base.yml": {Data: []byte(`
default:
  image: ruby:3.3
.db:
  services: [postgres:16]
`)},
	}

	doc, diags := ciimage.Compose(repo, ".gitlab-ci.yml", ciimage.ComposeOptions{})
	fmt.Println("errors:", diags.HasErrors())

	root := doc.Root
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		fmt.Printf("%s from %s\n", key.Value, doc.Position(value))
	}
	// Output:
	// errors: false
	// default from ci/base.yml:3:3
	// .db from ci/base.yml:5:3
	// rspec from .gitlab-ci.yml:4:3
}

const exampleConfig = `
[[runners]]
  name = "docker"
  executor = "docker"
  environment = ["DOCKER_DRIVER=overlay2"]
  [runners.docker]
    image = "alpine:3"
    services_limit = 2
    allowed_images = ["ruby:*"]
    allowed_services = ["postgres:*"]
    allowed_pull_policies = ["if-not-present"]
  [[runners.docker.services]]
    name = "docker:24-dind"
`

func exampleRunner() *ciimage.Runner {
	config, _ := ciimage.ParseRunnerConfig("config.toml", []byte(exampleConfig))
	runner, _ := config.Runner("")
	return runner
}

func ExampleParseRunnerConfig() {
	config, diagnostics := ciimage.ParseRunnerConfig("config.toml", []byte(exampleConfig))
	fmt.Println(len(diagnostics), config.Runners[0].Name, config.Runners[0].Docker.AllowedImages)
	fmt.Println(config.Runners[0].Position("docker.allowed_images"))

	_, diagnostics = ciimage.ParseRunnerConfig("config.toml", []byte("[[runners]]\n[runners.docker]\nservices = [\"redis:7\"]\n"))
	fmt.Println(diagnostics[0].Location)
	// Output:
	// 0 docker [ruby:*]
	// config.toml:9:5
	// runners[0].docker.services
}

func ExampleRunnerConfig_Runner() {
	config, _ := ciimage.ParseRunnerConfig("config.toml", []byte(exampleConfig))
	runner, err := config.Runner("")
	fmt.Println(runner.Name, err)

	_, err = config.Runner("gpu")
	fmt.Println(err)
	// Output:
	// docker <nil>
	// config.toml: no [[runners]] entry named "gpu"; the entries are: "docker" (docker)
}

func ExampleDefaultRunner() {
	runner := ciimage.DefaultRunner()
	_, diagnostics := runner.EffectivePullPolicy("ruby:3", []string{"never"})
	fmt.Println(diagnostics[0].Severity, diagnostics[0].Message)
	// Output:
	// warning on a runner with default settings, invalid pull policy for image "ruby:3": pull_policy ([never]) defined in GitLab pipeline config is not one of the allowed_pull_policies ([always])
}

func ExampleExpandValue() {
	vars := ciimage.Variables{{Key: "TAG", Value: "16"}}
	fmt.Println(ciimage.ExpandValue("postgres:${TAG}", vars))
	fmt.Println(ciimage.ExpandValue("postgres:$UNSET", vars))
	fmt.Println(ciimage.ExpandValue("img$$x", vars))
	// Output:
	// postgres:16
	// postgres:
	// img$x
}

func ExampleVariableReferences() {
	vars := ciimage.Variables{{Key: "TAG", Value: "16"}}
	referenced, undefined := ciimage.VariableReferences("$CI_REGISTRY_IMAGE/db:$TAG", vars)
	fmt.Println(referenced, undefined, ciimage.IsPredefinedVariable(undefined[0]))
	// Output:
	// [CI_REGISTRY_IMAGE TAG] [CI_REGISTRY_IMAGE] true
}

func ExampleIsPredefinedVariable() {
	fmt.Println(ciimage.IsPredefinedVariable("CI_COMMIT_REF_SLUG"), ciimage.IsPredefinedVariable("POSTGRES_VERSION"))
	// Output:
	// true false
}

func ExampleParseEnvironment() {
	vars, diagnostics := ciimage.ParseEnvironment([]string{"A=1=2", "B"}, "environment",
		func(string) ciimage.Position { return ciimage.Position{} })
	fmt.Println(vars[0].Key, vars[0].Value, vars[0].Internal, len(diagnostics))
	// Output:
	// A 1=2 true 1
}

func ExampleRunner_EnvironmentVariables() {
	vars, _ := exampleRunner().EnvironmentVariables()
	fmt.Println(vars.Get("DOCKER_DRIVER"))
	// Output:
	// overlay2
}

func ExampleServiceEnvironment() {
	job := ciimage.Variables{
		{Key: "CI_JOB_NAME", Value: "test", Public: true},
		{Key: "DB_PASS", Value: "s3cret"},
	}
	own := ciimage.Variables{{Key: "POSTGRES_PASSWORD", Value: "$DB_PASS", Public: true}}
	for _, v := range ciimage.ServiceEnvironment(job, own) {
		fmt.Println(v.Key)
	}
	// Output:
	// CI_JOB_NAME
	// POSTGRES_PASSWORD
}

func ExampleMatchAllowListPattern() {
	fmt.Println(ciimage.MatchAllowListPattern("postgres:*", "postgres:16"))
	fmt.Println(ciimage.MatchAllowListPattern("postgres:*", "postgres"))
	fmt.Println(ciimage.MatchAllowListPattern("*", "library/postgres"))
	// Output:
	// true
	// false
	// false
}

func ExampleVerifyAllowedImage() {
	err := ciimage.VerifyAllowedImage("postgres", ciimage.AllowedServices, []string{"postgres:*"}, nil)
	fmt.Println(err)
	// Output:
	// The "postgres" image is not present on list of allowed services: postgres:*; "postgres:*" does not match "postgres", which has no tag: the runner does not add :latest before matching, so write the tag or add the pattern "postgres"
}

func ExampleRunner_CheckImage() {
	runner := exampleRunner()
	fmt.Println(len(runner.CheckImage("alpine:3", nil)))
	fmt.Println(runner.CheckImage("node:20", nil)[0])
	// Output:
	// 0
	// config.toml:9:5: runners[0].docker.allowed_images The "node:20" image is not present on list of allowed images: ruby:*
}

func ExampleRunner_CheckService() {
	runner := exampleRunner()
	fmt.Println(len(runner.CheckService("docker:24-dind", nil)), len(runner.CheckService("redis:7", nil)))
	// Output:
	// 0 1
}

func ExampleRunner_CheckServicesLimit() {
	fmt.Println(exampleRunner().CheckServicesLimit(2)[0].Message)
	// Output:
	// too many services requested: 3, only 2 allowed
}

func ExampleRunner_BuildUser() {
	config, _ := ciimage.ParseRunnerConfig("config.toml", []byte(`
[[runners]]
  name = "users"
  executor = "docker"
  [runners.docker]
    allowed_users = ["1000"]
`))
	runner, _ := config.Runner("")

	user, diagnostics := runner.BuildUser("1000")
	fmt.Println(user, len(diagnostics))

	_, diagnostics = runner.BuildUser("root")
	fmt.Println(diagnostics[0])
	// Output:
	// 1000 0
	// config.toml:6:5: runners[0].docker.allowed_users user "root" is not an allowed user: [1000]
}

func ExampleRunner_EffectivePullPolicy() {
	runner := exampleRunner()
	policies, _ := runner.EffectivePullPolicy("ruby:3", []string{"always", "if-not-present"})
	fmt.Println(policies)

	_, diagnostics := runner.EffectivePullPolicy("ruby:3", nil)
	fmt.Println(diagnostics[0].Message)
	// Output:
	// [if-not-present]
	// invalid pull policy for image "ruby:3": pull_policy ([always]) defined in Runner config (default) is not one of the allowed_pull_policies ([if-not-present])
}

func ExampleParsePayload() {
	payload, diagnostics := ciimage.ParsePayload("job.json", []byte(`{
  "job_info": {"name": "test"},
  "image": {"name": "ruby:3.3", "executor_opts": {"docker": {"user": 1000}}},
  "services": [{"name": "postgres:16", "alias": "db"}],
  "variables": [{"key": "CI_JOB_NAME", "value": "test", "public": true}],
  "credentials": [{"type": "registry", "url": "registry.example.com", "username": "gitlab-ci-token", "password": "token"}]
}`))
	fmt.Println(len(diagnostics), payload.JobName, payload.Image.Name, payload.Image.Docker.User)
	fmt.Println(payload.Services[0].Name, payload.Services[0].Alias, payload.Credentials[0].Password)
	// Output:
	// 0 test ruby:3.3 1000
	// postgres:16 db REDACTED
}
