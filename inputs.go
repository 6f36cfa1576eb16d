package ciimage

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// interpolationBlock matches one $[[ ... ]] block as GitLab's interpolator
// does.
var interpolationBlock = regexp.MustCompile(`\$\[\[\s*(\S.*?\S)\s*\]\]`)

// truncateFunction matches truncate(offset, length); GitLab's pattern
// leaves the closing parenthesis optional.
var truncateFunction = regexp.MustCompile(`^truncate\(\s*(\d+)\s*,\s*(\d+)\s*\)?$`)

// maxInterpolationFunctions is the number of functions a block may apply.
const maxInterpolationFunctions = 3

// inputTypes are the input types a spec may declare, in GitLab's message
// order.
var inputTypes = []string{"array", "boolean", "number", "string"}

// inputSpecKeys are the keys an input's spec may hold.
var inputSpecKeys = map[string]bool{"default": true, "description": true, "options": true, "regex": true, "type": true, "rules": true}

// inputValue is one input's value for interpolation, or the reason it
// has none.
type inputValue struct {
	value *yaml.Node
	// spec is the input's key in the header.
	spec *yaml.Node
	// missing is true for a required input that has no value.
	missing bool
}

// interpolator rewrites $[[ inputs.NAME ]] blocks in one file's content.
type interpolator struct {
	c      *composer
	file   string
	prefix string
	inputs map[string]*inputValue
	done   map[*yaml.Node]*yaml.Node
}

// pipelineInputs converts the options' pipeline inputs into a mapping
// node, or returns nil when there are none.
func (c *composer) pipelineInputs() *yaml.Node {
	if len(c.opts.Inputs) == 0 {
		return nil
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: tagMap, Line: 1, Column: 1}
	for _, name := range sortedKeys(c.opts.Inputs) {
		var value yaml.Node
		if err := value.Encode(c.opts.Inputs[name]); err != nil {
			value = yaml.Node{Kind: yaml.ScalarNode, Tag: tagString, Value: fmt.Sprint(c.opts.Inputs[name])}
		}
		retagEncoded(&value)
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: tagString, Value: name}, &value)
	}
	return m
}

// retagEncoded sets the loader's tags on a node yaml.v3 encoded from a Go
// value, whose strings are always strings.
func retagEncoded(n *yaml.Node) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag != tagBool && n.Tag != tagInt && n.Tag != tagFloat && n.Tag != tagNull {
			n.Tag = tagString
		}
	case yaml.SequenceNode:
		n.Tag = tagSeq
	case yaml.MappingNode:
		n.Tag = tagMap
	}
	n.Line, n.Column = 1, 1
	for _, child := range n.Content {
		retagEncoded(child)
	}
}

// interpolateFile applies a file's spec: header to its content: it checks
// the given inputs (a mapping, or nil) against the header and replaces
// $[[ ]] blocks. Without a header, or when the header or an input is
// invalid, the content is returned unchanged; given inputs without a
// header are an error. Errors are reported at the node they concern,
// or at the include entry at, with prefix before each message.
func (c *composer) interpolateFile(file string, loaded loadedYAML, given, at *yaml.Node, prefix string) *yaml.Node {
	if loaded.header == nil {
		if !isNull(given) && !isBlankNode(given) {
			c.report(SeverityError, at, "", prefix+"Given inputs not defined in the `spec` section of the included configuration file", ErrInvalidConfig)
		}
		return loaded.content
	}

	before := len(c.diags)
	specs := c.inputSpecs(file, loaded.header, prefix)
	it := &interpolator{c: c, file: file, prefix: prefix, done: map[*yaml.Node]*yaml.Node{}}
	it.inputs = c.inputValues(specs, given, at, prefix)
	if c.diags[before:].HasErrors() {
		// GitLab interpolates only when the header and every input are
		// valid, so a file with such errors has no interpolation errors.
		return loaded.content
	}
	return it.interpolate(loaded.content)
}

// inputSpecList holds the inputs a header declares, in order.
type inputSpecList struct {
	names []string
	keys  map[string]*yaml.Node
	specs map[string]*yaml.Node
}

