package ciimage

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// keyID is the value by which GitLab distinguishes hash keys: strings and
// symbols by their text (GitLab symbolizes string keys), other scalars by
// type and Ruby string form, collections by node identity.
type keyID struct {
	kind  string
	value string
	node  *yaml.Node
}

func keyIdentity(key *yaml.Node) keyID {
	if key.Kind != yaml.ScalarNode {
		return keyID{node: key}
	}
	switch key.Tag {
	case tagString, "":
		return keyID{kind: "s", value: key.Value}
	case tagSymbol:
		return keyID{kind: "s", value: scalarString(key)}
	}
	return keyID{kind: key.Tag, value: scalarString(key)}
}

// isStringScalar reports whether n is a scalar that GitLab reads as a
// String (or a Symbol, which GitLab's key lookups treat alike).
func isStringScalar(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && (n.Tag == tagString || n.Tag == tagSymbol)
}

// isNull reports whether n is absent or a null scalar.
func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == tagNull)
}

// isMapping reports whether n is a mapping that GitLab loads as a Hash. A
// mapping tagged !reference is a reference object, not a Hash.
func isMapping(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.MappingNode && n.Tag != tagReference
}

// isReference reports whether n carries GitLab's !reference tag.
func isReference(n *yaml.Node) bool {
	return n != nil && n.Tag == tagReference
}

// mappingValue returns the value under the string key name in mapping m,
// or nil when m is not a mapping or has no such key.
func mappingValue(m *yaml.Node, name string) *yaml.Node {
	_, v := mappingPair(m, name)
	return v
}

// mappingPair returns the key and value nodes under the string key name.
func mappingPair(m *yaml.Node, name string) (key, value *yaml.Node) {
	if !isMapping(m) {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; isStringKey(k, name) {
			return k, m.Content[i+1]
		}
	}
	return nil, nil
}

// isStringKey reports whether key is a string or symbol scalar whose
// string is name, as isStringScalar(key) && scalarString(key) == name,
// without a call for every key.
func isStringKey(key *yaml.Node, name string) bool {
	if key == nil || key.Kind != yaml.ScalarNode {
		return false
	}
	switch key.Tag {
	case tagString:
		return key.Value == name
	case tagSymbol:
		return strings.TrimPrefix(key.Value, ":") == name
	}
	return false
}

// withoutKey returns a copy of mapping m without the string key name.
func withoutKey(m *yaml.Node, name string) *yaml.Node {
	out := *m
	out.Content = make([]*yaml.Node, 0, len(m.Content))
	for i := 0; i+1 < len(m.Content); i += 2 {
		if isStringKey(m.Content[i], name) {
			continue
		}
		out.Content = append(out.Content, m.Content[i], m.Content[i+1])
	}
	return &out
}

// pairList is an ordered list of mapping pairs with Ruby Hash semantics:
// setting an existing key replaces its value in place. The pairs are
// stored as a mapping node's Content is, key then value, so content can
// hand the slice over without copying. Small lists are searched linearly,
// and the index map is built once a list grows past pairListIndexAt keys.
type pairList struct {
	pairs []*yaml.Node
	// index maps each key's identity to the position of its key in pairs.
	index map[keyID]int
}

const pairListIndexAt = 16

// newPairList returns an empty list with room for size pairs.
func newPairList(size int) *pairList {
	return &pairList{pairs: make([]*yaml.Node, 0, 2*size)}
}

// len returns the number of pairs.
func (p *pairList) len() int { return len(p.pairs) / 2 }

// key returns the key of pair i.
func (p *pairList) key(i int) *yaml.Node { return p.pairs[2*i] }

// value returns the value of pair i.
func (p *pairList) value(i int) *yaml.Node { return p.pairs[2*i+1] }

// setValue replaces the value of pair i.
func (p *pairList) setValue(i int, value *yaml.Node) { p.pairs[2*i+1] = value }

// find returns the number of the pair whose key has identity id.
func (p *pairList) find(id keyID) (int, bool) {
	if p.index != nil {
		at, ok := p.index[id]
		return at / 2, ok
	}
	for at := 0; at < len(p.pairs); at += 2 {
		if hasIdentity(p.pairs[at], id) {
			return at / 2, true
		}
	}
	return 0, false
}

// hasIdentity reports whether keyIdentity(key) == id. It compares string
// keys without building their identity.
func hasIdentity(key *yaml.Node, id keyID) bool {
	if key.Kind == yaml.ScalarNode && (key.Tag == tagString || key.Tag == "") {
		return id.kind == "s" && id.node == nil && id.value == key.Value
	}
	return keyIdentity(key) == id
}

func (p *pairList) set(key, value *yaml.Node) {
	id := keyIdentity(key)
	if i, ok := p.find(id); ok {
		p.setValue(i, value)
		return
	}
	p.pairs = append(p.pairs, key, value)
	switch {
	case p.index != nil:
		p.index[id] = len(p.pairs) - 2
	case p.len() > pairListIndexAt:
		// The capacity of pairs is the size the list was made for.
		p.index = make(map[keyID]int, max(2*p.len(), cap(p.pairs)/2))
		for at := 0; at < len(p.pairs); at += 2 {
			p.index[keyIdentity(p.pairs[at])] = at
		}
	}
}

func (p *pairList) get(key *yaml.Node) (*yaml.Node, bool) {
	i, ok := p.find(keyIdentity(key))
	if !ok {
		return nil, false
	}
	return p.value(i), true
}

