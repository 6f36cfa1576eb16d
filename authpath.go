package ciimage

import (
	"path"
	"regexp"
	"strings"
)

// dockerHubPath is the registry path under which GitLab Runner looks up
// credentials for Docker Hub images.
const dockerHubPath = "docker.io"

// dockerHubIndexHost is the host that GitLab Runner maps to docker.io in an
// image name, and in a credentials key only when the key has a scheme.
const dockerHubIndexHost = "index.docker.io"

// registryKeyScheme matches the scheme that makes GitLab Runner keep only
// the host of a credentials key.
var registryKeyScheme = regexp.MustCompile(`(?i)^https?://`)

// NormalizeImageRef returns the registry path under which GitLab Runner
// looks up credentials for an image, as its helpers/docker/auth package
// does (GitLab Runner 17.5 and later).
//
// The last path component is cut at its first ":", so a tag is removed and
// a digest reference keeps "@sha256" (reg.io/ns/img@sha256:abc becomes
// reg.io/ns/img@sha256). The path is then cleaned as path.Join cleans it,
// so repeated slashes collapse, "." and ".." components resolve, and a
// leading "/" stays. A name whose first component has no "." or ":" and is not
// "localhost" (in any case) is a Docker Hub name and is joined under
// docker.io, without library/. An empty first component, as in
// "/reg.io/app", counts as a Docker Hub name too. The host index.docker.io
// (in any case) becomes docker.io. Only the host is lowercased.
func NormalizeImageRef(image string) string {
	slash := strings.LastIndex(image, "/")
	dir, last := image[:slash+1], image[slash+1:]
	last, _, _ = strings.Cut(last, ":")
	joined := path.Join(dir, last)

	host, rest, hasRest := strings.Cut(joined, "/")
	switch {
	case !hasRest || isDockerHubName(host):
		// GitLab Runner joins the prefix with path.Join as well, so an
		// empty name gives docker.io and ".." gives ".".
		return lowercaseHost(path.Join(dockerHubPath, joined))
	case strings.EqualFold(host, dockerHubIndexHost):
		return dockerHubPath + "/" + rest
	}
	return strings.ToLower(host) + "/" + rest
}

// isDockerHubName reports whether the first component of an image name is
// a Docker Hub namespace rather than a registry host.
func isDockerHubName(first string) bool {
	return !strings.ContainsAny(first, ".:") && !strings.EqualFold(first, "localhost")
}

// ConvertToRegistryPath returns the registry path of a credentials key
// (an "auths" or "credHelpers" key, or a job payload credential URL), as
// GitLab Runner computes it.
//
// A key with an http:// or https:// scheme (in any case) keeps only its
// host, lowercased, and index.docker.io becomes docker.io. A key without a
// scheme loses one trailing "/" and a ":tag" after its last "/", keeps its
// path and has its host lowercased. Such a key is not mapped from
// index.docker.io, so it never matches Docker Hub images.
func ConvertToRegistryPath(key string) string {
	if loc := registryKeyScheme.FindStringIndex(key); loc != nil {
		host, _, _ := strings.Cut(key[loc[1]:], "/")
		host = strings.ToLower(host)
		if host == dockerHubIndexHost {
			return dockerHubPath
		}
		return host
	}

	p := strings.TrimSuffix(key, "/")
	lastSlash := strings.LastIndex(p, "/")
	if lastColon := strings.LastIndex(p, ":"); lastSlash != -1 && lastColon > lastSlash {
		p = p[:lastColon]
	}
	return lowercaseHost(p)
}

// lowercaseHost lowercases the part of p before its first "/".
func lowercaseHost(p string) string {
	host, rest, hasRest := strings.Cut(p, "/")
	host = strings.ToLower(host)
	if !hasRest {
		return host
	}
	return host + "/" + rest
}

// parentPath returns p without its last "/" component, or "" when p has a
// single component.
func parentPath(p string) string {
	i := strings.LastIndex(p, "/")
	if i == -1 {
		return ""
	}
	return p[:i]
}

// lookupChain returns the registry paths that GitLab Runner tries for an
// image, most specific first: the image's own path, then each parent.
func lookupChain(image string) []string {
	var chain []string
	for p := NormalizeImageRef(image); p != ""; p = parentPath(p) {
		chain = append(chain, p)
	}
	return chain
}
