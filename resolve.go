package ciimage

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
)

// ResolveOptions configure Resolve. The zero value resolves every job on a
// Docker runner with default settings and reads no credential file.
type ResolveOptions struct {
	// Jobs limits the plan to these job names, in the pipeline's order.
	// An unknown name is an error.
	Jobs []string
	// Variables are CI/CD variables set outside the YAML, as project and
	// group variables are: they come after the YAML variables, so they
	// override them, and they are not passed to service containers unless
	// marked Public. CI_REGISTRY, CI_REGISTRY_USER and CI_REGISTRY_PASSWORD
	// (and the CI_DEPENDENCY_PROXY_SERVER, _USER and _PASSWORD trio) stand
	// for the registry credentials GitLab puts in the job payload.
	Variables Variables
	// Runner is the runner the jobs run on. Nil means DefaultRunner: its
	// settings are unknown, so findings that depend on them are warnings.
	Runner *Runner
	// Home is the runner user's home directory, whose .docker/config.json
	// (else .dockercfg) is the second credential source. Empty means none.
	Home string
	// HomeFS holds the contents of Home. Default: os.DirFS(Home).
	HomeFS fs.FS
	// Helpers runs docker-credential-* helpers. Nil means no helper runs,
	// and credentials from a helper name it without a user name.
	Helpers CredentialHelperRunner
	// Limits bound the work that hostile input can cause; resolving uses
	// MaxExpandedBytes, and the credential sources the Docker config
	// limits. Zero fields take their defaults.
	Limits Limits
}

// Resolve works out the containers of each job of p on the runner: the
// image and services after variable expansion, their aliases, allow-list
// verdicts, pull policies and registry credentials. Findings about the
// configuration are in the plan. A credential helper name that GitLab
// Runner rejects as path traversal is an error diagnostic on each job
// whose pulls it fails. The error is only for an unknown name in
// opts.Jobs or an ended context.
func Resolve(ctx context.Context, p *Pipeline, opts ResolveOptions) (*Plan, error) {
	jobs, err := selectJobs(p, opts.Jobs)
	if err != nil {
		return nil, err
	}

	r := newResolver(opts)
	plan := &Plan{Jobs: make([]JobPlan, 0, len(jobs)), Diagnostics: append(Diagnostics{}, p.Diagnostics...)}
	plan.Diagnostics = append(plan.Diagnostics, r.runnerDiags...)
	for _, job := range jobs {
		jp, err := r.resolveJob(ctx, job)
		if err != nil {
			return nil, err
		}
		plan.Jobs = append(plan.Jobs, jp)
	}
	plan.Diagnostics = append(plan.Diagnostics, r.authDiags...)
	return plan, nil
}

// selectJobs returns the jobs named in names, or all jobs when names is
// empty.
func selectJobs(p *Pipeline, names []string) ([]*Job, error) {
	if len(names) == 0 {
		return p.Jobs, nil
	}

	wanted := keySet(names...)
	var jobs []*Job
	for _, job := range p.Jobs {
		if wanted[job.Name] {
			jobs = append(jobs, job)
			delete(wanted, job.Name)
		}
	}
	if len(wanted) > 0 {
		var missing []string
		for _, name := range names {
			if wanted[name] {
				missing = append(missing, name)
			}
		}
		return nil, fmt.Errorf("%w: no job named %s in %s; %s", ErrUnknownJob, strings.Join(quoteAll(missing), ", "), p.File, jobList(p.Jobs))
	}
	return jobs, nil
}

// maxListedJobs is the number of job names an unknown-job error lists.
const maxListedJobs = 20

// jobList names the jobs a -job flag can choose, the first maxListedJobs
// of them, for an unknown-job error.
func jobList(jobs []*Job) string {
	if len(jobs) == 0 {
		return "the pipeline has no jobs"
	}
	names := make([]string, 0, min(len(jobs), maxListedJobs))
	for _, job := range jobs[:min(len(jobs), maxListedJobs)] {
		names = append(names, job.Name)
	}
	list := "the jobs are: " + strings.Join(quoteAll(names), ", ")
	if len(jobs) > maxListedJobs {
		list += fmt.Sprintf(" and %d more", len(jobs)-maxListedJobs)
	}
	return list
}

// quoteAll quotes each string with %q.
func quoteAll(values []string) []string {
	out := make([]string, len(values))
	for i, s := range values {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
