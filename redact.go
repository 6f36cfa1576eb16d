package ciimage

import (
	"sort"
	"strings"
)

// maskedText replaces a secret value in plan output, as GitLab masks a
// masked variable in job logs.
const maskedText = "[MASKED]"

// secretVariables are the variables whose values are credentials even
// when they are not marked masked: the runner passes DOCKER_AUTH_CONFIG
// from its environment to service containers, and GitLab sets the tokens.
var secretVariables = keySet(
	"DOCKER_AUTH_CONFIG", "CI_REGISTRY_PASSWORD", "CI_JOB_TOKEN", "CI_BUILD_TOKEN",
	"CI_DEPENDENCY_PROXY_PASSWORD", "CI_DEPLOY_PASSWORD",
)

// minSecretLength is the length below which a masked variable's value is
// not masked inside other text, because short values such as "1" or
// "true" would mask unrelated text. GitLab requires masked values of at
// least 8 characters.
const minSecretLength = 8

// minCredentialLength is the same for the variables in secretVariables,
// lower because a leaked credential costs more than a masked word.
const minCredentialLength = 4

// masker replaces secret values in text.
type masker struct {
	// secrets are the values masked wherever they occur, longest first.
	secrets []string
	// short are the values under the minimum length for substrings, masked
	// only where they are the whole text, as in BAR: $CI_JOB_TOKEN.
	short map[string]bool
}

// newMasker collects the values of masked and secret variables, longest
// first, so that a secret that contains another is masked whole.
func newMasker(vars Variables) masker {
	var m masker
	seen := make(map[string]bool)
	for _, v := range vars {
		if (!v.Masked && !secretVariables[v.Key]) || v.Value == "" || seen[v.Value] {
			continue
		}
		seen[v.Value] = true
		minLength := minSecretLength
		if secretVariables[v.Key] {
			minLength = minCredentialLength
		}
		if len(v.Value) < minLength {
			if m.short == nil {
				m.short = make(map[string]bool)
			}
			m.short[v.Value] = true
			continue
		}
		m.secrets = append(m.secrets, v.Value)
	}
	sort.Slice(m.secrets, func(i, j int) bool { return len(m.secrets[i]) > len(m.secrets[j]) })
	return m
}

// empty reports whether m masks nothing.
func (m masker) empty() bool { return len(m.secrets) == 0 && len(m.short) == 0 }

// mask returns s with every secret value replaced by [MASKED].
func (m masker) mask(s string) string {
	if m.short[s] {
		return maskedText
	}
	for _, secret := range m.secrets {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, maskedText)
		}
	}
	return s
}

// maskMap masks the values of m in place.
func (m masker) maskMap(values map[string]string) {
	for k, v := range values {
		values[k] = m.mask(v)
	}
}

// maskPlan masks the secret values in a job's plan: names and the
// findings' messages. The services' variable maps are masked when they
// are built, by derivedFromVariables.serviceMaps, because services and
// jobs share them.
func (m masker) maskPlan(jp *JobPlan) {
	if m.empty() {
		return
	}
	if jp.Image != nil {
		jp.Image.Name = m.mask(jp.Image.Name)
	}
	for i := range jp.Services {
		svc := &jp.Services[i]
		svc.Name = m.mask(svc.Name)
		svc.Image = m.mask(svc.Image)
	}
	for i := range jp.Diagnostics {
		jp.Diagnostics[i].Message = m.mask(jp.Diagnostics[i].Message)
	}
}
