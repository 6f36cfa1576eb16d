package ciimage

import (
	"gopkg.in/yaml.v3"
)

// Document is a composed .gitlab-ci.yml: the root mapping after YAML
// loading, include, extends and !reference, with the file of every node.
// Nodes may be shared by pointer where YAML aliases or merging reuse a
// subtree, so callers must treat the tree as read-only.
type Document struct {
	// Root is the top-level mapping node. It is an empty mapping when the
	// pipeline could not be loaded, and the diagnostics give the reason.
	Root *yaml.Node
	// File is the path of the pipeline file, as the caller named it.
	File string
	// files records the file of nodes that did not come from File.
	files map[*yaml.Node]string
	// failed holds the top-level keys whose composition failed (an
	// extends or !reference error), which are not planned.
	failed map[string]bool
}

// Failed reports whether composing the top-level entry key failed, so
// that the entry is reported but not planned.
func (d *Document) Failed(key string) bool { return d.failed[key] }

// Position returns the file, line and column of n. A node that composition
// created, such as a mapping merged from two others, has the position of
// the node that supplied its last part.
func (d *Document) Position(n *yaml.Node) Position {
	if n == nil {
		return Position{File: d.File}
	}
	file := d.File
	if f, ok := d.files[n]; ok {
		file = f
	}
	return Position{File: file, Line: n.Line, Column: n.Column}
}
