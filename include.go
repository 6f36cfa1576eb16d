package ciimage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"
)

// includeLocationKeys are the keys that name what an include reads, in the
// order GitLab lists them in its messages.
var includeLocationKeys = []string{"local", "project", "remote", "template", "artifact", "component"}

// yamlExtension is the file name pattern GitLab requires of included files.
var yamlExtension = regexp.MustCompile(`(?i)^.+\.(yml|yaml)$`)

// gitlabVariable matches $NAME, ${NAME} and %NAME% as GitLab's
// ExpandVariables does.
var gitlabVariable = regexp.MustCompile(`\$([a-zA-Z_][a-zA-Z0-9_]*)|\$\{([a-zA-Z_][a-zA-Z0-9_]*)\}|%([a-zA-Z_][a-zA-Z0-9_]*)%`)

// expandIncludes reads the include: entries of root, which came from file,
// and returns root merged over them, without the include key. Included
// files are merged in order, each after its own includes, so a later file
// wins over an earlier one and root wins over all.
func (c *composer) expandIncludes(file string, root *yaml.Node) *yaml.Node {
	includeKey, includeValue := mappingPair(root, "include")
	if includeKey == nil {
		return root
	}

	var merged *yaml.Node
	for _, entry := range c.includeEntries(includeValue) {
		for _, content := range c.readInclude(entry) {
			merged = c.merge(merged, content)
		}
	}

	own := withoutKey(root, "include")
	c.created(own, root)
	return c.merge(merged, own)
}

// includeEntries returns the string and mapping entries of an include:
// value. Null items are dropped, and any other item is an error.
func (c *composer) includeEntries(value *yaml.Node) []*yaml.Node {
	switch {
	case isNull(value):
		return nil
	case isStringScalar(value), isMapping(value):
		return []*yaml.Node{value}
	case value.Kind == yaml.SequenceNode && !isReference(value):
		var entries []*yaml.Node
		for _, item := range value.Content {
			switch {
			case isNull(item):
			case isStringScalar(item), isMapping(item):
				entries = append(entries, item)
			default:
				c.report(SeverityError, item, "include", "Each include must be a hash or a string", ErrInvalidConfig)
			}
		}
		return entries
	}
	c.report(SeverityError, value, "include", "Each include must be a hash or a string", ErrInvalidConfig)
	return nil
}

// readInclude returns the expanded contents of the files one include
// entry names, in order.
func (c *composer) readInclude(entry *yaml.Node) []*yaml.Node {
	if isStringScalar(entry) {
		location := c.expandVariables(scalarString(entry))
		if isRemoteLocation(location) {
			c.notRead(entry, "remote", location)
			return nil
		}
		return c.readLocalPattern(entry, location, nil)
	}

	kind, ok := c.includeKind(entry)
	if !ok || !c.includeRulesMatch(entry) {
		return nil
	}
	inputs := mappingValue(entry, "inputs")
	location := mappingValue(entry, kind)

	if kind != "local" {
		c.notRead(entry, kind, c.describeLocation(entry, kind))
		return nil
	}
	if !isStringScalar(location) {
		c.report(SeverityError, location, "include", fmt.Sprintf("Included file `%s` needs to be a string", c.mask(rubyToS(location))), ErrInvalidConfig)
		return nil
	}
	value := scalarString(location)
	if !strings.Contains(value, "*") {
		value = c.expandVariables(value)
	}
	return c.readLocalPattern(entry, value, inputs)
}

// includeKind returns the one location key of a mapping entry, or reports
// GitLab's error when there is none or more than one.
func (c *composer) includeKind(entry *yaml.Node) (string, bool) {
	var kinds []string
	for _, key := range includeLocationKeys {
		if v := mappingValue(entry, key); v != nil && !isBlankNode(v) {
			kinds = append(kinds, key)
		}
	}
	switch len(kinds) {
	case 1:
		return kinds[0], true
	case 0:
		message := fmt.Sprintf("`%s` does not have a valid subkey for include. Valid subkeys are: `%s`",
			c.mask(nodeJSON(entry)), strings.Join(includeLocationKeys, "`, `"))
		c.report(SeverityError, entry, "include", message, ErrInvalidConfig)
	default:
		message := "Each include must use only one of: `" + strings.Join(includeLocationKeys, "`, `") + "`"
		c.report(SeverityError, entry, "include", message, ErrInvalidConfig)
	}
	return "", false
}

