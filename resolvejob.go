package ciimage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// resolver holds what every job of one Resolve call shares: the runner,
// its environment, and the credential tables already built.
type resolver struct {
	opts        ResolveOptions
	limits      Limits
	runner      *Runner
	environment Variables
	runnerDiags Diagnostics
	auth        map[string]*RegistryAuth
	authDiags   Diagnostics
	// reported holds the runner-setting findings already reported, which
	// the runner repeats for every image but ciimage reports once.
	reported map[string]bool
	// Findings that depend only on a name, computed once per Resolve
	// call: pipelines repeat the same images in many jobs.
	nameCache     map[NameRole]map[string]Diagnostics
	parsedNames   map[string]ImageName
	customAliases map[string][]string
	hostnameCache map[string]Diagnostics
	hostnameKey   []byte
	// runnerPullPolicy is the effective pull policy of an image or
	// service that requests none, nil until one needs it.
	runnerPullPolicy []string
	lookups          map[*RegistryAuth]map[string]AuthExplanation
	// diagnostics, targets and claimedAliases are buffers that
	// resolveJob and resolveServices reuse from job to job.
	diagnostics    Diagnostics
	targets        []serviceTarget
	claimedAliases map[string]bool
	// expanded contains the expanded variables of each job variable list,
	// keyed by content, because most jobs of a pipeline have one of a few
	// lists.
	expanded contentCache[Variables]
	// derived holds what the resolver computes from a job's expanded
	// variables, for the jobs that share them.
	derived map[variablesKey]*derivedFromVariables
}

// derivedFromVariables holds the values that depend only on a job's
// expanded variables.
type derivedFromVariables struct {
	masker masker
	// auth is the credential table of jobs whose credentials come from
	// their variables, nil until one is built.
	auth *RegistryAuth
	// withoutOwn are the maps of a service without variables of its own,
	// nil until a job with services needs them.
	withoutOwn *serviceMaps
	// withOwn contains the maps of services with variables of their own,
	// keyed by the content of those variables.
	withOwn contentCache[serviceMaps]
	// gitlabOnly maps each variable whose value, as written, uses variables
	// that only GitLab sets for a real job to the names of those variables.
	gitlabOnly map[string][]string
}

// keyOf returns the key of a variable list.
func keyOf(vars Variables) variablesKey {
	if len(vars) == 0 {
		return variablesKey{}
	}
	return variablesKey{first: &vars[0], length: len(vars)}
}

// derivedFrom returns the values computed from vars, computing the
// masker on first use.
func (r *resolver) derivedFrom(vars Variables) *derivedFromVariables {
	key := keyOf(vars)
	d, ok := r.derived[key]
	if !ok {
		d = &derivedFromVariables{masker: newMasker(vars), withOwn: newContentCache[serviceMaps]()}
		r.derived[key] = d
	}
	return d
}

// variablesKey identifies a variable list by its backing array and
// length.
type variablesKey struct {
	first  *Variable
	length int
}

func newResolver(opts ResolveOptions) *resolver {
	r := &resolver{
		opts:           opts,
		limits:         opts.Limits.withDefaults(),
		runner:         opts.Runner,
		auth:           make(map[string]*RegistryAuth),
		reported:       make(map[string]bool),
		nameCache:      make(map[NameRole]map[string]Diagnostics),
		parsedNames:    make(map[string]ImageName),
		customAliases:  make(map[string][]string),
		hostnameCache:  make(map[string]Diagnostics),
		lookups:        make(map[*RegistryAuth]map[string]AuthExplanation),
		claimedAliases: make(map[string]bool),
		expanded:       newContentCache[Variables](),
		derived:        make(map[variablesKey]*derivedFromVariables),
	}
	if r.runner == nil {
		r.runner = DefaultRunner()
	}
	r.environment, r.runnerDiags = r.runner.EnvironmentVariables()
	return r
}

// target is one image or service on its way to the plan: the name as
// written, where it was written, and what variable expansion made of it.
type target struct {
	raw      string
	name     string
	pos      Position
	location string
	// unresolved is true when the name uses a variable that only GitLab
	// sets for a real job, so nothing can be derived from it.
	unresolved bool
}

