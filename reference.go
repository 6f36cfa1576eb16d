package ciimage

import (
	"gopkg.in/yaml.v3"
)

// referenceState is how far resolving one !reference node has come.
type referenceState int

const (
	referencePending referenceState = iota
	referenceResolving
	referenceDone
	referenceFailed
)

// resolved is a node after !reference resolution and whether resolving it
// failed somewhere.
type resolved struct {
	node   *yaml.Node
	failed bool
}

// referenceResolver replaces !reference nodes as GitLab's
// Config::Yaml::Tags::Resolver does, over the config after include and
// extends.
type referenceResolver struct {
	c      *composer
	root   *yaml.Node
	state  map[*yaml.Node]referenceState
	values map[*yaml.Node]*yaml.Node
	// transformed caches deepTransform by reference holder, so a subtree
	// shared by aliases or by extends is resolved once.
	transformed map[*yaml.Node]resolved
	// depth is the number of references being resolved, one inside
	// another, for Limits.MaxReferenceDepth.
	depth int
	// paths names where a failing reference sits.
	paths keyPaths
}

// resolveReferences resolves every !reference in the values of root. A
// top-level entry whose value needs a reference that fails keeps the
// unresolved reference, is marked failed, and the error is reported once,
// at the reference it names.
func (c *composer) resolveReferences(root *yaml.Node) *yaml.Node {
	if root == nil || len(c.referenceHolders) == 0 {
		// A !reference node always sits in a collection, so without
		// holders there is nothing to resolve.
		return root
	}
	r := &referenceResolver{
		c:           c,
		root:        root,
		state:       map[*yaml.Node]referenceState{},
		values:      map[*yaml.Node]*yaml.Node{},
		transformed: map[*yaml.Node]resolved{},
		paths:       keyPaths{root: root},
	}

	var content []*yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		result := r.deepTransform(value)
		if result.failed {
			c.markFailed(scalarString(key))
		}
		if result.node != value && content == nil {
			content = append([]*yaml.Node(nil), root.Content...)
		}
		if content != nil {
			content[i+1] = result.node
		}
	}
	if content == nil {
		return root
	}
	out := *root
	out.Content = content
	return &out
}

// deepTransform resolves every reference among the values of n at any
// depth, as ActiveSupport's deep_transform_values visits them. It returns
// n itself when nothing changed, without a visit when n contains no
// reference.
func (r *referenceResolver) deepTransform(n *yaml.Node) resolved {
	if isReference(n) {
		return r.resolveReference(n)
	}
	if !r.c.holdsReference(n) {
		return resolved{node: n}
	}
	if done, ok := r.transformed[n]; ok {
		return done
	}

	var content []*yaml.Node
	failed := false
	for i, child := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 {
			continue
		}
		result := r.deepTransform(child)
		failed = failed || result.failed
		if result.node != child && content == nil {
			content = append([]*yaml.Node(nil), n.Content...)
		}
		if content != nil {
			content[i] = result.node
		}
	}

	result := resolved{node: n, failed: failed}
	if content != nil {
		copied := *n
		copied.Content = content
		r.c.created(&copied, n)
		result.node = &copied
	}
	r.transformed[n] = result
	return result
}

// resolveObject resolves the value found at a reference's location as
// GitLab's deep_resolve does: a hash at any depth, but a list only in its
// direct elements.
func (r *referenceResolver) resolveObject(n *yaml.Node) resolved {
	if n == nil || isReference(n) || n.Kind != yaml.SequenceNode {
		if n != nil && n.Kind == yaml.MappingNode && !isReference(n) {
			return r.deepTransform(n)
		}
		if isReference(n) {
			return r.resolveReference(n)
		}
		return resolved{node: n}
	}

	var content []*yaml.Node
	failed := false
	for i, item := range n.Content {
		if !isReference(item) {
			continue
		}
		result := r.resolveReference(item)
		failed = failed || result.failed
		if content == nil {
			content = append([]*yaml.Node(nil), n.Content...)
		}
		content[i] = result.node
	}
	if content == nil {
		return resolved{node: n, failed: failed}
	}
	copied := *n
	copied.Content = content
	r.c.created(&copied, n)
	return resolved{node: &copied, failed: failed}
}

