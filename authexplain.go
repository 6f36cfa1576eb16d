package ciimage

import (
	"fmt"
	"slices"
	"strings"
)

// dockerCLIHubKey is the only key under which the docker CLI looks up
// Docker Hub credentials.
const dockerCLIHubKey = "https://index.docker.io/v1/"

// hubHostsNeverMatched are hosts that look like Docker Hub but that GitLab
// Runner never maps to docker.io in a key without a scheme.
var hubHostsNeverMatched = []string{dockerHubIndexHost, "registry-1.docker.io"}

// AuthExplanation is the result of a credentials lookup for one image,
// with the reasons why nearby keys did not match.
type AuthExplanation struct {
	Image string
	// RegistryPath is the image's registry path (NormalizeImageRef).
	RegistryPath string
	// Tried are the registry paths looked up, most specific first.
	Tried []string
	// Credentials are the ones used, or nil when none match.
	Credentials *Credentials
	// Reasons are warnings about configured keys that look meant for this
	// image but do not match it, each at the key's position.
	Reasons Diagnostics
}

// Explain returns the credentials GitLab Runner would use for image, and
// why the configured keys that come closest to it do not match. The
// reasons are a port that differs, a Docker Hub key spelling that the
// runner never maps, a digest reference, path case, a partial path segment
// or a deeper path.
// Explain reads every claimed entry, so unlike Lookup its cost grows with
// the number of registries.
func (a *RegistryAuth) Explain(image string) AuthExplanation {
	explanation := AuthExplanation{
		Image:        image,
		RegistryPath: NormalizeImageRef(image),
		Tried:        lookupChain(image),
		Credentials:  a.Lookup(image),
		Reasons:      Diagnostics{},
	}
	if a == nil {
		return explanation
	}

	for _, entry := range a.claimed {
		if samePlaceOtherPort(&entry.credentials, explanation.Credentials) {
			continue
		}
		reason := nearMissReason(entry.key, entry.credentials.RegistryPath, explanation.RegistryPath, explanation.Tried)
		if reason == "" {
			continue
		}
		explanation.Reasons = append(explanation.Reasons, Diagnostic{
			Severity: SeverityWarning,
			Position: entry.pos,
			Location: entry.location,
			Message:  "image " + image + ": " + reason,
			Kind:     ErrCredentials,
		})
	}
	return explanation
}

// samePlaceOtherPort reports whether key, on another port of the image's
// host, comes from the same source as the matched credentials at the
// same depth. That source then configures both ports, so the key is for
// another registry and not a near miss. A key from another
// source still is: with a job payload match, a DOCKER_AUTH_CONFIG key
// without the port is the credential its author meant to use.
func samePlaceOtherPort(key, matched *Credentials) bool {
	if matched == nil || key.Source != matched.Source {
		return false
	}
	keyHost, keyRest, _ := strings.Cut(key.RegistryPath, "/")
	matchedHost, matchedRest, _ := strings.Cut(matched.RegistryPath, "/")
	return keyRest == matchedRest && keyHost != matchedHost && hostname(keyHost) == hostname(matchedHost)
}

// nearMissReason returns why a key whose registry path is keyPath does not
// match an image with registry path imagePath, or "" when the key is not
// close to the image. A key on the lookup chain has no reason: it matched,
// or a more specific key did.
func nearMissReason(key, keyPath, imagePath string, tried []string) string {
	if slices.Contains(tried, keyPath) {
		return ""
	}

	keyHost, keyRest, _ := strings.Cut(keyPath, "/")
	imageHost, _, _ := strings.Cut(imagePath, "/")
	onImageHost := imageHost
	if keyRest != "" {
		onImageHost += "/" + keyRest
	}
	coversImage := slices.Contains(tried, onImageHost)

	switch {
	case coversImage && imageHost == dockerHubPath && slices.Contains(hubHostsNeverMatched, keyHost):
		return hubKeyMessage(keyHost)
	case coversImage && keyHost != imageHost && hostname(keyHost) == hostname(imageHost):
		return fmt.Sprintf("%s is configured, but the image is on %s: the port must match", keyHost, imageHost)
	case keyPath == digestRepository(imagePath):
		return fmt.Sprintf("%s is configured, but %s is a digest reference, which GitLab Runner looks up as %s, so a key for the image's own repository never matches it; use a key for a parent path such as %s, or reference the image by tag",
			key, imagePath, imagePath, parentPath(keyPath))
	case slices.ContainsFunc(tried, func(p string) bool { return strings.EqualFold(p, keyPath) }):
		return fmt.Sprintf("%s is configured, but the image path is %s: GitLab Runner lowercases only the host and compares the rest of the path as written", keyPath, imagePath)
	case strings.HasPrefix(imagePath, keyPath) && !strings.HasPrefix(imagePath, keyPath+"/"):
		return fmt.Sprintf("%s is configured, but the image path is %s: keys match whole path segments, so %s does not cover it", keyPath, imagePath, keyPath)
	case strings.HasPrefix(keyPath, imagePath+"/"):
		return fmt.Sprintf("%s is configured, which is below the image path %s: a key matches its own path and the paths under it, not its parents", keyPath, imagePath)
	}
	return ""
}