// resolveJob builds the plan of one job.
func (r *resolver) resolveJob(ctx context.Context, job *Job) (JobPlan, error) {
	jp := JobPlan{Name: job.Name, Services: []ServicePlan{}, Diagnostics: append(Diagnostics{}, job.Diagnostics...)}
	if job.Invalid {
		return jp, nil
	}

	// The findings are collected in a buffer kept from job to job and
	// copied into the plan once, at their final length.
	diags := append(r.diagnostics[:0], job.Diagnostics...)

	vars, found := r.jobVariables(job)
	diags = append(diags, found...)
	auth, err := r.registryAuth(ctx, job, vars)
	var traversal *ConfigError
	switch {
	case errors.As(err, &traversal) && errors.Is(err, ErrPathTraversal):
		// GitLab Runner fails each pull of this job with this error and
		// other jobs are not affected, so the job is planned with no
		// credentials and the error. NOTE: the error is reported even
		// when the job pulls nothing (pull policy never).
		diags = append(diags, Diagnostic{Severity: SeverityError, Position: traversal.Position, Location: traversal.Location, Message: traversal.Message, Kind: ErrPathTraversal})
	case err != nil:
		return jp, err
	}

	jp.Image, diags = r.resolveImage(job, vars, auth, diags)
	jp.Services, diags = r.resolveServices(job, vars, auth, diags)
	jp.Diagnostics = append(Diagnostics{}, diags...)
	r.releaseDiagnostics(diags)
	r.derivedFrom(vars).masker.maskPlan(&jp)
	return jp, nil
}

// releaseDiagnostics keeps the array of diags for the next job.
func (r *resolver) releaseDiagnostics(diags Diagnostics) {
	clear(diags)
	r.diagnostics = diags[:0]
}

// jobVariables returns every variable of the job in the runner's order,
// the last definition winning: the runner's environment, the job's YAML
// (or payload) variables, then the variables given in the options. Values
// are expanded once against the whole list, as the runner does, except
// raw ones. A value whose expansion passes Limits.MaxExpandedBytes is
// reported and left incomplete.
func (r *resolver) jobVariables(job *Job) (Variables, Diagnostics) {
	cached, hash, ok := r.expanded.find(job.Variables)
	if ok {
		return cached, nil
	}

	vars := make(Variables, 0, len(r.environment)+len(job.Variables)+len(r.opts.Variables))
	vars = append(vars, r.environment...)
	vars = append(vars, job.Variables...)
	vars = append(vars, r.opts.Variables...)

	var diags Diagnostics
	index := newVariableIndex(vars)
	expanded := make(Variables, len(vars))
	for i, v := range vars {
		if !v.Raw {
			var complete bool
			v.Value, complete = expandLimited(v.Value, index.expansion, r.limits.MaxExpandedBytes)
			if !complete {
				diags = append(diags, r.expansionLimit(job.Pos, joinLocation(job.Location, "variables:"+v.Key), "variable "+v.Key))
			}
		}
		expanded[i] = v
	}
	if len(diags) == 0 {
		r.expanded.add(hash, job.Variables, expanded)
	}
	r.derivedFrom(expanded).gitlabOnly = gitlabOnlyVariables(vars)
	return expanded, diags
}

// gitlabOnlyVariables returns the variables of vars, as written, whose
// values use variables that GitLab sets for each job and that vars does
// not define, with the names of those. Expanding such a value here gives
// an empty string where the real job has a value, so a name that uses the
// variable cannot be resolved either.
func gitlabOnlyVariables(vars Variables) map[string][]string {
	var found map[string][]string
	for _, v := range vars {
		var names []string
		if !v.Raw {
			_, undefined := VariableReferences(v.Value, vars)
			names = slices.DeleteFunc(undefined, func(name string) bool { return !IsPredefinedVariable(name) })
		}

		// The last definition of a key wins, as in the runner.
		switch {
		case len(names) > 0:
			if found == nil {
				found = make(map[string][]string)
			}
			found[v.Key] = names
		case found != nil:
			delete(found, v.Key)
		}
	}
	return found
}

// expansionLimit reports a value whose expansion passed the limit.
func (r *resolver) expansionLimit(pos Position, location, what string) Diagnostic {
	return Diagnostic{
		Severity: SeverityError, Position: pos, Location: location, Kind: ErrLimit,
		Message: fmt.Sprintf("expanding %s adds more than the limit Limits.MaxExpandedBytes = %d bytes, so the rest of it expands to nothing", what, r.limits.MaxExpandedBytes),
	}
}

