package ciimage_test

import (
	"fmt"
	"testing/fstest"

	"github.com/ciimage/ciimage"
)

// ExampleCompose composes a pipeline split over two local files, with a
// job that extends a hidden job and takes its image by !reference.
func ExampleCompose() {
	repo := fstest.MapFS{
		".gitlab-ci.yml": {Data: []byte(`
include: ci/base.yml
rspec:
  extends: .db
  image: !reference [default, image]
  script: [bundle exec rspec]
`)},
		"ci/base.yml": {Data: []byte(`
default:
  image: ruby:3.3
.db:
  services: [postgres:16]
`)},
	}

	doc, diags := ciimage.Compose(repo, ".gitlab-ci.yml", ciimage.ComposeOptions{})
	fmt.Println("errors:", diags.HasErrors())

	root := doc.Root
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		fmt.Printf("%s from %s\n", key.Value, doc.Position(value))
	}
	// Output:
	// errors: false
	// default from ci/base.yml:3:3
	// .db from ci/base.yml:5:3
	// rspec from .gitlab-ci.yml:4:3
}
