package ciimage

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// maxDocuments is the number of YAML documents GitLab reads from one file:
// an optional spec header and the content.
const maxDocuments = 2

// documentDivider is the regular expression with which GitLab's
// MultiDocYaml splits a file into documents: a line starting with --- and
// at least one whitespace character, with all the whitespace that
// follows. findDividers matches it without a regular expression, and a
// test compares the two.
var documentDivider = regexp.MustCompile(`(?m)^---\s+`)

// yamlErrorLine reads the line number from a yaml.v3 error message.
var yamlErrorLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlUnknownAnchor reads the anchor name from yaml.v3's error for an
// alias to an undefined anchor.
var yamlUnknownAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// loadedYAML is one file after the YAML step: the spec header mapping (nil
// when the file has none) and the content document's root node (nil when
// the file holds no document).
type loadedYAML struct {
	header  *yaml.Node
	content *yaml.Node
}

// chunk is one document's text and where it starts in the file.
type chunk struct {
	text       []byte
	lineOffset int
	colOffset  int
}

// loadYAML reads a file's documents as GitLab's YAML loader does: at most
// two documents, empty ones dropped, a first document holding spec: taken
// as the header and the last one as the content. Aliases are resolved,
// merge keys and duplicate keys follow Psych, and plain scalars get
// Psych's types.
//
// A file over Limits.MaxFileBytes is not parsed, and a document over
// Limits.MaxYAMLDepth or Limits.MaxYAMLNodes is dropped with an error.
func (c *composer) loadYAML(file string, data []byte) (loadedYAML, Diagnostics) {
	if diags := sizeDiagnostic(file, len(data), "MaxFileBytes", c.opts.Limits.MaxFileBytes); diags != nil {
		return loadedYAML{}, diags
	}

	var docs []*yaml.Node
	var diags Diagnostics
	for _, ch := range splitDocuments(data) {
		root, d := c.parseChunk(file, ch)
		diags = append(diags, d...)
		if root == nil || d.HasErrors() {
			continue
		}
		before := len(c.diags)
		if !c.checkLoaded(file, root) {
			diags = append(diags, c.diags[before:]...)
			c.diags = c.diags[:before]
			continue
		}
		docs = append(docs, root)
	}
	if diags.HasErrors() || len(docs) == 0 {
		return loadedYAML{}, diags
	}

	if len(docs) > 1 && mappingValue(docs[0], "spec") != nil {
		return loadedYAML{header: docs[0], content: docs[len(docs)-1]}, diags
	}
	return loadedYAML{content: docs[0]}, diags
}

// splitDocuments splits data on document dividers into at most
// maxDocuments+1 chunks and drops a blank first chunk, so that a leading
// --- does not count as a document.
func splitDocuments(data []byte) []chunk {
	var chunks []chunk
	start := 0
	for _, loc := range findDividers(data, maxDocuments) {
		chunks = append(chunks, makeChunk(data, start, loc[0]))
		start = loc[1]
	}
	chunks = append(chunks, makeChunk(data, start, len(data)))

	if len(bytes.TrimSpace(chunks[0].text)) == 0 {
		chunks = chunks[1:]
	}
	return chunks
}

// findDividers returns the start and end of the first max matches of
// documentDivider in data, as FindAllIndex does, in one pass over data.
func findDividers(data []byte, max int) [][2]int {
	var found [][2]int
	for i := 0; i < len(data) && len(found) < max; {
		if i+3 < len(data) && data[i] == '-' && data[i+1] == '-' && data[i+2] == '-' && isRegexpSpace(data[i+3]) {
			end := i + 4
			for end < len(data) && isRegexpSpace(data[end]) {
				end++
			}
			found = append(found, [2]int{i, end})
			if data[end-1] == '\n' {
				i = end
				continue
			}
			i = end
		}

		next := bytes.IndexByte(data[i:], '\n')
		if next < 0 {
			break
		}
		i += next + 1
	}
	return found
}

