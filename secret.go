package ciimage

import "fmt"

// redacted is the text of every printed form of a Secret.
const redacted = "REDACTED"

// Secret holds a password, token, auth value or identity token. Every
// printed, formatted or encoded form of it is REDACTED; only Reveal returns
// the value.
type Secret struct {
	value string
}

// NewSecret wraps value.
func NewSecret(value string) Secret { return Secret{value: value} }

// Reveal returns the secret value. Call it only to hand the value to the
// registry client that needs it.
func (s Secret) Reveal() string { return s.value }

// IsEmpty reports whether the secret value is the empty string.
func (s Secret) IsEmpty() bool { return s.value == "" }

// String returns REDACTED.
func (s Secret) String() string { return redacted }

// GoString returns REDACTED, so %#v does not print the value either.
func (s Secret) GoString() string { return redacted }

// Format writes REDACTED for every verb and flag.
func (s Secret) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(redacted)) }

// MarshalText returns REDACTED.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// MarshalJSON returns the JSON string "REDACTED".
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
