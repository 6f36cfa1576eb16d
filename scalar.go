package ciimage

import "gopkg.in/yaml.v3"

// scalarString returns a scalar's value as GitLab turns it into a string.
// NOTE: until YAML 1.1 scalar rules are in place this is the text as
// written.
func scalarString(n *yaml.Node) string { return n.Value }