// isRegexpSpace reports whether b is in RE2's \s class.
func isRegexpSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r'
}

func makeChunk(data []byte, start, end int) chunk {
	lineStart := bytes.LastIndexByte(data[:start], '\n') + 1
	return chunk{
		text:       data[start:end],
		lineOffset: bytes.Count(data[:start], []byte{'\n'}),
		colOffset:  start - lineStart,
	}
}

// parseChunk parses one document with yaml.v3's parser, which keeps
// duplicate keys and aliases in the node tree, and normalizes the result.
// It returns nil for an empty document.
func (c *composer) parseChunk(file string, ch chunk) (*yaml.Node, Diagnostics) {
	var doc yaml.Node
	if err := yaml.Unmarshal(ch.text, &doc); err != nil {
		return nil, Diagnostics{syntaxDiagnostic(file, ch, err)}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}

	n := &normalizer{composer: c, file: file, lineOffset: ch.lineOffset, colOffset: ch.colOffset, done: map[*yaml.Node]bool{}}
	root := n.resolve(doc.Content[0])
	if root.Kind == yaml.ScalarNode && root.Tag == tagNull {
		return nil, n.diags
	}
	return root, n.diags
}

// syntaxHints explain the libyaml messages whose line, as yaml.v3 reports
// it, is often not the line to fix.
var syntaxHints = map[string]string{
	"did not find expected key":                      "a line at or after this one is indented differently from the keys of its mapping, or a list item is where a key was expected",
	"did not find expected '-' indicator":            "a line at or after this one is indented differently from the items of its list",
	"mapping values are not allowed in this context": "quote a value that contains \": \", and check that no line is indented under a plain value",
	"found unexpected end of stream":                 "a quoted value is not closed, or a [ or { has no matching ] or }",
}

// refineSyntaxPosition moves two kinds of errors to the byte that causes
// them, because yaml.v3 names an earlier line with column 1 for them. A
// tab error goes to the first indentation tab at or after that line, and
// a UTF-8 error to the first invalid sequence in text. Other errors keep
// their line and column.
func refineSyntaxPosition(text []byte, message string, line, column int) (int, int) {
	switch {
	case strings.Contains(message, "UTF-8"):
		for offset := 0; offset < len(text); {
			r, size := utf8.DecodeRune(text[offset:])
			if r == utf8.RuneError && size <= 1 {
				return positionOf(text, offset)
			}
			offset += size
		}
	case message == "found a tab character that violates indentation":
		lines := bytes.Split(text, []byte{'\n'})
		for i := max(line-1, 0); i < len(lines); i++ {
			indent := len(lines[i]) - len(bytes.TrimLeft(lines[i], " \t"))
			if tab := bytes.IndexByte(lines[i][:indent], '\t'); tab >= 0 {
				return i + 1, tab + 1
			}
		}
	}
	return line, column
}

// positionOf returns the 1-based line and column of the byte at offset in
// text, counting columns in characters.
func positionOf(text []byte, offset int) (int, int) {
	start := bytes.LastIndexByte(text[:offset], '\n') + 1
	return bytes.Count(text[:offset], []byte{'\n'}) + 1, utf8.RuneCount(text[start:offset]) + 1
}

