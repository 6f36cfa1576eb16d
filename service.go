package ciimage

// Service is one services: entry after GitLab's validation.
type Service struct {
	Image
	// Command is nil when not set; an empty slice and [""] are kept.
	Command []string
	// Alias is the alias value as written: the runner splits it on commas
	// and white space.
	Alias string
	// Variables are the service's own variables, in the order written,
	// with values as GitLab turns them into strings.
	Variables Variables
}
