package ciimage

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMaskerMask(t *testing.T) {
	vars := Variables{
		{Key: "CI_JOB_TOKEN", Value: "JT-555"},
		{Key: "CI_REGISTRY_PASSWORD", Value: "abc"},
		{Key: "API_KEY", Value: "long-masked-value", Masked: true},
		{Key: "SHORT_MASKED", Value: "s3cr", Masked: true},
		{Key: "PUBLIC", Value: "not-a-secret-at-all"},
	}
	m := newMasker(vars)

	tests := []struct {
		text, want string
	}{
		{"JT-555", "[MASKED]"},
		{"x-JT-555", "x-[MASKED]"},
		{"abc", "[MASKED]"},
		{"abcdef", "abcdef"},
		{"key=long-masked-value;", "key=[MASKED];"},
		{"s3cr", "[MASKED]"},
		{"s3cret", "s3cret"},
		{"not-a-secret-at-all", "not-a-secret-at-all"},
		{"", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, m.mask(tt.text), "mask(%q) with the values of %v", tt.text, vars)
	}
	assert.True(t, newMasker(Variables{{Key: "PUBLIC", Value: "x"}}).empty(), "a masker without secrets is empty")
}
