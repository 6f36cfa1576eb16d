package ciimage

import (
	"io/fs"
	"strings"

	"gopkg.in/yaml.v3"
)

// Source names the layer an image or service comes from.
type Source string

// The layers, in the order they are tried for an image.
const (
	// SourceJob is the job's own entry, including what extends and
	// !reference put there.
	SourceJob Source = "job"
	// SourceDefault is the default: entry, or the deprecated top-level
	// image: and services: keys that flow into it.
	SourceDefault Source = "default"
	// SourceRunner is the runner's config.toml.
	SourceRunner Source = "runner"
)

// Pipeline is a .gitlab-ci.yml read as GitLab reads it: the jobs with the
// image and services each one gets from its own entries and default:, and
// the findings.
type Pipeline struct {
	// File is the path of the pipeline file, as the caller named it.
	File string
	// Jobs are the jobs that run on a runner (those with script: or run:),
	// in file order. Hidden jobs and trigger jobs are not in the list.
	Jobs []*Job
	// Variables are the top-level variables:, all public.
	Variables Variables
	// Diagnostics are the findings not tied to one job.
	Diagnostics Diagnostics
}

// Job is one job of a pipeline after default: inheritance.
type Job struct {
	Name string
	// Pos is the position of the job's key and Location its GitLab key
	// path, jobs:NAME.
	Pos      Position
	Location string
	// Image is nil when neither the job nor default: sets one; the runner
	// then uses its own.
	Image       *Image
	ImageSource Source
	// Services is empty when neither the job nor default: sets any.
	Services       []Service
	ServicesSource Source
	// Variables are the job's YAML variables: the top-level ones it
	// inherits, then its own, all public.
	Variables Variables
	// Credentials are the registry credentials of a job payload. Nil means
	// they are modelled from the CI_REGISTRY and CI_DEPENDENCY_PROXY
	// variables.
	Credentials []RegistryCredential
	// Diagnostics are the findings about this job.
	Diagnostics Diagnostics
	// Invalid is true when GitLab rejects the job itself, so its image and
	// services were not read.
	Invalid bool
}

// Keys of the root mapping that never name a job.
var reservedRootKeys = keySet("include", "before_script", "image", "services", "after_script", "variables", "stages", "cache")

// Root keys that name a job only when their value is one.
var rootEntryKeys = keySet("default", "workflow")

// jobKeys are the keys GitLab 18 accepts in a job, with the keys every
// processable job has and the Premium ones.
var jobKeys = keySet(
	"tags", "script", "image", "services", "start_in", "artifacts", "cache", "dependencies",
	"before_script", "after_script", "hooks", "coverage", "retry", "parallel", "timeout",
	"release", "id_tokens", "publish", "pages", "manual_confirmation", "run", "inputs",
	"extends", "stage", "only", "except", "rules", "variables", "inherit", "allow_failure",
	"when", "needs", "resource_group", "environment", "interruptible",
	"dast_configuration", "identity", "secrets", "pages_path_prefix",
)

// defaultKeys are the keys GitLab accepts in default:.
var defaultKeys = keySet("before_script", "after_script", "hooks", "cache", "image", "services",
	"interruptible", "timeout", "retry", "tags", "artifacts", "id_tokens")

// maxJobNameLength is GitLab's limit on a job name, in characters.
const maxJobNameLength = 255

// ParsePipeline reads a single .gitlab-ci.yml from data as GitLab does and
// returns its jobs. file names the data in findings. Local includes are
// not read (each gets a warning); use LoadPipeline to read them. The
// returned pipeline is never nil: jobs that no error touches are complete
// even when others are not. The error is non-nil when there is at least
// one error finding; it joins one *ConfigError per finding.
func ParsePipeline(file string, data []byte) (*Pipeline, error) {
	doc, diags := ParseDocument(file, data, ComposeOptions{})
	return pipelineFromComposed(doc, diags)
}

