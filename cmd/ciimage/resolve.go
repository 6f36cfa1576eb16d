package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ciimage/ciimage"
)

const resolveUsage = "ciimage resolve [flags] [PIPELINE_FILE]   (default PIPELINE_FILE: .gitlab-ci.yml)"

// resolveFlags are the flags of ciimage resolve.
type resolveFlags struct {
	commonFlags
	jobs    listFlag
	payload string
	repo    string
}

func runResolve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f resolveFlags
	fs := newFlagSet("resolve", resolveUsage, stderr)
	f.register(fs)
	fs.Var(&f.jobs, "job", "resolve only the job with this `NAME` (repeatable)")
	fs.StringVar(&f.payload, "payload", "", "a job payload JSON `FILE` as GitLab sends it to the runner, instead of a pipeline")
	fs.StringVar(&f.repo, "repo", "", "the repository root `DIR` that local includes are read from (default: the nearest folder above the pipeline with a .git entry, else the pipeline's folder)")
	files, err := parseArgs(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if !f.checkFormat(stderr) || !f.checkHome(stderr) {
		return exitUsage
	}
	if len(files) > 1 {
		fmt.Fprintf(stderr, "ciimage: resolve takes one pipeline file, got %d: %s\n", len(files), strings.Join(files, " "))
		return exitUsage
	}

	runner, runnerDiags, err := loadRunner(f.config, f.runner)
	if err != nil {
		fmt.Fprintf(stderr, "ciimage: %v\n", err)
		return exitUsage
	}

	pipeline, err := readPipeline(f, files)
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
		data, err := readFileLimited(f.payload, ciimage.DefaultLimits().MaxPayloadBytes)
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
	info, err := os.Stat(file)
	switch {
	case err != nil && len(args) == 0 && errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("cannot read the pipeline: no %s in this folder; give the pipeline file as an argument or run ciimage in the repository's root", file)
	case err != nil:
		return nil, fmt.Errorf("cannot read the pipeline: %w", err)
	case info.IsDir():
		return nil, fmt.Errorf("cannot read the pipeline: %s is a folder; give the pipeline file, for example %s", file, filepath.Join(file, ".gitlab-ci.yml"))
	}

	root, path, err := repositoryRoot(file, f.repo)
	if err != nil {
		return nil, err
	}
	pipeline, err := ciimage.LoadPipeline(os.DirFS(root), path, ciimage.ComposeOptions{Variables: ciimage.Variables(f.vars)})
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return nil, fmt.Errorf("cannot read the pipeline: %w", err)
	}
	relocate(pipeline, root, filepath.IsAbs(file))
	return pipeline, nil
}

// repositoryRoot returns the root of the repository that holds file, and
// the file's path inside it with forward slashes, as local includes name
// files. The root is repo when it is not empty, else the nearest folder
// above the file with a .git entry, else the file's folder.
func repositoryRoot(file, repo string) (string, string, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", "", fmt.Errorf("cannot read the pipeline: %w", err)
	}

	root := filepath.Dir(abs)
	if repo != "" {
		root, err = filepath.Abs(repo)
		if err != nil {
			return "", "", fmt.Errorf("invalid -repo %q: %w", repo, err)
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", "", fmt.Errorf("the pipeline %s is not inside the -repo folder %s", file, repo)
		}
		return root, filepath.ToSlash(rel), nil
	}
	for dir := root; ; dir = filepath.Dir(dir) {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			root = dir
			break
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}

	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return "", "", fmt.Errorf("cannot read the pipeline: %w", err)
	}
	return root, filepath.ToSlash(rel), nil
}

// relocate rewrites the repository-relative file names of the pipeline's
// entries and findings relative to the working directory, or as absolute
// paths when the pipeline was named by one, so that a finding's FILE can
// be opened from where the command ran.
func relocate(p *ciimage.Pipeline, root string, absolute bool) {
	wd, err := os.Getwd()
	if err != nil {
		return
	}
	move := func(pos *ciimage.Position) {
		if pos.File == "" || filepath.IsAbs(pos.File) {
			return
		}
		abs := filepath.Join(root, filepath.FromSlash(pos.File))
		if rel, err := filepath.Rel(wd, abs); err == nil && !absolute {
			pos.File = rel
		} else {
			pos.File = abs
		}
	}

	file := ciimage.Position{File: p.File}
	move(&file)
	p.File = file.File
	for i := range p.Diagnostics {
		move(&p.Diagnostics[i].Position)
	}
	for _, job := range p.Jobs {
		move(&job.Pos)
		for i := range job.Diagnostics {
			move(&job.Diagnostics[i].Position)
		}
		if job.Image != nil {
			img := *job.Image
			move(&img.Pos)
			job.Image = &img
		}
		services := make([]ciimage.Service, len(job.Services))
		for i, svc := range job.Services {
			move(&svc.Pos)
			services[i] = svc
		}
		job.Services = services
	}
}

// writePlan prints the plan in the chosen format, the findings on stderr,
// and returns the exit status.
func writePlan(plan *ciimage.Plan, format string, stdout, stderr io.Writer) int {
	if format == "json" {
		if err := writeJSON(stdout, plan); err != nil {
			fmt.Fprintf(stderr, "ciimage: cannot write the plan: %v\n", err)
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

// writeJSON writes the plan as indented JSON, one job at a time, so that a
// plan of many jobs is never held in memory as one encoded buffer. The
// output is the same as encoding the whole plan with two-space indent.
func writeJSON(w io.Writer, plan *ciimage.Plan) error {
	out := bufio.NewWriter(w)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)

	encode := func(prefix string, v any) error {
		buf.Reset()
		enc.SetIndent(prefix, "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
		_, err := out.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		return err
	}

	out.WriteString("{\n  \"jobs\": [")
	for i, job := range plan.Jobs {
		if i > 0 {
			out.WriteString(",")
		}
		out.WriteString("\n    ")
		if err := encode("    ", job); err != nil {
			return err
		}
	}
	if len(plan.Jobs) > 0 {
		out.WriteString("\n  ")
	}
	out.WriteString("],\n  \"diagnostics\": ")
	diags := plan.Diagnostics
	if diags == nil {
		diags = ciimage.Diagnostics{}
	}
	if err := encode("  ", diags); err != nil {
		return err
	}
	out.WriteString("\n}\n")
	return out.Flush()
}
