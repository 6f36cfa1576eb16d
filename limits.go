package ciimage

import (
	"fmt"
	"io"
	"io/fs"

	"gopkg.in/yaml.v3"
)

// Default values of the fields of Limits. A field left at zero (or set
// below zero) takes its default.
const (
	// DefaultMaxFileBytes bounds the pipeline file and each included file:
	// 8 MiB. GitLab's max_yaml_size_bytes (2 MiB by default) measures the
	// parsed objects, which take more memory than the file's bytes, so a
	// file that GitLab accepts is always below this bound.
	DefaultMaxFileBytes = 8 << 20
	// DefaultMaxYAMLDepth is GitLab's default max_yaml_depth since the
	// setting was added in GitLab 14.3.
	// NOTE: newer GitLab releases may default to a higher depth.
	DefaultMaxYAMLDepth = 100
	// DefaultMaxYAMLNodes bounds the nodes of a composed pipeline with
	// every anchor, !reference and extends use counted where it is used.
	DefaultMaxYAMLNodes = 1_000_000
	// DefaultMaxReferenceDepth bounds chains of !reference tags that
	// resolve to values holding further !reference tags.
	DefaultMaxReferenceDepth = 100
	// DefaultMaxJobs bounds the top-level mapping entries of a composed
	// pipeline: jobs, hidden jobs and default:.
	DefaultMaxJobs = 100_000
	// DefaultMaxServices bounds the services of one job, default: or job
	// payload, after nested lists are flattened.
	DefaultMaxServices = 100
	// DefaultMaxRunnerConfigBytes bounds a config.toml.
	DefaultMaxRunnerConfigBytes = 1 << 20
	// DefaultMaxDockerConfigBytes bounds a Docker config.json, .dockercfg
	// or DOCKER_AUTH_CONFIG value.
	DefaultMaxDockerConfigBytes = 1 << 20
	// DefaultMaxAuthEntries bounds the entries of a Docker config's auths
	// and, separately, of its credHelpers.
	DefaultMaxAuthEntries = 1000
	// DefaultMaxPayloadBytes bounds a job payload.
	DefaultMaxPayloadBytes = 16 << 20
	// DefaultMaxExpandedBytes bounds what variable expansion adds to one
	// value, so that variables that refer to each other many times cannot
	// make a value of terabytes.
	DefaultMaxExpandedBytes = 1 << 20
)

// Limits bound the work and memory that hostile input can cause. Input over
// a limit gives an error diagnostic of Kind ErrLimit that names the field,
// and the input (or the part named in the diagnostic) is not used. The zero
// value means every default.
type Limits struct {
	// MaxFileBytes is the size of the pipeline file and of each included
	// file, in bytes. Default DefaultMaxFileBytes.
	MaxFileBytes int64
	// MaxYAMLDepth is the nesting depth of mappings and lists in one YAML
	// document. Default DefaultMaxYAMLDepth.
	MaxYAMLDepth int
	// MaxYAMLNodes is the number of YAML nodes of the composed pipeline,
	// counting a node reached through N aliases, !reference tags or
	// extends N times. Anchors are never copied, so the count is checked
	// without building the expansion. Default DefaultMaxYAMLNodes.
	MaxYAMLNodes int
	// MaxReferenceDepth is the length of a chain of !reference tags.
	// GitLab sets no such limit. Default DefaultMaxReferenceDepth.
	MaxReferenceDepth int
	// MaxJobs is the number of top-level mapping entries of the composed
	// pipeline. Default DefaultMaxJobs.
	MaxJobs int
	// MaxServices is the number of services of one entry. Default
	// DefaultMaxServices.
	MaxServices int
	// MaxRunnerConfigBytes is the size of a config.toml in bytes.
	// Default DefaultMaxRunnerConfigBytes.
	MaxRunnerConfigBytes int64
	// MaxDockerConfigBytes is the size of a Docker config in bytes.
	// Default DefaultMaxDockerConfigBytes.
	MaxDockerConfigBytes int64
	// MaxAuthEntries is the number of auths entries, and of credHelpers
	// entries, in one Docker config. Default DefaultMaxAuthEntries.
	MaxAuthEntries int
	// MaxPayloadBytes is the size of a job payload in bytes. Default
	// DefaultMaxPayloadBytes.
	MaxPayloadBytes int64
	// MaxExpandedBytes is the number of bytes that variable expansion may
	// add to one value. Default DefaultMaxExpandedBytes.
	MaxExpandedBytes int
}

// DefaultLimits returns the limits that apply to a zero Limits.
func DefaultLimits() Limits { return Limits{}.withDefaults() }

