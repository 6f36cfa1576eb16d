package ciimage

import (
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
)

// TempProjectDirVariable is the variable whose value is the directory where
// the runner writes File-type variables.
const TempProjectDirVariable = "RUNNER_TEMP_PROJECT_DIR"

// ExpandValue expands $NAME and ${NAME} in value the way GitLab Runner
// does, with os.Expand over the variables. An undefined variable expands to
// "", $$ to $, and $1, $*, $#, $@, $!, $? to "". A malformed ${NAME without
// its closing brace loses the ${.
//
// A File variable expands to the path of its file,
// $RUNNER_TEMP_PROJECT_DIR/KEY. When vars define RUNNER_TEMP_PROJECT_DIR
// the path is joined with its value as the runner does. Otherwise the
// directory is not known from configuration, and the result keeps the
// text $RUNNER_TEMP_PROJECT_DIR/KEY.
//
// Expansion adds at most DefaultMaxExpandedBytes of variable values to
// one value; the references past that expand to "". Use
// ExpandValueLimited to learn whether that happened.
func ExpandValue(value string, vars Variables) string {
	expanded, _ := ExpandValueLimited(value, vars, DefaultMaxExpandedBytes)
	return expanded
}

// ExpandValueLimited expands value as ExpandValue does, adding at most
// limit bytes of variable values; the references past that expand to "".
// It reports whether the whole value was expanded, so false means the
// result is incomplete.
func ExpandValueLimited(value string, vars Variables, limit int) (string, bool) {
	return expandLimited(value, func(name string) string { return lookupForExpansion(name, vars) }, limit)
}

// expandLimited expands value with lookup, adding at most limit bytes of
// variable values.
func expandLimited(value string, lookup func(name string) string, limit int) (string, bool) {
	added, complete := 0, true
	expanded := os.Expand(value, func(name string) string {
		if !complete {
			return ""
		}
		v := lookup(name)
		if added+len(v) > limit {
			complete = false
			return ""
		}
		added += len(v)
		return v
	})
	return expanded, complete
}

// lookupForExpansion is the runner's variable lookup for expansion.
func lookupForExpansion(name string, vars Variables) string {
	if name == "$" {
		return "$"
	}
	if isShellSpecialName(name) {
		return ""
	}

	for i := len(vars) - 1; i >= 0; i-- {
		if vars[i].Key == name {
			return expansionValue(vars[i], vars.Lookup)
		}
	}
	return ""
}

// expansionValue returns the expansion of a defined variable: its value,
// or for a File variable the path of its file.
func expansionValue(v Variable, lookup func(key string) (string, bool)) string {
	if !v.File {
		return v.Value
	}
	if dir, ok := lookup(TempProjectDirVariable); ok {
		return path.Join(dir, v.Key)
	}
	return "$" + TempProjectDirVariable + "/" + v.Key
}

// variableIndex looks variables up by key in constant time, for expanding
// many values against the same long list.
type variableIndex struct {
	vars Variables
	last map[string]int
}

// newVariableIndex indexes the last definition of each key of vars.
func newVariableIndex(vars Variables) variableIndex {
	last := make(map[string]int, len(vars))
	for i, v := range vars {
		last[v.Key] = i
	}
	return variableIndex{vars: vars, last: last}
}

// lookup returns the value of the last variable named key.
func (x variableIndex) lookup(key string) (string, bool) {
	i, ok := x.last[key]
	if !ok {
		return "", false
	}
	return x.vars[i].Value, true
}

// expansion is lookupForExpansion over the index.
func (x variableIndex) expansion(name string) string {
	if name == "$" {
		return "$"
	}
	if isShellSpecialName(name) {
		return ""
	}
	if i, ok := x.last[name]; ok {
		return expansionValue(x.vars[i], x.lookup)
	}
	return ""
}

// isShellSpecialName reports whether os.Expand passes name for $*, $#, $@,
// $!, $? or $0 to $9, which the runner always expands to "".
func isShellSpecialName(name string) bool {
	return len(name) == 1 && strings.ContainsAny(name, "*#@!?0123456789")
}

// VariableReferences returns the names of the variables that value refers
// to, in order of first use and without repeats, and the subset of them
// that vars does not define. The names are the ones os.Expand looks up, so
// "${A" and "$$" refer to nothing. A File variable counts as a reference to
// RUNNER_TEMP_PROJECT_DIR as well, because its path depends on it.
func VariableReferences(value string, vars Variables) (referenced, undefined []string) {
	add := func(name string) {
		if slices.Contains(referenced, name) {
			return
		}
		referenced = append(referenced, name)
		if _, ok := vars.Lookup(name); !ok {
			undefined = append(undefined, name)
		}
	}

	os.Expand(value, func(name string) string {
		if name == "$" || isShellSpecialName(name) {
			return ""
		}
		add(name)
		if isFileVariable(name, vars) {
			add(TempProjectDirVariable)
		}
		return ""
	})
	return referenced, undefined
}