// hubKeyMessage explains why a key on host never matches Docker Hub
// images in GitLab Runner.
func hubKeyMessage(host string) string {
	if host == dockerHubIndexHost {
		return "index.docker.io without https:// never matches Docker Hub images in GitLab Runner; use https://index.docker.io/v1/ or docker.io"
	}
	return host + " never matches Docker Hub images in GitLab Runner, which looks them up as docker.io; use https://index.docker.io/v1/ or docker.io"
}

// hostname returns host without its port.
func hostname(host string) string {
	name, _, _ := strings.Cut(host, ":")
	return name
}

// digestRepository returns the repository of a digest reference's registry
// path (reg.io/ns/img for reg.io/ns/img@sha256), or "" for other paths.
func digestRepository(imagePath string) string {
	last := imagePath[strings.LastIndex(imagePath, "/")+1:]
	at := strings.Index(last, "@")
	if at == -1 {
		return ""
	}
	return imagePath[:len(imagePath)-len(last)+at]
}

// dockerConfigFindings reports keys of a Docker configuration that GitLab
// Runner never matches or reads differently from the docker CLI.
func dockerConfigFindings(source string, config *DockerConfig) Diagnostics {
	var diags Diagnostics
	warn := func(pos Position, location, message string) {
		diags = append(diags, Diagnostic{Severity: SeverityWarning, Position: pos, Location: location, Message: message, Kind: ErrCredentials})
	}

	for _, a := range config.Auths {
		for _, message := range keyFindings(a.Key) {
			warn(a.Pos, a.Location, message)
		}
	}
	for _, h := range config.CredHelpers {
		for _, message := range keyFindings(h.Key) {
			warn(h.Pos, h.Location, message)
		}
	}

	if source == SourceDockerAuthConfig && len(config.NonCLIFields) > 0 {
		warn(Position{File: config.File}, config.NonCLIFields[0], fmt.Sprintf(
			"the docker CLI (28.x and later) in the job also reads $DOCKER_AUTH_CONFIG but accepts only {\"auths\": {KEY: {\"auth\": \"...\"}}}; because of %q it ignores the variable with an error, while GitLab Runner uses it",
			config.NonCLIFields[0]))
	}
	return diags
}

// keyFindings returns what GitLab Runner and the docker CLI do differently
// with one credentials key, or what makes the key never match.
func keyFindings(key string) []string {
	path := ConvertToRegistryPath(key)
	rawHost := key
	hasScheme := false
	if loc := registryKeyScheme.FindStringIndex(key); loc != nil {
		rawHost = key[loc[1]:]
		hasScheme = true
	}
	rawHost, rawRest, _ := strings.Cut(rawHost, "/")
	host := strings.ToLower(rawHost)

	var findings []string
	switch {
	case key == dockerCLIHubKey:
	case !hasScheme && slices.Contains(hubHostsNeverMatched, host):
		findings = append(findings, hubKeyMessage(host))
	case path == dockerHubPath:
		findings = append(findings, "GitLab Runner uses this key for Docker Hub images, but the docker CLI looks up Docker Hub credentials only under "+dockerCLIHubKey)
	case hasScheme && strings.Trim(rawRest, "/") != "" && !isRegistryAPIPath(rawRest):
		findings = append(findings, fmt.Sprintf("GitLab Runner keeps only the host of a key with http:// or https://, so this key applies to every image on %s, not only to those under /%s", path, strings.Trim(rawRest, "/")))
	case !hasScheme && strings.Contains(path, "/"):
		findings = append(findings, fmt.Sprintf("GitLab Runner applies this key only to images under %s; the docker CLI looks credentials up by registry host and does not limit them to a path", path))
	}

	if rawHost != host && key != dockerCLIHubKey {
		findings = append(findings, fmt.Sprintf("GitLab Runner lowercases the host of this key to %s, but the docker CLI compares keys as written and does not use it for images on %s", host, host))
	}
	return findings
}

// isRegistryAPIPath reports whether the path of a key with a scheme is
// only a registry API version, such as v1/ or v2/.
func isRegistryAPIPath(rest string) bool {
	rest = strings.ToLower(strings.Trim(rest, "/"))
	return rest == "v1" || rest == "v2"
}