// withDefaults returns l with every unset field given its default.
func (l Limits) withDefaults() Limits {
	setDefault(&l.MaxFileBytes, DefaultMaxFileBytes)
	setDefault(&l.MaxYAMLDepth, DefaultMaxYAMLDepth)
	setDefault(&l.MaxYAMLNodes, DefaultMaxYAMLNodes)
	setDefault(&l.MaxReferenceDepth, DefaultMaxReferenceDepth)
	setDefault(&l.MaxJobs, DefaultMaxJobs)
	setDefault(&l.MaxServices, DefaultMaxServices)
	setDefault(&l.MaxRunnerConfigBytes, DefaultMaxRunnerConfigBytes)
	setDefault(&l.MaxDockerConfigBytes, DefaultMaxDockerConfigBytes)
	setDefault(&l.MaxAuthEntries, DefaultMaxAuthEntries)
	setDefault(&l.MaxPayloadBytes, DefaultMaxPayloadBytes)
	setDefault(&l.MaxExpandedBytes, DefaultMaxExpandedBytes)
	return l
}

func setDefault[T int | int64](field *T, value T) {
	if *field <= 0 {
		*field = value
	}
}

// firstLimits returns the first of the optional limits a parser takes,
// with defaults applied.
func firstLimits(limits []Limits) Limits {
	if len(limits) == 0 {
		return DefaultLimits()
	}
	return limits[0].withDefaults()
}

// limitDiagnostic is the error for input over the limit named field:
// what names the measured quantity and unit follows the limit's value, as
// in "the file size exceeds the limit Limits.MaxFileBytes = 2097152 bytes".
func limitDiagnostic(pos Position, location, what, field string, limit int64, unit string) Diagnostic {
	return Diagnostic{
		Severity: SeverityError,
		Position: pos,
		Location: location,
		Message:  fmt.Sprintf("%s exceeds the limit Limits.%s = %d%s", what, field, limit, unit),
		Kind:     ErrLimit,
	}
}

// sizeDiagnostic returns the error for a file of size bytes over the limit
// named field, or nil when size is within it.
func sizeDiagnostic(file string, size int, field string, limit int64) Diagnostics {
	if int64(size) <= limit {
		return nil
	}
	return Diagnostics{limitDiagnostic(Position{File: file, Line: 1, Column: 1}, "", "the file size", field, limit, " bytes")}
}

// readFileLimited reads name from fsys, but no more than limit+1 bytes, so
// that an oversized file is detected without reading all of it.
func readFileLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}

// nodeMeasure is the size of a YAML subtree with every alias expanded:
// count is its number of nodes and height the number of nested mappings
// and lists on its deepest path.
type nodeMeasure struct {
	count, height int
}

// measurer measures YAML trees whose subtrees may be shared. It counts a
// shared subtree once per use, as GitLab's expanded hash holds it, and
// stops after maxCount+1 nodes, so hostile input bounds the work. Anchored
// nodes, which aliases share, are measured once and remembered, so that
// the work stays proportional to the file even without a count limit.
// Recursion also stops below maxDepth nested collections.
type measurer struct {
	maxCount, maxDepth int
	// visited counts the nodes measured so far; a remembered subtree adds
	// one visit per use.
	visited int
	memo    map[*yaml.Node]nodeMeasure
	// tooDeep is the first collection found nested deeper than maxDepth.
	tooDeep *yaml.Node
}

func newMeasurer(limits Limits) *measurer {
	return &measurer{maxCount: limits.MaxYAMLNodes, maxDepth: limits.MaxYAMLDepth, memo: map[*yaml.Node]nodeMeasure{}}
}

// measure returns the measure of n, which sits inside enclosing
// collections. Once more than maxCount nodes were visited, the count is
// maxCount+1 and the height is no longer complete.
func (m *measurer) measure(n *yaml.Node, enclosing int) nodeMeasure {
	m.visited++
	if m.visited > m.maxCount {
		return nodeMeasure{count: m.maxCount + 1}
	}
	if n == nil || (n.Kind != yaml.MappingNode && n.Kind != yaml.SequenceNode) {
		return nodeMeasure{count: 1}
	}
	// Only anchored nodes can be shared, so only they are in memo.
	if n.Anchor != "" {
		if done, ok := m.memo[n]; ok {
			return done
		}
	}
	if enclosing >= m.maxDepth {
		if m.tooDeep == nil {
			m.tooDeep = n
		}
		return nodeMeasure{count: 1, height: 1}
	}

	result := nodeMeasure{count: 1}
	for _, child := range n.Content {
		if child != nil && child.Kind != yaml.MappingNode && child.Kind != yaml.SequenceNode {
			// A leaf is measured here, as measure would, to save a call.
			m.visited++
			if m.visited > m.maxCount {
				result.count = m.maxCount + 1
				break
			}
			result.count = min(result.count+1, m.maxCount+1)
			continue
		}
		c := m.measure(child, enclosing+1)
		result.count = min(result.count+c.count, m.maxCount+1)
		result.height = max(result.height, c.height)
		if m.visited > m.maxCount {
			break
		}
	}
	result.height++
	if n.Anchor != "" && m.visited <= m.maxCount {
		m.memo[n] = result
	}
	return result
}

