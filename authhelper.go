package ciimage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
)

// helperProgramPrefix starts the name of every credential helper program.
const helperProgramPrefix = "docker-credential-"

// helperTokenUsername is the user name with which a credential helper
// marks its secret as an identity token.
const helperTokenUsername = "<token>"

// ErrHelperCredentialsNotFound is the error a CredentialHelperRunner's Get
// wraps when the helper has no credentials for the server URL. Its text is
// the helper protocol's message.
var ErrHelperCredentialsNotFound = errors.New("credentials not found in native keychain")

// CredentialHelperRunner runs docker-credential-NAME programs for
// ResolveRegistryAuth. The package starts no process itself: without a
// runner it only reports which helper GitLab Runner would ask. helper is
// the NAME from "credsStore" or "credHelpers", without the
// docker-credential- prefix.
type CredentialHelperRunner interface {
	// List runs "docker-credential-NAME list" and returns the stored server
	// URLs, each with its user name.
	List(ctx context.Context, helper string) (map[string]string, error)
	// Get runs "docker-credential-NAME get" with serverURL on standard
	// input. The error wraps ErrHelperCredentialsNotFound when the helper
	// has no credentials for serverURL.
	Get(ctx context.Context, helper, serverURL string) (HelperCredentials, error)
}

// HelperCredentials are the credentials that a helper's get command
// returns. A Username of "<token>" marks Secret as an identity token.
type HelperCredentials struct {
	ServerURL string
	Username  string
	Secret    Secret
}

// HelperProgram returns the program name GitLab Runner runs for a helper
// name: docker-credential-NAME.
func HelperProgram(helper string) string { return helperProgramPrefix + helper }

// authEntry is one credential that a source offers: the key as written,
// the server address that GitLab Runner maps to a registry path, and the
// credentials.
type authEntry struct {
	key           string
	serverAddress string
	credentials   Credentials
	pos           Position
	location      string
}

// errHelperFailed marks a helper failure, after which GitLab Runner drops
// the whole source.
var errHelperFailed = errors.New("credential helper failed")

// dockerConfigEntries turns a parsed Docker configuration into the entries
// GitLab Runner adds, in its order: merged by key ("auths", then
// "credsStore", then "credHelpers"), then sorted by key.
//
// The error wraps ErrPathTraversal for a helper name that is not a plain
// file name, which fails the pull. It wraps errHelperFailed for a failing
// helper, which drops the source. Otherwise it is the context's error.
func dockerConfigEntries(ctx context.Context, config *DockerConfig, runner CredentialHelperRunner) ([]authEntry, Diagnostics, error) {
	byKey := make(map[string]authEntry, len(config.Auths))
	for _, a := range config.Auths {
		byKey[a.Key] = authEntry{
			key:           a.Key,
			serverAddress: a.Key,
			credentials: Credentials{
				Username:      a.Username,
				Password:      a.Password,
				IdentityToken: a.IdentityToken,
				RegistryToken: a.RegistryToken,
			},
			pos:      a.Pos,
			location: a.Location,
		}
	}

	storeDiags, err := addCredsStoreEntries(ctx, config, runner, byKey)
	if err != nil {
		return nil, storeDiags, err
	}

	helperDiags, err := addCredHelperEntries(ctx, config, runner, byKey)
	diags := append(storeDiags, helperDiags...)
	if err != nil {
		return nil, diags, err
	}

	entries := make([]authEntry, 0, len(byKey))
	for _, key := range sortedKeys(byKey) {
		entries = append(entries, byKey[key])
	}
	return entries, diags, nil
}

// addCredsStoreEntries requests from the credsStore helper every registry it
// stores, as the docker CLI's native store does, and replaces entries with
// the same key.
func addCredsStoreEntries(ctx context.Context, config *DockerConfig, runner CredentialHelperRunner, byKey map[string]authEntry) (Diagnostics, error) {
	if config.CredsStore == "" {
		return nil, nil
	}
	if err := checkHelperName(config.CredsStore, config.CredsStorePos, "credsStore"); err != nil {
		return nil, err
	}

	program := HelperProgram(config.CredsStore)
	if runner == nil {
		return Diagnostics{{
			Severity: SeverityWarning,
			Position: config.CredsStorePos,
			Location: "credsStore",
			Message: fmt.Sprintf("%s was not run, so the registries it stores are not known. GitLab Runner runs %q and then %q for each stored registry on every pull, and does not use this source at all when the helper fails",
				program, program+" list", program+" get"),
			Kind: ErrCredentials,
		}}, nil
	}

	stored, err := runner.List(ctx, config.CredsStore)
	if err != nil {
		return nil, helperError(ctx, program+" list", err)
	}

	for _, url := range sortedKeys(stored) {
		found, err := runner.Get(ctx, config.CredsStore, url)
		if err != nil && !errors.Is(err, ErrHelperCredentialsNotFound) {
			return nil, helperError(ctx, program+" get", err)
		}

		entry, exists := byKey[url]
		if !exists {
			entry = authEntry{key: url, pos: config.CredsStorePos, location: "credsStore"}
		}
		if err == nil && !exists {
			entry.serverAddress = url
		}
		applyHelperCredentials(&entry, program, found)
		byKey[url] = entry
	}
	return nil, nil
}

