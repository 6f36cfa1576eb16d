package floor

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		input   string
		wantErr bool
	}{
		{"job:\n  image: ruby:3.3\n", false},
		{"a: &x {b: 1}\nc: *x\n", false},
		{"a: [", true},
	}

	for _, tc := range tests {
		root, err := Decode([]byte(tc.input))
		if tc.wantErr {
			assert.Error(t, err, "Decode(%q)", tc.input)
			continue
		}
		require.NoError(t, err, "Decode(%q)", tc.input)
		assert.Equal(t, yaml.DocumentNode, root.Kind, "Decode(%q).Kind", tc.input)
	}
}

func TestDecodeFileMissing(t *testing.T) {
	_, err := DecodeFile(filepath.Join(t.TempDir(), "missing.yml"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}
