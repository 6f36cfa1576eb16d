package ciimage

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxExtendsNesting is GitLab's MAX_NESTING_LEVELS for extends: an entry
// with extends fails when more than this many entries extend it along the
// chain (so a job and eleven bases are allowed when the last has no
// extends).
const maxExtendsNesting = 10

// extender applies extends to the top-level entries of one root mapping,
// as GitLab's Config::Extendable does.
type extender struct {
	c     *composer
	pairs *pairList
	// result holds each entry's value after extends, once computed.
	result map[string]*yaml.Node
	// okDepth is the greatest number of ancestors with which an entry was
	// extended without error; failDepth the least with which it failed.
	okDepth   map[string]int
	failDepth map[string]int
	reported  map[string]bool
}

// extendError is one of GitLab's four extends errors, at the entry it names.
type extendError struct {
	at *yaml.Node
	// location is the key path of the extends key GitLab names.
	location string
	message  string
}

// extendAll extends every top-level mapping that has an extends key, in
// order. An entry whose chain has an error keeps its own value, is marked
// failed, and the error is reported once at the entry GitLab names.
func (c *composer) extendAll(root *yaml.Node) *yaml.Node {
	if root == nil {
		return nil
	}
	entries := len(root.Content) / 2
	e := &extender{
		c:         c,
		pairs:     newPairList(entries),
		result:    make(map[string]*yaml.Node, entries),
		okDepth:   make(map[string]int, entries),
		failDepth: map[string]int{},
		reported:  map[string]bool{},
	}
	e.pairs.merge(root)

	changed := false
	for i := range e.pairs.len() {
		key := e.pairs.key(i)
		if !isStringScalar(key) || !hasExtends(e.pairs.value(i)) {
			continue
		}
		name := scalarString(key)
		value, err := e.extend(name, nil)
		if err != nil {
			e.report(err)
			c.markFailed(name)
			continue
		}
		e.pairs.setValue(i, value)
		changed = true
	}
	if !changed {
		return root
	}

	out := *root
	out.Content = e.pairs.content()
	return &out
}

func hasExtends(n *yaml.Node) bool {
	_, v := mappingPair(n, "extends")
	return isMapping(n) && v != nil
}

func (e *extender) report(err *extendError) {
	if err.message == "" || e.reported[err.message] {
		return
	}
	e.reported[err.message] = true
	e.c.report(SeverityError, err.at, err.location, err.message, ErrInvalidConfig)
}

// lookup returns the current value of the top-level entry name.
func (e *extender) lookup(name string) (*yaml.Node, bool) {
	if v, ok := e.result[name]; ok {
		return v, true
	}
	i, ok := e.pairs.find(keyID{kind: "s", value: name})
	if !ok {
		return nil, false
	}
	return e.pairs.value(i), true
}

// extend returns the value of entry name after extends. ancestors are the
// entries that extend it on the current chain, outermost first. The
// checks run in GitLab's order: unknown bases, bases that are not
// mappings, nesting depth, then a cycle.
func (e *extender) extend(name string, ancestors []string) (*yaml.Node, *extendError) {
	value, _ := e.lookup(name)
	if !hasExtends(value) {
		return value, nil
	}
	depth := len(ancestors)
	if ok, seen := e.okDepth[name]; seen && depth <= ok {
		return e.result[name], nil
	}
	if fail, seen := e.failDepth[name]; seen && depth >= fail {
		return nil, &extendError{}
	}

	value, err := e.extendChecked(name, value, ancestors)
	if err != nil {
		if fail, seen := e.failDepth[name]; !seen || depth < fail {
			e.failDepth[name] = depth
		}
		return nil, err
	}
	e.result[name] = value
	e.okDepth[name] = max(e.okDepth[name], depth)
	return value, nil
}

func (e *extender) extendChecked(name string, value *yaml.Node, ancestors []string) (*yaml.Node, *extendError) {
	_, extendsNode := mappingPair(value, "extends")
	bases := extendsNames(extendsNode)

	var unknown, invalid []string
	for _, base := range bases {
		v, ok := e.lookup(base)
		switch {
		case !ok:
			unknown = append(unknown, base)
		case !isMapping(v):
			invalid = append(invalid, base)
		}
	}
	location := rootEntryPath(name) + ":extends"
	switch {
	case len(unknown) > 0:
		return nil, &extendError{extendsNode, location, fmt.Sprintf("%s: unknown keys in `extends` (%s)", name, strings.Join(unknown, ", "))}
	case len(invalid) > 0:
		return nil, &extendError{extendsNode, location, fmt.Sprintf("%s: invalid base hashes in `extends` (%s)", name, strings.Join(invalid, ", "))}
	case len(ancestors) > maxExtendsNesting:
		return nil, &extendError{extendsNode, location, name + ": nesting too deep in `extends`"}
	case slices.Contains(ancestors, name):
		return nil, &extendError{extendsNode, location, name + ": circular dependency detected in `extends`"}
	}

	chain := append(ancestors[:len(ancestors):len(ancestors)], name)
	var merged *yaml.Node
	for _, base := range bases {
		baseValue, err := e.extend(base, chain)
		if err != nil {
			return nil, err
		}
		merged = e.c.merge(merged, baseValue)
	}
	return e.c.merge(merged, value), nil
}

// extendsNames returns the names an extends value lists, each turned into
// a string as Ruby's to_s does.
func extendsNames(n *yaml.Node) []string {
	switch {
	case isNull(n):
		return nil
	case n.Kind == yaml.SequenceNode && n.Tag != tagReference:
		names := make([]string, 0, len(n.Content))
		for _, item := range n.Content {
			names = append(names, rubyToS(item))
		}
		return names
	}
	return []string{rubyToS(n)}
}
