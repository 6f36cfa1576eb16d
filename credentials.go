package ciimage

// Credentials are the registry credentials that would pull one image: the
// registry path whose entry matched, the source it came from, and the
// user name. The secret fields never appear in any printed or encoded form.
type Credentials struct {
	// RegistryPath is the normalized key that matched, such as
	// registry.example.com:5000 or docker.io.
	RegistryPath string `json:"registry_path"`
	// Source is "$DOCKER_AUTH_CONFIG", the path of the runner user's Docker
	// config file, or "job payload (GitLab Registry)".
	Source   string `json:"source"`
	Username string `json:"username"`
	// Helper names the docker-credential-NAME program that supplies the
	// credentials, or is empty.
	Helper        string `json:"helper"`
	Password      Secret `json:"-"`
	IdentityToken Secret `json:"-"`
	RegistryToken Secret `json:"-"`
}

// RegistryCredential is one registry credential that GitLab puts in the job
// payload: the GitLab container registry with the job token, or the
// dependency proxy.
type RegistryCredential struct {
	// Type is "registry" for the credentials the runner uses for pulls.
	Type     string
	URL      string
	Username string
	Password Secret
}
