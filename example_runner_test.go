package ciimage_test

import (
	"fmt"

	"github.com/ciimage/ciimage"
)

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
