// Command yamlfloor reads one YAML file and decodes it into a yaml.Node
// with gopkg.in/yaml.v3, and does nothing else. It is the floor that
// `ciimage resolve` is measured against as a whole process: no program
// that reads the pipeline with yaml.v3 can take less time or memory.
//
// Usage:
//
//	yamlfloor FILE
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/ciimage/ciimage/internal/floor"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run decodes the file named by args and returns the exit status: 0 on
// success, 1 when the file cannot be read or decoded, 2 for a usage error.
func run(args []string, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: yamlfloor FILE")
		return 2
	}
	if _, err := floor.DecodeFile(args[0]); err != nil {
		fmt.Fprintf(stderr, "yamlfloor: %v\n", err)
		return 1
	}
	return 0
}
