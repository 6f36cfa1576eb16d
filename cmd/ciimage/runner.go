package main

import (
	"fmt"
	"io"
	"os"

	"github.com/ciimage/ciimage"
)

// loadRunner reads the -config file and picks the -runner entry, or the
// first entry with a Docker executor. Without -config it returns
// ciimage.DefaultRunner. A file that is not valid TOML gives error
// diagnostics and the default runner. The error, which is a usage error,
// is for a file that cannot be read, an unknown runner, or -runner without
// -config.
func loadRunner(configFile, name string) (*ciimage.Runner, ciimage.Diagnostics, error) {
	if configFile == "" {
		if name != "" {
			return nil, nil, fmt.Errorf("-runner %q needs -config", name)
		}
		return ciimage.DefaultRunner(), nil, nil
	}

	data, err := readFileLimited(configFile, ciimage.DefaultLimits().MaxRunnerConfigBytes)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the runner configuration: %w", err)
	}
	config, diags := ciimage.ParseRunnerConfig(configFile, data)
	if config == nil || (diags.HasErrors() && len(config.Runners) == 0) {
		// A file that is not valid TOML is reported, and the jobs are
		// planned on a runner with default settings.
		return ciimage.DefaultRunner(), diags, nil
	}

	runner, err := config.Runner(name)
	if err != nil {
		return nil, diags, err
	}
	if !runner.IsDocker() {
		return nil, diags, fmt.Errorf("runner %q in %s uses the %q executor; ciimage resolves jobs for the docker, docker+machine, docker-autoscaler and docker-windows executors", runner.Name, configFile, runner.Executor)
	}
	return runner, diags, nil
}

// helpers returns the credential helper runner that -run-helpers turns
// on, or nil.
func (c *commonFlags) helpers() ciimage.CredentialHelperRunner {
	if !c.runHelpers {
		return nil
	}
	return shellHelperRunner{}
}

// readFileLimited reads the named file, but no more than limit+1 bytes:
// the package reports a file over its limit, and the command does not hold
// more of it in memory than that.
func readFileLimited(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}
