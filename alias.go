package ciimage

import (
	"fmt"
	"slices"
	"strings"
)

// SplitAliases splits a service's alias value the way the runner does
// (since GitLab Runner 15.8): commas and any Unicode white space separate
// aliases, and empty entries are dropped. Repeated entries are kept, in
// order. For a value without aliases it returns an empty, non-nil slice.
func SplitAliases(alias string) []string {
	return strings.Fields(strings.ReplaceAll(alias, ",", " "))
}

// AliasRequest is one service as input to the runner's alias walk.
type AliasRequest struct {
	// Name is the service image name after variable expansion.
	Name string
	// Alias is the alias value as written, before SplitAliases; "" when
	// the service has none.
	Alias string
}

// AliasAssignment is the result of the runner's alias walk for one
// service. The lists are never nil.
type AliasAssignment struct {
	// Aliases are the host names the service claimed, in walk order:
	// default aliases first, then custom ones.
	Aliases []string
	// Skipped are the entries of the walk list that were already claimed,
	// by an earlier service or earlier in the same list, in walk order with
	// repeats included.
	Skipped []string
	// NetworkAliases is the full walk list, with repeats and skipped
	// entries, that the runner sets as the container's network aliases.
	// It is empty when the service is not started.
	NetworkAliases []string
	// Started reports whether the runner creates the container: it does so
	// at the first alias of the walk list that is still free, and skips the
	// service without an error when no alias is free or the list is empty.
	Started bool
	// InvalidName reports that the name does not match the image reference
	// grammar but a custom alias is free, so the runner tries to create the
	// service and fails the job with "invalid service image name: <name>".
	InvalidName bool
	// Diagnostics are the walk's findings, without Position or Location.
	Diagnostics Diagnostics
}

// AssignAliases reproduces the Docker executor's alias walk over all of a
// job's services, given in the runner's order: the services of config.toml
// first, then the job's. Each service's walk list is its default aliases
// (see DefaultAliases) followed by its custom aliases (see SplitAliases),
// and one set of claimed aliases is shared by the whole job, so the first
// service to reach an alias gets it.
//
// The result has one AliasAssignment per request, in the same order. Each
// entry already claimed produces the runner's warning
// `Skipping alias "<a>" for service "<name>" (services[<i>]): alias is
// already in use by another service.` (the wording of GitLab Runner 19.1
// and later), where i is the index in services. A service that is not
// started gets a warning with the reason, and a service with InvalidName set
// gets the runner's error "invalid service image name: <name>".
//
// The runner stops creating services at the first InvalidName service and
// fails the job. AssignAliases continues the walk for the later services,
// as if that service claimed no alias, so that their findings are reported
// too.
func AssignAliases(services []AliasRequest) []AliasAssignment {
	claimed := make(map[string]bool)
	assignments := make([]AliasAssignment, len(services))
	for index, service := range services {
		parsed := ParseImageName(service.Name)
		custom := SplitAliases(service.Alias)
		assignment := assignService(index, service.Name, parsed, custom, claimed)
		if assignment.Started {
			assignment.NetworkAliases = slices.Concat(parsed.Aliases, custom)
		}
		assignments[index] = assignment
	}
	return assignments
}

// assignService walks one service's alias list, its default aliases
// (parsed is ParseImageName(name)) followed by its custom aliases, and
// records the aliases it claims in claimed. It leaves NetworkAliases
// empty, because the resolver does not use it.
//
// NOTE: the runner also adds each created container's 12-character ID to
// the same set. An alias equal to such an ID would collide, but the IDs are
// random, so the walk here does not model them.
func assignService(index int, name string, parsed ImageName, custom []string, claimed map[string]bool) AliasAssignment {
	assignment := AliasAssignment{
		Aliases:        make([]string, 0, len(parsed.Aliases)+len(custom)),
		Skipped:        []string{},
		NetworkAliases: []string{},
	}
	for _, list := range [...][]string{parsed.Aliases, custom} {
		for _, alias := range list {
			if claimed[alias] {
				assignment.Skipped = append(assignment.Skipped, alias)
				assignment.Diagnostics = append(assignment.Diagnostics, skippedAliasWarning(index, name, alias))
				continue
			}

			if !assignment.Started && !parsed.Valid {
				assignment.InvalidName = true
				assignment.Diagnostics = append(assignment.Diagnostics, nameError(invalidServiceNameMessage(name)))
				return assignment
			}

			assignment.Started = true
			claimed[alias] = true
			assignment.Aliases = append(assignment.Aliases, alias)
		}
	}

	if !assignment.Started {
		walk := slices.Concat(parsed.Aliases, custom)
		assignment.Diagnostics = append(assignment.Diagnostics, notStartedWarning(index, name, walk))
	}
	return assignment
}

// skippedAliasWarning is the runner's warning for an alias that is already
// claimed.
func skippedAliasWarning(index int, name, alias string) Diagnostic {
	return Diagnostic{
		Severity: SeverityWarning,
		Message: fmt.Sprintf(
			"Skipping alias %q for service %q (services[%d]): alias is already in use by another service.",
			alias, name, index),
	}
}

