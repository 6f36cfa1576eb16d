package ciimage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// Source names, as GitLab Runner writes them in "Authenticating with
// credentials from SOURCE". The runner user's Docker config file is named
// by its path.
const (
	SourceDockerAuthConfig = "$DOCKER_AUTH_CONFIG"
	SourceJobPayload       = "job payload (GitLab Registry)"
)

// dockerAuthConfigVariable is the variable that holds DOCKER_AUTH_CONFIG.
const dockerAuthConfigVariable = "DOCKER_AUTH_CONFIG"

// homeConfigFiles are the files GitLab Runner reads in the runner user's
// home, in order: the first one that opens is used. DOCKER_CONFIG is not
// honoured.
var homeConfigFiles = []string{".docker/config.json", ".dockercfg"}

// AuthOptions are the inputs of ResolveRegistryAuth. The zero value has no
// credentials source.
type AuthOptions struct {
	// Variables are the job's variables after expansion, with the runner's
	// environment first, as GitLab Runner holds them. The last
	// DOCKER_AUTH_CONFIG is used, so a job variable replaces the runner's
	// environment value. A file variable's Value is its contents. The
	// process environment is never read.
	Variables Variables
	// DockerAuthConfigFile names the DOCKER_AUTH_CONFIG value in diagnostic
	// positions. Default: "$DOCKER_AUTH_CONFIG".
	DockerAuthConfigFile string
	// Home is the runner user's home directory. Empty means that no file
	// is read.
	Home string
	// HomeFS holds the contents of Home. Default: os.DirFS(Home).
	HomeFS fs.FS
	// Credentials are the job payload's registry credentials; entries whose
	// Type is not "registry" are ignored. See JobPayloadCredentials.
	Credentials []RegistryCredential
	// Helpers runs credential helpers. When nil, no helper runs: an entry
	// from credHelpers names its helper and has no user name, and the
	// registries of a credsStore are unknown.
	Helpers CredentialHelperRunner
	// Limits bound each Docker configuration (Limits.MaxDockerConfigBytes
	// and Limits.MaxAuthEntries). The zero value means DefaultLimits. A
	// configuration over a limit is not used, and an error diagnostic of
	// Kind ErrLimit reports it.
	Limits Limits
}

// withDefaults returns the options with every default applied.
func (o AuthOptions) withDefaults() AuthOptions {
	if o.DockerAuthConfigFile == "" {
		o.DockerAuthConfigFile = SourceDockerAuthConfig
	}
	if o.HomeFS == nil && o.Home != "" {
		o.HomeFS = os.DirFS(o.Home)
	}
	o.Limits = o.Limits.withDefaults()
	return o
}

// RegistryAuth is the table of registry credentials GitLab Runner builds
// for a job: each registry path with the first source that claimed it.
// Lookups cost time in proportion to the depth of the image's path, not to
// the number of registries.
type RegistryAuth struct {
	byPath  map[string]*authEntry
	claimed []*authEntry
}

// loadedSource is a credentials source with its entries in claim order.
type loadedSource struct {
	name    string
	entries []authEntry
}

// authSourceLoader reads one credentials source. A source that GitLab
// Runner drops comes back empty with a warning. The error is only for
// failures that fail the pull (path traversal) and for an ended context.
type authSourceLoader func(ctx context.Context, o AuthOptions) (loadedSource, Diagnostics, error)

// authSourceLoaders are the sources in GitLab Runner's order. The first
// source to claim a registry path wins it.
var authSourceLoaders = []authSourceLoader{
	loadDockerAuthConfig,
	loadHomeDockerConfig,
	loadJobPayload,
}

// ResolveRegistryAuth gathers the registry credentials GitLab Runner would
// use for a job from its three sources, in order: DOCKER_AUTH_CONFIG, the
// runner user's ~/.docker/config.json (else ~/.dockercfg), and the job
// payload's credentials. An entry whose registry path an earlier entry
// already claimed is dropped, with a warning.
//
// The diagnostics report dropped sources and entries, helpers that were
// not run, and configurations that GitLab Runner accepts but that probably
// do not work or that the docker CLI reads differently. The error is a
// *ConfigError of kind ErrPathTraversal when a helper name is not a plain
// file name, in which case GitLab Runner fails every pull, or the
// context's error.
func ResolveRegistryAuth(ctx context.Context, opts AuthOptions) (*RegistryAuth, Diagnostics, error) {
	opts = opts.withDefaults()
	auth := &RegistryAuth{byPath: make(map[string]*authEntry)}
	var diags Diagnostics

	for _, load := range authSourceLoaders {
		source, sourceDiags, err := load(ctx, opts)
		diags = append(diags, sourceDiags...)
		if err != nil {
			return nil, diags, err
		}
		diags = append(diags, auth.claim(source)...)
	}
	return auth, diags, nil
}

