package ciimage_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/ciimage/ciimage"
	"github.com/ciimage/ciimage/internal/pipelinegen"
	"gopkg.in/yaml.v3"
)

// realisticPipeline is the shape of the pipeline BenchmarkWholePipeline
// resolves: each job extends a chain of three hidden jobs, and every other
// job merges one anchored hidden job with "<<".
func realisticPipeline(jobs int) pipelinegen.Config {
	return pipelinegen.Config{Jobs: jobs, ExtendsDepth: 3, AnchorReuse: jobs / 2, Seed: 1}
}

// generatePipeline returns the bytes of the pipeline for cfg.
func generatePipeline(b *testing.B, cfg pipelinegen.Config) []byte {
	var buffer bytes.Buffer
	if err := pipelinegen.Generate(&buffer, cfg); err != nil {
		b.Fatalf("generating %+v: %v", cfg, err)
	}
	return buffer.Bytes()
}

// decodeFloor decodes data into a yaml.Node with yaml.v3 and does nothing
// else. A resolver that reads the pipeline with yaml.v3 pays at least this.
func decodeFloor(b *testing.B, data []byte) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		b.Fatal(err)
	}
}

// resolvePipeline parses data and resolves every job on a runner with
// default settings, as `ciimage resolve` does without flags.
func resolvePipeline(b *testing.B, data []byte) *ciimage.Plan {
	pipeline, err := ciimage.ParsePipeline(".gitlab-ci.yml", data)
	if err != nil {
		b.Fatalf("parsing the generated pipeline: %v", err)
	}
	plan, err := ciimage.Resolve(context.Background(), pipeline, ciimage.ResolveOptions{})
	if err != nil {
		b.Fatalf("resolving the generated pipeline: %v", err)
	}
	return plan
}

// BenchmarkWholePipeline compares resolving a 10,000-job pipeline with
// decoding the same bytes into a yaml.Node, in the same run. The target is
// resolve at most 1.5 times floor.
func BenchmarkWholePipeline(b *testing.B) {
	cfg := realisticPipeline(10000)
	data := generatePipeline(b, cfg)

	b.Run("floor", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			decodeFloor(b, data)
		}
	})
	b.Run("resolve", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			resolvePipeline(b, data)
		}
	})
}

// BenchmarkPipelineScaling resolves pipelines that differ in one dimension:
// the job count, the extends depth, or the number of "<<" merge keys per
// job. It reports ns/job, the time per visible job. With linear growth
// ns/job stays flat over the job count, and grows by a constant step per
// extends level or merge key.
func BenchmarkPipelineScaling(b *testing.B) {
	type shape struct {
		name string
		cfg  pipelinegen.Config
	}
	var shapes []shape
	for _, jobs := range []int{1000, 10000} {
		shapes = append(shapes, shape{fmt.Sprintf("jobs=%d", jobs), pipelinegen.Config{Jobs: jobs, ExtendsDepth: 3, AnchorReuse: jobs / 2, Seed: 1}})
	}
	for _, depth := range []int{1, 5, 10} {
		shapes = append(shapes, shape{fmt.Sprintf("depth=%d", depth), pipelinegen.Config{Jobs: 1000, ExtendsDepth: depth, Seed: 1}})
	}
	for _, reuse := range []int{1, 10, 100} {
		shapes = append(shapes, shape{fmt.Sprintf("reuse=%d", reuse), pipelinegen.Config{Jobs: 1000, ExtendsDepth: 1, AnchorReuse: 1000 * reuse, Seed: 1}})
	}

	for _, s := range shapes {
		data := generatePipeline(b, s.cfg)
		for _, step := range []struct {
			name string
			run  func(*testing.B, []byte)
		}{
			{"floor", decodeFloor},
			{"resolve", func(b *testing.B, data []byte) { resolvePipeline(b, data) }},
		} {
			b.Run(s.name+"/"+step.name, func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					step.run(b, data)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(s.cfg.Jobs), "ns/job")
			})
		}
	}
}