// LoadPipeline reads the pipeline at path inside fsys, the repository's
// root, composing its local includes, extends, !reference and anchors as
// GitLab does, and returns its jobs as ParsePipeline does. A pipeline file
// that cannot be read gives an error that wraps the fs error.
func LoadPipeline(fsys fs.FS, path string, opts ComposeOptions) (*Pipeline, error) {
	doc, diags := Compose(fsys, path, opts)
	if doc == nil {
		return &Pipeline{File: path, Diagnostics: diags}, diags.Err()
	}
	return pipelineFromComposed(doc, diags)
}

// pipelineFromComposed finds the jobs of a composed document, keeping the
// composition findings first.
func pipelineFromComposed(doc *Document, diags Diagnostics) (*Pipeline, error) {
	var p *Pipeline
	if len(doc.Root.Content) == 0 && diags.HasErrors() {
		// The file did not load: GitLab reports only why.
		p = &Pipeline{File: doc.File}
	} else {
		p = PipelineFromDocument(doc)
	}
	p.Diagnostics = append(diags, p.Diagnostics...)
	if includesNotRead(diags) {
		softenMissingDefinitions(p)
	}
	return p, p.Err()
}

// includesNotRead reports whether composition left out an include it could
// not read (a remote, project, template or component include, or a local
// one without repository files).
func includesNotRead(diags Diagnostics) bool {
	for _, d := range diags {
		if d.Kind == ErrNotSupported && strings.HasPrefix(d.Location, "include") {
			return true
		}
	}
	return false
}

// Messages of findings that an include that was not read can cause, because
// it would have defined the missing job keyword, job or extends base.
var missingDefinitionMessages = []string{
	"config should implement the script:, run:, or trigger: keyword",
	"config should contain at least one visible job",
	"unknown keys in `extends`",
}

// softenMissingDefinitions turns the errors that an unread include can
// cause into warnings that name that cause, because GitLab, which reads
// the include, may not report them.
func softenMissingDefinitions(p *Pipeline) {
	for i, d := range p.Diagnostics {
		if d.Severity != SeverityError {
			continue
		}
		for _, message := range missingDefinitionMessages {
			if strings.Contains(d.Message, message) {
				d.Severity = SeverityWarning
				d.Message += " (an include that was not read may define what is missing)"
				p.Diagnostics[i] = d
				break
			}
		}
	}
}

// Err joins the pipeline's error findings, its jobs' included, into one
// error, or returns nil when there are none.
func (p *Pipeline) Err() error {
	all := append(Diagnostics(nil), p.Diagnostics...)
	for _, j := range p.Jobs {
		all = append(all, j.Diagnostics...)
	}
	return all.Err()
}

// Job returns the job with the given name, or nil.
func (p *Pipeline) Job(name string) *Job {
	for _, j := range p.Jobs {
		if j.Name == name {
			return j
		}
	}
	return nil
}

// PipelineFromDocument finds the jobs of a composed document and applies
// default: inheritance, as GitLab does after include, extends and
// !reference. A nil document or a root that is not a mapping gives a
// pipeline without jobs.
func PipelineFromDocument(doc *Document) *Pipeline {
	p := &Pipeline{}
	if doc == nil || doc.Root == nil || doc.Root.Kind != yaml.MappingNode {
		if doc != nil {
			p.File = doc.File
		}
		return p
	}
	p.File = doc.File

	v := &validator{doc: doc}
	defaults := v.decodeDefaults(doc.Root)
	p.Variables = v.decodeVariables(lookup(doc.Root, "variables"), "variables", false)
	p.Diagnostics = v.diags

	visible := 0
	for _, entry := range pairs(doc.Root) {
		job, counts := classifyJob(p, doc, entry)
		if counts {
			visible++
		}
		if job == nil {
			continue
		}
		if doc.Failed(entry.Key.Value) {
			job.Invalid = true
			job.Diagnostics = append(job.Diagnostics, Diagnostic{
				Severity: SeverityWarning, Position: job.Pos, Location: job.Location, Kind: ErrInvalidConfig,
				Message: "not planned: its extends or !reference failed (see the pipeline's findings), so GitLab rejects the pipeline",
			})
			p.Jobs = append(p.Jobs, job)
			continue
		}
		readJob(doc, job, entry.Value, defaults, p.Variables)
		p.Jobs = append(p.Jobs, job)
	}

	// NOTE: GitLab does not build the jobs while the jobs entry has its own
	// errors (an entry without script:, or no visible job), so it then
	// reports none of the job, hidden-job or job-name errors reported here.
	if visible == 0 {
		p.Diagnostics = append(p.Diagnostics, Diagnostic{
			Severity: SeverityError, Position: doc.Position(doc.Root), Location: "jobs",
			Message: "config should contain at least one visible job", Kind: ErrInvalidConfig,
		})
	}
	return p
}

