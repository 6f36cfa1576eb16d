package ciimage

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// badBytesCase is a pipeline file with hostile or unusual bytes, with the
// jobs it plans and its first error (empty when there is none).
type badBytesCase struct {
	name      string
	input     string
	wantJobs  []string
	wantError string
	wantKind  error
	wantLine  int
}

// badBytesCases builds the cases when a test runs, not at package
// initialization: building the 32 MiB scalar allocates 64 MiB, which
// every run of the package's test binary, benchmarks included, would pay.
func badBytesCases() []badBytesCase {
	return []badBytesCase{
		{"invalid UTF-8 in quotes", "j: {script: [x], image: \"\xff\xfe\"}\n", nil, "invalid leading UTF-8 octet", ErrSyntax, 1},
		{"invalid UTF-8 plain", "j: {script: [x], image: ruby\xff}\n", nil, "invalid leading UTF-8 octet", ErrSyntax, 1},
		{"binary garbage", "\x00\x01\x02\x03\xff\xfe", nil, "control characters are not allowed", ErrSyntax, 1},
		{"NUL in a key", "j\x00: {script: [x]}\n", nil, "control characters are not allowed", ErrSyntax, 1},
		{"escaped NUL in a name", "j: {script: [x], image: \"ru\\0by\"}\n", []string{"j"}, "cannot be pulled: invalid reference format", ErrInvalidImageName, 1},
		{"byte order mark", "\ufeffj: {script: [x], image: ruby}\n", []string{"j"}, "", nil, 0},
		{"CRLF line ends", "j:\r\n  script: [x]\r\n  image: ruby\r\n", []string{"j"}, "", nil, 0},
		{"tab indentation", "j:\n\tscript: [x]\n", nil, "found character that cannot start any token", ErrSyntax, 2},
		{"tab inside flow", "j: {script: [x],\timage: ruby}\n", []string{"j"}, "", nil, 0},
		{"empty file", "", nil, "Invalid configuration format", ErrInvalidConfig, 1},
		{"only comments", "# a\n# b\n", nil, "Invalid configuration format", ErrInvalidConfig, 1},
		{"second document without spec", "a: 1\n---\nj: {script: [x]}\n", nil, "config should implement the script:, run:, or trigger: keyword", ErrInvalidConfig, 1},
		{"third document", "a: 1\n---\nb: 2\n---\nj: {script: [x]}\n", nil, "config should implement the script:, run:, or trigger: keyword", ErrInvalidConfig, 1},
		{"spec header and content", "spec: {inputs: {}}\n---\nj: {script: [x]}\n", []string{"j"}, "", nil, 0},
		{"32 MiB scalar", "j: {script: [x], image: " + strings.Repeat("a", 32<<20) + "}\n", nil, "Limits.MaxFileBytes", ErrLimit, 1},
		{"deep nesting", "j: {script: [x], v: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "}\n", nil, "Limits.MaxYAMLDepth", ErrLimit, 1},
		{"nesting past the parser's limit", strings.Repeat("[", 20000) + strings.Repeat("]", 20000), nil, "exceeded max depth", ErrSyntax, 1},
		{"recursive alias", "a: &a [1, *a]\nj: {script: [x]}\n", nil, "refers to a node that contains it", ErrSyntax, 1},
	}
}

func TestBadBytesPipeline(t *testing.T) {
	for _, tc := range badBytesCases() {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := ParsePipeline(".gitlab-ci.yml", []byte(tc.input))
			require.NotNil(t, p, "%s: pipeline", tc.name)
			plan, err := Resolve(context.Background(), p, ResolveOptions{})
			require.NoError(t, err, "%s: Resolve", tc.name)

			var jobs []string
			for _, job := range plan.Jobs {
				jobs = append(jobs, job.Name)
			}
			assert.Equal(t, tc.wantJobs, jobs, "%s: planned jobs", tc.name)

			errs := errorDiagnostics(plan.AllDiagnostics())
			if tc.wantError == "" {
				assert.Empty(t, errs, "%s: errors", tc.name)
				return
			}
			require.NotEmpty(t, errs, "%s: want an error containing %q", tc.name, tc.wantError)
			assert.Contains(t, errs[0].Message, tc.wantError, "%s: first error", tc.name)
			assert.ErrorIs(t, errs[0].Err(), tc.wantKind, "%s: kind of the first error", tc.name)
			assert.Equal(t, tc.wantLine, errs[0].Line, "%s: line of the first error", tc.name)
			assert.Equal(t, ".gitlab-ci.yml", errs[0].File, "%s: file of the first error", tc.name)
		})
	}
}

func errorDiagnostics(diags Diagnostics) Diagnostics {
	var errs Diagnostics
	for _, d := range diags {
		if d.Severity == SeverityError {
			errs = append(errs, d)
		}
	}
	return errs
}
