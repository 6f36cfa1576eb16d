package ciimage

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var allowListMatchTests = []struct {
	pattern string
	name    string
	want    bool
}{
	{"*", "ruby:2.1", true},
	{"*", "library/ruby", false},
	{"**/*", "ruby", true},
	{"postgres:*", "postgres", false},
	{"my.registry.tld:5000/*:*", "my.registry.tld:5000/ns/ruby:2", false},
	{"my.registry.tld:5000/**/*:*", "my.registry.tld:5000/ns/ruby:2", true},
	{"{ruby,python}:*", "python:3", true},
	{"Ruby", "ruby", false},
	{"ruby:[23].*", "ruby:3.3", true},
	{"ruby:?.?", "ruby:3.3", true},
	{"[", "[", false},
	{"docker.io/library/ruby:*", "ruby:3", false},
}

func TestMatchAllowListPattern(t *testing.T) {
	for _, tt := range allowListMatchTests {
		assert.Equal(t, tt.want, MatchAllowListPattern(tt.pattern, tt.name), "MatchAllowListPattern(%q, %q)", tt.pattern, tt.name)
	}
}

func TestVerifyAllowedImage(t *testing.T) {
	tests := []struct {
		name     string
		image    string
		list     AllowList
		patterns []string
		internal []string
		message  string
	}{
		{name: "empty list allows all", image: "anything:1"},
		{name: "match", image: "ruby:3", patterns: []string{"python:*", "ruby:*"}},
		{name: "internal image", image: "alpine:3", patterns: []string{"ruby:*"}, internal: []string{"alpine:3"}},
		{
			name: "no tag", image: "postgres", list: AllowedServices, patterns: []string{"postgres:*"},
			message: `The "postgres" image is not present on list of allowed services: postgres:*; "postgres:*" does not match "postgres", which has no tag: ` +
				`the runner does not add :latest before matching, so write the tag or add the pattern "postgres"`,
		},
		{
			name: "star does not cross slash", image: "library/ruby", list: AllowedImages, patterns: []string{"*"},
			message: `The "library/ruby" image is not present on list of allowed images: *; "*" does not match "library/ruby" because * does not match /; ` +
				`use **/ for any number of path components`,
		},
		{
			name: "case differs", image: "ruby:3", list: AllowedImages, patterns: []string{"Ruby:*"},
			message: `The "ruby:3" image is not present on list of allowed images: Ruby:*; "Ruby:*" does not match "ruby:3" because matching is case-sensitive`,
		},
		{
			name: "docker hub prefix", image: "ruby:3", list: AllowedImages, patterns: []string{"docker.io/library/ruby:*"},
			message: `The "ruby:3" image is not present on list of allowed images: docker.io/library/ruby:*; "docker.io/library/ruby:*" does not match "ruby:3" ` +
				`because the runner compares names as written, without adding or removing docker.io/ or library/`,
		},
		{
			name: "no near pattern", image: "node:20", list: AllowedImages, patterns: []string{"ruby:*", "python:*"},
			message: `The "node:20" image is not present on list of allowed images: ruby:*, python:*`,
		},
		{
			name: "internal needs exact name", image: "alpine", list: AllowedImages, patterns: []string{"ruby:*"}, internal: []string{"alpine:latest"},
			message: `The "alpine" image is not present on list of allowed images: ruby:*`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyAllowedImage(tt.image, tt.list, tt.patterns, tt.internal)
			if tt.message == "" {
				assert.NoError(t, err, "VerifyAllowedImage(%q, %q)", tt.image, tt.patterns)
				return
			}
			require.Error(t, err, "VerifyAllowedImage(%q, %q)", tt.image, tt.patterns)
			assert.Equal(t, tt.message, err.Error(), "VerifyAllowedImage(%q, %q) message", tt.image, tt.patterns)
			assert.ErrorIs(t, err, ErrDisallowedImage, "VerifyAllowedImage(%q, %q) kind", tt.image, tt.patterns)
		})
	}
}

func TestRunnerCheckImageAndService(t *testing.T) {
	config, _ := loadRunnerFixture(t, "multi.toml")
	r := config.Runners[1]
	vars := Variables{{Key: "RUBY_VERSION", Value: "3.3"}, {Key: "CACHE_IMAGE", Value: "memcached:1"}}

	assert.Empty(t, r.CheckImage("ruby:3.3", vars), "ruby:3.3 matches ruby:*")
	assert.Empty(t, r.CheckImage("registry.example.com/team/app:1", vars), "a registry path matches registry.example.com/**/*")

	diagnostics := r.CheckImage("node:20", vars)
	require.Len(t, diagnostics, 1, "node:20 is not allowed")
	d := diagnostics[0]
	assert.Equal(t, SeverityError, d.Severity, "a configured runner's allow-list miss is an error")
	assert.Equal(t, "runners[1].docker.allowed_images", d.Location, "location of the allow-list")
	assert.Equal(t, 14, d.Line, "line of allowed_images")
	assert.ErrorIs(t, d.Err(), ErrDisallowedImage, "kind of the allow-list miss")

	assert.Empty(t, r.CheckService("memcached:1", vars), "a job service named like an expanded config.toml service is allowed")
	assert.Empty(t, r.CheckService("docker:24-dind", vars), "a job service named like a config.toml service is allowed")
	assert.Len(t, r.CheckService("docker:24", vars), 1, "docker:24 is not on allowed_services")
	assert.Empty(t, r.CheckService("postgres:16", vars), "postgres:16 matches postgres:*")
}

