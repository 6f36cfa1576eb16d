package ciimage

import (
	"fmt"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// syntheticPipeline returns a pipeline with jobs jobs, each extending a
// chain of depth hidden jobs and reusing one anchored mapping, plus a
// !reference per job.
func syntheticPipeline(jobs, depth int) []byte {
	var b strings.Builder
	b.WriteString("variables: &vars {RAILS_ENV: test, DB: postgres, CACHE: redis}\n")
	b.WriteString(".svc: &svc {services: [postgres:16, {name: redis:7, alias: cache}]}\n")
	for d := 0; d < depth; d++ {
		fmt.Fprintf(&b, ".level%d:\n", d)
		if d+1 < depth {
			fmt.Fprintf(&b, "  extends: .level%d\n", d+1)
		}
		fmt.Fprintf(&b, "  variables: {L%d: '%d'}\n  before_script: [echo level %d]\n", d, d, d)
	}
	for j := 0; j < jobs; j++ {
		fmt.Fprintf(&b, "job%d:\n  extends: .level0\n  <<: *svc\n  variables: *vars\n  image: {name: ruby:3.3, entrypoint: ['']}\n", j)
		fmt.Fprintf(&b, "  after_script: !reference [.level0, before_script]\n  script:\n    - bundle exec rspec spec/%d\n    - echo done\n", j)
	}
	return []byte(b.String())
}

func benchmarkCompose(b *testing.B, jobs, depth int) {
	data := syntheticPipeline(jobs, depth)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, diags := ParseDocument(".gitlab-ci.yml", data, ComposeOptions{}); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}

func benchmarkYAMLDecode(b *testing.B, jobs, depth int) {
	data := syntheticPipeline(jobs, depth)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompose100Jobs(b *testing.B)         { benchmarkCompose(b, 100, 3) }
func BenchmarkCompose1000Jobs(b *testing.B)        { benchmarkCompose(b, 1000, 3) }
func BenchmarkCompose1000JobsDepth10(b *testing.B) { benchmarkCompose(b, 1000, 10) }
func BenchmarkYAMLDecode100Jobs(b *testing.B)      { benchmarkYAMLDecode(b, 100, 3) }
func BenchmarkYAMLDecode1000Jobs(b *testing.B)     { benchmarkYAMLDecode(b, 1000, 3) }
func BenchmarkYAMLDecode1000JobsDepth10(b *testing.B) {
	benchmarkYAMLDecode(b, 1000, 10)
}

func BenchmarkComposeBillionLaughs(b *testing.B) {
	data := []byte(billionLaughs(9))
	b.ReportAllocs()
	for b.Loop() {
		ParseDocument(".gitlab-ci.yml", data, ComposeOptions{})
	}
}
