package ciimage

// Image is a job's image entry after GitLab's validation: the string form
// and the map form give the same value.
type Image struct {
	// Name is the image name as written, before variable expansion.
	Name string
	// Entrypoint is nil when not set; an empty slice and [""] are kept as
	// they are, because the runner treats them differently.
	Entrypoint []string
	// PullPolicy is nil when not set. GitLab neither removes repeats nor
	// reorders.
	PullPolicy []string
	Docker     DockerOptions
	Kubernetes KubernetesOptions
	// Pos is where the entry starts and Location is GitLab's key path for
	// it, such as jobs:test:image.
	Pos      Position
	Location string
}

// DockerOptions are the docker: executor options of an image or service.
type DockerOptions struct {
	Platform string `json:"platform"`
	User     string `json:"user"`
}

// KubernetesOptions are the kubernetes: executor options of an image or
// service.
type KubernetesOptions struct {
	User string `json:"user"`
}
