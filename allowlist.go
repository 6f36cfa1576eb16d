package ciimage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// AllowList names the runner allow-list that a check uses, in the runner's
// words for it.
type AllowList string

// The allow-lists of [runners.docker].
const (
	// AllowedImages is allowed_images, checked for the job's image.
	AllowedImages AllowList = "images"
	// AllowedServices is allowed_services, checked for the job's services.
	AllowedServices AllowList = "services"
)

// DisallowedImageError is the runner's rejection of an image or service
// that no allow-list pattern matches. It wraps ErrDisallowedImage.
type DisallowedImageError struct {
	// Image is the name that was checked, after variable expansion.
	Image    string
	List     AllowList
	Patterns []string
	// Hints explain, for patterns that almost match, why they do not.
	Hints []string
}

// Error returns the runner's log text with the patterns on one line,
// followed by the hints.
func (e *DisallowedImageError) Error() string {
	message := fmt.Sprintf("The %q image is not present on list of allowed %s: %s",
		e.Image, e.List, strings.Join(e.Patterns, ", "))
	for _, hint := range e.Hints {
		message += "; " + hint
	}
	return message
}

// Unwrap returns ErrDisallowedImage.
func (e *DisallowedImageError) Unwrap() error { return ErrDisallowedImage }

// MatchAllowListPattern reports whether name matches one allow-list
// pattern as the runner matches it: doublestar.Match with / as separator,
// case-sensitive, on the name as written. A pattern with a syntax error
// matches nothing.
func MatchAllowListPattern(pattern, name string) bool {
	ok, err := doublestar.Match(pattern, name)
	return ok && err == nil
}

// VerifyAllowedImage checks an expanded image or service name against an
// allow-list the way the runner does. An empty list allows every name. A
// name equal to one of internal, the runner's own expanded config.toml
// image or service names, is always allowed. A rejection is a
// *DisallowedImageError.
func VerifyAllowedImage(name string, list AllowList, patterns, internal []string) error {
	if len(patterns) == 0 || slices.Contains(internal, name) {
		return nil
	}
	for _, pattern := range patterns {
		if MatchAllowListPattern(pattern, name) {
			return nil
		}
	}

	var hints []string
	for _, pattern := range patterns {
		if hint := nearMissHint(pattern, name); hint != "" {
			hints = append(hints, hint)
		}
	}
	return &DisallowedImageError{Image: name, List: list, Patterns: slices.Clone(patterns), Hints: hints}
}

// nearMissHint explains why pattern misses name when a small difference is
// the cause, or returns "".
func nearMissHint(pattern, name string) string {
	switch {
	case MatchAllowListPattern(strings.ToLower(pattern), strings.ToLower(name)):
		return fmt.Sprintf("%q does not match %q because matching is case-sensitive", pattern, name)

	case !hasTagOrDigest(name) && MatchAllowListPattern(pattern, name+":latest"):
		return fmt.Sprintf("%q does not match %q, which has no tag: the runner does not add :latest before matching, so write the tag or add the pattern %q",
			pattern, name, name)

	case crossesSlash(pattern, name):
		return fmt.Sprintf("%q does not match %q because * does not match /; use **/ for any number of path components",
			pattern, name)

	case matchesWithRegistryPrefix(pattern, name):
		return fmt.Sprintf("%q does not match %q because the runner compares names as written, without adding or removing docker.io/ or library/",
			pattern, name)
	}
	return ""
}

// hasTagOrDigest reports whether an image name has a tag after its last /
// or a digest.
func hasTagOrDigest(name string) bool {
	if strings.Contains(name, "@") {
		return true
	}
	return strings.Contains(name[strings.LastIndexByte(name, '/')+1:], ":")
}

// registryPrefixes are the prefixes Docker Hub names may be written with.
var registryPrefixes = []string{"docker.io/library/", "docker.io/", "library/", "index.docker.io/library/", "index.docker.io/"}

// matchesWithRegistryPrefix reports whether pattern would match name with
// a Docker Hub prefix added or removed.
func matchesWithRegistryPrefix(pattern, name string) bool {
	for _, prefix := range registryPrefixes {
		if MatchAllowListPattern(pattern, prefix+name) {
			return true
		}
		if trimmed, ok := strings.CutPrefix(name, prefix); ok && MatchAllowListPattern(pattern, trimmed) {
			return true
		}
	}
	return false
}