// addCredHelperEntries requests from each credHelpers helper its registry and
// replaces the entry with the same key. Without a runner, the entry names
// the helper and has no user name.
func addCredHelperEntries(ctx context.Context, config *DockerConfig, runner CredentialHelperRunner, byKey map[string]authEntry) (Diagnostics, error) {
	// NOTE: GitLab Runner checks each name just before running its helper,
	// in map order, so when another helper fails first it drops the source
	// instead of failing the pull. Checking all names first is the
	// deterministic reading of that.
	for _, h := range config.CredHelpers {
		if err := checkHelperName(h.Helper, h.Pos, h.Location); err != nil {
			return nil, err
		}
	}

	var diags Diagnostics
	for _, h := range config.CredHelpers {
		program := HelperProgram(h.Helper)
		entry := byKey[h.Key]
		entry.key, entry.pos, entry.location = h.Key, h.Pos, h.Location

		if runner == nil {
			entry.serverAddress = h.Key
			applyHelperCredentials(&entry, program, HelperCredentials{})
			byKey[h.Key] = entry
			diags = append(diags, Diagnostic{
				Severity: SeverityWarning,
				Position: h.Pos,
				Location: h.Location,
				Message: fmt.Sprintf("%s was not run, so the user name is not known. GitLab Runner runs %q for %s on every pull, and does not use this source at all when the helper fails",
					program, program+" get", h.Key),
				Kind: ErrCredentials,
			})
			continue
		}

		found, err := runner.Get(ctx, h.Helper, h.Key)
		switch {
		case errors.Is(err, ErrHelperCredentialsNotFound):
			// The docker CLI returns an empty server address here, so the
			// entry's registry path is empty and never matches.
			entry.serverAddress = ""
			diags = append(diags, Diagnostic{
				Severity: SeverityWarning,
				Position: h.Pos,
				Location: h.Location,
				Message:  fmt.Sprintf("%s has no credentials for %s, so GitLab Runner uses no credentials from this entry", program, h.Key),
				Kind:     ErrCredentials,
			})
		case err != nil:
			return diags, helperError(ctx, program+" get", err)
		default:
			entry.serverAddress = h.Key
		}
		applyHelperCredentials(&entry, program, found)
		byKey[h.Key] = entry
	}
	return diags, nil
}

// applyHelperCredentials replaces the user name, password and identity
// token of an entry with what a helper returned, as the docker CLI's
// native store does. The registry token of an "auths" entry with the same
// key is kept.
func applyHelperCredentials(entry *authEntry, program string, found HelperCredentials) {
	entry.credentials.Helper = program
	entry.credentials.Username = found.Username
	entry.credentials.Password = found.Secret
	entry.credentials.IdentityToken = Secret{}
	if found.Username == helperTokenUsername {
		entry.credentials.Username = ""
		entry.credentials.Password = Secret{}
		entry.credentials.IdentityToken = found.Secret
	}
}

// checkHelperName rejects a helper name that is not a plain file name, as
// GitLab Runner does before it runs the helper.
func checkHelperName(helper string, pos Position, location string) error {
	if helper == filepath.Base(helper) {
		return nil
	}
	return &ConfigError{
		Position: pos,
		Location: location,
		Message:  fmt.Sprintf("%s: credential helper %q must be a plain file name, so GitLab Runner fails the pull", ErrPathTraversal, helper),
		Kind:     ErrPathTraversal,
	}
}

// helperError wraps a helper failure, or returns the context's error when
// the context ended.
func helperError(ctx context.Context, command string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return fmt.Errorf("%w: %s: %w", errHelperFailed, command, err)
}
