package ciimage

import "gopkg.in/yaml.v3"

// Service is one services: entry after GitLab's validation.
type Service struct {
	Image
	// Command is nil when not set; an empty slice and [""] are kept.
	Command []string
	// Alias is the alias value as written: the runner splits it on commas
	// and white space.
	Alias string
	// Variables are the service's own variables, in the order written,
	// with values as GitLab turns them into strings.
	Variables Variables
}

// serviceKeys are the keys GitLab accepts in a service map.
var serviceKeys = keySet("name", "entrypoint", "ports", "pull_policy", "docker", "kubernetes", "command", "alias", "variables")

// decodeServices validates a services entry as GitLab's Services entry
// does. Nested lists are flattened at any depth, as GitLab does, which is
// what makes a !reference to another list work. Invalid items are left
// out of the result and reported. A null item is left out silently:
// GitLab builds no entry for a null value, so it passes validation, and
// the runner is sent no service for it.
func (v *validator) decodeServices(n *yaml.Node, location string) []Service {
	n = deref(n)
	if !isSequence(n) {
		v.gitlabError(n, location, "config should be a array")
		return nil
	}

	itemLocation := joinLocation(location, "service")
	items := flatten(n, make([]*yaml.Node, 0, len(n.Content)))
	services := make([]Service, len(items))
	valid := 0
	for _, item := range items {
		if isNull(item) {
			continue
		}
		if v.decodeService(item, itemLocation, &services[valid]) {
			valid++
		} else {
			services[valid] = Service{}
		}
	}
	return services[:valid:valid]
}

// flatten appends the items of a sequence to out, replacing nested
// sequences by their items.
func flatten(n *yaml.Node, out []*yaml.Node) []*yaml.Node {
	for _, item := range deref(n).Content {
		item = deref(item)
		if item.Kind == yaml.SequenceNode {
			out = flatten(item, out)
			continue
		}
		out = append(out, item)
	}
	return out
}

// decodeService validates one services item as GitLab's Service entry
// does and stores it in svc, which must be zero. It returns false when
// the item is invalid.
func (v *validator) decodeService(n *yaml.Node, location string, svc *Service) bool {
	before := len(v.diags)
	v.decodeImageable(n, location, serviceKeys, &svc.Image)
	if !isMapping(n) {
		return len(v.diags) == before
	}

	if command := lookup(n, "command"); !isNull(command) {
		list, ok := stringList(command)
		if ok {
			svc.Command = list
		} else {
			v.gitlabError(command, location, "command should be an array of strings")
		}
	}
	if alias := lookup(n, "alias"); !isNull(alias) {
		if isString(alias) {
			svc.Alias = alias.Value
		} else {
			v.gitlabError(alias, location, "alias should be a string")
		}
	}
	if hasKey(n, "ports") && isBlank(svc.Alias) {
		v.gitlabError(n, location, "alias can't be blank")
	}
	if len(v.diags) > before {
		return false
	}

	svc.PullPolicy = v.decodePullPolicy(n, location)
	if variables := lookup(n, "variables"); !isNull(variables) {
		svc.Variables = v.decodeServiceVariables(variables, joinLocation(location, "variables"))
	}
	if len(v.diags) > before {
		return false
	}
	return true
}

// decodeServiceVariables validates a service's variables as GitLab's
// Variables entry does for services: a map of scalars, each turned into a
// string. The map form {value: ...} is rejected for services, because
// GitLab allows it only for job and top-level variables.
func (v *validator) decodeServiceVariables(n *yaml.Node, location string) Variables {
	if isNull(n) {
		return nil
	}
	if !isMapping(n) {
		v.gitlabError(n, location, "config should be a hash")
		return nil
	}

	vars := Variables{}
	for _, p := range pairs(n) {
		key := scalarString(p.Key)
		switch {
		case p.Value.Kind == yaml.MappingNode:
			v.gitlabError(p.Value, joinLocation(location, key), "config must be a string")
		case p.Value.Kind != yaml.ScalarNode || p.Value.ShortTag() == "!!null":
			v.gitlabError(p.Value, joinLocation(location, key), "variable definition must be either a string or a hash")
		default:
			vars = append(vars, Variable{Key: key, Value: scalarString(p.Value), Public: true})
		}
	}
	return vars
}
