package ciimage

// Blank imports that keep every planned dependency in go.mod while the
// package is being built; removed once real code imports them.
import (
	_ "github.com/bmatcuk/doublestar/v4"
	_ "github.com/distribution/reference"
	_ "github.com/docker/docker-credential-helpers/client"
	_ "github.com/opencontainers/go-digest"
	_ "github.com/pelletier/go-toml/v2"
	_ "github.com/stretchr/testify/assert"
	_ "github.com/stretchr/testify/require"
)
