// Command ciimage prints which containers a GitLab CI job gets on a
// Docker-executor GitLab Runner. See "ciimage help".
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// Exit statuses of the command.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
)

const usage = `usage:
  ciimage resolve [flags] [PIPELINE_FILE]   resolve the jobs of a pipeline (default .gitlab-ci.yml)
  ciimage auth [flags] IMAGE...             show which registry credentials pull each image
  ciimage version                           print the module version

Run "ciimage resolve -h" or "ciimage auth -h" for the flags.
`

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}

	switch args[0] {
	case "resolve":
		return runResolve(ctx, args[1:], stdout, stderr)
	case "auth":
		return runAuth(ctx, args[1:], stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "ciimage", version())
		return exitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "ciimage: unknown command %q\n%s", args[0], usage)
		return exitUsage
	}
}

// version returns the module version the binary was built from, or
// "(devel)" for a build from a working tree.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" {
		return "(devel)"
	}
	return info.Main.Version
}