func TestRunnerInternalImage(t *testing.T) {
	config, _ := loadRunnerFixture(t, "multi.toml")
	r := config.Runners[1]
	vars := Variables{{Key: "RUBY_VERSION", Value: "2.7"}}

	assert.Equal(t, "ruby:2.7", r.InternalImage(vars), "config image expanded")
	r.Docker.AllowedImages = []string{"python:*"}
	assert.Empty(t, r.CheckImage("ruby:2.7", vars), "the expanded config.toml image is always allowed")
}

// TestServiceNameExpandsToNothing covers services: [{name: $UNSET_VAR}]:
// the name expands to "", which no allow-list pattern matches and which the
// caller reports as unresolved.
func TestServiceNameExpandsToNothing(t *testing.T) {
	name := ExpandValue("$UNSET_VAR", nil)
	assert.Equal(t, "", name, "$UNSET_VAR expands to nothing")

	_, undefined := VariableReferences("$UNSET_VAR", nil)
	assert.Equal(t, []string{"UNSET_VAR"}, undefined, "UNSET_VAR is reported as undefined")
	assert.False(t, IsPredefinedVariable("UNSET_VAR"), "UNSET_VAR is not a predefined variable")

	err := VerifyAllowedImage(name, AllowedServices, []string{"*:*"}, nil)
	assert.ErrorIs(t, err, ErrDisallowedImage, "the empty name does not match *:*")
	assert.NoError(t, VerifyAllowedImage(name, AllowedServices, []string{"*"}, nil), "* matches the empty name")
	assert.NoError(t, VerifyAllowedImage(name, AllowedServices, nil, nil), "without an allow-list the empty name passes this check")
}

func TestCheckServicesLimit(t *testing.T) {
	config, _ := loadRunnerFixture(t, "multi.toml")
	r := config.Runners[1]

	assert.Empty(t, r.CheckServicesLimit(0), "two config.toml services within services_limit = 2")
	diagnostics := r.CheckServicesLimit(1)
	require.Len(t, diagnostics, 1, "three services exceed services_limit = 2")
	assert.Equal(t, "too many services requested: 3, only 2 allowed", diagnostics[0].Message, "services limit message")
	assert.Equal(t, "runners[1].docker.services_limit", diagnostics[0].Location, "services limit location")

	negative := -1
	r.Docker.ServicesLimit = &negative
	assert.Empty(t, r.CheckServicesLimit(50), "a negative services_limit allows any number")

	zero := 0
	r.Docker.ServicesLimit = &zero
	assert.Len(t, r.CheckServicesLimit(0), 1, "services_limit = 0 also counts config.toml services")
	assert.Empty(t, DefaultRunner().CheckServicesLimit(100), "DefaultRunner has no services limit")
}

func FuzzMatchAllowListPattern(f *testing.F) {
	for _, tt := range allowListMatchTests {
		f.Add(tt.pattern, tt.name)
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		got := MatchAllowListPattern(pattern, name)
		if again := MatchAllowListPattern(pattern, name); got != again {
			t.Fatalf("MatchAllowListPattern(%q, %q) is not deterministic", pattern, name)
		}
		err := VerifyAllowedImage(name, AllowedImages, []string{pattern}, nil)
		if got && err != nil {
			t.Errorf("VerifyAllowedImage(%q, [%q]) = %v, want nil because the pattern matches", name, pattern, err)
		}
		if !got && err == nil {
			t.Errorf("VerifyAllowedImage(%q, [%q]) = nil, want a rejection because the pattern does not match", name, pattern)
		}
		if err := VerifyAllowedImage(name, AllowedImages, []string{pattern}, []string{name}); err != nil {
			t.Errorf("VerifyAllowedImage(%q) with itself as internal image = %v, want nil", name, err)
		}
	})
}

func TestRunnerBuildUser(t *testing.T) {
	tests := []struct {
		name         string
		user         string
		allowedUsers []string
		jobUser      string
		want         string
		wantMessages []string
	}{
		{name: "nothing set", want: "", wantMessages: []string{}},
		{name: "job user without runner settings", jobUser: "1000", want: "1000", wantMessages: []string{}},
		{name: "runner user alone", user: "build", want: "build", wantMessages: []string{}},
		{name: "runner user replaces job user", user: "build", jobUser: "root", want: "build",
			wantMessages: []string{`warning: docker.user "root" is not used: the runner's config.toml user "build" takes precedence`}},
		{name: "same user in both", user: "build", jobUser: "build", want: "build", wantMessages: []string{}},
		{name: "job user in allowed_users", allowedUsers: []string{"1000", "build"}, jobUser: "build", want: "build", wantMessages: []string{}},
		{name: "job user not in allowed_users", allowedUsers: []string{"1000", "build"}, jobUser: "root", want: "root",
			wantMessages: []string{`user "root" is not an allowed user: [1000 build]`}},
		{name: "image default user always allowed", allowedUsers: []string{"1000"}, want: "", wantMessages: []string{}},
		{name: "runner user not in allowed_users", user: "build", allowedUsers: []string{"1000"}, want: "build",
			wantMessages: []string{`user "build" is not an allowed user: [1000]`}},
	}
	for _, tt := range tests {
		r := &Runner{Docker: DockerSettings{User: tt.user, AllowedUsers: tt.allowedUsers}}
		got, found := r.BuildUser(tt.jobUser)
		assert.Equal(t, tt.want, got, "%s: BuildUser(%q) user", tt.name, tt.jobUser)
		assert.Equal(t, tt.wantMessages, messages(found), "%s: BuildUser(%q) findings", tt.name, tt.jobUser)
	}
}
