package conformance

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"gopkg.in/yaml.v3"
)

// CorpusName is one image or service name found in a pipeline file.
type CorpusName struct {
	File string
	Line int
	// Written is the name as written in the file.
	Written string
	// Name is Written after variable expansion.
	Name string
	// Missing lists the variables Written uses that have no value, in
	// order of use. A name with missing variables is not compared.
	Missing []string
}

// Variables are the values used to expand corpus names, in addition to the
// top-level variables of each file. They stand for GitLab's predefined
// variables and for variables that corpus files take from project
// settings, included files or job-level variables.
var Variables = map[string]string{
	"CI_REGISTRY":                                   "registry.gitlab.example.com",
	"CI_REGISTRY_IMAGE":                             "registry.gitlab.example.com/group/project",
	"CI_PROJECT_NAME":                               "project",
	"CI_PROJECT_PATH":                               "group/project",
	"CI_PROJECT_NAMESPACE":                          "group",
	"CI_COMMIT_SHA":                                 "0123456789abcdef0123456789abcdef01234567",
	"CI_COMMIT_SHORT_SHA":                           "01234567",
	"CI_COMMIT_REF_NAME":                            "main",
	"CI_COMMIT_REF_SLUG":                            "main",
	"CI_COMMIT_BRANCH":                              "main",
	"CI_DEFAULT_BRANCH":                             "main",
	"CI_JOB_NAME":                                   "test",
	"CI_MERGE_REQUEST_IID":                          "1",
	"CI_SERVER_HOST":                                "gitlab.example.com",
	"CI_TEMPLATE_REGISTRY_HOST":                     "registry.gitlab.com",
	"CI_DEPENDENCY_PROXY_SERVER":                    "gitlab.example.com:443",
	"CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX":        "gitlab.example.com:443/group/dependency_proxy/containers",
	"CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX": "gitlab.example.com:443/group/dependency_proxy/containers",
	"GITLAB_DEPENDENCY_PROXY":                       "gitlab.example.com:443/group/dependency_proxy/containers/",
	"DOCKER_VERSION":                                "27.3.1",
	"CI_DIND_IMAGE":                                 "docker:27.3.1-dind",
	"CI_REGISTRY_IMAGE_TEST":                        "registry.gitlab.example.com/group/project/test",
	"CI_UTIL_IMAGE":                                 "registry.gitlab.example.com/group/project/ci-util:main",
	"DOCKER_DIND_IMAGE":                             "docker:27.3.1-dind",
	"RUBY_IMAGE":                                    "ruby:3.3",
	"RUBY_ALPINE_IMAGE":                             "ruby:3.3-alpine",
	"BASH_IMAGE":                                    "bash:5.2",
	"DEBIAN_IMAGE_URL":                              "debian:bookworm",
	"DOCS_LINT_IMAGE":                               "registry.gitlab.com/gitlab-org/technical-writing/docs-gitlab-com/lint-markdown:alpine-3.21-vale-3.11.2",
	"DOCS_HUGO_IMAGE":                               "hugomods/hugo:exts-0.145.0",
	"BUILDER_IMAGE_REGISTRY":                        "registry.gitlab.example.com/group/builder",
	"PUBLIC_BUILDER_IMAGE_REGISTRY":                 "registry.gitlab.com/gitlab-org/gitlab-omnibus-builder",
	"BUILDER_IMAGE_REVISION":                        "5.40.0",
	"TGT_ARCH":                                      "amd64",
	"TGT_DEB":                                       "trixie",
	"PG_VERSION":                                    "16",
	"PG_CURR_VERSION":                               "16",
	"PYTHON_VERSION":                                "3.12",
	"GO_VERSION":                                    "1.24",
	"IMAGE":                                         "debian",
	"QEMU_CI_CONTAINER_TAG":                         "latest",
}

// maxExpansionPasses bounds the expansion of a file's variables that refer
// to each other.
const maxExpansionPasses = 5

// ReadCorpus returns every image and service name in the *.yml files of
// dir, in file order and then document order. It takes the value of each
// "image" key that is a string, the "name" of each "image" key that is a
// mapping, and each "services" item that is a string or a mapping with a
// "name", wherever these keys appear. Values tagged !reference are not
// names and are left out. Names are expanded the way os.Expand does, which
// the runner uses, against Variables and the file's top-level variables.
func ReadCorpus(dir string) ([]CorpusName, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.yml"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no *.yml files found in %s", dir)
	}

	var names []CorpusName
	for _, path := range paths {
		found, err := readCorpusFile(path)
		if err != nil {
			return nil, err
		}
		names = append(names, found...)
	}
	return names, nil
}

