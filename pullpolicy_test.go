package ciimage

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEffectivePullPolicy(t *testing.T) {
	tests := []struct {
		name       string
		pullPolicy []string
		allowed    []string
		requested  []string
		want       []string
		message    string
		location   string
	}{
		{name: "defaults", want: []string{"always"}},
		{name: "job request allowed by default", requested: []string{"always"}, want: []string{"always"}},
		{
			name: "job request against default", requested: []string{"if-not-present"},
			message:  `invalid pull policy for image "img": pull_policy ([if-not-present]) defined in GitLab pipeline config is not one of the allowed_pull_policies ([always])`,
			location: "runners[0].docker",
		},
		{
			name: "default against allowed", allowed: []string{"if-not-present"},
			message:  `invalid pull policy for image "img": pull_policy ([always]) defined in Runner config (default) is not one of the allowed_pull_policies ([if-not-present])`,
			location: "runners[0].docker.allowed_pull_policies",
		},
		{
			name: "runner config against allowed", pullPolicy: []string{"always", "never"}, allowed: []string{"if-not-present"},
			message:  `invalid pull policy for image "img": pull_policy ([always never]) defined in Runner config is not one of the allowed_pull_policies ([if-not-present])`,
			location: "runners[0].docker.allowed_pull_policies",
		},
		{
			name: "filtered in requested order", requested: []string{"always", "if-not-present"}, allowed: []string{"if-not-present", "never"},
			want: []string{"if-not-present"},
		},
		{
			name: "runner list is the allowed list", pullPolicy: []string{"never", "if-not-present"}, requested: []string{"if-not-present", "always", "never"},
			want: []string{"if-not-present", "never"},
		},
		{
			name: "unsupported pull_policy", pullPolicy: []string{"always", "sometimes"},
			message: `unsupported pull_policy config: "sometimes"`, location: "runners[0].docker.pull_policy[1]",
		},
		{
			name: "unsupported allowed_pull_policies", allowed: []string{"Always"},
			message: `unsupported allowed_pull_policies config: "Always"`, location: "runners[0].docker.allowed_pull_policies[0]",
		},
		{
			name: "job request skips pull_policy check", pullPolicy: []string{"bad"}, allowed: []string{"always"}, requested: []string{"always"},
			want: []string{"always"},
		},
		{
			name: "unknown job value is never allowed", requested: []string{"Always"},
			message:  `invalid pull policy for image "img": pull_policy ([Always]) defined in GitLab pipeline config is not one of the allowed_pull_policies ([always])`,
			location: "runners[0].docker",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Runner{Executor: "docker", Docker: DockerSettings{PullPolicy: tt.pullPolicy, AllowedPullPolicies: tt.allowed}}
			got, diagnostics := r.EffectivePullPolicy("img", tt.requested)
			if tt.message == "" {
				assert.Empty(t, diagnostics, "findings for pull_policy %q, allowed %q, requested %q", tt.pullPolicy, tt.allowed, tt.requested)
				assert.Equal(t, tt.want, got, "effective policies for pull_policy %q, allowed %q, requested %q", tt.pullPolicy, tt.allowed, tt.requested)
				return
			}
			assert.Nil(t, got, "no effective policies when the runner fails the pull")
			require.Len(t, diagnostics, 1, "findings for pull_policy %q, allowed %q, requested %q", tt.pullPolicy, tt.allowed, tt.requested)
			assert.Equal(t, tt.message, diagnostics[0].Message, "message")
			assert.Equal(t, tt.location, diagnostics[0].Location, "location")
			assert.Equal(t, SeverityError, diagnostics[0].Severity, "severity on a configured runner")
		})
	}
}

func TestEffectivePullPolicyDefaultRunner(t *testing.T) {
	_, diagnostics := DefaultRunner().EffectivePullPolicy("ruby:3", []string{"if-not-present"})
	require.Len(t, diagnostics, 1, "findings for if-not-present on DefaultRunner")
	d := diagnostics[0]
	assert.Equal(t, SeverityWarning, d.Severity, "DefaultRunner findings are warnings")
	assert.Equal(t, `on a runner with default settings, invalid pull policy for image "ruby:3": pull_policy ([if-not-present]) `+
		`defined in GitLab pipeline config is not one of the allowed_pull_policies ([always])`, d.Message, "DefaultRunner message")
	assert.ErrorIs(t, d.Kind, ErrPullPolicy, "kind")
}

func TestEffectivePullPolicyPosition(t *testing.T) {
	config, _ := loadRunnerFixture(t, "multi.toml")
	got, diagnostics := config.Runners[1].EffectivePullPolicy("ruby:3", nil)
	assert.Empty(t, diagnostics, "findings for runners[1]")
	assert.Equal(t, []string{"if-not-present"}, got, "pull_policy [always if-not-present] filtered by allowed [if-not-present]")

	_, diagnostics = config.Runners[1].EffectivePullPolicy("ruby:3", []string{"never"})
	require.Len(t, diagnostics, 1, "never is not allowed on runners[1]")
	assert.Equal(t, 17, diagnostics[0].Line, "the finding points at allowed_pull_policies")
}
