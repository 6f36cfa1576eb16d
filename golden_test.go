package ciimage

import (
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

// assertGolden compares got with the golden file, or rewrites the file
// when the test runs with -update. input names what produced got.
func assertGolden(t *testing.T, golden, input string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
		return
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "golden file %s (run go test -update to create it)", golden)
	assert.Equal(t, string(want), string(got), "output for %s differs from %s", input, golden)
}
