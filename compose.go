package ciimage

import (
	"io/fs"

	"gopkg.in/yaml.v3"
)

// DefaultMaxIncludes is GitLab's default for the instance setting
// ci_max_includes: the number of included files a pipeline may use, with
// every occurrence of a file counted.
const DefaultMaxIncludes = 150

// ComposeOptions sets how Compose and ParseDocument read a pipeline. The
// zero value is usable: withDefaults fills in every unset field.
type ComposeOptions struct {
	// MaxIncludes is the limit on included files (GitLab's
	// ci_max_includes). Zero means DefaultMaxIncludes.
	MaxIncludes int
	// Variables are the project, group, instance and predefined variables
	// that GitLab expands in include locations and in the expand_vars
	// input function. Variables from the YAML never apply there. Masked
	// variables are shown as [MASKED] in messages.
	Variables Variables
	// Inputs are the pipeline inputs for the main file's spec: header,
	// as strings, numbers, booleans or lists of them.
	Inputs map[string]any
	// FS is the repository that ParseDocument reads local includes from.
	// Compose uses its own fsys argument instead. Without an FS, local
	// includes are reported as not read.
	FS fs.FS
	// Limits bound the size and shape of the pipeline and its included
	// files. The zero value means DefaultLimits.
	Limits Limits
}

// withDefaults returns opts with every unset field given its default.
func (opts ComposeOptions) withDefaults() ComposeOptions {
	if opts.MaxIncludes <= 0 {
		opts.MaxIncludes = DefaultMaxIncludes
	}
	opts.Limits = opts.Limits.withDefaults()
	return opts
}

// Compose reads the pipeline file at path in fsys, the repository root,
// and composes it as GitLab does before validation: YAML loading with
// anchors and spec: inputs, then include (local files from fsys), then
// extends, then !reference. Includes that need GitLab or the network
// (project, remote, template, component, artifact) are not read, and a
// warning names each one.
//
// Every finding is returned as a diagnostic, and composition goes on past
// errors where GitLab would stop at the first, so that entries an error
// does not touch are still composed. Document.Failed names the top-level
// entries whose extends or !reference failed. When path cannot be read,
// Compose returns a nil Document and one diagnostic whose Kind is the
// fs error (errors.Is(d.Err(), fs.ErrNotExist) for a missing file).
func Compose(fsys fs.FS, path string, opts ComposeOptions) (*Document, Diagnostics) {
	data, err := readFileLimited(fsys, path, opts.Limits.withDefaults().MaxFileBytes)
	if err != nil {
		return nil, Diagnostics{{
			Severity: SeverityError,
			Position: Position{File: path},
			Message:  "cannot read the pipeline file: " + err.Error(),
			Kind:     err,
		}}
	}

	opts.FS = fsys
	return ParseDocument(path, data, opts)
}

// ParseDocument composes one in-memory pipeline file named file, as
// Compose does. Local includes are read from opts.FS; without one, each
// local include gets a warning (Kind ErrNotSupported) naming the file that
// was not read.
func ParseDocument(file string, data []byte, opts ComposeOptions) (*Document, Diagnostics) {
	c := newComposer(file, opts.withDefaults())
	root := c.composeMain(data)
	return c.document(root), c.diags
}

// composer holds the state of one composition.
type composer struct {
	opts  ComposeOptions
	main  string
	files map[*yaml.Node]string
	// includes counts the included files read so far, for MaxIncludes.
	includes        int
	includeLimitHit bool
	// nodes counts the nodes of every file loaded so far, for
	// Limits.MaxYAMLNodes.
	nodes int
	// referenceHolders are the mappings and sequences that contain a
	// !reference node at any depth, so that resolving references can skip
	// every other subtree. Loading and every composition step that makes
	// a collection record them.
	referenceHolders map[*yaml.Node]bool
	failed           map[string]bool
	diags            Diagnostics
	// globFiles caches the sorted file list of opts.FS for wildcards.
	globFiles []string
}

