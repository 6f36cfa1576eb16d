package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ciimage/ciimage"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(value string) error {
	*l = append(*l, value)
	return nil
}

// varFlag collects repeatable -var KEY=VALUE flags as project variables:
// not public, so they are not passed to service containers.
type varFlag ciimage.Variables

func (v *varFlag) String() string {
	keys := make([]string, len(*v))
	for i, variable := range *v {
		keys[i] = variable.Key
	}
	return strings.Join(keys, ",")
}

func (v *varFlag) Set(value string) error {
	key, val, ok := strings.Cut(value, "=")
	if !ok || key == "" {
		return fmt.Errorf("invalid -var %q: want KEY=VALUE with a non-empty KEY", value)
	}
	*v = append(*v, ciimage.Variable{Key: key, Value: val})
	return nil
}

// commonFlags are the flags resolve and auth share.
type commonFlags struct {
	config     string
	runner     string
	home       string
	vars       varFlag
	runHelpers bool
	format     string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "the runner's config.toml `FILE`")
	fs.StringVar(&c.runner, "runner", "", "use the [[runners]] entry with this `NAME` (default: the first with a Docker executor)")
	fs.StringVar(&c.home, "home", "", "the runner user's home `DIR`: DIR/.docker/config.json, else DIR/.dockercfg")
	fs.Var(&c.vars, "var", "a CI/CD variable set outside the YAML, as `KEY=VALUE` (repeatable)")
	fs.BoolVar(&c.runHelpers, "run-helpers", false, "run docker-credential-* helpers to get credentials")
	fs.StringVar(&c.format, "format", "text", "output `format`: text or json")
}

// checkHome reports a -home value that is not a folder. The runner
// ignores a home without Docker configuration, but a -home that names no
// folder is a mistake on this command line.
func (c *commonFlags) checkHome(stderr io.Writer) bool {
	if c.home == "" {
		return true
	}
	info, err := os.Stat(c.home)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "ciimage: cannot read -home: %v\n", err)
		return false
	case !info.IsDir():
		fmt.Fprintf(stderr, "ciimage: invalid -home %q: want the runner user's home folder\n", c.home)
		return false
	}
	return true
}

// checkFormat reports an invalid -format value.
func (c *commonFlags) checkFormat(stderr io.Writer) bool {
	if c.format == "text" || c.format == "json" {
		return true
	}
	fmt.Fprintf(stderr, "ciimage: invalid -format %q: want text or json\n", c.format)
	return false
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n\nflags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// writeDiagnostics writes each finding to w as FILE:LINE:COLUMN: LOCATION MESSAGE.
func writeDiagnostics(w io.Writer, diags ciimage.Diagnostics) {
	for _, d := range diags {
		fmt.Fprintln(w, d.String())
	}
}

// parseArgs parses the flags of fs wherever they appear in args, so that
// "resolve FILE -format json" reads like "resolve -format json FILE", and
// returns the other arguments in their order. An argument "--" ends the
// flags: everything after it is an argument, even when it starts with "-".
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}

		remaining := fs.Args()
		consumed := len(args) - len(remaining)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(rest, remaining...), nil
		}
		if len(remaining) == 0 {
			return rest, nil
		}
		rest = append(rest, remaining[0])
		args = remaining[1:]
	}
}
