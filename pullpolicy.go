package ciimage

import (
	"fmt"
	"slices"
	"strings"
)

// The pull policies of the Docker executor.
const (
	PullPolicyAlways       = "always"
	PullPolicyIfNotPresent = "if-not-present"
	PullPolicyNever        = "never"
)

// Where a requested pull policy list came from, in the runner's words.
const (
	PullPolicySourcePipeline      = "GitLab pipeline config"
	PullPolicySourceRunner        = "Runner config"
	PullPolicySourceRunnerDefault = "Runner config (default)"
)

// defaultPullPolicies is the runner's pull_policy when config.toml sets none.
var defaultPullPolicies = []string{PullPolicyAlways}

// IsValidPullPolicy reports whether the Docker executor supports policy.
func IsValidPullPolicy(policy string) bool {
	return policy == PullPolicyAlways || policy == PullPolicyIfNotPresent || policy == PullPolicyNever
}

// PullPolicies returns the runner's pull_policy, or [always] when it is
// unset. An unknown value is an error diagnostic with the runner's message
// unsupported pull_policy config: "x", and the list is nil then.
func (r *Runner) PullPolicies() ([]string, Diagnostics) {
	policies, diagnostics := r.pullPolicies()
	return slices.Clone(policies), diagnostics
}

// pullPolicies is PullPolicies without the copy. It returns the runner's
// own list or defaultPullPolicies, so callers only read the result.
func (r *Runner) pullPolicies() ([]string, Diagnostics) {
	if len(r.Docker.PullPolicy) == 0 {
		return defaultPullPolicies, nil
	}
	for i, policy := range r.Docker.PullPolicy {
		if !IsValidPullPolicy(policy) {
			message := fmt.Sprintf("unsupported pull_policy config: %q", policy)
			keyPath := fmt.Sprintf("docker.pull_policy[%d]", i)
			return nil, Diagnostics{r.settingFinding(keyPath, ErrInvalidConfig, message)}
		}
	}
	return r.Docker.PullPolicy, nil
}

// AllowedPullPolicies returns the runner's allowed_pull_policies, or its
// pull_policy list (default [always]) when allowed_pull_policies is unset.
// An unknown value is an error diagnostic with the runner's message, and
// the list is nil then.
func (r *Runner) AllowedPullPolicies() ([]string, Diagnostics) {
	allowed, diagnostics := r.allowedPullPolicies()
	return slices.Clone(allowed), diagnostics
}

// allowedPullPolicies is AllowedPullPolicies without the copy, for
// callers that only read the list.
func (r *Runner) allowedPullPolicies() ([]string, Diagnostics) {
	if len(r.Docker.AllowedPullPolicies) == 0 {
		return r.pullPolicies()
	}
	for i, policy := range r.Docker.AllowedPullPolicies {
		if !IsValidPullPolicy(policy) {
			message := fmt.Sprintf("unsupported allowed_pull_policies config: %q", policy)
			keyPath := fmt.Sprintf("docker.allowed_pull_policies[%d]", i)
			return nil, Diagnostics{r.settingFinding(keyPath, ErrInvalidConfig, message)}
		}
	}
	return r.Docker.AllowedPullPolicies, nil
}

// EffectivePullPolicy returns the pull policies the runner tries, in
// order, for image. requested is the job's pull_policy for the image or
// service, and nil for config.toml services, which have none. The
// requested list is requested when non-empty, else the runner's
// pull_policy. It is filtered to the allowed list in requested order.
//
// When nothing is left the result is nil with an error diagnostic of kind
// ErrPullPolicy in the runner's words:
//
//	invalid pull policy for image "img": pull_policy ([a b]) defined in SRC is not one of the allowed_pull_policies ([c])
//
// The runner does not validate the job's values, so an unknown job value
// is simply never allowed. On DefaultRunner the findings are warnings.
func (r *Runner) EffectivePullPolicy(image string, requested []string) ([]string, Diagnostics) {
	policies := requested
	if len(policies) == 0 {
		configured, diagnostics := r.pullPolicies()
		if diagnostics != nil {
			return nil, diagnostics
		}
		policies = configured
	}

	allowed, diagnostics := r.allowedPullPolicies()
	if diagnostics != nil {
		return nil, diagnostics
	}

	var effective []string
	for _, policy := range policies {
		if slices.Contains(allowed, policy) {
			effective = append(effective, policy)
		}
	}
	if len(effective) > 0 {
		return effective, nil
	}

	message := fmt.Sprintf(
		"invalid pull policy for image %q: pull_policy (%s) defined in %s is not one of the allowed_pull_policies (%s)",
		image, formatList(policies), r.pullPolicySource(requested), formatList(allowed))
	return nil, Diagnostics{r.settingFinding(r.pullPolicyKeyPath(), ErrPullPolicy, message)}
}

// pullPolicySource names where the requested list came from.
func (r *Runner) pullPolicySource(requested []string) string {
	switch {
	case len(requested) > 0:
		return PullPolicySourcePipeline
	case len(r.Docker.PullPolicy) > 0:
		return PullPolicySourceRunner
	default:
		return PullPolicySourceRunnerDefault
	}
}

// pullPolicyKeyPath returns the config.toml setting that rejected the
// request: allowed_pull_policies, else pull_policy, whose value is the
// default of allowed_pull_policies.
func (r *Runner) pullPolicyKeyPath() string {
	if len(r.Docker.AllowedPullPolicies) > 0 {
		return "docker.allowed_pull_policies"
	}
	if len(r.Docker.PullPolicy) > 0 {
		return "docker.pull_policy"
	}
	return "docker"
}

// formatList formats a list as Go's %v does: [a b].
func formatList(values []string) string {
	return "[" + strings.Join(values, " ") + "]"
}