func newComposer(file string, opts ComposeOptions) *composer {
	return &composer{
		opts:   opts,
		main:   file,
		files:  map[*yaml.Node]string{},
		failed: map[string]bool{},
	}
}

// composeMain runs GitLab's steps on the main file and returns the root
// mapping, or nil when the file cannot be loaded.
func (c *composer) composeMain(data []byte) *yaml.Node {
	loaded, diags := c.loadYAML(c.main, data)
	c.diags = append(c.diags, diags...)
	if diags.HasErrors() {
		return nil
	}
	if !isMapping(loaded.content) {
		c.errorAt(c.main, loaded.content, "", "Invalid configuration format", ErrInvalidConfig)
		return nil
	}

	inputs := c.pipelineInputs()
	root := c.interpolateFile(c.main, loaded, inputs, nil, "")

	root = c.expandIncludes(c.main, root)
	root = c.extendAll(root)
	root = c.resolveReferences(root)
	return c.checkComposed(root)
}

// document wraps the composed root. A nil root becomes an empty mapping.
func (c *composer) document(root *yaml.Node) *Document {
	if root == nil {
		root = &yaml.Node{Kind: yaml.MappingNode, Tag: tagMap, Line: 1, Column: 1}
	}
	return &Document{Root: root, File: c.main, files: c.files, failed: c.failed}
}

// fileOf returns the file a node came from.
func (c *composer) fileOf(n *yaml.Node) string {
	if f, ok := c.files[n]; ok {
		return f
	}
	return c.main
}

// position returns the position of n, which came from file.
func (c *composer) position(n *yaml.Node) Position {
	if n == nil {
		return Position{File: c.main, Line: 1, Column: 1}
	}
	return Position{File: c.fileOf(n), Line: n.Line, Column: n.Column}
}

// created records that composition made node out of from, so node gets
// from's file, and whether node contains a !reference.
func (c *composer) created(node, from *yaml.Node) {
	if f, ok := c.files[from]; ok {
		c.files[node] = f
	}
	c.noteReferences(node)
}

// holdsReference reports whether n was recorded as a reference holder.
func (c *composer) holdsReference(n *yaml.Node) bool {
	if len(c.referenceHolders) == 0 || (n.Kind != yaml.MappingNode && n.Kind != yaml.SequenceNode) {
		return false
	}
	return c.referenceHolders[n]
}

// noteReferences records collection n as a reference holder when one of
// its children is a !reference node or a holder. The children must have
// been noted before n.
func (c *composer) noteReferences(n *yaml.Node) {
	if n.Kind != yaml.MappingNode && n.Kind != yaml.SequenceNode {
		return
	}
	for _, child := range n.Content {
		if isReference(child) || c.holdsReference(child) {
			if c.referenceHolders == nil {
				c.referenceHolders = map[*yaml.Node]bool{}
			}
			c.referenceHolders[n] = true
			return
		}
	}
}

// merge deep-merges b over a, recording the file of every new mapping.
func (c *composer) merge(a, b *yaml.Node) *yaml.Node {
	return deepMerge(a, b, c.created)
}

// report adds a diagnostic at node at, or at the start of the main file
// when at is nil.
func (c *composer) report(severity Severity, at *yaml.Node, location, message string, kind error) {
	c.diags = append(c.diags, Diagnostic{Severity: severity, Position: c.position(at), Location: location, Message: message, Kind: kind})
}

// errorAt reports an error at node n of file. A nil n stands for the
// start of file.
func (c *composer) errorAt(file string, n *yaml.Node, location, message string, kind error) {
	pos := Position{File: file, Line: 1, Column: 1}
	if n != nil {
		pos = c.position(n)
	}
	c.diags = append(c.diags, Diagnostic{Severity: SeverityError, Position: pos, Location: location, Message: message, Kind: kind})
}

// markFailed records that composing the top-level key failed.
func (c *composer) markFailed(key string) { c.failed[key] = true }