// inputSpecs reads spec:inputs from a header and reports keys GitLab
// rejects.
func (c *composer) inputSpecs(file string, header *yaml.Node, prefix string) inputSpecList {
	list := inputSpecList{keys: map[string]*yaml.Node{}, specs: map[string]*yaml.Node{}}
	spec := mappingValue(header, "spec")
	if !isMapping(spec) {
		c.report(SeverityError, spec, "header:spec", prefix+"header:spec config should be a hash", ErrInvalidConfig)
		return list
	}

	var unknown []string
	for i := 0; i+1 < len(spec.Content); i += 2 {
		switch key := rubyToS(spec.Content[i]); key {
		case "inputs", "component":
		case "include":
			c.report(SeverityWarning, spec.Content[i], "header:spec:include", prefix+"spec:include is not read, so the inputs it defines are missing", ErrNotSupported)
		default:
			unknown = append(unknown, key)
		}
	}
	if len(unknown) > 0 {
		c.report(SeverityError, spec, "header:spec", prefix+"header:spec config contains unknown keys: "+strings.Join(unknown, ", "), ErrInvalidConfig)
	}

	inputs := mappingValue(spec, "inputs")
	if !isMapping(inputs) {
		return list
	}
	for i := 0; i+1 < len(inputs.Content); i += 2 {
		name := rubyToS(inputs.Content[i])
		if _, seen := list.specs[name]; !seen {
			list.names = append(list.names, name)
		}
		list.keys[name] = inputs.Content[i]
		list.specs[name] = inputs.Content[i+1]
	}
	return list
}

// inputValues checks the given inputs against the specs in GitLab's order
// (unknown arguments, then each input: type, required, default, value,
// options, regex) and returns each input's value.
func (c *composer) inputValues(specs inputSpecList, given, at *yaml.Node, prefix string) map[string]*inputValue {
	values := map[string]*inputValue{}

	var unknown []string
	if isMapping(given) {
		for i := 0; i+1 < len(given.Content); i += 2 {
			if name := rubyToS(given.Content[i]); specs.specs[name] == nil && specs.keys[name] == nil {
				unknown = append(unknown, name)
			}
		}
	}
	if len(unknown) > 0 {
		c.report(SeverityError, given, "", prefix+"unknown input arguments: "+strings.Join(unknown, ", "), ErrInvalidConfig)
	}

	for _, name := range specs.names {
		spec := specs.specs[name]
		v := &inputValue{spec: specs.keys[name]}
		values[name] = v
		if message := c.inputSpecError(name, spec); message != "" {
			c.report(SeverityError, specs.keys[name], "", prefix+message, ErrInvalidConfig)
			continue
		}
		c.checkInput(name, spec, mappingValue(given, name), v, prefix)
	}
	return values
}

// inputSpecError returns GitLab's error for an input definition with an
// unknown type or key, or "" when it is valid.
func (c *composer) inputSpecError(name string, spec *yaml.Node) string {
	if isNull(spec) {
		return ""
	}
	if !isMapping(spec) {
		return fmt.Sprintf("unknown input specification for `%s` (valid types: %s)", name, strings.Join(inputTypes, ", "))
	}
	for i := 0; i+1 < len(spec.Content); i += 2 {
		if !inputSpecKeys[rubyToS(spec.Content[i])] {
			return fmt.Sprintf("unknown input specification for `%s` (valid types: %s)", name, strings.Join(inputTypes, ", "))
		}
	}
	if t := mappingValue(spec, "type"); t != nil && !slices.Contains(inputTypes, rubyToS(t)) {
		return fmt.Sprintf("unknown input specification for `%s` (valid types: %s)", name, strings.Join(inputTypes, ", "))
	}
	return ""
}

// checkInput sets v's value from the given value or the default and
// reports a value of the wrong type, outside options or not matching regex.
func (c *composer) checkInput(name string, spec, provided *yaml.Node, v *inputValue, prefix string) {
	inputType := "string"
	if t := mappingValue(spec, "type"); t != nil {
		inputType = rubyToS(t)
	}
	def := mappingValue(spec, "default")
	if mappingValue(spec, "rules") != nil {
		c.report(SeverityWarning, v.spec, "", prefix+fmt.Sprintf("`%s` input: rules are not evaluated, so only the default value applies", name), ErrNotSupported)
	}

	value, source := provided, "provided value"
	if provided == nil {
		value, source = def, "default value"
	}
	if value == nil {
		v.missing = true
		c.report(SeverityError, v.spec, "", prefix+fmt.Sprintf("`%s` input: required value has not been provided", name), ErrInvalidConfig)
		return
	}

	var problems []string
	if !inputHasType(value, inputType) {
		problems = append(problems, fmt.Sprintf("`%s` input: %s is not %s", name, source, inputTypeArticle(inputType)))
	} else if options := mappingValue(spec, "options"); options != nil && options.Kind == yaml.SequenceNode && !containsValue(options, value) {
		allowed := "the list of allowed options"
		if inputType == "number" {
			allowed = "the list of the allowed options"
		}
		problems = append(problems, fmt.Sprintf("`%s` input: `%s` cannot be used because it is not in %s", name, rubyToS(value), allowed))
	} else if pattern := mappingValue(spec, "regex"); pattern != nil && inputType == "string" {
		re, err := regexp.Compile(scalarString(pattern))
		if err != nil || !re.MatchString(scalarString(value)) {
			problems = append(problems, fmt.Sprintf("`%s` input: provided value does not match required RegEx pattern", name))
		}
	}
	for _, p := range problems {
		at := provided
		if at == nil {
			at = def
		}
		c.report(SeverityError, at, "", prefix+p, ErrInvalidConfig)
	}
	v.value = value
}

