package ciimage

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/ciimage/ciimage/internal/dockercli/configfile"
)

// DockerConfig is the part of a Docker config.json, .dockercfg or
// DOCKER_AUTH_CONFIG value that GitLab Runner reads for registry
// credentials. It contains the file's values only, because running
// credential helpers is a later step.
type DockerConfig struct {
	// File names the input in diagnostic positions.
	File string
	// Auths are the "auths" entries, sorted by key.
	Auths []DockerAuth
	// CredsStore is the "credsStore" helper name, or "" when not set.
	CredsStore string
	// CredsStorePos is the position of the "credsStore" key.
	CredsStorePos Position
	// CredHelpers are the "credHelpers" entries, sorted by key.
	CredHelpers []CredentialHelper
	// NonCLIFields are the locations of the fields that the docker CLI
	// rejects in DOCKER_AUTH_CONFIG: every top-level key except "auths" and
	// every entry key except "auth".
	NonCLIFields []string
}

// DockerAuth is one "auths" entry after the docker CLI's decoding: a
// non-empty "auth" value has replaced Username and Password.
type DockerAuth struct {
	// Key is the entry's key as written, such as https://index.docker.io/v1/.
	Key           string
	Username      string
	Password      Secret
	IdentityToken Secret
	RegistryToken Secret
	// FromAuth reports whether Username and Password were decoded from the
	// "auth" field.
	FromAuth bool
	// Pos is the position of the key, and Location is its JSON key path
	// (auths.KEY).
	Pos      Position
	Location string
}

// CredentialHelper is one "credHelpers" entry: the registry key and the
// NAME of the docker-credential-NAME program that stores its credentials.
type CredentialHelper struct {
	Key    string
	Helper string
	// Pos is the position of the key, and Location is its JSON key path
	// (credHelpers.KEY).
	Pos      Position
	Location string
}

// ContainsAuth reports whether the configuration names any credentials
// source. GitLab Runner skips a configuration without one.
func (c *DockerConfig) ContainsAuth() bool {
	return c.CredsStore != "" || len(c.CredHelpers) > 0 || len(c.Auths) > 0
}

// ParseDockerConfig parses a Docker config.json, .dockercfg or
// DOCKER_AUTH_CONFIG value the way GitLab Runner does, through the docker
// CLI's config loader. file names the input in positions.
//
// Empty input gives an empty configuration. Invalid JSON returns a
// *ConfigError of kind ErrSyntax. An "auth" value that is not standard
// base64 of "user:password" with a non-empty user returns a *ConfigError of
// kind ErrCredentials. In both cases GitLab Runner drops the whole source.
// Like json.Decoder, the parser reads only the first JSON value and ignores
// what follows it.
//
// The diagnostics are warnings about values that GitLab Runner accepts but
// that probably do not work, such as a password that ends in a newline.
//
// The optional limits bound the input: data over Limits.MaxDockerConfigBytes,
// or more than Limits.MaxAuthEntries entries in auths or in credHelpers,
// returns a *ConfigError of kind ErrLimit.
func ParseDockerConfig(file string, data []byte, limits ...Limits) (*DockerConfig, Diagnostics, error) {
	limit := firstLimits(limits)
	if diags := sizeDiagnostic(file, len(data), "MaxDockerConfigBytes", limit.MaxDockerConfigBytes); diags != nil {
		return nil, nil, diags[0].Err()
	}
	raw, err := decodeDockerConfig(data)
	if err != nil {
		return nil, nil, jsonConfigError(file, data, err)
	}
	if err := checkAuthEntries(file, raw, limit.MaxAuthEntries); err != nil {
		return nil, nil, err
	}

	keys, _, _ := walkJSON(data, math.MaxInt64)
	index := newDockerConfigIndex(file, data, keys)

	config := &DockerConfig{
		File:          file,
		CredsStore:    raw.credsStore,
		CredsStorePos: index.position("credsstore"),
		NonCLIFields:  index.nonCLIFields,
	}
	var diags Diagnostics

	for _, key := range sortedKeys(raw.auths) {
		auth, warnings, err := decodeAuthEntry(key, raw.auths[key], index)
		if err != nil {
			return nil, nil, err
		}
		config.Auths = append(config.Auths, auth)
		diags = append(diags, warnings...)
	}

	for _, key := range sortedKeys(raw.credHelpers) {
		config.CredHelpers = append(config.CredHelpers, CredentialHelper{
			Key:      key,
			Helper:   raw.credHelpers[key],
			Pos:      index.position("credhelpers", key),
			Location: "credHelpers." + key,
		})
	}
	return config, diags, nil
}

// rawDockerConfig is the decoded JSON before "auth" values are decoded.
type rawDockerConfig struct {
	auths       map[string]rawDockerAuth
	credsStore  string
	credHelpers map[string]string
}

// rawDockerAuth is one "auths" entry as written.
type rawDockerAuth struct {
	username, password, auth, identityToken, registryToken string
}

// decodeDockerConfig decodes data into the docker CLI's configuration
// shape, so that type errors are the ones GitLab Runner reports. The types
// live in packages named as the docker CLI's are, because json type errors
// name them with their package ("of type configfile.ConfigFile").
func decodeDockerConfig(data []byte) (rawDockerConfig, error) {
	var file configfile.ConfigFile
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&file); err != nil && !errors.Is(err, io.EOF) {
		return rawDockerConfig{}, err
	}

	raw := rawDockerConfig{
		auths:       make(map[string]rawDockerAuth, len(file.AuthConfigs)),
		credsStore:  file.CredentialsStore,
		credHelpers: file.CredentialHelpers,
	}
	for key, a := range file.AuthConfigs {
		raw.auths[key] = rawDockerAuth{a.Username, a.Password, a.Auth, a.IdentityToken, a.RegistryToken}
	}
	return raw, nil
}

