package ciimage

import (
	"fmt"
	"slices"
	"strings"
)

// dockerSettingKeys are the keys of [runners.docker], the TOML names of
// the fields of DockerConfig in GitLab Runner's common/config.go. The
// runner silently ignores a key outside this list. NOTE: taken from
// one recent version; a newer runner may add keys.
var dockerSettingKeys = keySet(
	"host", "tls_cert_path", "tls_verify", "hostname", "image", "runtime", "memory",
	"memory_swap", "memory_reservation", "cgroup_parent", "cpuset_cpus", "cpuset_mems",
	"cpus", "cpu_shares", "dns", "dns_search", "privileged", "services_privileged",
	"disable_entrypoint_overwrite", "user", "allowed_users", "group_add", "userns_mode",
	"cap_add", "cap_drop", "oom_kill_disable", "oom_score_adjust", "security_opt",
	"services_security_opt", "devices", "device_cgroup_rules", "gpus", "services_devices",
	"disable_cache", "volumes", "volume_driver", "volume_driver_ops", "cache_dir",
	"extra_hosts", "volumes_from", "network_mode", "ipcmode", "mac_address", "links",
	"services", "services_limit", "service_memory", "service_memory_swap",
	"service_memory_reservation", "service_cgroup_parent", "service_slot_cgroup_template",
	"service_cpuset_cpus", "service_cpus", "service_cpu_shares", "service_gpus",
	"wait_for_services_timeout", "allowed_images", "allowed_privileged_images",
	"allowed_privileged_services", "allowed_pull_policies", "allowed_services",
	"pull_policy", "isolation", "shm_size", "tmpfs", "services_tmpfs", "sysctls",
	"helper_image", "helper_image_flavor", "container_labels", "enable_ipv6", "ulimit",
	"network_mtu", "log_options",
)

// readDockerKeys are the [runners.docker] keys that change what this
// package reports, in the order a suggestion prefers them.
var readDockerKeys = []string{
	"image", "services", "services_limit", "allowed_images", "allowed_services",
	"pull_policy", "allowed_pull_policies", "disable_entrypoint_overwrite", "user",
	"allowed_users",
}

// unknownDockerKeys reports the keys of a [runners.docker] table that the
// runner ignores and that look like a misspelling of a key this package
// reads, such as alowed_images or allowed-images. Other unknown keys are
// left alone: they may come from a newer runner.
func (d *tomlDecoder) unknownDockerKeys(docker map[string]any, dockerPath string) {
	keys := make([]string, 0, len(docker))
	for key := range docker {
		keys = append(keys, key)
	}
	slices.Sort(keys)

	for _, key := range keys {
		if dockerSettingKeys[strings.ToLower(key)] {
			continue
		}
		meant := closestKey(key, readDockerKeys)
		if meant == "" {
			continue
		}
		path := dockerPath + "." + tomlKey(key)
		d.diagnostics = append(d.diagnostics, Diagnostic{
			Severity: SeverityWarning,
			Position: lookupPosition(d.file, d.positions, path),
			Location: path,
			Message:  fmt.Sprintf("GitLab Runner ignores the unknown key %q in [runners.docker]; did you mean %s?", key, meant),
			Kind:     ErrInvalidConfig,
		})
	}
}

// closestKey returns the first of keys that key is a likely misspelling
// of: the same once lowercased with "-" read as "_", or at most two edits
// away for keys of five letters or more. It returns "" when none is.
func closestKey(key string, keys []string) string {
	normalized := strings.ReplaceAll(strings.ToLower(key), "-", "_")
	for _, k := range keys {
		if normalized == k {
			return k
		}
	}
	for _, k := range keys {
		if len(k) >= 5 && editDistance(normalized, k) <= 2 {
			return k
		}
	}
	return ""
}

// editDistance returns the Levenshtein distance between a and b, in
// bytes: the minimum number of insertions, deletions and substitutions
// that turn a into b.
func editDistance(a, b string) int {
	previous := make([]int, len(b)+1)
	current := make([]int, len(b)+1)
	for j := range previous {
		previous[j] = j
	}
	for i := 1; i <= len(a); i++ {
		current[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			current[j] = min(previous[j]+1, current[j-1]+1, previous[j-1]+cost)
		}
		previous, current = current, previous
	}
	return previous[len(b)]
}