// classifyJob decides what a root entry is, as GitLab's Jobs entry does.
// It returns a Job for an entry that runs on a runner, and whether the
// entry counts as a visible job (trigger jobs count but are not planned).
// Findings about entries that are not jobs go to the pipeline.
func classifyJob(p *Pipeline, doc *Document, entry pair) (*Job, bool) {
	name := entry.Key.Value
	value := entry.Value
	v := &validator{doc: doc}
	defer func() { p.Diagnostics = append(p.Diagnostics, v.diags...) }()

	if reservedRootKeys[name] {
		return nil, false
	}
	runs := isMapping(value) && (hasKey(value, "script") || hasKey(value, "run"))
	triggers := isMapping(value) && hasKey(value, "trigger")
	if rootEntryKeys[name] && !matchesJobType(value) {
		return nil, false
	}

	location := "jobs:" + strings.ToLower(name)
	switch {
	case strings.HasPrefix(name, "."):
		// Hidden jobs are templates: GitLab checks only that they are not
		// empty.
		if isNull(value) || (isMapping(value) && len(value.Content) == 0) {
			v.gitlabError(entry.Key, location, "config can't be blank")
		}
		return nil, false
	case runs:
		job := &Job{Name: name, Pos: doc.Position(entry.Key), Location: location}
		checkJobName(v, entry.Key, location)
		return job, true
	case triggers:
		// Trigger jobs start a downstream pipeline and get no containers.
		var bad []string
		for _, key := range []string{"image", "services"} {
			if hasKey(value, key) {
				bad = append(bad, key)
			}
		}
		if len(bad) > 0 {
			v.gitlabError(value, location, "config contains unknown keys: %s", strings.Join(bad, ", "))
		}
		return nil, true
	default:
		v.gitlabError(entry.Key, "jobs", "%s config should implement the script:, run:, or trigger: keyword", name)
		return nil, false
	}
}

// matchesJobType reports whether a root entry's value has the form of a
// job that is not hidden: a mapping with script:, run: or trigger:.
func matchesJobType(value *yaml.Node) bool {
	return isMapping(value) && (hasKey(value, "script") || hasKey(value, "run") || hasKey(value, "trigger"))
}

// checkJobName applies GitLab's checks on a job's name.
func checkJobName(v *validator, key *yaml.Node, location string) {
	switch {
	case key.ShortTag() != "!!str":
		v.gitlabError(key, location, "name should be a symbol")
	case key.Value == "":
		v.gitlabError(key, "jobs:job", "name can't be blank")
	case len([]rune(key.Value)) > maxJobNameLength:
		v.gitlabError(key, location, "name is too long (maximum is %d characters)", maxJobNameLength)
	}
}

// PipelineFromPayload turns a job payload, as GitLab sends it to the
// runner, into a pipeline with that one job, so that Resolve applies the
// runner's rules to it. The payload's variables keep their flags: only the
// public and internal ones reach service containers. A nil payload gives
// a pipeline without jobs.
func PipelineFromPayload(payload *Payload) *Pipeline {
	p := &Pipeline{}
	if payload == nil {
		return p
	}
	p.File = payload.File

	job := &Job{
		Name:           payload.JobName,
		Pos:            Position{File: payload.File},
		Location:       "job_info.name",
		Image:          payload.Image,
		ImageSource:    SourceJob,
		Services:       payload.Services,
		ServicesSource: SourceJob,
		Variables:      payload.Variables,
		Credentials:    payload.Credentials,
	}
	if job.Services == nil {
		job.Services = []Service{}
	}
	if job.Credentials == nil {
		job.Credentials = []RegistryCredential{}
	}
	p.Jobs = []*Job{job}
	return p
}