// expand expands value as the runner does, passes times over, and
// reports the variables it uses that are not defined. A variable that
// GitLab sets for every job cannot be known from configuration, so the
// target is then marked unresolved and keeps its text as written. That
// holds for such a variable used directly, through a job variable whose
// value uses it, or in the text a first pass leaves for the second.
func (r *resolver) expand(t *target, vars Variables, passes int, diags Diagnostics) Diagnostics {
	var refs variableUses
	refs.add(t.raw, vars, r.derivedFrom(vars).gitlabOnly)

	t.name = t.raw
	for i := 0; i < passes && len(refs.predefined) == 0; i++ {
		if i > 0 {
			refs.add(t.name, vars, nil)
			if len(refs.predefined) > 0 {
				break
			}
		}
		var complete bool
		t.name, complete = ExpandValueLimited(t.name, vars, r.limits.MaxExpandedBytes)
		if !complete {
			diags = append(diags, r.expansionLimit(t.pos, t.location, fmt.Sprintf("%q", truncate(t.raw, 80))))
			break
		}
	}

	if len(refs.predefined) > 0 {
		t.unresolved = true
		t.name = t.raw
		via := ""
		if len(refs.through) > 0 {
			via = " (through " + joinDollar(refs.through) + ")"
		}
		return append(diags, Diagnostic{
			Severity: SeverityWarning, Position: t.pos, Location: t.location, Kind: ErrNotSupported,
			Message: fmt.Sprintf("%q is not resolved: GitLab sets %s%s for each job, so its value is not in the configuration. Give it with -var %s=VALUE (or ResolveOptions.Variables) to resolve this name.",
				t.raw, joinDollar(refs.predefined), via, refs.predefined[0]),
		})
	}
	for _, name := range refs.missing {
		diags = append(diags, Diagnostic{
			Severity: SeverityWarning, Position: t.pos, Location: t.location, Kind: ErrInvalidConfig,
			Message: fmt.Sprintf("variable %s in %q is not defined, so the runner expands it to an empty string, giving %q", name, t.raw, t.name),
		})
	}
	return diags
}

// variableUses sorts the variables a name uses by what expanding them
// gives, each name once.
type variableUses struct {
	// predefined are undefined variables that GitLab sets for each job.
	predefined []string
	// missing are the other undefined variables, which expand to nothing.
	missing []string
	// through are defined variables whose values use predefined ones.
	through []string
}

// add sorts the variables that text uses. gitlabOnly maps the variables
// whose values use predefined ones to those names.
func (u *variableUses) add(text string, vars Variables, gitlabOnly map[string][]string) {
	referenced, undefined := VariableReferences(text, vars)
	for _, name := range undefined {
		if IsPredefinedVariable(name) {
			u.predefined = appendNew(u.predefined, name)
		} else {
			u.missing = appendNew(u.missing, name)
		}
	}
	for _, name := range referenced {
		if names := gitlabOnly[name]; len(names) > 0 {
			u.through = appendNew(u.through, name)
			u.predefined = appendNew(u.predefined, names...)
		}
	}
}

// appendNew appends the names that list does not contain yet.
func appendNew(list []string, names ...string) []string {
	for _, name := range names {
		if !slices.Contains(list, name) {
			list = append(list, name)
		}
	}
	return list
}

// truncate shortens s to at most n bytes for a message, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// joinDollar formats variable names as "$A, $B".
func joinDollar(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "$" + n
	}
	return strings.Join(out, ", ")
}