func inputHasType(value *yaml.Node, inputType string) bool {
	switch inputType {
	case "array":
		return value.Kind == yaml.SequenceNode && !isReference(value)
	case "boolean":
		return value.Kind == yaml.ScalarNode && value.Tag == tagBool
	case "number":
		return value.Kind == yaml.ScalarNode && (value.Tag == tagInt || value.Tag == tagFloat)
	}
	return isStringScalar(value)
}

func inputTypeArticle(inputType string) string {
	if inputType == "array" {
		return "an array"
	}
	return "a " + inputType
}

// containsValue reports whether list holds a scalar equal to value in
// type and string form.
func containsValue(list, value *yaml.Node) bool {
	for _, item := range list.Content {
		if item.Kind == yaml.ScalarNode && value.Kind == yaml.ScalarNode && keyIdentity(item) == keyIdentity(value) {
			return true
		}
	}
	return false
}

// interpolate returns n with its blocks replaced, or n itself when it
// holds none.
func (it *interpolator) interpolate(n *yaml.Node) *yaml.Node {
	if done, ok := it.done[n]; ok {
		return done
	}
	result := n
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == tagString {
			result = it.interpolateScalar(n)
		}
	case yaml.SequenceNode, yaml.MappingNode:
		result = it.interpolateCollection(n)
	}
	it.done[n] = result
	return result
}

// interpolateCollection interpolates keys and values. A list item made of
// one block whose value is a list is spliced into the list.
func (it *interpolator) interpolateCollection(n *yaml.Node) *yaml.Node {
	content := make([]*yaml.Node, 0, len(n.Content))
	changed := false
	for _, child := range n.Content {
		replaced := it.interpolate(child)
		changed = changed || replaced != child
		if n.Kind == yaml.SequenceNode && replaced != child && isWholeBlock(child) && replaced.Kind == yaml.SequenceNode {
			content = append(content, replaced.Content...)
			continue
		}
		content = append(content, replaced)
	}
	if !changed {
		return n
	}

	out := *n
	out.Content = content
	if n.Kind == yaml.MappingNode {
		pairs := newPairList(len(content) / 2)
		pairs.merge(&out)
		out.Content = pairs.content()
	}
	it.c.created(&out, n)
	return &out
}

func isWholeBlock(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode || n.Tag != tagString {
		return false
	}
	loc := interpolationBlock.FindStringIndex(n.Value)
	return loc != nil && loc[0] == 0 && loc[1] == len(n.Value)
}

// interpolateScalar replaces the blocks in a string. A string that is one
// block takes the input's value with its type; otherwise each block
// becomes the value's string form.
func (it *interpolator) interpolateScalar(n *yaml.Node) *yaml.Node {
	matches := interpolationBlock.FindAllStringSubmatchIndex(n.Value, -1)
	if len(matches) == 0 {
		return n
	}

	if len(matches) == 1 && matches[0][0] == 0 && matches[0][1] == len(n.Value) {
		if isMatrixBlock(n.Value[matches[0][2]:matches[0][3]]) {
			return n
		}
		value, ok := it.evaluate(n, n.Value[matches[0][2]:matches[0][3]])
		if !ok {
			return n
		}
		copied := *value
		copied.Line, copied.Column = n.Line, n.Column
		it.c.created(&copied, n)
		return &copied
	}

	var b strings.Builder
	last := 0
	for _, m := range matches {
		if isMatrixBlock(n.Value[m[2]:m[3]]) {
			b.WriteString(n.Value[last:m[1]])
			last = m[1]
			continue
		}
		value, ok := it.evaluate(n, n.Value[m[2]:m[3]])
		if !ok {
			return n
		}
		b.WriteString(n.Value[last:m[0]])
		b.WriteString(rubyToS(value))
		last = m[1]
	}
	b.WriteString(n.Value[last:])

	out := &yaml.Node{Kind: yaml.ScalarNode, Tag: tagString, Style: n.Style &^ yaml.TaggedStyle, Value: b.String(), Line: n.Line, Column: n.Column}
	it.c.created(out, n)
	return out
}

