package ciimage

import (
	"context"
	"strings"
)

// registryAuth returns the credential table for a job. Jobs whose
// DOCKER_AUTH_CONFIG and payload credentials are the same share one
// table, so its findings are reported once, at the plan level.
func (r *resolver) registryAuth(ctx context.Context, job *Job, vars Variables) (*RegistryAuth, error) {
	credentials := job.Credentials
	derived := r.derivedFrom(vars)
	if credentials == nil && derived.auth != nil {
		return derived.auth, nil
	}
	if credentials == nil {
		credentials = JobPayloadCredentials(vars)
	}

	key := cacheKey(vars.Get("DOCKER_AUTH_CONFIG"), credentials)
	if auth, ok := r.auth[key]; ok {
		if job.Credentials == nil {
			derived.auth = auth
		}
		return auth, nil
	}

	auth, found, err := ResolveRegistryAuth(ctx, AuthOptions{
		Variables:   vars,
		Home:        r.opts.Home,
		HomeFS:      r.opts.HomeFS,
		Credentials: credentials,
		Helpers:     r.opts.Helpers,
	})
	if err != nil {
		return nil, err
	}
	r.auth[key] = auth
	if job.Credentials == nil {
		derived.auth = auth
	}
	r.authDiags = append(r.authDiags, found...)
	return auth, nil
}

// cacheKey identifies a credential table by what it is built from. The
// key holds secret values and never leaves the resolver.
func cacheKey(dockerAuthConfig string, credentials []RegistryCredential) string {
	var b strings.Builder
	b.WriteString(dockerAuthConfig)
	for _, c := range credentials {
		b.WriteString("\x00" + c.Type + "\x00" + c.URL + "\x00" + c.Username + "\x00" + c.Password.Reveal())
	}
	return b.String()
}

// credentials looks up the credentials that pull image, and explains a
// miss when some registry is configured. The result for an image is
// computed once per credential table.
func (r *resolver) credentials(auth *RegistryAuth, image string, t target, diags Diagnostics) (*Credentials, Diagnostics) {
	if auth == nil {
		return nil, diags
	}
	explanation := memoizedIn(r.lookups, auth, image, auth.Explain)

	if explanation.Credentials != nil {
		found := *explanation.Credentials
		return &found, diags
	}
	return nil, appendAt(diags, explanation.Reasons, t.pos, t.location)
}
