// Package floor decodes YAML into a yaml.Node with gopkg.in/yaml.v3 and
// does nothing else. Benchmarks compare pipeline resolution with it: any
// resolver that reads the pipeline with yaml.v3 costs at least this much.
package floor

import (
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// Decode decodes data into a yaml.Node.
func Decode(data []byte) (*yaml.Node, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("decoding YAML: %w", err)
	}
	return &root, nil
}

// DecodeFile reads the file at path and decodes it with Decode.
func DecodeFile(path string) (*yaml.Node, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	root, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return root, nil
}
