package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ciimage/ciimage"
)

const resolveUsage = "ciimage resolve [flags] [PIPELINE_FILE]   (default PIPELINE_FILE: .gitlab-ci.yml)"

// resolveFlags are the flags of ciimage resolve.
type resolveFlags struct {
	commonFlags
	jobs    listFlag
	payload string
}

func runResolve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f resolveFlags
	fs := newFlagSet("resolve", resolveUsage, stderr)
	f.register(fs)
	fs.Var(&f.jobs, "job", "resolve only the job with this `NAME` (repeatable)")
	fs.StringVar(&f.payload, "payload", "", "a job payload JSON `FILE` as GitLab sends it to the runner, instead of a pipeline")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if !f.checkFormat(stderr) {
		return exitUsage
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(stderr, "ciimage: resolve takes one pipeline file, got %d\n", fs.NArg())
		return exitUsage
	}

	runner, runnerDiags, err := loadRunner(f.config, f.runner)
	if err != nil {
		fmt.Fprintf(stderr, "ciimage: %v\n", err)
		return exitUsage
	}

	pipeline, err := readPipeline(f, fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "ciimage: %v\n", err)
		return exitUsage
	}
	pipeline.Diagnostics = append(runnerDiags, pipeline.Diagnostics...)

	plan, err := ciimage.Resolve(ctx, pipeline, ciimage.ResolveOptions{
		Jobs:      f.jobs,
		Variables: ciimage.Variables(f.vars),
		Runner:    runner,
		Home:      f.home,
		Helpers:   f.helpers(),
	})
	if err != nil {
		fmt.Fprintf(stderr, "ciimage: %v\n", err)
		return exitUsage
	}

	return writePlan(plan, f.format, stdout, stderr)
}

// readPipeline reads the job payload of -payload, or the pipeline file.
// The error is for a file that cannot be read.
func readPipeline(f resolveFlags, args []string) (*ciimage.Pipeline, error) {
	if f.payload != "" {
		if len(args) > 0 {
			return nil, errors.New("give either -payload or a pipeline file, not both")
		}
		data, err := os.ReadFile(f.payload)
		if err != nil {
			return nil, fmt.Errorf("cannot read the job payload: %w", err)
		}
		payload, diags := ciimage.ParsePayload(f.payload, data)
		pipeline := ciimage.PipelineFromPayload(payload)
		pipeline.Diagnostics = append(diags, pipeline.Diagnostics...)
		return pipeline, nil
	}

	file := ".gitlab-ci.yml"
	if len(args) == 1 {
		file = args[0]
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("cannot read the pipeline: %w", err)
	}
	pipeline, _ := ciimage.ParsePipeline(file, data)
	return pipeline, nil
}

// writePlan prints the plan in the chosen format, the findings on stderr,
// and returns the exit status.
func writePlan(plan *ciimage.Plan, format string, stdout, stderr io.Writer) int {
	if format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(plan); err != nil {
			fmt.Fprintf(stderr, "ciimage: cannot encode the plan: %v\n", err)
			return exitUsage
		}
	} else {
		writeText(stdout, plan)
	}

	writeDiagnostics(stderr, plan.AllDiagnostics())
	if plan.HasErrors() {
		return exitFindings
	}
	return exitOK
}
