package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ciimage/ciimage/internal/pipelinegen"
)

// BenchmarkResolveCommand runs `ciimage resolve -format json FILE` in
// process on a generated 10,000-job pipeline, writing the plan and the
// findings to io.Discard. It covers what the command adds to
// ciimage.ParsePipeline and ciimage.Resolve: reading the file, encoding the
// JSON and formatting the findings.
func BenchmarkResolveCommand(b *testing.B) {
	var pipeline bytes.Buffer
	cfg := pipelinegen.Config{Jobs: 10000, ExtendsDepth: 3, AnchorReuse: 5000, Seed: 1}
	if err := pipelinegen.Generate(&pipeline, cfg); err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(b.TempDir(), ".gitlab-ci.yml")
	if err := os.WriteFile(file, pipeline.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}

	b.SetBytes(int64(pipeline.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if status := runResolve(context.Background(), []string{"-format", "json", file}, io.Discard, io.Discard); status > exitFindings {
			b.Fatalf("resolve exited with status %d", status)
		}
	}
}
