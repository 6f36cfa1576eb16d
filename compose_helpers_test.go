package ciimage

import (
	"fmt"
	"hash/fnv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// composeFiles composes .gitlab-ci.yml from files, given as path and
// content pairs.
func composeFiles(t testing.TB, files map[string]string, opts ComposeOptions) (*Document, Diagnostics) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, content := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(content)}
	}
	doc, diags := Compose(fsys, ".gitlab-ci.yml", opts)
	require.NotNil(t, doc, "Compose returned no document for %v", files)
	return doc, diags
}

// entry renders the top-level entry key of doc in Ruby's inspect form,
// which shows types: strings quoted, numbers and booleans bare.
func entry(doc *Document, key string) string {
	v := mappingValue(doc.Root, key)
	if v == nil {
		return "<missing>"
	}
	return rubyInspect(v)
}

// messages returns the messages of diags, prefixed with "warning: " for
// warnings.
func messages(diags Diagnostics) []string {
	out := []string{}
	for _, d := range diags {
		m := d.Message
		if d.Severity == SeverityWarning {
			m = "warning: " + m
		}
		out = append(out, m)
	}
	return out
}

// countNodes counts the distinct nodes reachable from n.
func countNodes(n *yaml.Node) int {
	seen := map[*yaml.Node]bool{}
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return len(seen)
}

// checkDiagnosticProperties checks what every composition must give: a
// position for every diagnostic and no alias node left in the tree.
func checkDiagnosticProperties(t testing.TB, input string, doc *Document, diags Diagnostics) {
	t.Helper()
	for _, d := range diags {
		if d.File == "" || d.Line <= 0 {
			t.Fatalf("input %q: diagnostic %q has no position", input, d.String())
		}
	}
	if doc == nil {
		return
	}
	seen := map[*yaml.Node]bool{}
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		if n.Kind == yaml.AliasNode {
			t.Fatalf("input %q: alias node left at line %d", input, n.Line)
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(doc.Root)
}

func lines(s ...string) string { return strings.Join(s, "\n") + "\n" }

// fingerprint hashes the tree under n, visiting each shared node once, so
// that trees built from many aliases are compared in linear time.
func fingerprint(n *yaml.Node) uint64 {
	memo := map[*yaml.Node]uint64{}
	var hash func(*yaml.Node) uint64
	hash = func(n *yaml.Node) uint64 {
		if n == nil {
			return 0
		}
		if h, ok := memo[n]; ok {
			return h
		}
		h := fnv.New64a()
		fmt.Fprintf(h, "%d|%s|%s|%d|%d|", n.Kind, n.Tag, n.Value, n.Line, n.Column)
		for _, c := range n.Content {
			fmt.Fprintf(h, "%x,", hash(c))
		}
		memo[n] = h.Sum64()
		return memo[n]
	}
	return hash(n)
}