// isBlank reports whether n is what Ruby's blank? calls blank: null,
// false, a whitespace-only string or an empty list or hash.
func isBlankNode(n *yaml.Node) bool {
	switch {
	case isNull(n), isFalse(n):
		return true
	case n.Kind == yaml.ScalarNode:
		return n.Tag == tagString && strings.TrimSpace(n.Value) == ""
	}
	return len(n.Content) == 0
}

func isRemoteLocation(location string) bool {
	u, err := url.Parse(location)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "http", "https", "ssh", "git":
		return true
	}
	return false
}

// describeLocation names what a non-local include would read, for the
// warning that it was not read.
func (c *composer) describeLocation(entry *yaml.Node, kind string) string {
	location := rubyToS(mappingValue(entry, kind))
	if kind == "project" {
		location += " " + rubyToS(mappingValue(entry, "file"))
	}
	return c.mask(location)
}

// notRead counts a non-local include toward the limit and warns that
// ciimage does not fetch it.
func (c *composer) notRead(entry *yaml.Node, kind, location string) {
	files := 1
	if kind == "project" {
		if f := mappingValue(entry, "file"); f != nil && f.Kind == yaml.SequenceNode {
			files = len(f.Content)
		}
	}
	for range files {
		if !c.countInclude(entry) {
			return
		}
	}
	message := fmt.Sprintf("%s include %s was not read: ciimage reads only local files, so the jobs and keys it defines are missing", kind, location)
	c.report(SeverityWarning, entry, "include", message, ErrNotSupported)
}

// countInclude counts one included file and reports GitLab's error once
// the limit is reached. It returns false when the file must not be read.
func (c *composer) countInclude(at *yaml.Node) bool {
	if c.includeLimitHit {
		return false
	}
	if c.includes >= c.opts.MaxIncludes {
		c.includeLimitHit = true
		message := fmt.Sprintf("Maximum of %d nested includes are allowed!", c.opts.MaxIncludes)
		c.report(SeverityError, at, "include", message, ErrLimit)
		return false
	}
	c.includes++
	return true
}

// readLocalPattern reads a local include location, which may hold * and
// ** wildcards.
func (c *composer) readLocalPattern(entry *yaml.Node, location string, inputs *yaml.Node) []*yaml.Node {
	if !strings.Contains(location, "*") {
		if content := c.readLocal(entry, strings.TrimLeft(location, "/"), inputs); content != nil {
			return []*yaml.Node{content}
		}
		return nil
	}

	// NOTE: this follows GitLab 18.x: a wildcard keeps a leading / (so it
	// matches nothing) and each match is read without the entry's inputs.
	// Newer GitLab strips the /, keeps the inputs and skips the including
	// file.
	var contents []*yaml.Node
	for _, match := range c.globLocal(entry, location) {
		if content := c.readLocal(entry, match, nil); content != nil {
			contents = append(contents, content)
		}
	}
	return contents
}

// globLocal returns the repository files a wildcard location matches, in
// bytewise path order. GitLab escapes the location as a regular
// expression, then turns ** into .*? and * into [^/]*?.
func (c *composer) globLocal(entry *yaml.Node, location string) []string {
	files := c.repositoryFiles(entry)
	quoted := regexp.QuoteMeta(location)
	quoted = strings.ReplaceAll(quoted, `\*\*`, `.*?`)
	quoted = strings.ReplaceAll(quoted, `\*`, `[^/]*?`)
	pattern, err := regexp.Compile("^" + quoted + "$")
	if err != nil {
		return nil
	}

	var matches []string
	for _, f := range files {
		if pattern.MatchString(f) {
			matches = append(matches, f)
		}
	}
	return matches
}

