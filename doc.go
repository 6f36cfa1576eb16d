// Package ciimage works out, from configuration alone, which containers a
// GitLab CI job gets when it runs on a Docker-executor GitLab Runner.
//
// For each job it returns the build image and its entrypoint, every service
// container with the hostnames (aliases) that reach it, the pull policy the
// runner applies, whether the runner's allow-lists accept each image, and
// which registry credentials would pull it, from which source. It reads
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
// # Secrets
//
// Passwords, tokens, auth values and identity tokens are held in Secret,
// whose every printed, formatted and encoded form is REDACTED. Only
// Secret.Reveal returns the value, and no error, diagnostic or plan
// contains one.
package ciimage
