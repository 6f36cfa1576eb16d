package ciimage

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// defaults are the image and services a job inherits when it does not set
// its own: default:'s, or the deprecated top-level keys that flow into it.
type defaults struct {
	image    *Image
	services []Service
	// servicesSet is true when default: sets services, even to an empty
	// list.
	servicesSet bool
}

// decodeDefaults reads the default: entry and the top-level image: and
// services:. GitLab copies each top-level key into default: when default:
// does not set it, and raises an error when both set it. GitLab validates
// default: before the top-level keys, so its findings come first.
func (v *validator) decodeDefaults(root *yaml.Node) defaults {
	var d defaults
	topImage, topServices := lookup(root, "image"), lookup(root, "services")

	var defaultImage, defaultServices *yaml.Node
	entry := lookup(root, "default")
	if matchesJobType(entry) {
		// GitLab takes a default: with script:, run: or trigger: as a job
		// named default, so there are no defaults.
		entry = nil
	}
	switch {
	case isNull(entry):
	case !isMapping(entry):
		v.gitlabError(entry, "default", "config should be a hash")
	default:
		if unknown := unknownKeys(entry, defaultKeys); len(unknown) > 0 {
			// An invalid default: entry is not composed, so none of its
			// own keys reach the jobs, but the top-level keys still do.
			v.gitlabError(entry, "default", "config contains unknown keys: %s", strings.Join(unknown, ", "))
			break
		}
		defaultImage, defaultServices = lookup(entry, "image"), lookup(entry, "services")
	}

	if !isNull(defaultImage) {
		d.image = v.decodeImage(defaultImage, "default:image")
	}
	if !isNull(defaultServices) {
		d.services = v.decodeServices(defaultServices, "default:services")
		d.servicesSet = d.services != nil
	}
	if !isNull(defaultImage) && !isNull(topImage) {
		v.clash(topImage, "image")
	}
	if !isNull(defaultServices) && !isNull(topServices) {
		v.clash(topServices, "services")
	}

	if !isNull(topImage) {
		image := v.decodeImage(topImage, "image")
		if isNull(defaultImage) {
			d.image = image
		}
	}
	if !isNull(topServices) {
		services := v.decodeServices(topServices, "services")
		if isNull(defaultServices) {
			d.services = services
			d.servicesSet = services != nil
		}
	}
	return d
}

// clash reports a key set both at the top level and in default:. GitLab
// raises this as the pipeline's only error; ciimage reports it and goes
// on with default:'s value.
func (v *validator) clash(n *yaml.Node, key string) {
	v.add(SeverityError, ErrInvalidConfig, n, key, "%s is defined in top-level and `default:` entry", key)
}

// inheritance is a job's inherit:default or inherit:variables setting:
// everything, nothing, or the listed keys.
type inheritance struct {
	all  bool
	keys map[string]bool
}

// includes reports whether key is inherited.
func (in inheritance) includes(key string) bool { return in.all || in.keys[key] }

// inheritAll is the setting when inherit: does not say otherwise.
var inheritAll = inheritance{all: true}

// readJob reads the image, services and variables of a job that runs on a
// runner, applying default: and inherit: as GitLab's Processable entry
// does: a job entry that is absent or null takes default:'s whole entry,
// and anything else replaces it.
func readJob(doc *Document, job *Job, n *yaml.Node, d defaults, top Variables) {
	v := &validator{doc: doc}
	defer func() { job.Diagnostics = append(job.Diagnostics, v.diags...) }()

	if unknown := unknownKeys(n, jobKeys); len(unknown) > 0 {
		// GitLab does not compose the entries of an invalid job, so its
		// image and services are neither checked nor used.
		v.gitlabError(n, job.Location, "config contains unknown keys: %s", strings.Join(unknown, ", "))
		job.Invalid = true
		return
	}

	// Each key path is built only for a key that is set, because most jobs
	// leave some of them out.
	inheritDefault, inheritVariables := inheritAll, inheritAll
	if inherit := lookup(n, "inherit"); !isNull(inherit) {
		inheritDefault, inheritVariables = v.decodeInherit(inherit, joinLocation(job.Location, "inherit"))
	}

	if image := lookup(n, "image"); !isNull(image) {
		job.Image = v.decodeImage(image, joinLocation(job.Location, "image"))
		job.ImageSource = SourceJob
	} else if d.image != nil && inheritDefault.includes("image") {
		job.Image = d.image
		job.ImageSource = SourceDefault
	}

	job.Services = []Service{}
	if services := lookup(n, "services"); !isNull(services) {
		if list := v.decodeServices(services, joinLocation(job.Location, "services")); list != nil {
			job.Services = list
		}
		job.ServicesSource = SourceJob
	} else if d.servicesSet && inheritDefault.includes("services") {
		job.Services = d.services
		job.ServicesSource = SourceDefault
	}

	job.Variables = inheritedVariables(top, inheritVariables)
	if variables := lookup(n, "variables"); !isNull(variables) {
		if own := v.decodeVariables(variables, joinLocation(job.Location, "variables"), true); len(own) > 0 {
			job.Variables = append(job.Variables, own...)
		}
	}
	if job.Variables == nil {
		job.Variables = Variables{}
	}
}

