package ciimage

import (
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Image is a job's image entry after GitLab's validation: the string form
// and the map form give the same value.
type Image struct {
	// Name is the image name as written, before variable expansion.
	Name string
	// Entrypoint is nil when not set; an empty slice and [""] are kept as
	// they are, because the runner treats them differently.
	Entrypoint []string
	// PullPolicy is nil when not set. GitLab neither removes repeats nor
	// reorders.
	PullPolicy []string
	Docker     DockerOptions
	Kubernetes KubernetesOptions
	// Pos is the position of the entry, and Location its GitLab key path,
	// such as jobs:test:image.
	Pos      Position
	Location string
}

// DockerOptions are the docker: executor options of an image or service.
type DockerOptions struct {
	Platform string `json:"platform"`
	User     string `json:"user"`
}

// KubernetesOptions are the kubernetes: executor options of an image or
// service.
type KubernetesOptions struct {
	User string `json:"user"`
}

// imageKeys are the keys GitLab accepts in an image map. ports is listed
// because GitLab rejects it with its own "disallowed keys" message, not as
// an unknown key.
var imageKeys = keySet("name", "entrypoint", "ports", "pull_policy", "docker", "kubernetes")

// pullPolicies are the values GitLab accepts in pull_policy, compared with
// case.
var pullPolicies = keySet("always", "never", "if-not-present")

// decodeImage validates an image entry as GitLab's Image entry does and
// returns its value, or nil when the entry is invalid. location is
// GitLab's key path of the entry, such as jobs:test:image.
func (v *validator) decodeImage(n *yaml.Node, location string) *Image {
	before := len(v.diags)
	img := &Image{}
	v.decodeImageable(n, location, imageKeys, img)
	if len(v.diags) > before {
		return nil
	}

	img.PullPolicy = v.decodePullPolicy(n, location)
	if len(v.diags) > before {
		return nil
	}
	return img
}

// decodeImageable runs the validations that images and services share, in
// GitLab's order, and then the unknown-key check with allowed. It stores
// the value in img, which must be zero, even when a check failed, so that
// services can run their own checks after it. The pull_policy entry is a
// child entry, checked only when every other check passed.
func (v *validator) decodeImageable(n *yaml.Node, location string, allowed map[string]bool, img *Image) {
	n = deref(n)
	img.Pos = v.doc.Position(n)
	img.Location = location

	switch {
	case isString(n):
		img.Name = n.Value
		if isBlank(img.Name) {
			v.gitlabError(n, location, "name can't be blank")
		}
		return
	case !isMapping(n):
		// GitLab keeps validating after the type check: name is then nil,
		// which fails both name checks.
		v.gitlabError(n, location, "config should be a hash or a string")
		v.gitlabError(n, location, "name should be a string")
		v.gitlabError(n, location, "name can't be blank")
		return
	}

	if hasKey(n, "ports") {
		v.gitlabError(n, location, "config contains disallowed keys: ports")
	}

	name := lookup(n, "name")
	if isString(name) {
		img.Name = name.Value
	} else {
		v.gitlabError(n, location, "name should be a string")
	}
	if name == nil || isNull(name) || (isString(name) && isBlank(name.Value)) {
		v.gitlabError(n, location, "name can't be blank")
	}

	if entrypoint := lookup(n, "entrypoint"); !isNull(entrypoint) {
		list, ok := stringList(entrypoint)
		if ok {
			img.Entrypoint = list
		} else {
			v.gitlabError(entrypoint, location, "entrypoint should be an array of strings")
		}
	}

	v.decodeExecutorOptions(n, location, img)

	if unknown := unknownKeys(n, allowed); len(unknown) > 0 {
		v.gitlabError(n, location, "config contains unknown keys: %s", strings.Join(unknown, ", "))
	}
}

// decodePullPolicy validates a pull_policy child entry as GitLab's
// PullPolicy entry does. It returns nil for an absent or null entry.
func (v *validator) decodePullPolicy(parent *yaml.Node, location string) []string {
	n := lookup(parent, "pull_policy")
	if isNull(n) {
		return nil
	}
	location = joinLocation(location, "pull_policy")

	if isString(n) {
		if !pullPolicies[n.Value] {
			v.gitlabError(n, location, "config is not included in the list")
			return nil
		}
		return []string{n.Value}
	}

	if !isSequence(n) {
		v.gitlabError(n, location, "config should be an array of strings or a string")
		return nil
	}
	items := deref(n).Content
	values := make([]string, 0, len(items))
	var unknown []string
	typeError := false
	for _, item := range items {
		item = deref(item)
		if !isString(item) {
			typeError = true
		}
		if !isString(item) || !pullPolicies[item.Value] {
			unknown = append(unknown, scalarText(item))
			continue
		}
		values = append(values, item.Value)
	}
	if typeError {
		v.gitlabError(n, location, "config should be an array of strings or a string")
	}
	if len(unknown) > 0 {
		v.gitlabError(n, location, "config contains unknown values: %s", strings.Join(unknown, ", "))
	}
	if len(items) == 0 {
		v.gitlabError(n, location, "config can't be blank")
	}
	if typeError || len(unknown) > 0 || len(items) == 0 {
		return nil
	}
	return values
}

// scalarText returns how Ruby prints a value in a list of unknown values:
// the scalar's string, or a short form for a collection.
func scalarText(n *yaml.Node) string {
	switch {
	case n == nil:
		return ""
	case n.Kind == yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return ""
		}
		return scalarString(n)
	case n.Kind == yaml.SequenceNode:
		return "[...]"
	default:
		return "{...}"
	}
}