// resolveImage builds the plan of the build image: the job's, else the
// runner's config.toml image, else none.
func (r *resolver) resolveImage(job *Job, vars Variables, auth *RegistryAuth, diags Diagnostics) (*ImagePlan, Diagnostics) {
	img := job.Image
	if img == nil {
		return r.runnerImage(job, nil, vars, auth, diags)
	}

	// The runner expands the job's image name twice: once with the other
	// job options and once more before the pull.
	t := target{raw: img.Name, pos: img.Pos, location: img.Location}
	diags = r.expand(&t, vars, 2, diags)
	if !t.unresolved && r.expandsToNothing(img.Name, vars) {
		// The runner tests the name after the first expansion, and an empty
		// name makes it use its config.toml image instead. The job's
		// entrypoint, pull_policy and docker options still apply.
		if img.Name != "" {
			diags = append(diags, Diagnostic{
				Severity: SeverityWarning, Position: img.Pos, Location: img.Location, Kind: ErrInvalidConfig,
				Message: fmt.Sprintf("image %q expands to an empty name, so the runner uses its config.toml image instead", img.Name),
			})
		}
		return r.runnerImage(job, img, vars, auth, diags)
	}

	plan := &ImagePlan{
		Name:       t.name,
		Entrypoint: img.Entrypoint,
		Docker:     expandDockerOptions(img.Docker, vars),
		Source:     job.ImageSource,
	}

	diags = appendAt(diags, entrypointDiagnostics(img.Entrypoint), img.Pos, img.Location)
	plan.Entrypoint, diags = r.entrypoint(img.Entrypoint, img.Pos, img.Location, diags)
	var found Diagnostics
	plan.Docker.User, found = r.runner.BuildUser(plan.Docker.User)
	diags = appendAt(diags, found, img.Pos, img.Location)
	plan.PullPolicy, found = r.pullPolicy(t.name, img.PullPolicy)
	plan.PullPolicy = nonNil(plan.PullPolicy)
	diags = appendAt(diags, r.once(found), img.Pos, img.Location)
	if t.unresolved {
		return plan, diags
	}

	diags = appendAt(diags, r.runner.CheckImage(t.name, vars), img.Pos, img.Location)
	diags = appendAt(diags, r.nameDiagnostics(t.name, RoleBuildImage), img.Pos, img.Location)
	if pulls(plan.PullPolicy) {
		plan.Credentials, diags = r.credentials(auth, buildImagePullReference(t.name), t, diags)
	}
	return plan, diags
}

// expandsToNothing reports whether the first expansion of an image name
// is empty.
func (r *resolver) expandsToNothing(name string, vars Variables) bool {
	expanded, _ := ExpandValueLimited(name, vars, r.limits.MaxExpandedBytes)
	return expanded == ""
}

// runnerImage builds the plan of the runner's config.toml image, which
// the runner uses when the job's image name is missing or expands to
// nothing. It is exempt from allowed_images. img is the job's image whose
// name is empty, or nil. Its entrypoint, pull_policy and docker options
// apply to the runner's image.
func (r *resolver) runnerImage(job *Job, img *Image, vars Variables, auth *RegistryAuth, diags Diagnostics) (*ImagePlan, Diagnostics) {
	pos, location := job.Pos, job.Location
	if img != nil {
		pos, location = img.Pos, img.Location
	}

	if r.runner.Docker.Image == "" {
		finding := r.runner.settingFinding("docker.image", ErrInvalidConfig, noImageMessage)
		return nil, appendAt(diags, Diagnostics{finding}, pos, location)
	}

	t := target{raw: r.runner.Docker.Image, pos: r.runner.Position("docker.image"), location: r.runner.Location("docker.image")}
	diags = r.expand(&t, vars, 1, diags)
	if !t.unresolved && t.name == "" {
		// The runner tests the config.toml image after expansion, so one
		// that expands to nothing counts as no image.
		finding := r.runner.settingFinding("docker.image", ErrInvalidConfig, noImageMessage)
		return nil, appendAt(diags, Diagnostics{finding}, pos, location)
	}

	plan := &ImagePlan{Name: t.name, Source: SourceRunner}
	var requested []string
	if img != nil {
		requested = img.PullPolicy
		plan.Docker = expandDockerOptions(img.Docker, vars)
		diags = appendAt(diags, entrypointDiagnostics(img.Entrypoint), img.Pos, img.Location)
		plan.Entrypoint, diags = r.entrypoint(img.Entrypoint, img.Pos, img.Location, diags)
	}

	var found Diagnostics
	plan.Docker.User, found = r.runner.BuildUser(plan.Docker.User)
	diags = appendAt(diags, found, pos, location)
	plan.PullPolicy, found = r.pullPolicy(t.name, requested)
	plan.PullPolicy = nonNil(plan.PullPolicy)
	diags = appendAt(diags, r.once(found), t.pos, t.location)
	if t.unresolved {
		return plan, diags
	}
	diags = appendAt(diags, r.nameDiagnostics(t.name, RoleBuildImage), t.pos, t.location)
	if pulls(plan.PullPolicy) {
		plan.Credentials, diags = r.credentials(auth, buildImagePullReference(t.name), t, diags)
	}
	return plan, diags
}

// noImageMessage is the runner's error when neither the job nor
// config.toml names a build image.
const noImageMessage = "no Docker image specified to run the build in"