// inheritedVariables returns the top-level variables a job inherits. A job
// that inherits all of them shares top, clipped so that appending copies,
// which lets the resolver expand them once for all such jobs.
func inheritedVariables(top Variables, in inheritance) Variables {
	if in.all {
		return slices.Clip(top)
	}
	out := Variables{}
	for _, variable := range top {
		if in.includes(variable.Key) {
			out = append(out, variable)
		}
	}
	return out
}

// decodeInherit validates a job's inherit: entry and returns its default
// and variables settings. An invalid setting counts as inheriting
// everything, which is GitLab's default.
func (v *validator) decodeInherit(n *yaml.Node, location string) (inheritance, inheritance) {
	if isNull(n) {
		return inheritAll, inheritAll
	}
	if !isMapping(n) {
		v.gitlabError(n, location, "config should be a hash")
		return inheritAll, inheritAll
	}
	if unknown := unknownKeys(n, keySet("default", "variables")); len(unknown) > 0 {
		v.gitlabError(n, location, "config contains unknown keys: %s", strings.Join(unknown, ", "))
	}

	inheritDefault := v.decodeInheritance(lookup(n, "default"), joinLocation(location, "default"), defaultKeys)
	inheritVariables := v.decodeInheritance(lookup(n, "variables"), joinLocation(location, "variables"), nil)
	return inheritDefault, inheritVariables
}

// decodeInheritance reads true, false or a list of keys. When allowed is
// not nil, listed keys must be in it.
func (v *validator) decodeInheritance(n *yaml.Node, location string, allowed map[string]bool) inheritance {
	n = deref(n)
	switch {
	case isNull(n):
		return inheritAll
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool":
		return inheritance{all: n.Value != "" && isTrue(n)}
	}

	list, ok := stringList(n)
	if !ok {
		v.gitlabError(n, location, "should be a bool or array of strings")
		return inheritAll
	}
	var unknown []string
	keys := make(map[string]bool, len(list))
	for _, key := range list {
		if allowed != nil && !allowed[key] {
			unknown = append(unknown, key)
		}
		keys[key] = true
	}
	if len(unknown) > 0 {
		v.gitlabError(n, location, "config contains unknown values: %s", strings.Join(unknown, ", "))
		return inheritAll
	}
	return inheritance{keys: keys}
}

// isTrue reports whether a boolean scalar is true, in YAML 1.1's
// spellings.
func isTrue(n *yaml.Node) bool {
	switch strings.ToLower(n.Value) {
	case "true", "yes", "on", "y":
		return true
	}
	return false
}

// decodeVariables validates job or top-level variables: a map whose
// values are scalars or, in the map form, {value:, expand:} (jobs) plus
// description: and options: (top level). expand: false marks the
// variable raw.
func (v *validator) decodeVariables(n *yaml.Node, location string, job bool) Variables {
	if isNull(n) {
		return nil
	}
	if !isMapping(n) {
		v.gitlabError(n, location, "config should be a hash")
		return nil
	}

	dataKeys := keySet("value", "expand", "description", "options")
	if job {
		dataKeys = keySet("value", "expand")
	}
	entries := pairs(n)
	vars := make(Variables, 0, len(entries))
	for _, p := range entries {
		key := scalarString(p.Key)
		variable := Variable{Key: key, Public: true}
		switch {
		case p.Value.Kind == yaml.MappingNode:
			if unknown := unknownKeys(p.Value, dataKeys); len(unknown) > 0 {
				v.gitlabError(p.Value, joinLocation(location, key), "config uses invalid data keys: %s", strings.Join(unknown, ", "))
				continue
			}
			if value := lookup(p.Value, "value"); value != nil && value.Kind == yaml.ScalarNode && value.ShortTag() != "!!null" {
				variable.Value = scalarString(value)
			}
			if expand := lookup(p.Value, "expand"); expand != nil && expand.ShortTag() == "!!bool" && !isTrue(expand) {
				variable.Raw = true
			}
		case p.Value.Kind != yaml.ScalarNode || p.Value.ShortTag() == "!!null":
			v.gitlabError(p.Value, joinLocation(location, key), "variable definition must be either a string or a hash")
			continue
		default:
			variable.Value = scalarString(p.Value)
		}
		vars = append(vars, variable)
	}
	return vars
}
