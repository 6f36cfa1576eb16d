package ciimage

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

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
	defer r.releaseTargets(targets)

	// The alias walk is AssignAliases, done one service at a time as the
	// plans are built, with the names parsed once per Resolve call.
	claimed := r.claimedAliases
	clear(claimed)
	walkIndex := 0
	d := r.derivedFrom(vars)
	plans := make([]ServicePlan, 0, len(targets))
	for _, t := range targets {
		var assignment AliasAssignment
		// A service whose name is not resolved is left out of the walk:
		// its default aliases are unknown.
		if !t.unresolved {
			custom := r.splitAliases(t.alias)
			assignment = assignService(walkIndex, t.name, r.parseImageName(t.name), custom, claimed)
			walkIndex++
		}

		var plan ServicePlan
		plan, diags = r.servicePlan(t, assignment, d, vars, auth, diags)
		plans = append(plans, plan)
	}
	return plans, append(diags, dockerHostDiagnostics(vars, targets, plans)...)
}

// expandAlias expands a service's alias value once, as the runner does,
// with the findings of r.expand placed at the service. An alias that uses
// a variable only GitLab sets stays in the alias walk, taking the variable
// as empty, and a warning reports that.
func (r *resolver) expandAlias(alias string, service target, vars Variables, diags Diagnostics) (string, Diagnostics) {
	if !strings.Contains(alias, "$") {
		return alias, diags
	}

	t := target{raw: alias, pos: service.pos, location: service.location}
	diags = r.expand(&t, vars, 1, diags)
	if !t.unresolved {
		return t.name, diags
	}
	expanded := ExpandValue(alias, vars)
	return expanded, append(diags, Diagnostic{
		Severity: SeverityWarning, Position: service.pos, Location: service.location, Kind: ErrNotSupported,
		Message: fmt.Sprintf("the alias walk takes alias %q as %q, so the hostnames shown may differ from the real job's", alias, expanded),
	})
}

// releaseTargets keeps the array of targets for the next job's
// serviceTargets.
func (r *resolver) releaseTargets(targets []serviceTarget) {
	clear(targets)
	r.targets = targets[:0]
}

// validHostname returns the first alias that is a valid host name
// everywhere, else the first alias.
func validHostname(aliases []string) string {
	for _, a := range aliases {
		if problem, _ := hostNameProblem(a); problem == "" {
			return a
		}
	}
	return aliases[0]
}

// dockerHostDiagnostics warns when the job's docker CLI cannot reach its
// Docker-in-Docker service by name. That happens when DOCKER_HOST names a
// host that no service claimed, or when DOCKER_HOST is not set and no
// service claimed "docker", the host the docker image's entrypoint tries.
func dockerHostDiagnostics(vars Variables, targets []serviceTarget, plans []ServicePlan) Diagnostics {
	dind := -1
	claimed := make(map[string]bool)
	for i, plan := range plans {
		for _, alias := range plan.Aliases {
			claimed[alias] = true
		}
		if dind < 0 && plan.Started && strings.Contains(plan.Name, "dind") {
			dind = i
		}
	}
	if dind < 0 {
		return nil
	}

	t, plan := targets[dind], plans[dind]
	dockerHost, set := vars.Lookup("DOCKER_HOST")
	if !set {
		if claimed["docker"] {
			return nil
		}
		return Diagnostics{{
			Severity: SeverityWarning, Position: t.pos, Location: t.location, Kind: ErrInvalidConfig,
			Message: fmt.Sprintf("service %q runs a Docker daemon but answers only to %s, and DOCKER_HOST is not set: the docker CLI then looks for a daemon at the host \"docker\" (the docker image's entrypoint tries it) or on a local socket, so docker commands in the job cannot reach this one. Add alias: docker to this service, or set DOCKER_HOST to tcp://%s:2375 (2376 with TLS).",
				plan.Name, joinAnd(quoteAll(plan.Aliases)), preferredHostname(t.alias, plan.Aliases)),
		}}
	}

	u, err := url.Parse(dockerHost)
	if err != nil || u.Scheme != "tcp" || u.Hostname() == "" || claimed[u.Hostname()] {
		return nil
	}
	return Diagnostics{{
		Severity: SeverityWarning, Position: t.pos, Location: t.location, Kind: ErrInvalidConfig,
		Message: fmt.Sprintf("DOCKER_HOST is %s, but no service of this job answers to %q: service %q answers to %s. Add alias: %s to it, or point DOCKER_HOST at %q.",
			dockerHost, u.Hostname(), plan.Name, joinAnd(quoteAll(plan.Aliases)), u.Hostname(), preferredHostname(t.alias, plan.Aliases)),
	}}
}

