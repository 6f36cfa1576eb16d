package ciimage

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// keyPaths is an index from the nodes of a composed root mapping to their
// GitLab key paths (jobs:test:image), for the extends and !reference errors
// that GitLab raises without one. The first call of of builds the index, so
// many errors cost one walk and a pipeline without errors costs none.
type keyPaths struct {
	root  *yaml.Node
	paths map[*yaml.Node]string
}

// of returns the key path of n, or "" when n is not in the root. A node
// reached by several paths (an anchor used twice) has the first one.
func (k *keyPaths) of(n *yaml.Node) string {
	if k.paths == nil {
		k.paths = map[*yaml.Node]string{}
		k.index()
	}
	return k.paths[n]
}

// index records the path of every node under the root's entries.
func (k *keyPaths) index() {
	if !isMapping(k.root) {
		return
	}
	for i := 0; i+1 < len(k.root.Content); i += 2 {
		key, value := k.root.Content[i], k.root.Content[i+1]
		path := rootEntryPath(key.Value)
		k.paths[key] = path
		k.walk(value, path)
	}
}

// walk records path for n and the paths of its children. A node already
// recorded is not walked again, which bounds the walk by the number of
// distinct nodes.
func (k *keyPaths) walk(n *yaml.Node, path string) {
	if n == nil {
		return
	}
	if _, seen := k.paths[n]; seen {
		return
	}
	k.paths[n] = path

	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			child := path + ":" + n.Content[i].Value
			if _, seen := k.paths[n.Content[i]]; !seen {
				k.paths[n.Content[i]] = child
			}
			k.walk(n.Content[i+1], child)
		}
	case yaml.SequenceNode:
		// An item takes its list's path, except a service, which is an
		// entry named service in GitLab's paths (jobs:test:services:service).
		item := path
		if strings.HasSuffix(path, ":services") || path == "services" {
			item = path + ":service"
		}
		for _, child := range n.Content {
			k.walk(child, item)
		}
	}
}

// rootEntryPath returns GitLab's key path of the top-level entry name:
// the name for global keywords, jobs:NAME in lower case for jobs and
// hidden jobs, as classifyJob names them.
func rootEntryPath(name string) string {
	if reservedRootKeys[name] || rootEntryKeys[name] {
		return name
	}
	return "jobs:" + strings.ToLower(name)
}
