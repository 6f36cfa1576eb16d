package ciimage

import "fmt"

// serviceTarget is one service of the runner's combined list: config.toml
// services first, then the job's.
type serviceTarget struct {
	target
	alias      string
	command    []string
	entrypoint []string
	pullPolicy []string
	docker     DockerOptions
	source     Source
	// own are the service's own variables: its variables: map, or a
	// config.toml service's environment.
	own Variables
}

// resolveServices builds the plans of the runner's config.toml services
// and the job's services, in the runner's order, with the alias walk over
// all of them.
func (r *resolver) resolveServices(job *Job, vars Variables, auth *RegistryAuth, diags Diagnostics) ([]ServicePlan, Diagnostics) {
	targets, diags := r.serviceTargets(job, vars, diags)

	var requests []AliasRequest
	var walked []int
	for i, t := range targets {
		// A service whose name is not resolved is left out of the walk:
		// its default aliases are unknown.
		if !t.unresolved {
			requests = append(requests, AliasRequest{Name: t.name, Alias: t.alias})
			walked = append(walked, i)
		}
	}
	assignments := make([]AliasAssignment, len(targets))
	for k, a := range AssignAliases(requests) {
		assignments[walked[k]] = a
	}

	plans := make([]ServicePlan, 0, len(targets))
	for i, t := range targets {
		var plan ServicePlan
		plan, diags = r.servicePlan(t, assignments[i], vars, auth, diags)
		plans = append(plans, plan)
	}
	return plans, diags
}

// serviceTargets expands the names and aliases of the runner's services
// and the job's, checks the job's against allowed_services and the total
// against services_limit.
func (r *resolver) serviceTargets(job *Job, vars Variables, diags Diagnostics) ([]serviceTarget, Diagnostics) {
	targets := make([]serviceTarget, 0, len(r.runner.Docker.Services)+len(job.Services))

	for i, svc := range r.runner.Docker.Services {
		keyPath := fmt.Sprintf("docker.services[%d]", i)
		t := serviceTarget{
			target:     target{raw: svc.Name, pos: r.runner.Position(keyPath), location: r.runner.Location(keyPath)},
			alias:      ExpandValue(svc.Alias, vars),
			command:    svc.Command,
			entrypoint: svc.Entrypoint,
			source:     SourceRunner,
		}
		diags = r.expand(&t.target, vars, 1, diags)
		var found Diagnostics
		t.own, found = svc.Variables(r.runner, i)
		diags = append(diags, found...)
		targets = append(targets, t)
	}

	for _, svc := range job.Services {
		t := serviceTarget{
			target:     target{raw: svc.Name, pos: svc.Pos, location: svc.Location},
			alias:      ExpandValue(svc.Alias, vars),
			command:    svc.Command,
			entrypoint: svc.Entrypoint,
			pullPolicy: svc.PullPolicy,
			docker:     expandDockerOptions(svc.Docker, vars),
			source:     job.ServicesSource,
			own:        svc.Variables,
		}
		diags = r.expand(&t.target, vars, 1, diags)
		if !t.unresolved {
			diags = appendAt(diags, r.runner.CheckService(t.name, vars), t.pos, t.location)
		}
		targets = append(targets, t)
	}

	diags = appendAt(diags, r.runner.CheckServicesLimit(len(job.Services)), job.Pos, job.Location)
	return targets, diags
}

// servicePlan builds the plan of one service from its alias assignment.
func (r *resolver) servicePlan(t serviceTarget, assignment AliasAssignment, vars Variables, auth *RegistryAuth, diags Diagnostics) (ServicePlan, Diagnostics) {
	environment := ServiceEnvironment(vars, t.own)
	plan := ServicePlan{
		Name:           t.name,
		Aliases:        nonNil(assignment.Aliases),
		SkippedAliases: nonNil(assignment.Skipped),
		Started:        assignment.Started,
		Command:        t.command,
		Variables:      ownVariables(environment, t.own),
		Environment:    variableMap(environment),
		Docker:         t.docker,
		Source:         t.source,
	}

	plan.Entrypoint, diags = r.entrypoint(t.entrypoint, t.pos, t.location, diags)
	if t.unresolved {
		plan.PullPolicy, _ = r.runner.EffectivePullPolicy(t.name, t.pullPolicy)
		return plan, diags
	}

	parsed := ParseImageName(t.name)
	plan.Image = parsed.Pulled
	var found Diagnostics
	plan.PullPolicy, found = r.runner.EffectivePullPolicy(parsed.Pulled, t.pullPolicy)
	diags = appendAt(diags, r.once(found), t.pos, t.location)

	if parsed.Valid {
		// An invalid name is reported by the alias walk, which knows
		// whether a custom alias makes the runner fail the job.
		diags = appendAt(diags, ImageNameDiagnostics(t.name, RoleService), t.pos, t.location)
	}
	diags = appendAt(diags, assignment.Diagnostics, t.pos, t.location)
	diags = appendAt(diags, hostnameDiagnostics(t.name, t.alias, assignment.Aliases), t.pos, t.location)
	if plan.Started {
		plan.Credentials, diags = r.credentials(auth, parsed.Pulled, t.target, diags)
	}
	return plan, diags
}

// ownVariables returns the final values of the service's own variables,
// taken from the environment the container receives.
func ownVariables(environment, own Variables) map[string]string {
	m := make(map[string]string, len(own))
	for _, v := range own {
		m[v.Key] = environment.Get(v.Key)
	}
	return m
}

// hostnameDiagnostics returns the host-name findings of each alias a
// service claimed, each distinct message once.
func hostnameDiagnostics(name, alias string, aliases []string) Diagnostics {
	custom := keySet(SplitAliases(alias)...)
	var out Diagnostics
	seen := make(map[string]bool)
	for _, a := range aliases {
		for _, d := range HostnameDiagnostics(a, name, custom[a]) {
			if !seen[d.Message] {
				seen[d.Message] = true
				out = append(out, d)
			}
		}
	}
	return out
}

// nonNil returns list, or an empty list for nil, so that JSON shows [].
func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
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