// jsonConfigError turns a json decoding error into a *ConfigError with the
// line, column and key path of the failure.
func jsonConfigError(file string, data []byte, err error) error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	offset := int64(len(data))
	stopAt := int64(math.MaxInt64)

	switch {
	case errors.As(err, &syntaxErr):
		offset = syntaxErr.Offset - 1
	case errors.As(err, &typeErr):
		stopAt = typeErr.Offset
	}

	_, location, valueOffset := walkJSON(data, stopAt)
	if typeErr != nil {
		offset = valueOffset
	}
	return &ConfigError{
		Position: positionAt(file, data, offset),
		Location: location,
		Message:  err.Error(),
		Kind:     ErrSyntax,
	}
}

// decodeAuthEntry applies the docker CLI's decoding of one "auths" entry:
// a non-empty "auth" replaces username and password.
func decodeAuthEntry(key string, raw rawDockerAuth, index dockerConfigIndex) (DockerAuth, Diagnostics, error) {
	auth := DockerAuth{
		Key:           key,
		Username:      raw.username,
		Password:      NewSecret(raw.password),
		IdentityToken: NewSecret(raw.identityToken),
		RegistryToken: NewSecret(raw.registryToken),
		Pos:           index.position("auths", key),
		Location:      "auths." + key,
	}
	if raw.auth == "" {
		return auth, nil, nil
	}

	fieldPos := index.position("auths", key, "auth")
	location := auth.Location + ".auth"
	user, password, err := decodeAuth(raw.auth)
	if err != nil {
		return DockerAuth{}, nil, &ConfigError{Position: fieldPos, Location: location, Message: err.Error(), Kind: ErrCredentials}
	}
	auth.Username = user
	auth.Password = NewSecret(password)
	auth.FromAuth = true

	var diags Diagnostics
	if strings.HasSuffix(password, "\n") {
		diags = append(diags, Diagnostic{
			Severity: SeverityWarning,
			Position: fieldPos,
			Location: location,
			Message: "the password decoded from auth ends with a newline, and GitLab Runner sends it to the registry " +
				"with the newline, so the login probably fails; the value was probably made with echo | base64. " +
				"Encode it without the newline: printf '%s:%s' user secret | base64 -w0",
			Kind: ErrCredentials,
		})
	}
	return auth, diags, nil
}

// errInvalidAuth is the docker CLI's error for an "auth" value without a
// ":" or with an empty user name.
var errInvalidAuth = errors.New("invalid auth configuration file")

// decodeAuth splits a standard base64 "user:password" value at its first
// ":" and trims NUL bytes from both ends of the password, as the docker
// CLI does. A newline at the end of the password is kept.
func decodeAuth(value string) (user, password string, err error) {
	decoded, err := base64.StdEncoding.DecodeString(value)
	if err != nil {
		return "", "", err
	}
	user, password, ok := strings.Cut(string(decoded), ":")
	if !ok || user == "" {
		return "", "", errInvalidAuth
	}
	return user, strings.Trim(password, "\x00"), nil
}

// dockerConfigIndex holds the positions of the keys of a Docker
// configuration, looked up case-insensitively for the field names as
// encoding/json matches them.
type dockerConfigIndex struct {
	file         string
	data         []byte
	offsets      map[string]int64
	nonCLIFields []string
}

// newDockerConfigIndex indexes the keys that walkJSON found.
func newDockerConfigIndex(file string, data []byte, keys []jsonKey) dockerConfigIndex {
	index := dockerConfigIndex{file: file, data: data, offsets: make(map[string]int64, len(keys))}
	for _, k := range keys {
		index.offsets[indexKey(k.components...)] = k.offset

		switch {
		case len(k.components) == 1 && !strings.EqualFold(k.components[0], "auths"):
			index.nonCLIFields = append(index.nonCLIFields, k.components[0])
		case len(k.components) == 3 && strings.EqualFold(k.components[0], "auths") && !strings.EqualFold(k.components[2], "auth"):
			index.nonCLIFields = append(index.nonCLIFields, "auths."+k.components[1]+"."+k.components[2])
		}
	}
	return index
}

// indexKey lowercases the field names of a key path (the first component,
// and the third under auths) and keeps registry keys as written.
func indexKey(components ...string) string {
	c := slices.Clone(components)
	if len(c) > 0 {
		c[0] = strings.ToLower(c[0])
	}
	if len(c) > 2 {
		c[2] = strings.ToLower(c[2])
	}
	return strings.Join(c, "\x00")
}

// position returns where the key at a path is, or the file alone when the
// path was not found.
func (x dockerConfigIndex) position(components ...string) Position {
	offset, ok := x.offsets[indexKey(components...)]
	if !ok {
		return Position{File: x.file}
	}
	return positionAt(x.file, x.data, offset)
}

// sortedKeys returns the keys of m in sorted order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkAuthEntries returns a *ConfigError of kind ErrLimit when auths or
// credHelpers has more than limit entries.
func checkAuthEntries(file string, raw rawDockerConfig, limit int) error {
	counts := []struct {
		key   string
		count int
	}{{"auths", len(raw.auths)}, {"credHelpers", len(raw.credHelpers)}}
	for _, c := range counts {
		if key, count := c.key, c.count; count > limit {
			what := fmt.Sprintf("the number of %s entries (%d)", key, count)
			return limitDiagnostic(Position{File: file, Line: 1, Column: 1}, key, what, "MaxAuthEntries", int64(limit), "").Err()
		}
	}
	return nil
}
