// Package ciimage works out, from configuration alone, which containers a
// GitLab CI job gets when it runs on a Docker-executor GitLab Runner.
//
// For each job it returns the build image and its entrypoint, and every
// service container with the hostnames (aliases) that reach it. For each
// image it returns the pull policy the runner applies, whether the
// runner's allow-lists accept it, and which registry credentials would
// pull it, from which source. It reads
// .gitlab-ci.yml, the runner's config.toml, DOCKER_AUTH_CONFIG and the
// runner user's Docker config.json. It starts no container, opens no socket
// and runs no program: credential helpers are asked only through an
// interface the caller supplies.
//
// # Data flow
//
// Data flows one way, and each step is a function of its own:
//
//	bytes → Document (composed YAML with positions) → Pipeline (jobs after
//	default:) → Plan (expanded, checked and resolved, per job)
//
// ParsePipeline reads one file; Resolve turns a Pipeline into a Plan. A
// runner that already has the job payload skips the YAML steps and calls
// ParseImageName, AssignAliases and the allow-list, pull-policy and
// credential functions directly.
//
// # Images and services
//
// An image or services entry is a string or a map, validated as GitLab
// validates it, with GitLab's messages in GitLab's order: the type, the
// disallowed ports key, the name, the entrypoint, the executor options
// (docker: platform and user, kubernetes: user), the unknown keys, and for
// services the command and alias; pull_policy and service variables are
// checked only when the entry itself is valid. An entrypoint or command
// that is not set is nil, and an empty list and [""] are kept as they are,
// because the runner treats the three differently. GitLab accepts any
// non-blank name; whether the runner and Docker accept it is a separate
// check (ImageNameDiagnostics).
//
// # Jobs and default:
//
// A root key is a job when its value is a map with script:, run: or
// trigger:, unless it is reserved (include, image, services, variables,
// stages, cache, before_script, after_script); hidden jobs start with a dot
// and are templates only. Trigger jobs run no container and are not in the
// plan. A job takes default:'s whole image or services entry only when its
// own is absent or null, and inherit:default (true, false or a list) can
// turn that off; the deprecated top-level image: and services: flow into
// default:, and setting a key in both places is GitLab's error.
//
// # Composition
//
// LoadPipeline and Compose read a pipeline in GitLab's order. First each
// file's YAML is loaded as Ruby's Psych loads it: a << merge key yields to
// the keys written after it, in <<: [*a, *b] the first wins, a repeated
// key keeps its last value, and YAML 1.1 scalars such as "on" and 010 keep
// their Psych types. Its spec: inputs are interpolated at that point.
// Then local include: files are merged from the fs.FS that holds the
// repository, globs included, the including file last. Then extends is
// applied and !reference resolved. Anchors are shared, never copied, so a
// file that reuses an anchor many times costs work in proportion to its
// size. Includes that need GitLab or the network are not fetched, and each
// gets a warning.
//
// # Runner configuration
//
// ParseRunnerConfig reads config.toml. Runner picks a [[runners]] entry by
// name, or the first with a Docker executor; DefaultRunner stands for a
// runner whose settings are unknown, so findings that depend on them are
// warnings. The runner's image is used when a job has none, its services
// come before the job's, and a job's services count against
// services_limit together with them.
//
// # Variables
//
// Names, aliases and the docker: options are expanded as the runner
// expands them (os.Expand: an undefined variable is empty, $$ is $), the
// build image name twice. The runner's environment comes first, then the
// YAML variables, then ResolveOptions.Variables, the last definition
// winning. A name that uses a variable GitLab sets for each job, such as
// CI_REGISTRY_IMAGE, directly or through a job variable whose value uses
// it, is reported as not resolved instead of being expanded to nothing. A
// service container receives the public and internal job variables and
// then its own, expanded against all of them.
//
// # Aliases
//
// ParseImageName derives what the runner derives from a name: the
// service part without the registry port, the version, the pulled
// reference and the default aliases (/ replaced by __, then by -).
// AssignAliases walks all of a job's services in order and gives each
// alias to the first service that claims it; a service with no free alias
// is not started, and the runner reports no error for it.
//
// # Allow-lists and pull policies
//
// allowed_images and allowed_services are matched with the runner's
// doublestar patterns against the expanded name as written. The pull
// policies a job requests are filtered by allowed_pull_policies (by
// default the runner's pull_policy, by default always), and an empty
// result is the runner's error. The build container runs as config.toml's
// user when set, else as the image's docker.user, and Runner.BuildUser
// checks it against allowed_users.
//
// # Registry credentials
//
// ResolveRegistryAuth gathers credentials in the runner's order:
// DOCKER_AUTH_CONFIG, the runner user's ~/.docker/config.json (else
// ~/.dockercfg), then the job payload's registry credentials. The first
// source to claim a registry path keeps it, and an image uses the longest
// matching path. Credential helpers run only through a
// CredentialHelperRunner the caller supplies.
//
// # Job payloads
//
// ParsePayload reads the JSON GitLab sends a runner for one job, and
// PipelineFromPayload makes a pipeline of it, so that the same alias,
// variable, allow-list, pull-policy and credential rules apply.
//
// # Diagnostics and errors
//
// Every finding is a Diagnostic with a severity, the file, line and column,
// the key path (GitLab's, such as jobs:test:services:service, or the TOML
// or JSON key), and a message in GitLab's or the runner's words where they
// have them. GitLab downcases its validation messages and key paths, and so
// does this package for those messages. Findings are returned as values and
// never printed or logged. Errors that callers branch on wrap the sentinel
// errors (ErrInvalidConfig, ErrSyntax, ...) and are *ConfigError values
// when they have a position.
//
// # Limits
//
// Pipelines, job variables and Docker configurations are written by
// whoever can push to a branch, so every parser bounds its input. The
// bounds are the fields of Limits, set through ComposeOptions.Limits,
// AuthOptions.Limits, ResolveOptions.Limits or the optional last argument
// of ParseRunnerConfig, ParsePayload and ParseDockerConfig. A zero field
// takes its default. Input over a limit gives an error diagnostic of Kind
// ErrLimit that names the field and its value, and that input is not
// used:
//
//	MaxFileBytes          8 MiB      pipeline file and each included file
//	MaxYAMLDepth          100        nested mappings and lists
//	MaxYAMLNodes          1,000,000  nodes, counting each use of an anchor,
//	                                 !reference or extends
//	MaxReferenceDepth     100        chain of !reference tags
//	MaxJobs               100,000    top-level mapping entries
//	MaxServices           100        services of one job, default: or payload
//	MaxRunnerConfigBytes  1 MiB      config.toml
//	MaxDockerConfigBytes  1 MiB      config.json, .dockercfg, DOCKER_AUTH_CONFIG
//	MaxAuthEntries        1000       auths entries, and credHelpers entries
//	MaxPayloadBytes       16 MiB     job payload
//	MaxExpandedBytes      1 MiB      what variable expansion adds to a value
//
// The depth default is GitLab's max_yaml_depth. GitLab's
// max_yaml_size_bytes (2 MiB) measures parsed objects, which are larger
// than the file, so MaxFileBytes is set above any file GitLab accepts. A billion-laughs file is rejected without being
// expanded, because nodes reached through aliases are counted, not copied.
//
// # Secrets
//
// Passwords, tokens, auth values and identity tokens are held in Secret,
// whose every printed, formatted and encoded form is REDACTED. Only
// Secret.Reveal returns the value, and no error, diagnostic or plan
// contains one. Variables are plain strings, because service containers
// receive them: in a plan, the values of masked variables and of
// credential variables such as DOCKER_AUTH_CONFIG read [MASKED] wherever
// they appear, as in GitLab's job logs. A value too short to mask inside
// other text (under 8 characters, or 4 for credential variables) is
// masked where it is the whole value.
package ciimage