// readCorpusFile returns the names of one file, with all its YAML
// documents.
func readCorpusFile(path string) ([]CorpusName, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()

	var documents []*yaml.Node
	decoder := yaml.NewDecoder(file)
	for {
		var document yaml.Node
		err := decoder.Decode(&document)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", path, err)
		}
		documents = append(documents, &document)
	}

	variables := fileVariables(documents)
	var names []CorpusName
	for _, document := range documents {
		for _, node := range nameNodes(document) {
			name, missing := expand(node.Value, variables)
			names = append(names, CorpusName{
				File:    filepath.Base(path),
				Line:    node.Line,
				Written: node.Value,
				Name:    name,
				Missing: missing,
			})
		}
	}
	return names, nil
}

// fileVariables returns Variables with the top-level variables of the
// documents added, each expanded against the others. A variable given as
// a mapping uses its "value".
func fileVariables(documents []*yaml.Node) map[string]string {
	variables := make(map[string]string, len(Variables))
	for key, value := range Variables {
		variables[key] = value
	}

	for _, document := range documents {
		root := resolve(document)
		if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
			root = resolve(root.Content[0])
		}
		section := mappingValue(root, "variables")
		if section == nil || section.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(section.Content); i += 2 {
			value := resolve(section.Content[i+1])
			if value.Kind == yaml.MappingNode {
				value = mappingValue(value, "value")
			}
			if value != nil && value.Kind == yaml.ScalarNode {
				variables[section.Content[i].Value] = value.Value
			}
		}
	}

	for range maxExpansionPasses {
		for key, value := range variables {
			variables[key], _ = expand(value, variables)
		}
	}
	return variables
}

// expand applies os.Expand to value and returns the variables it used that
// have no value.
func expand(value string, variables map[string]string) (string, []string) {
	var missing []string
	expanded := os.Expand(value, func(key string) string {
		result, ok := variables[key]
		if !ok && !slices.Contains(missing, key) {
			missing = append(missing, key)
		}
		return result
	})
	return expanded, missing
}

// nameNodes returns the scalar nodes below node that hold an image or
// service name. It visits each node once, so an anchored mapping that is
// merged or aliased elsewhere contributes its names once.
func nameNodes(node *yaml.Node) []*yaml.Node {
	var found []*yaml.Node
	var walk func(*yaml.Node)
	walk = func(node *yaml.Node) {
		if node.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(node.Content); i += 2 {
				switch node.Content[i].Value {
				case "image":
					found = appendImageName(found, node.Content[i+1])
				case "services":
					found = appendServiceNames(found, node.Content[i+1])
				}
			}
		}
		for _, child := range node.Content {
			walk(child)
		}
	}
	walk(node)
	return found
}

// appendImageName appends the name of an "image" value: a string, or the
// "name" of a mapping.
func appendImageName(found []*yaml.Node, value *yaml.Node) []*yaml.Node {
	value = resolve(value)
	if value.Kind == yaml.MappingNode {
		value = mappingValue(value, "name")
	}
	if isName(value) {
		found = append(found, value)
	}
	return found
}

// appendServiceNames appends the names of the items of a "services"
// sequence.
func appendServiceNames(found []*yaml.Node, value *yaml.Node) []*yaml.Node {
	value = resolve(value)
	if value.Kind != yaml.SequenceNode {
		return found
	}
	for _, item := range value.Content {
		found = appendImageName(found, item)
	}
	return found
}

// isName reports whether node is a plain string, and so neither missing,
// a !reference, null, nor a number or boolean.
func isName(node *yaml.Node) bool {
	return node != nil && node.Kind == yaml.ScalarNode && node.Tag == "!!str"
}

// mappingValue returns the value of key in a mapping node, or nil.
func mappingValue(mapping *yaml.Node, key string) *yaml.Node {
	if mapping == nil || mapping.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(mapping.Content); i += 2 {
		if mapping.Content[i].Value == key {
			return resolve(mapping.Content[i+1])
		}
	}
	return nil
}

// resolve follows an alias node to its anchored node.
func resolve(node *yaml.Node) *yaml.Node {
	for node != nil && node.Kind == yaml.AliasNode {
		node = node.Alias
	}
	return node
}

// UniqueNames returns the expanded names without missing variables, each
// once, in order of first appearance.
func UniqueNames(names []CorpusName) []string {
	seen := make(map[string]bool, len(names))
	var unique []string
	for _, name := range names {
		if len(name.Missing) > 0 || seen[name.Name] {
			continue
		}
		seen[name.Name] = true
		unique = append(unique, name.Name)
	}
	return unique
}
