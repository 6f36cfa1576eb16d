package ciimage

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// This file holds the helpers that read yaml.Node values the way GitLab's
// configuration entries read the Ruby hash they are built from.

// deref follows alias nodes to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// isString reports whether n is a YAML string, which is what GitLab's
// type: String check accepts.
func isString(n *yaml.Node) bool {
	n = deref(n)
	return n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str"
}

// isSequence reports whether n is a YAML sequence (a Ruby Array).
func isSequence(n *yaml.Node) bool {
	n = deref(n)
	return n != nil && n.Kind == yaml.SequenceNode
}

// isBlank reports whether s is empty or white space only, which fails
// ActiveModel's presence check.
func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// pair is one key and value of a mapping node.
type pair struct {
	Key   *yaml.Node
	Value *yaml.Node
}

// pairs returns the key and value pairs of a mapping node in file order,
// with aliases followed. A later duplicate key replaces an earlier one in
// place, as a Ruby Hash keeps the first position of a key and the last
// value. Composed documents have no duplicates left, so the check is a
// linear scan for small mappings and a map only for large ones.
func pairs(n *yaml.Node) []pair {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}

	out := make([]pair, 0, len(n.Content)/2)
	var index map[string]int
	if len(n.Content) > 2*pairsIndexAt {
		index = make(map[string]int, len(n.Content)/2)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := deref(n.Content[i]), deref(n.Content[i+1])
		if at, ok := findPair(out, index, key.Value); ok {
			out[at].Value = value
			continue
		}
		if index != nil {
			index[key.Value] = len(out)
		}
		out = append(out, pair{key, value})
	}
	return out
}

// pairsIndexAt is the number of keys above which pairs indexes them.
const pairsIndexAt = 16

// findPair returns the position of key in out, using index when there is
// one.
func findPair(out []pair, index map[string]int, key string) (int, bool) {
	if index != nil {
		at, ok := index[key]
		return at, ok
	}
	for at, p := range out {
		if p.Key.Value == key {
			return at, true
		}
	}
	return 0, false
}

// lookup returns the value for key in a mapping node, or nil.
func lookup(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var found *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if deref(n.Content[i]).Value == key {
			found = deref(n.Content[i+1])
		}
	}
	return found
}

// hasKey reports whether a mapping node has key, whatever its value.
func hasKey(n *yaml.Node, key string) bool {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if deref(n.Content[i]).Value == key {
			return true
		}
	}
	return false
}

// stringList returns the values of a sequence whose items are all
// strings, and whether it is one. Ruby symbols do not occur in YAML that
// Psych's safe_load reads, so only strings count.
func stringList(n *yaml.Node) ([]string, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	for _, item := range n.Content {
		if !isString(item) {
			return nil, false
		}
		out = append(out, deref(item).Value)
	}
	return out, true
}

// joinLocation appends key to a GitLab key path.
func joinLocation(location, key string) string {
	if location == "" {
		return key
	}
	return location + ":" + key
}

// validator collects GitLab validation messages for one document.
type validator struct {
	doc   *Document
	diags Diagnostics
}

// gitlabError records a GitLab validation error. GitLab downcases the
// whole "LOCATION MESSAGE" string, so both parts are downcased here.
func (v *validator) gitlabError(n *yaml.Node, location, format string, args ...any) {
	v.diags = append(v.diags, Diagnostic{
		Severity: SeverityError,
		Position: v.doc.Position(n),
		Location: strings.ToLower(location),
		Message:  strings.ToLower(fmt.Sprintf(format, args...)),
		Kind:     ErrInvalidConfig,
	})
}

// add records a finding that is not one of GitLab's validation messages,
// so its message keeps its case.
func (v *validator) add(severity Severity, kind error, n *yaml.Node, location, format string, args ...any) {
	v.diags = append(v.diags, Diagnostic{
		Severity: severity,
		Position: v.doc.Position(n),
		Location: strings.ToLower(location),
		Message:  fmt.Sprintf(format, args...),
		Kind:     kind,
	})
}

// unknownKeys returns the keys of a mapping that are not in allowed, in
// the order written, each once.
func unknownKeys(n *yaml.Node, allowed map[string]bool) []string {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := deref(n.Content[i]).Value
		if !allowed[key] && !slices.Contains(out, key) {
			out = append(out, key)
		}
	}
	return out
}

// keySet builds a set from a list of keys.
func keySet(keys ...string) map[string]bool {
	set := make(map[string]bool, len(keys))
	for _, k := range keys {
		set[k] = true
	}
	return set
}
