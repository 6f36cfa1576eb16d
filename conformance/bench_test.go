package conformance

import (
	"testing"

	"github.com/ciimage/ciimage"
	"github.com/distribution/reference"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gitlab.com/gitlab-org/gitlab-runner/helpers/container/services"
)

// matchSink keeps the result of the grammar match alive.
var matchSink bool

// sink keeps the benchmarked results alive so that the compiler cannot
// drop the calls.
var sink []string

// benchmarkSets returns the name sets the benchmarks run on: the unique
// corpus names, and the generated names.
func benchmarkSets(b *testing.B) map[string][]string {
	names, err := ReadCorpus(corpusDir)
	if err != nil {
		b.Fatalf("reading the corpus in %s: %v", corpusDir, err)
	}
	return map[string][]string{
		"corpus":    UniqueNames(names),
		"generated": GeneratedNames(),
	}
}

// BenchmarkDefaultAliases derives the default aliases of one name per
// iteration, cycling through each name set, so ns/op and allocs/op are per
// name. The runner's SplitNameAndVersion also returns the service, version
// and pulled reference, as ParseImageName does. The grammar-match
// sub-benchmark runs only reference.ReferenceRegexp.MatchString, which the
// runner runs first, and so is a lower bound for the runner. ciimage
// matches the same grammar without the regexp.
func BenchmarkDefaultAliases(b *testing.B) {
	for _, set := range []string{"corpus", "generated"} {
		names := benchmarkSets(b)[set]
		implementations := []struct {
			name    string
			aliases func(string) []string
		}{
			{"runner-SplitNameAndVersion", func(name string) []string { return services.SplitNameAndVersion(name).Aliases }},
			{"ciimage-ParseImageName", func(name string) []string { return ciimage.ParseImageName(name).Aliases }},
			{"ciimage-DefaultAliases", ciimage.DefaultAliases},
		}
		for _, implementation := range implementations {
			b.Run(set+"/"+implementation.name, func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					sink = implementation.aliases(names[i%len(names)])
					i++
				}
			})
		}
		b.Run(set+"/grammar-match", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				matchSink = reference.ReferenceRegexp.MatchString(names[i%len(names)])
				i++
			}
		})
	}
}

// aliasBlockBytes is the maximum alias text, in bytes, that DefaultAliases
// places in one allocation with the slice. Longer aliases take two.
const aliasBlockBytes = 1024

// TestDefaultAliasesAllocations checks the target of at most one
// allocation per name. The two aliases of a name with a "/" share one
// allocation with the slice while their text fits in aliasBlockBytes, and
// take two beyond that.
func TestDefaultAliasesAllocations(t *testing.T) {
	corpus, err := ReadCorpus(corpusDir)
	require.NoError(t, err)
	names := append(UniqueNames(corpus), GeneratedNames()...)

	for _, name := range names {
		aliases := ciimage.DefaultAliases(name)
		aliasBytes := 0
		for _, alias := range aliases {
			aliasBytes += len(alias)
		}
		budget := 1.0
		if len(aliases) == 2 && aliasBytes > aliasBlockBytes {
			budget = 2
		}

		allocations := testing.AllocsPerRun(5, func() { sink = ciimage.DefaultAliases(name) })
		assert.LessOrEqual(t, allocations, budget, "DefaultAliases(%q) allocations", name)
	}
}