// syntaxDiagnostic turns a yaml.v3 parse error into a diagnostic at the
// line the message names. An unknown anchor is placed at its first alias,
// and other errors without a line at the last line of the document.
// NOTE: yaml.v3 names the line where its parser noticed the problem, which
// for an unclosed flow collection can be before the line libyaml (and so
// GitLab) reports.
func syntaxDiagnostic(file string, ch chunk, err error) Diagnostic {
	message := strings.TrimPrefix(err.Error(), "yaml: ")
	line := bytes.Count(bytes.TrimRight(ch.text, "\n"), []byte{'\n'}) + 1
	column := 1
	if m := yamlErrorLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		message = m[2]
	} else if m := yamlUnknownAnchor.FindStringSubmatch(message); m != nil {
		if i := bytes.Index(ch.text, []byte("*"+m[1])); i >= 0 {
			line, column = positionOf(ch.text, i)
		}
	}
	line, column = refineSyntaxPosition(ch.text, message, line, column)
	if line == 1 {
		column += ch.colOffset
	}
	if hint, ok := syntaxHints[message]; ok {
		message += " (" + hint + ")"
	}
	return Diagnostic{
		Severity: SeverityError,
		Position: Position{File: file, Line: line + ch.lineOffset, Column: column},
		Message:  message,
		Kind:     ErrSyntax,
	}
}

// normalizer rewrites a parsed node tree in place into the form GitLab's
// loader produces. Each node is visited once: an alias becomes a pointer
// to its anchored node, so a subtree used many times is stored once and
// the work stays proportional to the file, not to its expansion.
type normalizer struct {
	composer   *composer
	file       string
	lineOffset int
	colOffset  int
	// done records nodes already normalized; active those being normalized,
	// to find an alias inside its own anchor.
	done   map[*yaml.Node]bool
	active map[*yaml.Node]bool
	diags  Diagnostics
}

// resolve normalizes n and returns the node that stands for it: the
// anchored node for an alias, else n itself.
func (z *normalizer) resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		return z.resolveAlias(n)
	}
	// Only anchored nodes can be reached twice, through their aliases.
	anchored := n.Anchor != ""
	if anchored {
		if z.done[n] {
			return n
		}
		z.done[n] = true
		z.enter(n)
		defer z.leave(n)
	}
	z.record(n)
	z.shift(n)

	switch n.Kind {
	case yaml.ScalarNode:
		z.retagScalar(n)
	case yaml.SequenceNode:
		for i, child := range n.Content {
			n.Content[i] = z.resolve(child)
		}
		if n.Tag != tagReference {
			n.Tag = tagSeq
		}
	case yaml.MappingNode:
		z.resolveMapping(n)
		if n.Tag != tagReference {
			n.Tag = tagMap
		}
	}
	z.composer.noteReferences(n)
	return n
}

func (z *normalizer) enter(n *yaml.Node) {
	if z.active == nil {
		z.active = map[*yaml.Node]bool{}
	}
	z.active[n] = true
}

func (z *normalizer) leave(n *yaml.Node) { delete(z.active, n) }

// resolveAlias returns the anchored node, or a null scalar with an error
// when the alias sits inside the node it refers to: GitLab cannot process
// such a recursive structure.
func (z *normalizer) resolveAlias(alias *yaml.Node) *yaml.Node {
	target := alias.Alias
	if target == nil || z.active[target] {
		z.shift(alias)
		z.diags = append(z.diags, Diagnostic{
			Severity: SeverityError,
			Position: Position{File: z.file, Line: alias.Line, Column: alias.Column},
			Message:  fmt.Sprintf("alias *%s refers to a node that contains it, which GitLab cannot load", alias.Value),
			Kind:     ErrSyntax,
		})
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tagNull, Line: alias.Line, Column: alias.Column}
	}
	return z.resolve(target)
}

// record notes the file of a node that is not from the main file.
func (z *normalizer) record(n *yaml.Node) {
	if z.file != z.composer.main {
		z.composer.files[n] = z.file
	}
}

// shift moves a node's position from its document to its file.
func (z *normalizer) shift(n *yaml.Node) {
	if n.Line == 1 {
		n.Column += z.colOffset
	}
	n.Line += z.lineOffset
}

