module github.com/ciimage/ciimage/conformance

go 1.26.5

replace github.com/ciimage/ciimage => ../

require (
	github.com/ciimage/ciimage v0.0.0-00010101000000-000000000000
	github.com/distribution/reference v0.6.0
	github.com/stretchr/testify v1.12.1
	gitlab.com/gitlab-org/gitlab-runner v1.11.1-0.20260903214710-fc1f1862bd91
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/bmatcuk/doublestar/v4 v4.10.4 // indirect
	github.com/opencontainers/go-digest v1.0.0 // indirect
	github.com/pelletier/go-toml/v2 v2.4.3 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
