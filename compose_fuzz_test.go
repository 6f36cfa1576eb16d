package ciimage

import (
	"fmt"
	"testing"
	"testing/fstest"
)

// FuzzCompose composes a main file that may include a.yml, with both
// files fuzzed, and checks that composition does not panic, that every
// diagnostic has a position and that the result is deterministic.
func FuzzCompose(f *testing.F) {
	for _, tt := range includeTests {
		f.Add(tt.files[".gitlab-ci.yml"], tt.files["common.yml"]+tt.files["a.yml"])
	}
	for _, tt := range inputsTests {
		f.Add("include: "+tt.include+"\n", tt.file)
	}
	for _, tt := range extendsTests {
		f.Add(tt.input, "")
	}
	for _, tt := range referenceTests {
		f.Add("include: a.yml\n", tt.input)
	}

	f.Fuzz(func(t *testing.T, main, included string) {
		fsys := fstest.MapFS{
			".gitlab-ci.yml": {Data: []byte(main)},
			"a.yml":          {Data: []byte(included)},
			"common.yml":     {Data: []byte(included)},
		}
		input := fmt.Sprintf("main %q, a.yml %q", main, included)
		doc1, diags1 := Compose(fsys, ".gitlab-ci.yml", ComposeOptions{MaxIncludes: 20})
		checkDiagnosticProperties(t, input, doc1, diags1)
		doc2, diags2 := Compose(fsys, ".gitlab-ci.yml", ComposeOptions{MaxIncludes: 20})
		if fingerprint(doc1.Root) != fingerprint(doc2.Root) || fmt.Sprint(diags1) != fmt.Sprint(diags2) {
			t.Fatalf("%s: two compositions differ", input)
		}
	})
}