// merge sets every pair of mapping m, as Ruby's Hash#merge! does.
func (p *pairList) merge(m *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		p.set(m.Content[i], m.Content[i+1])
	}
}

func (p *pairList) mergePairs(q *pairList) {
	for i := range q.len() {
		p.set(q.key(i), q.value(i))
	}
}

// content returns the pairs as a mapping node's Content. The slice is the
// list's own, so the list must not be changed afterwards.
func (p *pairList) content() []*yaml.Node { return p.pairs }

// deepMerge merges b over a as ActiveSupport's Hash#deep_merge does: two
// mappings merge key by key at any depth, and any other b replaces a.
// Neither input is changed. A merged mapping is a new node at b's position,
// and merged records it so the caller can give it b's file.
//
// Each pair of nodes is merged once and the result shared, so merging
// subtrees that YAML aliases reuse costs time in proportion to the
// distinct nodes, not to the expanded tree. Merging a node with itself
// returns it unchanged, as deep_merge of a hash with itself gives an equal
// hash.
func deepMerge(a, b *yaml.Node, merged func(created, from *yaml.Node)) *yaml.Node {
	m := merger{merged: merged}
	return m.merge(a, b)
}

// merger holds the results of one deepMerge by pair of input nodes. Most
// merges make only a few results, so the first ones are kept in an array
// and searched linearly, and a map holds the rest.
type merger struct {
	merged func(created, from *yaml.Node)
	few    [mergerFewResults]mergeResult
	nFew   int
	many   map[[2]*yaml.Node]*yaml.Node
}

// mergerFewResults is the number of results a merger keeps before it
// needs a map.
const mergerFewResults = 8

// mergeResult is the mapping made by merging inputs[1] over inputs[0].
type mergeResult struct {
	inputs [2]*yaml.Node
	out    *yaml.Node
}

func (m *merger) merge(a, b *yaml.Node) *yaml.Node {
	if a == b || !isMapping(a) || !isMapping(b) {
		return b
	}
	if out, ok := m.result(a, b); ok {
		return out
	}

	pairs := newPairList(len(a.Content)/2 + len(b.Content)/2)
	pairs.merge(a)
	for i := 0; i+1 < len(b.Content); i += 2 {
		key, value := b.Content[i], b.Content[i+1]
		if at, ok := pairs.find(keyIdentity(key)); ok {
			pairs.setValue(at, m.merge(pairs.value(at), value))
			continue
		}
		pairs.set(key, value)
	}

	out := &yaml.Node{Kind: yaml.MappingNode, Tag: tagMap, Line: b.Line, Column: b.Column, Content: pairs.content()}
	if m.merged != nil {
		m.merged(out, b)
	}
	m.remember(a, b, out)
	return out
}

// result returns the earlier result of merging b over a.
func (m *merger) result(a, b *yaml.Node) (*yaml.Node, bool) {
	for _, r := range m.few[:m.nFew] {
		if r.inputs == [2]*yaml.Node{a, b} {
			return r.out, true
		}
	}
	out, ok := m.many[[2]*yaml.Node{a, b}]
	return out, ok
}

// remember stores out as the result of merging b over a.
func (m *merger) remember(a, b, out *yaml.Node) {
	if m.nFew < len(m.few) {
		m.few[m.nFew] = mergeResult{[2]*yaml.Node{a, b}, out}
		m.nFew++
		return
	}
	if m.many == nil {
		m.many = map[[2]*yaml.Node]*yaml.Node{}
	}
	m.many[[2]*yaml.Node{a, b}] = out
}

// rubyToS returns the string Ruby's to_s makes of a loaded value: a
// scalar's string form, or the inspect form of a list or hash.
func rubyToS(n *yaml.Node) string {
	if n != nil && n.Kind == yaml.ScalarNode && n.Tag != tagReference {
		return scalarString(n)
	}
	return rubyInspect(n)
}

// rubyInspect returns the form Ruby's inspect gives a loaded value, as
// GitLab shows it in messages: "text" for strings, nil, numbers as to_s,
// [a, b] for lists and {"k"=>v} for hashes (the Ruby 3.3 form).
func rubyInspect(n *yaml.Node) string {
	if n == nil {
		return "nil"
	}
	switch n.Kind {
	case yaml.SequenceNode:
		parts := make([]string, len(n.Content))
		for i, item := range n.Content {
			parts[i] = rubyInspect(item)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case yaml.MappingNode:
		parts := make([]string, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			parts = append(parts, rubyInspect(n.Content[i])+"=>"+rubyInspect(n.Content[i+1]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	switch n.Tag {
	case tagNull:
		return "nil"
	case tagBool, tagInt, tagFloat:
		return scalarString(n)
	case tagSymbol:
		return n.Value
	}
	return rubyQuote(n.Value)
}

// rubyQuote quotes s as Ruby's String#inspect does for UTF-8 text.
func rubyQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\f':
			b.WriteString(`\f`)
		case '\v':
			b.WriteString(`\v`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		case 0x1b:
			b.WriteString(`\e`)
		case '#':
			if i+1 < len(s) && (s[i+1] == '{' || s[i+1] == '$' || s[i+1] == '@') {
				b.WriteByte('\\')
			}
			b.WriteByte('#')
		default:
			switch {
			case r == utf8.RuneError:
				b.WriteString(fmt.Sprintf(`\x%02X`, s[i]))
			case r < 0x20 || r == 0x7f:
				b.WriteString(fmt.Sprintf(`\x%02X`, r))
			case !unicode.IsPrint(r):
				b.WriteString(fmt.Sprintf(`\u%04X`, r))
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