// claim adds the entries of a source whose registry path is not claimed
// yet, and reports the others as GitLab Runner's debug log does.
func (a *RegistryAuth) claim(source loadedSource) Diagnostics {
	var diags Diagnostics
	for i := range source.entries {
		entry := &source.entries[i]
		path := ConvertToRegistryPath(entry.serverAddress)
		if path == "" {
			continue
		}
		entry.credentials.RegistryPath = path
		entry.credentials.Source = source.name

		if first, taken := a.byPath[path]; taken {
			diags = append(diags, Diagnostic{
				Severity: SeverityWarning,
				Position: entry.pos,
				Location: entry.location,
				Message: fmt.Sprintf("Not adding Docker credentials: credentials for %q already set from %q, ignoring credentials from %q",
					path, first.credentials.Source, source.name),
				Kind: ErrCredentials,
			})
			continue
		}
		a.byPath[path] = entry
		a.claimed = append(a.claimed, entry)
	}
	return diags
}

// Lookup returns the credentials GitLab Runner would use to pull image,
// or nil when none match. It tries the image's registry path
// (NormalizeImageRef), then each parent path, and returns the first
// registry path that a source claimed.
func (a *RegistryAuth) Lookup(image string) *Credentials {
	entry := a.lookupEntry(image)
	if entry == nil {
		return nil
	}
	found := entry.credentials
	return &found
}

// lookupEntry returns the claimed entry that matches image, or nil.
func (a *RegistryAuth) lookupEntry(image string) *authEntry {
	if a == nil {
		return nil
	}
	for p := NormalizeImageRef(image); p != ""; p = parentPath(p) {
		if entry, ok := a.byPath[p]; ok {
			return entry
		}
	}
	return nil
}

// Entries returns the credentials of every claimed registry path, in the
// order the sources claimed them.
func (a *RegistryAuth) Entries() []Credentials {
	if a == nil {
		return []Credentials{}
	}
	entries := make([]Credentials, 0, len(a.claimed))
	for _, e := range a.claimed {
		entries = append(entries, e.credentials)
	}
	return entries
}

// loadDockerAuthConfig reads the last DOCKER_AUTH_CONFIG variable. An
// empty value means no credentials.
func loadDockerAuthConfig(ctx context.Context, o AuthOptions) (loadedSource, Diagnostics, error) {
	value, _ := o.Variables.Lookup(dockerAuthConfigVariable)
	if value == "" {
		return loadedSource{}, nil, nil
	}
	return loadDockerConfigSource(ctx, o, SourceDockerAuthConfig, o.DockerAuthConfigFile, []byte(value), dropWarning)
}

// loadHomeDockerConfig reads the runner user's Docker config file. GitLab
// Runner ignores every error of this source except path traversal, so they
// are reported as warnings.
func loadHomeDockerConfig(ctx context.Context, o AuthOptions) (loadedSource, Diagnostics, error) {
	if o.Home == "" {
		return loadedSource{}, nil, nil
	}

	name, file, err := openHomeDockerConfig(o.HomeFS)
	path := filepath.Join(o.Home, filepath.FromSlash(name))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return loadedSource{}, nil, nil
	case err != nil:
		return loadedSource{}, Diagnostics{homeReadWarning(path, err)}, nil
	}
	defer file.Close()

	data, err := io.ReadAll(io.LimitReader(file, o.Limits.MaxDockerConfigBytes+1))
	if err != nil {
		return loadedSource{}, Diagnostics{homeReadWarning(path, err)}, nil
	}
	return loadDockerConfigSource(ctx, o, path, path, data, ignoredWarning)
}

// openHomeDockerConfig opens the first of homeConfigFiles that opens and
// returns its name. GitLab Runner falls back to the next file only when a
// file cannot be opened, so a file that opens but cannot be read, such as
// a directory, ends the search. The error is that of the last file.
func openHomeDockerConfig(fsys fs.FS) (string, fs.File, error) {
	var name string
	var err error
	for _, name = range homeConfigFiles {
		var file fs.File
		if file, err = fsys.Open(name); err == nil {
			return name, file, nil
		}
	}
	return name, nil, err
}

// homeReadWarning returns the warning for a Docker config file in the
// runner user's home that could not be opened or read.
func homeReadWarning(path string, err error) Diagnostic {
	return ignoredWarning(path, &ConfigError{Position: Position{File: path}, Message: err.Error(), Kind: ErrCredentials})
}