// resolveReference returns the value of one !reference node. On failure
// it returns the node unchanged with failed set; only the reference where
// the failure starts is reported.
func (r *referenceResolver) resolveReference(ref *yaml.Node) resolved {
	switch r.state[ref] {
	case referenceDone:
		return resolved{node: r.values[ref]}
	case referenceFailed:
		return resolved{node: ref, failed: true}
	case referenceResolving:
		r.fail(ref, referenceText(ref)+" is part of a circular chain")
		return resolved{node: ref, failed: true}
	}

	if !validReference(ref) {
		r.fail(ref, "!reference "+invalidReferenceText(ref)+" is not valid")
		return resolved{node: ref, failed: true}
	}

	if r.depth >= r.c.opts.Limits.MaxReferenceDepth {
		r.state[ref] = referenceFailed
		r.c.limitError(r.c.fileOf(ref), ref, "the chain of !reference tags that "+referenceText(ref)+" starts", "MaxReferenceDepth", r.c.opts.Limits.MaxReferenceDepth, "")
		return resolved{node: ref, failed: true}
	}
	r.depth++
	defer func() { r.depth-- }()

	r.state[ref] = referenceResolving
	object := r.dig(ref)
	result := r.resolveObject(object)
	if r.state[ref] == referenceFailed || result.failed {
		r.state[ref] = referenceFailed
		return resolved{node: ref, failed: true}
	}
	if result.node == nil || isNull(result.node) || isFalse(result.node) {
		r.fail(ref, referenceText(ref)+" could not be found")
		return resolved{node: ref, failed: true}
	}

	r.state[ref] = referenceDone
	r.values[ref] = result.node
	return result
}

func (r *referenceResolver) fail(ref *yaml.Node, message string) {
	r.state[ref] = referenceFailed
	r.c.report(SeverityError, ref, r.paths.of(ref), message, ErrInvalidConfig)
}

// dig walks the reference's keys from the root through mappings only, as
// Ruby's Hash#dig does on GitLab's config. It returns nil when a key is
// missing or a step reaches something other than a hash.
func (r *referenceResolver) dig(ref *yaml.Node) *yaml.Node {
	current := r.root
	for _, step := range ref.Content {
		if !isMapping(current) {
			return nil
		}
		current = mappingValue(current, step.Value)
		if current == nil {
			return nil
		}
	}
	return current
}

// validReference reports whether ref is a non-empty list of strings.
func validReference(ref *yaml.Node) bool {
	if ref.Kind != yaml.SequenceNode || len(ref.Content) == 0 {
		return false
	}
	for _, item := range ref.Content {
		if item.Kind != yaml.ScalarNode || item.Tag != tagString {
			return false
		}
	}
	return true
}

func isFalse(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == tagBool && scalarString(n) == "false"
}

// referenceText formats a valid reference as GitLab's messages show it:
// !reference [".a", "image"].
func referenceText(ref *yaml.Node) string {
	return "!reference " + rubyInspect(&yaml.Node{Kind: yaml.SequenceNode, Content: ref.Content})
}

// invalidReferenceText formats the data of an invalid reference as GitLab
// does: the scalar if not blank, else the mapping if not empty, else the
// list.
func invalidReferenceText(ref *yaml.Node) string {
	switch ref.Kind {
	case yaml.ScalarNode:
		if ref.Value != "" {
			return rubyQuote(ref.Value)
		}
		return "nil"
	case yaml.MappingNode:
		if len(ref.Content) > 0 {
			return rubyInspect(&yaml.Node{Kind: yaml.MappingNode, Content: ref.Content})
		}
		return "nil"
	}
	return rubyInspect(&yaml.Node{Kind: yaml.SequenceNode, Content: ref.Content})
}
