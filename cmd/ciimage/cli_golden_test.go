package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestCLIGolden runs the command for each folder of testdata/cli: the
// folder's "args" file holds one argument per line, and paths in it are
// relative to the folder. The exit status, standard output and standard
// error are compared with the folder's "golden" file; run "go test
// -update" to rewrite them, then review the diff.
func TestCLIGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "cli", "*", "args"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs, "no CLI golden cases found")

	for _, argsFile := range dirs {
		dir := filepath.Dir(argsFile)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(argsFile)
			require.NoError(t, err)
			args := strings.Split(strings.TrimSpace(string(data)), "\n")

			golden, err := filepath.Abs(filepath.Join(dir, "golden"))
			require.NoError(t, err)
			t.Chdir(dir)

			var stdout, stderr bytes.Buffer
			code := run(context.Background(), args, &stdout, &stderr)
			got := fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", code, stdout.String(), stderr.String())

			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "missing golden file; run go test -update")
			assert.Equal(t, string(want), got, "output of ciimage %s", strings.Join(args, " "))
		})
	}
}