// loadDockerConfigSource parses one Docker configuration and runs its
// helpers. A parse or helper failure drops the source with the warning
// that failed builds.
func loadDockerConfigSource(ctx context.Context, o AuthOptions, name, file string, data []byte, failed func(string, *ConfigError) Diagnostic) (loadedSource, Diagnostics, error) {
	config, diags, err := ParseDockerConfig(file, data, o.Limits)
	var parseErr *ConfigError
	switch {
	case errors.As(err, &parseErr) && errors.Is(err, ErrLimit):
		limitErr := Diagnostic{Severity: SeverityError, Position: parseErr.Position, Location: parseErr.Location, Message: parseErr.Message, Kind: ErrLimit}
		return loadedSource{}, Diagnostics{limitErr}, nil
	case errors.As(err, &parseErr):
		return loadedSource{}, Diagnostics{failed(name, parseErr)}, nil
	}
	if !config.ContainsAuth() {
		return loadedSource{}, diags, nil
	}
	diags = append(diags, dockerConfigFindings(name, config)...)

	entries, helperDiags, err := dockerConfigEntries(ctx, config, o.Helpers)
	diags = append(diags, helperDiags...)
	switch {
	case errors.Is(err, ErrPathTraversal):
		return loadedSource{}, diags, err
	case errors.Is(err, errHelperFailed):
		return loadedSource{}, append(diags, failed(name, &ConfigError{Position: Position{File: file}, Message: err.Error(), Kind: ErrCredentials})), nil
	case err != nil:
		return loadedSource{}, diags, err
	}
	return loadedSource{name: name, entries: entries}, diags, nil
}

// dropWarning is GitLab Runner's warning for a DOCKER_AUTH_CONFIG that it
// cannot use.
func dropWarning(source string, err *ConfigError) Diagnostic {
	return Diagnostic{
		Severity: SeverityWarning,
		Position: err.Position,
		Location: err.Location,
		Message:  fmt.Sprintf("Failed to resolve credentials from %s: %s. Credentials from this source will not be used.", source, err.Message),
		Kind:     err.Kind,
	}
}

// ignoredWarning reports an error of the runner user's Docker config file,
// which GitLab Runner ignores without a message.
func ignoredWarning(source string, err *ConfigError) Diagnostic {
	d := dropWarning(source, err)
	d.Message = fmt.Sprintf("Failed to resolve credentials from %s: %s. GitLab Runner ignores this error without a message and uses no credentials from this file.", source, err.Message)
	return d
}

// loadJobPayload reads the job payload's registry credentials in payload
// order. GitLab Runner adds them in that order, so where two credentials
// have the same registry path, the first one is used.
func loadJobPayload(_ context.Context, o AuthOptions) (loadedSource, Diagnostics, error) {
	source := loadedSource{name: SourceJobPayload}
	for i, c := range o.Credentials {
		if c.Type != "registry" {
			continue
		}
		source.entries = append(source.entries, authEntry{
			key:           c.URL,
			serverAddress: c.URL,
			credentials:   Credentials{Username: c.Username, Password: c.Password},
			location:      "credentials[" + strconv.Itoa(i) + "]",
		})
	}
	return source, nil, nil
}

// JobPayloadCredentials returns the registry credentials that GitLab puts
// in a job payload, modelled from the job's variables. The GitLab container
// registry comes from CI_REGISTRY with CI_REGISTRY_USER and
// CI_REGISTRY_PASSWORD. The dependency proxy comes from
// CI_DEPENDENCY_PROXY_SERVER with CI_DEPENDENCY_PROXY_USER and
// CI_DEPENDENCY_PROXY_PASSWORD. Each is added only when its server
// variable is set and not empty.
func JobPayloadCredentials(vars Variables) []RegistryCredential {
	servers := []struct{ url, user, password string }{
		{"CI_REGISTRY", "CI_REGISTRY_USER", "CI_REGISTRY_PASSWORD"},
		{"CI_DEPENDENCY_PROXY_SERVER", "CI_DEPENDENCY_PROXY_USER", "CI_DEPENDENCY_PROXY_PASSWORD"},
	}

	credentials := []RegistryCredential{}
	for _, s := range servers {
		url := vars.Get(s.url)
		if url == "" {
			continue
		}
		credentials = append(credentials, RegistryCredential{
			Type:     "registry",
			URL:      url,
			Username: vars.Get(s.user),
			Password: NewSecret(vars.Get(s.password)),
		})
	}
	return credentials
}
