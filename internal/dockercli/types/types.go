// Package types declares the docker CLI's AuthConfig under the package name
// the docker CLI gives it (github.com/docker/cli/cli/config/types), so that
// encoding/json type errors name it as GitLab Runner reports them, for
// example "of type types.AuthConfig".
package types

// AuthConfig is one "auths" entry of a Docker config file, with the docker
// CLI's field names and JSON keys.
type AuthConfig struct {
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty"`
	Auth          string `json:"auth,omitempty"`
	Email         string `json:"email,omitempty"`
	ServerAddress string `json:"serveraddress,omitempty"`
	IdentityToken string `json:"identitytoken,omitempty"`
	RegistryToken string `json:"registrytoken,omitempty"`
}