// repositoryFiles lists every file of the repository in bytewise order.
func (c *composer) repositoryFiles(at *yaml.Node) []string {
	if c.globFiles != nil || c.opts.FS == nil {
		return c.globFiles
	}
	files := []string{}
	_ = fs.WalkDir(c.opts.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	c.globFiles = files
	return files
}

// readLocal reads, loads, interpolates and expands one local file, and
// returns its content, or nil after reporting why it cannot be used.
func (c *composer) readLocal(entry *yaml.Node, name string, inputs *yaml.Node) *yaml.Node {
	if !c.countInclude(entry) {
		return nil
	}
	shown := c.mask(name)
	if !yamlExtension.MatchString(path.Base(name)) || strings.HasSuffix(name, "/") {
		c.report(SeverityError, entry, "include", fmt.Sprintf("Included file `%s` does not have YAML extension!", shown), ErrInvalidConfig)
		return nil
	}
	if c.opts.FS == nil {
		c.report(SeverityWarning, entry, "include", fmt.Sprintf("Local file `%s` was not read: no repository files were given, so the jobs and keys it defines are missing", shown), ErrNotSupported)
		return nil
	}

	data, err := readFileLimited(c.opts.FS, name, c.opts.Limits.MaxFileBytes)
	switch {
	case errors.Is(err, fs.ErrNotExist) || (err != nil && !fs.ValidPath(name)):
		c.report(SeverityError, entry, "include", fmt.Sprintf("Local file `%s` does not exist!", shown), ErrInvalidConfig)
		return nil
	case err != nil:
		c.report(SeverityError, entry, "include", fmt.Sprintf("Local file `%s` does not exist!", shown), err)
		return nil
	case len(bytes.TrimSpace(data)) == 0:
		c.report(SeverityError, entry, "include", fmt.Sprintf("Local file `%s` is empty!", shown), ErrInvalidConfig)
		return nil
	}

	prefix := "`" + shown + "`: "
	loaded, diags := c.loadYAML(name, data)
	for _, d := range diags {
		d.Message = prefix + d.Message
		c.diags = append(c.diags, d)
	}
	switch {
	case diags.HasErrors():
		return nil
	case loaded.content == nil:
		c.report(SeverityError, entry, "include", fmt.Sprintf("Included file `%s` does not have valid YAML syntax!", shown), ErrInvalidConfig)
		return nil
	case !isMapping(loaded.content):
		c.errorAt(name, loaded.content, "", prefix+"Invalid configuration format", ErrInvalidConfig)
		return nil
	}

	content := c.interpolateFile(name, loaded, inputs, entry, prefix)
	return c.expandIncludes(name, content)
}

// includeRulesMatch evaluates an include's rules: as GitLab does, the
// first matching rule decides and no match drops the include. Rules with
// if or changes cannot be evaluated without a pipeline, so the include is
// kept with a warning.
func (c *composer) includeRulesMatch(entry *yaml.Node) bool {
	rules := mappingValue(entry, "rules")
	if isNull(rules) {
		return true
	}
	if rules.Kind != yaml.SequenceNode {
		c.report(SeverityError, rules, "include:rules", "config should be an array of hashes", ErrInvalidConfig)
		return false
	}

	for _, rule := range rules.Content {
		for _, clause := range []string{"if", "changes"} {
			if mappingValue(rule, clause) != nil {
				message := fmt.Sprintf("include rules with `%s` are not evaluated, so the include is kept", clause)
				c.report(SeverityWarning, rule, "include:rules:rule", message, ErrNotSupported)
				return true
			}
		}

		matched, known := c.existsMatches(rule)
		if !known {
			return true
		}
		if !matched {
			continue
		}
		return rubyToS(mappingValue(rule, "when")) != "never"
	}
	return false
}

// existsMatches reports whether any exists pattern of rule matches a
// repository file. A rule without exists always matches. known is false
// when there is no repository to check, after a warning.
func (c *composer) existsMatches(rule *yaml.Node) (matched, known bool) {
	exists := mappingValue(rule, "exists")
	if isNull(exists) {
		return true, true
	}
	if c.opts.FS == nil {
		c.report(SeverityWarning, exists, "include:rules:rule:exists", "include rules with `exists` are not evaluated without repository files, so the include is kept", ErrNotSupported)
		return false, false
	}
	if isMapping(exists) {
		exists = mappingValue(exists, "paths")
	}

	var patterns []string
	switch {
	case exists == nil:
	case exists.Kind == yaml.SequenceNode:
		for _, p := range exists.Content {
			patterns = append(patterns, scalarString(p))
		}
	default:
		patterns = append(patterns, scalarString(exists))
	}
	for _, f := range c.repositoryFiles(rule) {
		for _, p := range patterns {
			if ok, _ := doublestar.Match(strings.TrimLeft(c.expandVariables(p), "/"), f); ok {
				return true, true
			}
		}
	}
	return false, true
}

// expandVariables expands $NAME, ${NAME} and %NAME% from the options'
// variables, as GitLab does for include locations. Unknown variables
// become empty.
func (c *composer) expandVariables(s string) string {
	out, _ := expandGitLabVariables(s, c.opts.Variables, false)
	return out
}

// expandGitLabVariables expands variable references in s. keepUnknown
// keeps references to unknown variables as written. usedMasked reports
// whether a masked variable was expanded.
func expandGitLabVariables(s string, vars Variables, keepUnknown bool) (out string, usedMasked bool) {
	out = gitlabVariable.ReplaceAllStringFunc(s, func(ref string) string {
		m := gitlabVariable.FindStringSubmatch(ref)
		name := m[1] + m[2] + m[3]
		for i := len(vars) - 1; i >= 0; i-- {
			if vars[i].Key == name {
				usedMasked = usedMasked || vars[i].Masked
				return vars[i].Value
			}
		}
		if keepUnknown {
			return ref
		}
		return ""
	})
	return out, usedMasked
}

// mask hides the values of masked variables in s as GitLab does:
// [MASKED] followed by an x for each character beyond the eighth.
func (c *composer) mask(s string) string {
	for _, v := range c.opts.Variables {
		if v.Masked && v.Value != "" {
			s = strings.ReplaceAll(s, v.Value, "[MASKED]"+strings.Repeat("x", max(0, len(v.Value)-8)))
		}
	}
	return s
}

// nodeJSON encodes a loaded value as Ruby's to_json does, for messages.
func nodeJSON(n *yaml.Node) string {
	data, err := marshalJSON(nodeValue(n))
	if err != nil {
		return rubyInspect(n)
	}
	return string(data)
}

// marshalJSON encodes v without escaping <, > and &, as Ruby's to_json.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// nodeValue converts a loaded node into plain Go values in Ruby's types,
// keeping mapping order through orderedJSON.
func nodeValue(n *yaml.Node) any {
	switch {
	case n == nil || isNull(n):
		return nil
	case n.Kind == yaml.SequenceNode:
		items := make([]any, len(n.Content))
		for i, item := range n.Content {
			items[i] = nodeValue(item)
		}
		return items
	case n.Kind == yaml.MappingNode:
		var pairs orderedJSON
		for i := 0; i+1 < len(n.Content); i += 2 {
			pairs = append(pairs, jsonPair{scalarString(n.Content[i]), nodeValue(n.Content[i+1])})
		}
		return pairs
	case n.Tag == tagBool:
		return scalarString(n) == "true"
	case n.Tag == tagInt || n.Tag == tagFloat:
		return json.RawMessage(scalarString(n))
	}
	return scalarString(n)
}

type jsonPair struct {
	key   string
	value any
}

// orderedJSON is a JSON object that keeps its key order.
type orderedJSON []jsonPair

func (o orderedJSON) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := marshalJSON(p.key)
		value, err := marshalJSON(p.value)
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
