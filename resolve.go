package ciimage

import (
	"context"
	"fmt"
	"strings"
)

// ResolveOptions configure Resolve. The zero value resolves every job on a
// Docker runner with default settings.
type ResolveOptions struct {
	// Jobs limits the plan to these job names, in the pipeline's order.
	// An unknown name is an error.
	Jobs []string
	// Variables are CI/CD variables set outside the YAML, as project and
	// group variables are: they override the YAML variables and are not
	// passed to service containers.
	Variables Variables
}

// Resolve works out the containers of each job of p. It returns an error
// only for an unknown name in opts.Jobs; findings about the configuration
// are in the plan.
func Resolve(ctx context.Context, p *Pipeline, opts ResolveOptions) (*Plan, error) {
	jobs, err := selectJobs(p, opts.Jobs)
	if err != nil {
		return nil, err
	}

	plan := &Plan{Jobs: []JobPlan{}, Diagnostics: append(Diagnostics{}, p.Diagnostics...)}
	for _, job := range jobs {
		plan.Jobs = append(plan.Jobs, resolveJob(ctx, job, opts))
	}
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
		return nil, fmt.Errorf("%w: no job named %s in %s", ErrUnknownJob, strings.Join(quoteAll(missing), ", "), p.File)
	}
	return jobs, nil
}

// quoteAll quotes each string with %q.
func quoteAll(values []string) []string {
	out := make([]string, len(values))
	for i, s := range values {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// resolveJob builds the plan of one job.
func resolveJob(ctx context.Context, job *Job, opts ResolveOptions) JobPlan {
	jp := JobPlan{Name: job.Name, Services: []ServicePlan{}, Diagnostics: append(Diagnostics{}, job.Diagnostics...)}
	if job.Invalid {
		return jp
	}

	if job.Image != nil {
		jp.Image, jp.Diagnostics = resolveImage(job.Image, job.ImageSource, jp.Diagnostics)
	}
	jp.Services, jp.Diagnostics = resolveServices(job.Services, job.ServicesSource, jp.Diagnostics)
	return jp
}

// resolveImage builds the plan of the build image and appends its
// findings to diags.
func resolveImage(img *Image, source Source, diags Diagnostics) (*ImagePlan, Diagnostics) {
	plan := &ImagePlan{
		Name:       img.Name,
		Entrypoint: img.Entrypoint,
		PullPolicy: img.PullPolicy,
		Docker:     img.Docker,
		Source:     source,
	}

	diags = appendAt(diags, ImageNameDiagnostics(img.Name, RoleBuildImage), img.Pos, img.Location)
	diags = appendAt(diags, entrypointDiagnostics(img.Entrypoint), img.Pos, img.Location)
	return plan, diags
}

// resolveServices builds the plans of a job's services in the runner's
// order, walks their aliases, and appends the findings to diags.
func resolveServices(services []Service, source Source, diags Diagnostics) ([]ServicePlan, Diagnostics) {
	plans := make([]ServicePlan, 0, len(services))
	requests := make([]AliasRequest, 0, len(services))
	for _, svc := range services {
		requests = append(requests, AliasRequest{Name: svc.Name, Alias: svc.Alias})
	}
	assignments := AssignAliases(requests)

	for i, svc := range services {
		parsed := ParseImageName(svc.Name)
		assignment := assignments[i]
		plan := ServicePlan{
			Name:           svc.Name,
			Image:          parsed.Pulled,
			Aliases:        assignment.Aliases,
			SkippedAliases: assignment.Skipped,
			Started:        assignment.Started,
			Entrypoint:     svc.Entrypoint,
			Command:        svc.Command,
			Variables:      variableMap(svc.Variables),
			Environment:    variableMap(svc.Variables),
			PullPolicy:     svc.PullPolicy,
			Docker:         svc.Docker,
			Source:         source,
		}
		plans = append(plans, plan)

		if parsed.Valid {
			// An invalid name is reported by the alias walk, which knows
			// whether a custom alias makes the runner fail the job.
			diags = appendAt(diags, ImageNameDiagnostics(svc.Name, RoleService), svc.Pos, svc.Location)
		}
		diags = appendAt(diags, assignment.Diagnostics, svc.Pos, svc.Location)
		diags = appendAt(diags, hostnameDiagnostics(svc, assignment.Aliases), svc.Pos, svc.Location)
		diags = appendAt(diags, entrypointDiagnostics(svc.Entrypoint), svc.Pos, svc.Location)
	}
	return plans, diags
}

// hostnameDiagnostics returns the host-name findings of each alias a
// service claimed, each distinct message once.
func hostnameDiagnostics(svc Service, aliases []string) Diagnostics {
	custom := keySet(SplitAliases(svc.Alias)...)
	var out Diagnostics
	seen := make(map[string]bool)
	for _, alias := range aliases {
		for _, d := range HostnameDiagnostics(alias, svc.Name, custom[alias]) {
			if !seen[d.Message] {
				seen[d.Message] = true
				out = append(out, d)
			}
		}
	}
	return out
}

// entrypointDiagnostics warns about an entrypoint whose last element is
// -c. The runner passes its shell-detection script as the container's
// command, so "bash -c" runs that script's first word, sh, which then
// reads the job script: the job runs in sh, not in the shell named here.
func entrypointDiagnostics(entrypoint []string) Diagnostics {
	if len(entrypoint) < 2 || entrypoint[len(entrypoint)-1] != "-c" {
		return nil
	}
	return Diagnostics{{
		Severity: SeverityWarning,
		Message: fmt.Sprintf("entrypoint %q ends with -c: the shell then runs the runner's command \"sh\", so the job script runs in sh, not in %s, and bash-only commands such as \"set -o pipefail\" fail. Remove -c from the entrypoint.",
			entrypoint, entrypoint[0]),
	}}
}

// appendAt appends findings that have no position yet, placing them at
// pos and location.
func appendAt(diags, found Diagnostics, pos Position, location string) Diagnostics {
	for _, d := range found {
		if d.File == "" {
			d.Position = pos
		}
		if d.Location == "" {
			d.Location = location
		}
		diags = append(diags, d)
	}
	return diags
}

// variableMap returns the variables as a map, the last definition of a
// key winning. It is never nil.
func variableMap(vars Variables) map[string]string {
	m := make(map[string]string, len(vars))
	for _, v := range vars {
		m[v.Key] = v.Value
	}
	return m
}