// retagScalar gives a plain scalar Psych's type. Quoted and block scalars
// and scalars tagged !!str stay strings. Other explicit tags, except
// GitLab's !reference, are read like plain scalars because Psych ignores
// tags it does not know.
func (z *normalizer) retagScalar(n *yaml.Node) {
	quoted := n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0
	tagged := n.Style&yaml.TaggedStyle != 0
	switch {
	case tagged && n.Tag == tagReference:
		return
	case quoted || (tagged && n.Tag == tagString):
		n.Tag = tagString
		return
	}

	tag, class := plainScalarTag(n.Value)
	if class != "" {
		z.diags = append(z.diags, Diagnostic{
			Severity: SeverityError,
			Position: Position{File: z.file, Line: n.Line, Column: n.Column},
			Message:  "Tried to load unspecified class: " + class,
			Kind:     ErrSyntax,
		})
		tag = tagString
	}
	n.Tag = tag
}

// resolveMapping rebuilds a mapping's pairs as Psych's revive_hash builds
// a Hash: a repeated key keeps its first place and takes the last value,
// and a << merge key merges at its own place, so keys before it are
// overwritten and keys after it win.
func (z *normalizer) resolveMapping(n *yaml.Node) {
	// rawMerged keeps the value under each << key as written, in order,
	// because an alias there merges differently from a list.
	var rawMerged []mergeKeyValue
	for i := 0; i+1 < len(n.Content); i += 2 {
		if isMergeKey(n.Content[i]) {
			rawMerged = append(rawMerged, mergeKeyValue{at: i, raw: n.Content[i+1]})
		}
		n.Content[i] = z.resolve(n.Content[i])
		n.Content[i+1] = z.resolve(n.Content[i+1])
	}
	if rawMerged == nil && !hasDuplicateKeys(n) {
		return
	}

	pairs := newPairList(len(n.Content) / 2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		if len(rawMerged) > 0 && rawMerged[0].at == i {
			raw := rawMerged[0].raw
			rawMerged = rawMerged[1:]
			if isMergeKey(key) && z.applyMerge(pairs, raw, value) {
				continue
			}
		}
		pairs.set(key, value)
	}
	n.Content = pairs.content()
}

// mergeKeyValue is the value under a << key before normalization, and the
// position of the key in its mapping's Content.
type mergeKeyValue struct {
	at  int
	raw *yaml.Node
}

// hasDuplicateKeys reports whether two keys of mapping m are the same
// hash key.
func hasDuplicateKeys(m *yaml.Node) bool {
	pairs := len(m.Content) / 2
	if pairs > pairListIndexAt {
		seen := make(map[keyID]bool, pairs)
		for i := 0; i+1 < len(m.Content); i += 2 {
			id := keyIdentity(m.Content[i])
			if seen[id] {
				return true
			}
			seen[id] = true
		}
		return false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		id := keyIdentity(m.Content[i])
		for j := 0; j < i; j += 2 {
			if hasIdentity(m.Content[j], id) {
				return true
			}
		}
	}
	return false
}

// isMergeKey reports whether key is <<, unless it is tagged !!str
// explicitly. Psych also merges under a quoted "<<".
func isMergeKey(key *yaml.Node) bool {
	return key.Kind == yaml.ScalarNode && key.Value == "<<" && key.Style&yaml.TaggedStyle == 0
}

// applyMerge merges the value of a << key into pairs and reports whether
// it did. An alias or mapping value must be a mapping. In a sequence the
// first mapping wins, and every element must be a mapping. Any other
// value is not merged, and Psych then stores it under the key <<.
func (z *normalizer) applyMerge(pairs *pairList, rawValue, value *yaml.Node) bool {
	switch rawValue.Kind {
	case yaml.AliasNode, yaml.MappingNode:
		if !isMapping(value) {
			return false
		}
		pairs.merge(value)
		return true
	case yaml.SequenceNode:
		if value.Tag == tagReference {
			return false
		}
		for _, item := range value.Content {
			if !isMapping(item) {
				return false
			}
		}
		combined := newPairList(0)
		for i := len(value.Content) - 1; i >= 0; i-- {
			combined.merge(value.Content[i])
		}
		pairs.mergePairs(combined)
		return true
	}
	return false
}
