// Package conformance compares ciimage's image name parsing with GitLab
// Runner's own SplitNameAndVersion, imported from the runner's published
// Go module. Its tests run both on the image and service names of real
// pipelines, on a generated set of valid and invalid names, and on fuzzed
// strings.
//
// It is a separate Go module so that the root module does not depend on
// GitLab Runner.
package conformance

import (
	"slices"
	"strings"

	"github.com/ciimage/ciimage"
	"gitlab.com/gitlab-org/gitlab-runner/helpers/container/services"
)

// Result is the service, version, pulled reference and default aliases
// that one implementation derives from an image name, in the runner's
// terms. ImageName is the reference the runner pulls for a service, which
// ciimage calls Pulled.
type Result struct {
	Service   string
	Version   string
	ImageName string
	Aliases   []string
	// DigestDropped reports that the name has a digest that the runner
	// does not pull. The runner has no such field, so RunnerResult derives
	// it: the name parses, contains "@", and ImageName differs from it.
	DigestDropped bool
}

// Equal reports whether r and other have the same fields. A nil and an
// empty Aliases list are equal.
func (r Result) Equal(other Result) bool {
	return r.Service == other.Service &&
		r.Version == other.Version &&
		r.ImageName == other.ImageName &&
		r.DigestDropped == other.DigestDropped &&
		slices.Equal(r.Aliases, other.Aliases)
}

// RunnerResult returns what GitLab Runner's SplitNameAndVersion derives
// from name.
func RunnerResult(name string) Result {
	service := services.SplitNameAndVersion(name)
	return Result{
		Service:   service.Service,
		Version:   service.Version,
		ImageName: service.ImageName,
		Aliases:   service.Aliases,
		DigestDropped: len(service.Aliases) > 0 &&
			strings.Contains(name, "@") &&
			service.ImageName != name,
	}
}

// CiimageResult returns what ciimage.ParseImageName derives from name.
func CiimageResult(name string) Result {
	parsed := ciimage.ParseImageName(name)
	return Result{
		Service:       parsed.Service,
		Version:       parsed.Version,
		ImageName:     parsed.Pulled,
		Aliases:       parsed.Aliases,
		DigestDropped: parsed.DigestDropped,
	}
}

// Disagreement is one name on which the two implementations differ.
type Disagreement struct {
	Name    string
	Runner  Result
	Ciimage Result
	// Reason names the first check that failed.
	Reason string
}

// Compare returns the disagreement on name, or false when ciimage agrees
// with the runner. ciimage agrees when ParseImageName gives the runner's
// Service, Version, ImageName, Aliases and dropped digest, Valid is true
// exactly when the runner derives aliases, Input is name, and
// DefaultAliases returns the same aliases as ParseImageName.
func Compare(name string) (Disagreement, bool) {
	runner := RunnerResult(name)
	parsed := ciimage.ParseImageName(name)
	own := CiimageResult(name)

	var reason string
	switch {
	case !runner.Equal(own):
		reason = "ParseImageName differs from SplitNameAndVersion"
	case parsed.Valid != (len(runner.Aliases) > 0):
		reason = "ParseImageName.Valid differs from whether the runner derives aliases"
	case parsed.Input != name:
		reason = "ParseImageName.Input differs from the name"
	case !slices.Equal(ciimage.DefaultAliases(name), parsed.Aliases):
		reason = "DefaultAliases differs from ParseImageName.Aliases"
	default:
		return Disagreement{}, false
	}
	return Disagreement{Name: name, Runner: runner, Ciimage: own, Reason: reason}, true
}
