package ciimage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestComposeCorpus(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(corpusDir, "gitlab-ci", "*.yml"))
	require.NoError(t, err, "listing %s", corpusDir)
	if len(paths) == 0 {
		t.Skipf("no corpus files in %s", corpusDir)
	}

	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			data, err := os.ReadFile(p)
			require.NoError(t, err, "reading %s", p)
			fsys := fstest.MapFS{".gitlab-ci.yml": {Data: data}}

			doc, diags := Compose(fsys, ".gitlab-ci.yml", ComposeOptions{})
			checkDiagnosticProperties(t, p, doc, diags)
			for _, d := range diags {
				if strings.HasPrefix(d.Message, "Local file `") {
					assert.Contains(t, d.Message, "` does not exist!", "%s: a missing include names the file: %s", p, d)
				}
			}
		})
	}
}