// isMatrixBlock reports whether a block reads the matrix. context (GitLab
// 18.6), which GitLab fills in later from parallel:matrix, not from inputs.
func isMatrixBlock(block string) bool {
	return strings.HasPrefix(strings.TrimSpace(block), "matrix.")
}

// evaluate computes one block: an access such as inputs.name and up to
// three functions. Errors are reported at n.
func (it *interpolator) evaluate(n *yaml.Node, block string) (*yaml.Node, bool) {
	parts := strings.Split(block, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if len(parts)-1 > maxInterpolationFunctions {
		return nil, it.fail(n, "too many functions in interpolation block")
	}

	value, ok := it.access(n, parts[0])
	if !ok {
		return nil, false
	}
	for _, function := range parts[1:] {
		if value, ok = it.apply(n, function, value); !ok {
			return nil, false
		}
	}
	return value, true
}

func (it *interpolator) fail(n *yaml.Node, message string) bool {
	it.c.report(SeverityError, n, "", it.prefix+message, ErrInvalidConfig)
	return false
}

// access looks up inputs.NAME.
func (it *interpolator) access(n *yaml.Node, access string) (*yaml.Node, bool) {
	path := strings.Split(access, ".")
	if len(path) < 2 {
		return nil, it.fail(n, "invalid interpolation access pattern")
	}
	if path[0] != "inputs" {
		return nil, it.fail(n, fmt.Sprintf("unknown interpolation key: `%s`", path[0]))
	}
	v, ok := it.inputs[path[1]]
	if !ok {
		return nil, it.fail(n, fmt.Sprintf("unknown interpolation key: `%s`", path[1]))
	}
	if v.missing || v.value == nil {
		return nil, false
	}
	value := v.value
	for _, step := range path[2:] {
		if value = mappingValue(value, step); value == nil {
			return nil, it.fail(n, fmt.Sprintf("unknown interpolation key: `%s`", step))
		}
	}
	return value, true
}

// apply runs one interpolation function on a string value.
func (it *interpolator) apply(n *yaml.Node, function string, value *yaml.Node) (*yaml.Node, bool) {
	name := function
	if i := strings.IndexByte(name, '('); i >= 0 {
		name = name[:i]
	}
	known := function == "expand_vars" || function == "posix_escape" || truncateFunction.MatchString(function)
	if !known {
		return nil, it.fail(n, fmt.Sprintf("no function matching `%s`: check that the function name, arguments, and types are correct", function))
	}
	if !isStringScalar(value) {
		return nil, it.fail(n, fmt.Sprintf("error in `%s` function: invalid input type: %s can only be used with string inputs", name, name))
	}

	s := scalarString(value)
	switch name {
	case "expand_vars":
		expanded, masked := expandGitLabVariables(s, it.c.opts.Variables, true)
		if masked {
			return nil, it.fail(n, "error in `expand_vars` function: variable expansion error: masked variables cannot be expanded")
		}
		s = expanded
	case "posix_escape":
		s = shellEscape(s)
	default:
		m := truncateFunction.FindStringSubmatch(function)
		offset, _ := strconv.Atoi(m[1])
		length, _ := strconv.Atoi(m[2])
		s = rubySlice(s, offset, length)
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tagString, Value: s, Line: n.Line, Column: n.Column}, true
}

// rubySlice returns Ruby's s[offset, length].to_s over characters.
func rubySlice(s string, offset, length int) string {
	if offset > utf8.RuneCountInString(s) {
		return ""
	}
	runes := []rune(s)
	end := min(len(runes), offset+length)
	return string(runes[offset:end])
}

// shellUnsafe matches the characters Ruby's Shellwords.shellescape
// escapes with a backslash.
var shellUnsafe = regexp.MustCompile(`[^A-Za-z0-9_\-.,:+/@\n]`)

// shellEscape quotes s for a POSIX shell as Ruby's Shellwords.shellescape
// does.
func shellEscape(s string) string {
	if s == "" {
		return "''"
	}
	s = shellUnsafe.ReplaceAllStringFunc(s, func(c string) string { return `\` + c })
	return strings.ReplaceAll(s, "\n", "'\n'")
}