// preferredHostname returns the hostname to suggest for a service: its
// first claimed custom alias that is a valid host name, else the first
// valid one of aliases, else the first of aliases.
func preferredHostname(custom string, aliases []string) string {
	chosen := keySet(SplitAliases(custom)...)
	for _, a := range aliases {
		if problem, _ := hostNameProblem(a); chosen[a] && problem == "" {
			return a
		}
	}
	return validHostname(aliases)
}

// joinAnd joins words as a list in a sentence: "a", "a and b", or
// "a, b and c".
func joinAnd(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// serviceTargets expands the names and aliases of the runner's services
// and the job's, checks the job's against allowed_services and the total
// against services_limit.
func (r *resolver) serviceTargets(job *Job, vars Variables, diags Diagnostics) ([]serviceTarget, Diagnostics) {
	targets := slices.Grow(r.targets, len(r.runner.Docker.Services)+len(job.Services))

	for i, svc := range r.runner.Docker.Services {
		keyPath := fmt.Sprintf("docker.services[%d]", i)
		t := serviceTarget{
			target:     target{raw: svc.Name, pos: r.runner.Position(keyPath), location: r.runner.Location(keyPath)},
			command:    svc.Command,
			entrypoint: svc.Entrypoint,
			source:     SourceRunner,
		}
		t.alias, diags = r.expandAlias(svc.Alias, t.target, vars, diags)
		diags = r.expand(&t.target, vars, 1, diags)
		var found Diagnostics
		t.own, found = svc.Variables(r.runner, i)
		diags = append(diags, found...)
		targets = append(targets, t)
	}

	for _, svc := range job.Services {
		t := serviceTarget{
			target:     target{raw: svc.Name, pos: svc.Pos, location: svc.Location},
			command:    svc.Command,
			entrypoint: svc.Entrypoint,
			pullPolicy: svc.PullPolicy,
			docker:     expandDockerOptions(svc.Docker, vars),
			source:     job.ServicesSource,
			own:        svc.Variables,
		}
		t.alias, diags = r.expandAlias(svc.Alias, t.target, vars, diags)
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
// d contains the values derived from vars, the job's expanded variables.
func (r *resolver) servicePlan(t serviceTarget, assignment AliasAssignment, d *derivedFromVariables, vars Variables, auth *RegistryAuth, diags Diagnostics) (ServicePlan, Diagnostics) {
	maps := d.serviceMaps(vars, t.own)
	plan := ServicePlan{
		Name:           t.name,
		Aliases:        nonNil(assignment.Aliases),
		SkippedAliases: nonNil(assignment.Skipped),
		Started:        assignment.Started,
		Command:        t.command,
		Variables:      maps.variables,
		Environment:    maps.environment,
		Docker:         t.docker,
		Source:         t.source,
	}

	plan.Entrypoint, diags = r.entrypoint(t.entrypoint, t.pos, t.location, diags)
	if t.unresolved {
		plan.PullPolicy, _ = r.pullPolicy(t.name, t.pullPolicy)
		plan.PullPolicy = nonNil(plan.PullPolicy)
		return plan, diags
	}

	parsed := r.parseImageName(t.name)
	plan.Image = parsed.Pulled
	var found Diagnostics
	plan.PullPolicy, found = r.pullPolicy(parsed.Pulled, t.pullPolicy)
	plan.PullPolicy = nonNil(plan.PullPolicy)
	diags = appendAt(diags, r.once(found), t.pos, t.location)

	if parsed.Valid {
		// The alias walk reports an invalid name, because only the walk
		// finds out whether a custom alias makes the runner fail the job.
		diags = appendAt(diags, r.nameDiagnostics(t.name, RoleService), t.pos, t.location)
	}
	diags = appendAt(diags, assignment.Diagnostics, t.pos, t.location)
	diags = appendAt(diags, r.hostnames(t.name, t.alias, assignment.Aliases), t.pos, t.location)
	if plan.Started && pulls(plan.PullPolicy) {
		plan.Credentials, diags = r.credentials(auth, parsed.Pulled, t.target, diags)
	}
	return plan, diags
}

// serviceMaps are the masked Variables and Environment maps of a service
// plan. Services with the same inputs share them, so nothing writes to
// them after they are built.
type serviceMaps struct {
	variables   map[string]string
	environment map[string]string
}

// serviceMaps returns the maps of a service whose own variables are own,
// in a job whose expanded variables are vars. It builds and masks them
// once for each content of own.
func (d *derivedFromVariables) serviceMaps(vars, own Variables) serviceMaps {
	if len(own) == 0 {
		if d.withoutOwn == nil {
			d.withoutOwn = &serviceMaps{variables: map[string]string{}, environment: environmentMap(vars.PublicOrInternal(), vars)}
			d.masker.maskMap(d.withoutOwn.environment)
		}
		return *d.withoutOwn
	}

	maps, hash, ok := d.withOwn.find(own)
	if !ok {
		environment := environmentMap(ServiceEnvironment(vars, own), vars)
		maps = serviceMaps{variables: ownVariables(environment, own), environment: environment}
		d.masker.maskMap(maps.variables)
		d.masker.maskMap(maps.environment)
		d.withOwn.add(hash, own, maps)
	}
	return maps
}

// ownVariables returns the final values of the service's own variables,
// taken from the environment the container receives.
func ownVariables(environment map[string]string, own Variables) map[string]string {
	m := make(map[string]string, len(own))
	for _, v := range own {
		m[v.Key] = environment[v.Key]
	}
	return m
}

// environmentMap returns the environment of a service container as a
// map, the last definition of a key winning. The runner passes a File
// variable as the path of its file, in the directory that
// RUNNER_TEMP_PROJECT_DIR names in the environment, else in job.
func environmentMap(environment, job Variables) map[string]string {
	lookup := func(key string) (string, bool) {
		if value, ok := environment.Lookup(key); ok {
			return value, true
		}
		return job.Lookup(key)
	}

	m := make(map[string]string, len(environment))
	for _, v := range environment {
		m[v.Key] = expansionValue(v, lookup)
	}
	return m
}

// hostnames returns hostnameDiagnostics, computed once for each service
// name, alias value and claimed aliases of a Resolve call.
func (r *resolver) hostnames(name, alias string, aliases []string) Diagnostics {
	// The key is built in a reused buffer, and the lookup with
	// string(key) does not copy it, so only a miss allocates.
	key := append(r.hostnameKey[:0], name...)
	key = append(append(key, 0), alias...)
	for _, a := range aliases {
		key = append(append(key, 0), a...)
	}
	r.hostnameKey = key

	found, ok := r.hostnameCache[string(key)]
	if !ok {
		found = hostnameDiagnostics(name, alias, aliases)
		r.hostnameCache[string(key)] = found
	}
	return found
}

// hostnameDiagnostics returns the host-name findings of the aliases a
// service claimed. A custom alias that is not a valid host name always
// gets the full warning, because someone chose it. A derived alias such
// as ns__img gets no warning when the service has a valid custom alias,
// else one short warning naming a valid alias of the same service to use
// instead, or the full warning when there is none.
func hostnameDiagnostics(name, alias string, aliases []string) Diagnostics {
	custom := keySet(SplitAliases(alias)...)
	var out Diagnostics
	var invalidDerived []string
	valid := ""
	validCustom := false
	for _, a := range aliases {
		found := HostnameDiagnostics(a, name, custom[a])
		switch {
		case len(found) == 0:
			if valid == "" {
				valid = a
			}
			validCustom = validCustom || custom[a]
		case custom[a]:
			out = append(out, found...)
		default:
			invalidDerived = append(invalidDerived, a)
		}
	}

	// A service with a valid custom alias is reached by that alias, so
	// its derived aliases are not worth a warning.
	if validCustom {
		return out
	}
	for _, a := range invalidDerived {
		if valid == "" {
			out = append(out, HostnameDiagnostics(a, name, false)...)
			continue
		}
		problem, rejectedBy := hostNameProblem(a)
		if problem == "" {
			problem = "it has uppercase letters"
			rejectedBy = "the Kubernetes executor"
		}
		out = append(out, Diagnostic{
			Severity: SeverityWarning,
			Message: fmt.Sprintf("hostname %q is not valid everywhere (%s; %s may reject it, and the Kubernetes executor drops it): connect to %q instead",
				a, problem, rejectedBy, valid),
		})
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