// crossesSlash reports whether pattern would match name if * also matched
// /. Both sides replace / with a byte that neither contains.
func crossesSlash(pattern, name string) bool {
	if !strings.Contains(name, "/") || !strings.Contains(pattern, "*") {
		return false
	}
	const stand = "\x00"
	if strings.Contains(pattern, stand) || strings.Contains(name, stand) {
		return false
	}
	return MatchAllowListPattern(strings.ReplaceAll(pattern, "/", stand), strings.ReplaceAll(name, "/", stand))
}

// InternalImage returns the runner's config.toml image expanded with the
// job's variables. The runner always allows it as the job image.
func (r *Runner) InternalImage(vars Variables) string {
	return ExpandValue(r.Docker.Image, vars)
}

// InternalServiceNames returns the runner's config.toml service names
// expanded with the job's variables. The runner always allows a job
// service with one of these names.
func (r *Runner) InternalServiceNames(vars Variables) []string {
	names := make([]string, 0, len(r.Docker.Services))
	for _, service := range r.Docker.Services {
		names = append(names, ExpandValue(service.Name, vars))
	}
	return names
}

// CheckImage checks the job's image name, already expanded, against
// allowed_images. It returns one diagnostic of kind ErrDisallowedImage
// when the runner rejects the image, or none.
func (r *Runner) CheckImage(image string, vars Variables) Diagnostics {
	internal := []string{r.InternalImage(vars)}
	return r.checkAllowList(image, AllowedImages, r.Docker.AllowedImages, internal, "docker.allowed_images")
}

// CheckService checks one job service name, already expanded, against
// allowed_services. Services from config.toml are not checked. It returns
// one diagnostic of kind ErrDisallowedImage when the runner rejects the
// service, or none.
func (r *Runner) CheckService(name string, vars Variables) Diagnostics {
	internal := r.InternalServiceNames(vars)
	return r.checkAllowList(name, AllowedServices, r.Docker.AllowedServices, internal, "docker.allowed_services")
}

func (r *Runner) checkAllowList(name string, list AllowList, patterns, internal []string, keyPath string) Diagnostics {
	err := VerifyAllowedImage(name, list, patterns, internal)
	if err == nil {
		return nil
	}
	return Diagnostics{r.settingFinding(keyPath, ErrDisallowedImage, err.Error())}
}

// BuildUser returns the user the runner starts the build container as:
// config.toml's user when it is set, else jobUser, the job image's
// docker.user after expansion. An empty user means the image's default.
// The runner checks only the build container's user, so services keep
// their own docker.user. BuildUser returns a warning when config.toml's
// user replaces a different jobUser, and an error when the runner rejects
// the user: allowed_users does not list it or, without allowed_users, it
// is not config.toml's user.
func (r *Runner) BuildUser(jobUser string) (string, Diagnostics) {
	user := r.Docker.User
	var found Diagnostics
	if user == "" {
		user = jobUser
	} else if jobUser != "" && jobUser != user {
		found = append(found, Diagnostic{
			Severity: SeverityWarning,
			Kind:     ErrInvalidConfig,
			Message:  fmt.Sprintf("docker.user %q is not used: the runner's config.toml user %q takes precedence", jobUser, user),
		})
	}

	if r.userAllowed(user) {
		return user, found
	}
	keyPath := "docker.allowed_users"
	if len(r.Docker.AllowedUsers) == 0 {
		keyPath = "docker.user"
	}
	// The runner prints the allowed_users list with Go's %v, so an unset
	// list reads [].
	message := fmt.Sprintf("user %q is not an allowed user: %v", user, r.Docker.AllowedUsers)
	return user, append(found, r.settingFinding(keyPath, ErrInvalidConfig, message))
}

// userAllowed reports whether the runner lets the build container run as
// user, as its DockerConfig.IsUserAllowed decides.
func (r *Runner) userAllowed(user string) bool {
	switch {
	case user == "":
		// The image's default user is always allowed.
		return true
	case len(r.Docker.AllowedUsers) > 0:
		return slices.Contains(r.Docker.AllowedUsers, user)
	case r.Docker.User != "":
		// Without allowed_users, only config.toml's own user is allowed.
		return user == r.Docker.User
	}
	return true
}

// CheckServicesLimit compares the number of services the runner would
// start, its config.toml services plus jobServices, with services_limit.
// An unset or negative limit allows any number.
func (r *Runner) CheckServicesLimit(jobServices int) Diagnostics {
	limit := r.Docker.ServicesLimit
	if limit == nil || *limit < 0 {
		return nil
	}

	requested := len(r.Docker.Services) + jobServices
	if requested <= *limit {
		return nil
	}
	message := fmt.Sprintf("too many services requested: %d, only %d allowed", requested, *limit)
	return Diagnostics{r.settingFinding("docker.services_limit", ErrInvalidConfig, message)}
}
