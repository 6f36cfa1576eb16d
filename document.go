package ciimage

import (
	"gopkg.in/yaml.v3"
)

// Document is a composed .gitlab-ci.yml: the root mapping node and the
// file each node came from.
type Document struct {
	// Root is the top-level mapping node.
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

// Position returns the file, line and column of n.
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

// parseDocument reads one YAML file into a Document without composition.
// The composition step replaces it.
func parseDocument(file string, data []byte) (*Document, Diagnostics) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Diagnostics{{Severity: SeverityError, Position: Position{File: file}, Message: err.Error(), Kind: ErrSyntax}}
	}
	doc := &Document{File: file}
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		doc.Root = root.Content[0]
	}
	if doc.Root == nil || doc.Root.Kind != yaml.MappingNode {
		return doc, Diagnostics{{Severity: SeverityError, Position: doc.Position(doc.Root), Message: "Invalid configuration format", Kind: ErrInvalidConfig}}
	}
	return doc, nil
}