// entrypoint returns the entrypoint the runner sets: none when the runner
// has disable_entrypoint_overwrite, which it logs as "Entrypoint override
// disabled".
func (r *resolver) entrypoint(entrypoint []string, pos Position, location string, diags Diagnostics) ([]string, Diagnostics) {
	if len(entrypoint) == 0 || !r.runner.Docker.DisableEntrypointOverwrite {
		return entrypoint, diags
	}
	return nil, append(diags, Diagnostic{
		Severity: SeverityWarning, Position: pos, Location: location, Kind: ErrInvalidConfig,
		Message: fmt.Sprintf("Entrypoint override disabled: the runner has disable_entrypoint_overwrite set, so entrypoint %q is ignored and the image's own entrypoint runs", entrypoint),
	})
}

// pullPolicy returns r.runner.EffectivePullPolicy(image, requested). For
// an empty request the runner's list is computed once and shared by the
// plans, because the result depends on the image only when it is an
// error.
func (r *resolver) pullPolicy(image string, requested []string) ([]string, Diagnostics) {
	if len(requested) > 0 {
		return r.runner.EffectivePullPolicy(image, requested)
	}
	if r.runnerPullPolicy == nil {
		policies, found := r.runner.EffectivePullPolicy(image, nil)
		if len(found) > 0 {
			return policies, found
		}
		// Clipped, so that appending to a plan's list copies it.
		r.runnerPullPolicy = slices.Clip(policies)
	}
	return r.runnerPullPolicy, nil
}

// pulls reports whether the effective pull policies can pull the image.
// With only "never" the runner never pulls, so it resolves no credentials.
func pulls(policies []string) bool {
	for _, policy := range policies {
		if policy != PullPolicyNever {
			return true
		}
	}
	return false
}

// nameDiagnostics returns ImageNameDiagnostics, computed once for each
// name and role of a Resolve call.
func (r *resolver) nameDiagnostics(name string, role NameRole) Diagnostics {
	return memoizedIn(r.nameCache, role, name, func(name string) Diagnostics {
		return ImageNameDiagnostics(name, role)
	})
}

// parseImageName returns ParseImageName(name), computed once for each
// name of a Resolve call. The results share their Aliases slices, which
// callers only read.
func (r *resolver) parseImageName(name string) ImageName {
	return memoized(r.parsedNames, name, ParseImageName)
}

// splitAliases returns SplitAliases(alias), computed once for each alias
// value of a Resolve call. Callers only read the result.
func (r *resolver) splitAliases(alias string) []string {
	return memoized(r.customAliases, alias, SplitAliases)
}

// memoized returns the value cache has for key, calling compute and
// storing its result the first time key is asked for.
func memoized[K comparable, V any](cache map[K]V, key K, compute func(K) V) V {
	value, ok := cache[key]
	if !ok {
		value = compute(key)
		cache[key] = value
	}
	return value
}

// memoizedIn is memoized over the inner map of caches for group, which
// it makes on first use.
func memoizedIn[G, K comparable, V any](caches map[G]map[K]V, group G, key K, compute func(K) V) V {
	cache := caches[group]
	if cache == nil {
		cache = make(map[K]V)
		caches[group] = cache
	}
	return memoized(cache, key, compute)
}

// once drops the findings about an invalid pull_policy or
// allowed_pull_policies value in config.toml that were already reported:
// they do not depend on the image.
func (r *resolver) once(found Diagnostics) Diagnostics {
	var out Diagnostics
	for _, d := range found {
		if strings.Contains(d.Message, "unsupported ") {
			key := d.String()
			if r.reported[key] {
				continue
			}
			r.reported[key] = true
		}
		out = append(out, d)
	}
	return out
}

// expandDockerOptions expands the docker: executor options, as the runner
// does for platform and user.
func expandDockerOptions(opts DockerOptions, vars Variables) DockerOptions {
	return DockerOptions{Platform: ExpandValue(opts.Platform, vars), User: ExpandValue(opts.User, vars)}
}

// entrypointDiagnostics warns about a build image entrypoint whose last
// element is -c. The runner passes its shell-detection script as the
// container's command, so "bash -c" runs that script's first word, sh,
// which then reads the job script: the job runs in sh, not in the shell
// named here. A service's entrypoint runs the service's own command, so
// -c is fine there.
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

// appendAt appends findings, placing those without a position at pos and
// those without a location at location.
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
