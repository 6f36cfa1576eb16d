// Command pipelinegen writes a synthetic .gitlab-ci.yml for tests and
// benchmarks. The same flags always produce the same file.
//
// Usage:
//
//	pipelinegen [-jobs N] [-extends-depth N] [-anchor-reuse N] [-seed N] [-o FILE]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ciimage/ciimage/internal/pipelinegen"
)

// Exit statuses of the command.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses the flags, writes the pipeline and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("pipelinegen", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var cfg pipelinegen.Config
	flags.IntVar(&cfg.Jobs, "jobs", 10, "number of visible jobs, at least 1")
	flags.IntVar(&cfg.ExtendsDepth, "extends-depth", 2,
		fmt.Sprintf("number of hidden jobs in each extends chain below a job, 0 to %d", pipelinegen.MaxExtendsDepth))
	flags.IntVar(&cfg.AnchorReuse, "anchor-reuse", 2, "number of \"<<\" merge keys that merge an anchored hidden job into a job")
	flags.Int64Var(&cfg.Seed, "seed", 1, "seed that selects images, services and job shapes")
	output := flags.String("o", "", "write the pipeline to this file instead of standard output")

	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "pipelinegen: unexpected argument %q. pipelinegen takes only these flags:\n", flags.Arg(0))
		flags.PrintDefaults()
		return exitUsage
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "pipelinegen: %v\n", err)
		return exitUsage
	}

	if err := write(*output, cfg, stdout); err != nil {
		fmt.Fprintf(stderr, "pipelinegen: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// write generates the pipeline into the file at path, or into stdout when
// path is "".
func write(path string, cfg pipelinegen.Config, stdout io.Writer) error {
	if path == "" {
		return pipelinegen.Generate(stdout, cfg)
	}

	file, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pipelinegen.Generate(file, cfg); err != nil {
		file.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return file.Close()
}
