package ciimage

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// sharedVariablesPipeline has jobs whose variable lists are equal but
// decoded separately, and services with and without variables of their
// own, so that the resolver's caches by content hit.
const sharedVariablesPipeline = `
variables:
  DB: app
.base:
  variables:
    LEVEL: "1"
first:
  extends: .base
  image: ruby:3.3
  services:
    - postgres:16
    - name: redis:7
      variables:
        PASSWORD: $SECRET
  script: [true]
second:
  extends: .base
  image: ruby:3.3
  services:
    - name: mysql:8.0
      variables:
        PASSWORD: $SECRET
    - postgres:16
  script: [true]
`

// secretValue is the value of the masked project variable that
// resolveSharedVariables passes.
const secretValue = "s3cret-value-123"

func resolveSharedVariables(t *testing.T, jobs ...string) *Plan {
	t.Helper()
	pipeline, err := ParsePipeline(".gitlab-ci.yml", []byte(sharedVariablesPipeline))
	require.NoError(t, err)
	require.False(t, pipeline.Diagnostics.HasErrors(), "%v", pipeline.Diagnostics)

	opts := ResolveOptions{
		Jobs:      jobs,
		Variables: Variables{{Key: "SECRET", Value: secretValue, Public: true, Masked: true}},
	}
	plan, err := Resolve(context.Background(), pipeline, opts)
	require.NoError(t, err)
	return plan
}

func TestResolveCachedJobsMatchAlone(t *testing.T) {
	together := resolveSharedVariables(t)
	require.Len(t, together.Jobs, 2)

	for _, job := range together.Jobs {
		alone := resolveSharedVariables(t, job.Name)
		require.Len(t, alone.Jobs, 1)
		want, err := json.Marshal(alone.Jobs[0])
		require.NoError(t, err)
		got, err := json.Marshal(job)
		require.NoError(t, err)
		require.JSONEq(t, string(want), string(got), "job %s", job.Name)
	}
}

func TestResolveMasksSharedServiceMaps(t *testing.T) {
	plan := resolveSharedVariables(t)

	for _, job := range plan.Jobs {
		for _, svc := range job.Services {
			require.Equal(t, maskedText, svc.Environment["SECRET"], "job %s service %s environment", job.Name, svc.Name)
			if _, own := svc.Variables["PASSWORD"]; own {
				require.Equal(t, maskedText, svc.Variables["PASSWORD"], "job %s service %s variables", job.Name, svc.Name)
				require.Equal(t, maskedText, svc.Environment["PASSWORD"], "job %s service %s environment", job.Name, svc.Name)
			}
		}
	}
	encoded, err := json.Marshal(plan)
	require.NoError(t, err)
	require.NotContains(t, string(encoded), secretValue)
}