// isFileVariable reports whether the last definition of name is a File
// variable.
func isFileVariable(name string, vars Variables) bool {
	for i := len(vars) - 1; i >= 0; i-- {
		if vars[i].Key == name {
			return vars[i].File
		}
	}
	return false
}

// predefinedVariables are the variables outside the CI_ and FF_ name
// spaces that GitLab (18.x) or the runner define for jobs. GITLAB_ names
// are listed one by one, because projects define their own GITLAB_
// variables too.
var predefinedVariables = []string{
	"CI", "GITLAB_CI", "GITLAB_FEATURES", "GITLAB_USER_EMAIL", "GITLAB_USER_ID",
	"GITLAB_USER_LOGIN", "GITLAB_USER_NAME", "GITLAB_ENV",
	"CHAT_CHANNEL", "CHAT_INPUT", "CHAT_USER_ID",
	"TRIGGER_PAYLOAD", "KUBECONFIG", TempProjectDirVariable,
}

// IsPredefinedVariable reports whether name belongs to the variables that
// GitLab or the runner define for jobs: every name starting with CI_ or
// FF_ (the runner's feature flags), the GITLAB_ variables GitLab sets,
// such as GITLAB_USER_LOGIN, and a few others such as CI and
// RUNNER_TEMP_PROJECT_DIR. Their values come from the project, the
// pipeline or the runner host, so configuration alone cannot resolve a
// reference to one that the caller has not defined.
func IsPredefinedVariable(name string) bool {
	for _, prefix := range []string{"CI_", "FF_"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return slices.Contains(predefinedVariables, name)
}

// ParseEnvironment turns a K=V list, such as a config.toml environment
// setting, into internal variables. It splits each entry at the first =.
// The runner drops an entry without = silently, and here each one also
// gives a warning at location[i].
func ParseEnvironment(entries []string, location string, position func(keyPath string) Position) (Variables, Diagnostics) {
	var vars Variables
	var diagnostics Diagnostics
	for i, entry := range entries {
		key, value, ok := strings.Cut(entry, "=")
		if !ok {
			entryLocation := fmt.Sprintf("%s[%d]", location, i)
			diagnostics = append(diagnostics, Diagnostic{
				Severity: SeverityWarning,
				Position: position(entryLocation),
				Location: entryLocation,
				Message:  fmt.Sprintf("environment entry %q has no \"=\", so the runner ignores it; write it as %s=VALUE", entry, entry),
				Kind:     ErrInvalidConfig,
			})
			continue
		}
		vars = append(vars, Variable{Key: key, Value: value, Internal: true})
	}
	return vars, diagnostics
}

// EnvironmentVariables returns the runner's environment setting as
// internal variables. The runner places them before the job's variables,
// so a job variable with the same key overrides them.
func (r *Runner) EnvironmentVariables() (Variables, Diagnostics) {
	return ParseEnvironment(r.Environment, r.Location("environment"), r.fullPosition)
}

// Variables returns the environment of a config.toml service as internal
// variables, as EnvironmentVariables does for the runner. index is the
// service's position in runner's [[runners.docker.services]].
func (s RunnerService) Variables(runner *Runner, index int) (Variables, Diagnostics) {
	location := runner.Location(fmt.Sprintf("docker.services[%d].environment", index))
	return ParseEnvironment(s.Environment, location, runner.fullPosition)
}

// fullPosition returns the position of a full TOML key path, such as one
// from Location.
func (r *Runner) fullPosition(keyPath string) Position {
	if r.Default || r.Index < 0 {
		return Position{}
	}
	return lookupPosition(r.file, r.positions, keyPath)
}

// ServiceEnvironment returns the variables a service container receives,
// as GitLab Runner 19.3 and later build them. The job's public and
// internal variables come first with their values unchanged. The service's
// own variables follow, each expanded (unless Raw) against one list. That
// list holds every job variable, non-public ones included, and then every
// service variable as written, and the last definition of a key wins.
// So a service variable overrides a job variable of the same key in every
// lookup, and a reference to another service variable, or to itself,
// gets its unexpanded value, as in any variable list the runner expands.
//
// job must hold the job's variables already expanded, in the runner's
// order: the runner's environment, then the job's variables.
func ServiceEnvironment(job Variables, own Variables) Variables {
	environment := slices.Clone(job.PublicOrInternal())
	lookup := newVariableIndex(append(slices.Clone(job), own...))
	for _, v := range own {
		if !v.Raw {
			v.Value, _ = expandLimited(v.Value, lookup.expansion, DefaultMaxExpandedBytes)
		}
		environment = append(environment, v)
	}
	return environment
}