// notStartedWarning explains why the runner silently skips a service:
// either its walk list is empty, because the name does not parse and there
// is no custom alias, or every entry was claimed by earlier services. A
// name that parses always gives at least one default alias.
func notStartedWarning(index int, name string, walk []string) Diagnostic {
	reason := fmt.Sprintf("every alias in its list (%s) is already in use by an earlier service", strings.Join(walk, ", "))
	if len(walk) == 0 {
		reason = "its name is not a valid image reference, so the runner derives no alias from it, and it has no alias of its own"
	}
	return Diagnostic{
		Severity: SeverityWarning,
		Message: fmt.Sprintf(
			"service %q (services[%d]) is not started: %s. The runner reports no error and the job runs without this service.",
			name, index, reason),
	}
}

// maxHostNameLength and maxLabelLength are the RFC 1123 limits on a host
// name and on each dot-separated label of it, in bytes.
const (
	maxHostNameLength = 253
	maxLabelLength    = 63
)

// HostnameDiagnostics returns warnings for an alias of the named service
// that the Docker executor accepts but that is not a valid host name
// elsewhere, or nil for a valid one. custom reports whether the alias comes
// from the service's alias: value rather than from its image name. A
// dotted name such as localhost.localstack.cloud is valid.
//
// An alias that is not an RFC 1123 host name gets a warning that names
// what may reject it: HTTP clients and URI parsers for a character other
// than ASCII letters, digits, "-" and ".", an empty label, or a label that
// starts or ends with "-", and DNS resolvers as well for a label over 63 or
// a name over 253 characters. An alias that is not a Kubernetes DNS-1123
// subdomain (which also forbids uppercase letters) gets a warning about the
// Kubernetes executor: it drops such an alias when it derives it from the
// image name, and fails the job when it is a custom alias. The findings
// have no Position or Location.
func HostnameDiagnostics(alias, service string, custom bool) Diagnostics {
	var reasons []string
	if problem, rejectedBy := hostNameProblem(alias); problem != "" {
		reasons = append(reasons, fmt.Sprintf("it is not a valid RFC 1123 host name (%s), so %s may reject it as a host", problem, rejectedBy))
	}

	if !isDNS1123Subdomain(alias) {
		consequence := "it is not a DNS-1123 subdomain (lowercase letters, digits, \"-\" and \".\"), so the Kubernetes executor silently drops this derived alias"
		if custom {
			consequence = fmt.Sprintf("it is not a DNS-1123 subdomain (lowercase letters, digits, \"-\" and \".\"), so on the Kubernetes executor the job fails with \"provided host alias %s for service %s is invalid DNS\"", alias, service)
		}
		reasons = append(reasons, consequence)
	}

	if len(reasons) == 0 {
		return nil
	}
	return Diagnostics{{
		Severity: SeverityWarning,
		Message:  fmt.Sprintf("alias %q works on the Docker executor, but %s.", alias, strings.Join(reasons, "; and ")),
	}}
}

// hostNameProblem returns why name is not an RFC 1123 host name and which
// software may reject it, or "" twice when it is one. Uppercase letters
// are valid because host names are compared without regard to case.
func hostNameProblem(name string) (problem, rejectedBy string) {
	const parsers = "HTTP clients and URI parsers"
	const resolvers = "DNS resolvers, HTTP clients and URI parsers"

	if name == "" {
		return "it is empty", parsers
	}
	if len(name) > maxHostNameLength {
		return fmt.Sprintf("it is longer than %d characters", maxHostNameLength), resolvers
	}
	if character, ok := firstInvalidHostCharacter(name); ok {
		return fmt.Sprintf("it contains %q", character), parsers
	}

	for label := range strings.SplitSeq(name, ".") {
		switch {
		case label == "":
			return "it has an empty label", parsers
		case len(label) > maxLabelLength:
			return fmt.Sprintf("its label %q is longer than %d characters", label, maxLabelLength), resolvers
		case label[0] == '-' || label[len(label)-1] == '-':
			return fmt.Sprintf("its label %q starts or ends with \"-\"", label), parsers
		}
	}
	return "", ""
}

// firstInvalidHostCharacter returns the first rune of name that is not an
// ASCII letter, digit, "-" or ".".
func firstInvalidHostCharacter(name string) (rune, bool) {
	for _, character := range name {
		if !isLowerAlphanumeric(character) && !(character >= 'A' && character <= 'Z') && character != '-' && character != '.' {
			return character, true
		}
	}
	return 0, false
}

// isDNS1123Subdomain reports whether name passes Kubernetes'
// IsDNS1123Subdomain: at most 253 characters, and dot-separated labels of
// lowercase ASCII letters, digits and "-" that start and end with a letter
// or digit. Unlike RFC 1123 it sets no limit on the length of one label.
func isDNS1123Subdomain(name string) bool {
	if name == "" || len(name) > maxHostNameLength {
		return false
	}

	for label := range strings.SplitSeq(name, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, character := range label {
			if !isLowerAlphanumeric(character) && character != '-' {
				return false
			}
		}
	}
	return true
}

func isLowerAlphanumeric(character rune) bool {
	return (character >= 'a' && character <= 'z') || (character >= '0' && character <= '9')
}