// decodeExecutorOptions checks the docker: and kubernetes: keys against
// GitLab's executor options schema and stores the values in img. The
// messages follow json_schemer's wording, prefixed with "executor opts".
func (v *validator) decodeExecutorOptions(n *yaml.Node, location string, img *Image) {
	if docker := lookup(n, "docker"); !isNull(docker) {
		if !isMapping(docker) {
			v.gitlabError(docker, location, "executor opts value at `/docker` is not an object")
		} else {
			for _, p := range pairs(docker) {
				switch p.Key.Value {
				case "platform":
					img.Docker.Platform = v.schemaString(p.Value, location, "/docker/platform", 64)
				case "user":
					img.Docker.User = v.schemaString(p.Value, location, "/docker/user", 255)
				default:
					v.gitlabError(p.Key, location, "executor opts object property at `/docker/%s` is a disallowed additional property", p.Key.Value)
				}
			}
		}
	}

	if kubernetes := lookup(n, "kubernetes"); !isNull(kubernetes) {
		if !isMapping(kubernetes) {
			v.gitlabError(kubernetes, location, "executor opts value at `/kubernetes` is not an object")
			return
		}
		for _, p := range pairs(kubernetes) {
			if p.Key.Value != "user" {
				v.gitlabError(p.Key, location, "executor opts object property at `/kubernetes/%s` is a disallowed additional property", p.Key.Value)
				continue
			}
			if p.Value.Kind == yaml.ScalarNode && p.Value.ShortTag() == "!!int" {
				img.Kubernetes.User = scalarString(p.Value)
				continue
			}
			if !isString(p.Value) {
				v.gitlabError(p.Value, location, "executor opts value at `/kubernetes/user` is not one of the types: [\"string\", \"integer\"]")
				continue
			}
			img.Kubernetes.User = v.schemaString(p.Value, location, "/kubernetes/user", 255)
		}
	}
}

// schemaString checks a string property of the executor options schema:
// a string of 1 to maxLength characters.
// NOTE: GitLab's specs confirm only the "is not a string" and "disallowed
// additional property" texts; the length messages follow json_schemer 2.
func (v *validator) schemaString(n *yaml.Node, location, pointer string, maxLength int) string {
	if !isString(n) {
		v.gitlabError(n, location, "executor opts value at `%s` is not a string", pointer)
		return ""
	}
	length := utf8.RuneCountInString(n.Value)
	switch {
	case length < 1:
		v.gitlabError(n, location, "executor opts string length at `%s` is less than: 1", pointer)
	case length > maxLength:
		v.gitlabError(n, location, "executor opts string length at `%s` is greater than: %d", pointer, maxLength)
	}
	return n.Value
}
