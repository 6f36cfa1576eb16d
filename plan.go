package ciimage

// Plan is the resolved result for a pipeline or a job payload: per job,
// the containers the runner creates. Its JSON form is the output of
// "ciimage resolve -format json": lists are never null, except entrypoint
// and command, where null means not set and differs from [] and [""]; image
// and credentials are null when absent.
//
// A Plan shares slices and maps with the Pipeline it was resolved from
// and between its jobs and services, such as entrypoints, pull policies
// and service environments, so callers must treat it as read-only.
type Plan struct {
	Jobs []JobPlan `json:"jobs"`
	// Diagnostics are the findings not tied to one job.
	Diagnostics Diagnostics `json:"diagnostics"`
}

// JobPlan is the containers of one job.
type JobPlan struct {
	Name string `json:"name"`
	// Image is nil when no image applies: the job fails with "no Docker
	// image specified to run the build in".
	Image       *ImagePlan    `json:"image"`
	Services    []ServicePlan `json:"services"`
	Diagnostics Diagnostics   `json:"diagnostics"`
}

// ImagePlan is the build container's image.
type ImagePlan struct {
	// Name is the image name after variable expansion.
	Name string `json:"name"`
	// Entrypoint is nil when not set; [""] clears the image's entrypoint.
	Entrypoint []string `json:"entrypoint"`
	// PullPolicy is the effective list after allowed_pull_policies, in the
	// order the runner tries it; empty when the runner rejects the request.
	PullPolicy []string      `json:"pull_policy"`
	Docker     DockerOptions `json:"docker"`
	Source     Source        `json:"source"`
	// Credentials is nil when no configured credentials match, or when
	// the runner never pulls the image: its pull policy is only never, or
	// the pull policy was rejected.
	Credentials *Credentials `json:"credentials"`
}

// ServicePlan is one service container. Services with the same inputs,
// in one job or in several jobs of a Plan, share one Variables map and
// one Environment map, so callers must treat them as read-only.
type ServicePlan struct {
	// Name is the service name after variable expansion.
	Name string `json:"name"`
	// Image is the reference the runner pulls: Name with ":latest" added
	// when it has neither a tag nor a sha256 digest of 64 characters.
	Image string `json:"image"`
	// Aliases are the hostnames that reach the container: the aliases it
	// claimed in the runner's walk over the job's services, in walk order.
	Aliases []string `json:"aliases"`
	// SkippedAliases are the entries of its alias list that were already
	// claimed, in walk order, repeats included.
	SkippedAliases []string `json:"skipped_aliases"`
	// Started is false when the runner does not create the container.
	Started    bool     `json:"started"`
	Entrypoint []string `json:"entrypoint"`
	Command    []string `json:"command"`
	// Variables are the service's own variables, expanded.
	Variables map[string]string `json:"variables"`
	// Environment is every variable the container receives. A File
	// variable's value is the path of its file. In both maps
	// the values of masked variables and of credential variables such as
	// DOCKER_AUTH_CONFIG and CI_REGISTRY_PASSWORD read [MASKED] wherever
	// they appear, as GitLab masks them in job logs.
	Environment map[string]string `json:"environment"`
	PullPolicy  []string          `json:"pull_policy"`
	Docker      DockerOptions     `json:"docker"`
	Source      Source            `json:"source"`
	Credentials *Credentials      `json:"credentials"`
}

// HasErrors reports whether the plan or any of its jobs has an error
// finding.
func (p *Plan) HasErrors() bool {
	if p.Diagnostics.HasErrors() {
		return true
	}
	for _, j := range p.Jobs {
		if j.Diagnostics.HasErrors() {
			return true
		}
	}
	return false
}

// AllDiagnostics returns the plan's findings followed by each job's, in
// job order.
func (p *Plan) AllDiagnostics() Diagnostics {
	all := append(Diagnostics{}, p.Diagnostics...)
	for _, j := range p.Jobs {
		all = append(all, j.Diagnostics...)
	}
	return all
}
