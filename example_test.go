package ciimage_test

import (
	"context"
	"fmt"

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
