package ciimage

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors that callers can branch on with errors.Is. Every
// Diagnostic of severity error and every *ConfigError wraps one of them.
var (
	// ErrSyntax reports a file that is not valid YAML, TOML or JSON.
	ErrSyntax = errors.New("syntax error")
	// ErrInvalidConfig reports a value that GitLab's or the runner's validation rejects.
	ErrInvalidConfig = errors.New("invalid configuration")
	// ErrInvalidImageName reports an image or service name that the runner or Docker cannot use.
	ErrInvalidImageName = errors.New("invalid image name")
	// ErrDisallowedImage reports an image or service that the runner's allow-lists reject.
	ErrDisallowedImage = errors.New("disallowed image")
	// ErrPullPolicy reports a pull policy that the runner's allowed_pull_policies reject.
	ErrPullPolicy = errors.New("invalid pull policy")
	// ErrCredentials reports a registry credential source that cannot be used.
	ErrCredentials = errors.New("invalid credentials configuration")
	// ErrPathTraversal reports a credential helper name that is not a plain file name.
	ErrPathTraversal = errors.New("path traversal is not allowed")
	// ErrLimit reports input that exceeds one of the package's limits.
	ErrLimit = errors.New("limit exceeded")
	// ErrNotSupported reports a construct that ciimage does not evaluate.
	ErrNotSupported = errors.New("not supported")
	// ErrUnknownJob reports a job name that the pipeline does not have.
	ErrUnknownJob = errors.New("unknown job")
	// ErrUnknownRunner reports a runner name that config.toml does not have.
	ErrUnknownRunner = errors.New("unknown runner")
)

// Position is a place in an input file. Line and Column start at 1;
// zero means unknown.
type Position struct {
	File   string
	Line   int
	Column int
}

// String formats the position as FILE:LINE:COLUMN, leaving out the parts
// that are unknown.
func (p Position) String() string {
	s := p.File
	if p.Line > 0 {
		s += ":" + strconv.Itoa(p.Line)
		if p.Column > 0 {
			s += ":" + strconv.Itoa(p.Column)
		}
	}
	return s
}

// Severity ranks a Diagnostic.
type Severity int

const (
	// SeverityError marks a finding that makes GitLab reject the pipeline or
	// makes the runner fail the job.
	SeverityError Severity = iota
	// SeverityWarning marks a finding that does not stop the job but changes
	// or risks what it gets.
	SeverityWarning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// MarshalText encodes the severity as "error" or "warning".
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes "error" or "warning".
func (s *Severity) UnmarshalText(text []byte) error {
	switch string(text) {
	case "error":
		*s = SeverityError
	case "warning":
		*s = SeverityWarning
	default:
		return fmt.Errorf("invalid severity %q: want error or warning", text)
	}
	return nil
}

// Diagnostic is one finding about the input: where it is, GitLab's key
// path or the TOML or JSON key, and a message in GitLab's or the runner's
// words where they have them. Messages never contain secret values.
type Diagnostic struct {
	Severity Severity
	Position
	// Location is GitLab's key path (jobs:test:services:service), the TOML
	// key path (runners[1].docker.services[0].alias) or the JSON key
	// (auths.registry.example.com.auth).
	Location string
	Message  string
	// Kind is the sentinel error the finding belongs to, for errors.Is on
	// the result of Err. It is not part of the JSON form.
	Kind error
}

// String formats the diagnostic as FILE:LINE:COLUMN: LOCATION MESSAGE, the
// form ciimage writes to standard error.
func (d Diagnostic) String() string {
	var s string
	if pos := d.Position.String(); pos != "" {
		s = pos + ": "
	}
	if d.Location != "" {
		s += d.Location + " "
	}
	return s + d.Message
}

// Err returns the diagnostic as a *ConfigError that wraps its Kind.
func (d Diagnostic) Err() error {
	return &ConfigError{Position: d.Position, Location: d.Location, Message: d.Message, Kind: d.Kind}
}

type diagnosticJSON struct {
	Severity Severity `json:"severity"`
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Location string   `json:"location"`
	Message  string   `json:"message"`
}

// MarshalJSON encodes the diagnostic with the fields severity, file, line,
// column, location and message.
func (d Diagnostic) MarshalJSON() ([]byte, error) {
	return json.Marshal(diagnosticJSON{d.Severity, d.File, d.Line, d.Column, d.Location, d.Message})
}

// UnmarshalJSON decodes the form MarshalJSON writes. Kind stays nil.
func (d *Diagnostic) UnmarshalJSON(data []byte) error {
	var v diagnosticJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*d = Diagnostic{Severity: v.Severity, Position: Position{v.File, v.Line, v.Column}, Location: v.Location, Message: v.Message}
	return nil
}

// Diagnostics is a list of findings in the order they were found.
type Diagnostics []Diagnostic

// HasErrors reports whether any finding has severity error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Err joins the error findings into one error, or returns nil when there
// are none. Each joined error is a *ConfigError.
func (ds Diagnostics) Err() error {
	var errs []error
	for _, d := range ds {
		if d.Severity == SeverityError {
			errs = append(errs, d.Err())
		}
	}
	return errors.Join(errs...)
}

// ConfigError is an error in an input file, with its position and key path.
// It wraps one of the package's sentinel errors.
type ConfigError struct {
	Position
	Location string
	Message  string
	Kind     error
}

// Error formats the error as FILE:LINE:COLUMN: LOCATION MESSAGE.
func (e *ConfigError) Error() string {
	return Diagnostic{Position: e.Position, Location: e.Location, Message: e.Message}.String()
}

// Unwrap returns the sentinel error the error belongs to.
func (e *ConfigError) Unwrap() error { return e.Kind }
