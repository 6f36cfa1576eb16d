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
		jp.Image = &ImagePlan{
			Name:       job.Image.Name,
			Entrypoint: job.Image.Entrypoint,
			PullPolicy: job.Image.PullPolicy,
			Docker:     job.Image.Docker,
			Source:     job.ImageSource,
		}
	}
	for _, svc := range job.Services {
		jp.Services = append(jp.Services, ServicePlan{
			Name:           svc.Name,
			Image:          svc.Name,
			Aliases:        []string{},
			SkippedAliases: []string{},
			Entrypoint:     svc.Entrypoint,
			Command:        svc.Command,
			Variables:      map[string]string{},
			Environment:    map[string]string{},
			PullPolicy:     svc.PullPolicy,
			Docker:         svc.Docker,
			Source:         job.ServicesSource,
		})
	}
	return jp
}