// checkLoaded reports a loaded document of file that is nested deeper than
// Limits.MaxYAMLDepth or that brings the nodes loaded so far over
// Limits.MaxYAMLNodes. It returns false when the document must not be
// used.
func (c *composer) checkLoaded(file string, root *yaml.Node) bool {
	m := newMeasurer(c.opts.Limits)
	size := m.measure(root, 0)
	if size.height > c.opts.Limits.MaxYAMLDepth {
		c.limitError(file, m.tooDeep, "the nesting depth of mappings and lists", "MaxYAMLDepth", c.opts.Limits.MaxYAMLDepth, "")
		return false
	}
	c.nodes = min(c.nodes+size.count, c.opts.Limits.MaxYAMLNodes+1)
	if c.nodes > c.opts.Limits.MaxYAMLNodes {
		c.limitError(file, root, "the number of YAML nodes, counting each use of an anchor,", "MaxYAMLNodes", c.opts.Limits.MaxYAMLNodes, "")
		return false
	}
	return true
}

// checkComposed checks the composed root against the limits that
// composition can exceed: the node count and depth after extends and
// !reference, the number of top-level entries and the services of each.
// It returns nil when the whole pipeline must be rejected, and marks a job
// with too many services as failed.
func (c *composer) checkComposed(root *yaml.Node) *yaml.Node {
	if root == nil {
		return nil
	}
	limits := c.opts.Limits
	m := newMeasurer(limits)
	size := m.measure(root, 0)
	switch {
	case size.count > limits.MaxYAMLNodes:
		c.limitError(c.main, root, "the number of YAML nodes after include, extends and !reference, counting each use of an anchor or a reference,", "MaxYAMLNodes", limits.MaxYAMLNodes, "")
		return nil
	case size.height > limits.MaxYAMLDepth:
		c.limitError(c.main, m.tooDeep, "the nesting depth of mappings and lists after include, extends and !reference", "MaxYAMLDepth", limits.MaxYAMLDepth, "")
		return nil
	}

	entries := 0
	for i := 0; i+1 < len(root.Content); i += 2 {
		if isMapping(root.Content[i+1]) {
			entries++
		}
	}
	if entries > limits.MaxJobs {
		c.limitError(c.main, root, "the number of jobs, hidden jobs and default:", "MaxJobs", limits.MaxJobs, "")
		return nil
	}

	if !c.checkServices(root, "services") {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		if !isMapping(value) || c.checkServices(value, scalarString(key)+":services") {
			continue
		}
		if scalarString(key) == "default" {
			return nil
		}
		c.markFailed(scalarString(key))
	}
	return root
}

// checkServices reports a services list of entry that holds more than
// Limits.MaxServices services, and returns false then.
func (c *composer) checkServices(entry *yaml.Node, location string) bool {
	services := mappingValue(entry, "services")
	if services == nil || countServices(services) <= c.opts.Limits.MaxServices {
		return true
	}
	c.limitError(c.fileOf(services), services, "the number of services", "MaxServices", c.opts.Limits.MaxServices, "")
	c.diags[len(c.diags)-1].Location = location
	return false
}

// countServices counts the entries of a services list as GitLab flattens
// it: lists nested by !reference count their elements.
func countServices(n *yaml.Node) int {
	if n.Kind != yaml.SequenceNode {
		return 1
	}
	count := 0
	for _, item := range n.Content {
		count += countServices(item)
	}
	return count
}

// limitError reports an ErrLimit error at node n of file.
func (c *composer) limitError(file string, n *yaml.Node, what, field string, limit int, unit string) {
	pos := Position{File: file, Line: 1, Column: 1}
	if n != nil {
		pos = c.position(n)
	}
	c.diags = append(c.diags, limitDiagnostic(pos, "", what, field, int64(limit), unit))
}
