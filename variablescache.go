package ciimage

import (
	"hash/maphash"
	"slices"
)

// contentCache maps variable lists to values computed from them, by the
// lists' contents. Jobs and services whose variables were decoded
// separately but are equal, as in jobs that extend the same hidden jobs,
// then share one value. The cache keeps the lists it was given, so they
// must not change while it is in use.
type contentCache[V any] struct {
	seed    maphash.Seed
	buckets map[uint64][]contentEntry[V]
}

// contentEntry is one cached variable list and its value.
type contentEntry[V any] struct {
	vars  Variables
	value V
}

// newContentCache returns an empty cache.
func newContentCache[V any]() contentCache[V] {
	return contentCache[V]{seed: maphash.MakeSeed(), buckets: make(map[uint64][]contentEntry[V])}
}

// find returns the value cached for a list equal to vars, and the hash of
// vars to pass to add on a miss.
func (c *contentCache[V]) find(vars Variables) (value V, hash uint64, ok bool) {
	hash = hashVariables(c.seed, vars)
	for _, entry := range c.buckets[hash] {
		if slices.Equal(entry.vars, vars) {
			return entry.value, hash, true
		}
	}
	return value, hash, false
}

// add caches value for vars, whose hash find returned.
func (c *contentCache[V]) add(hash uint64, vars Variables, value V) {
	c.buckets[hash] = append(c.buckets[hash], contentEntry[V]{vars: vars, value: value})
}

// hashVariables hashes every field of every variable of vars, in order.
func hashVariables(seed maphash.Seed, vars Variables) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	for _, v := range vars {
		h.WriteString(v.Key)
		h.WriteByte(0)
		h.WriteString(v.Value)
		h.WriteByte(variableFlags(v))
	}
	return h.Sum64()
}

// variableFlags packs the flags of v into one byte.
func variableFlags(v Variable) byte {
	var flags byte
	for i, set := range []bool{v.Public, v.Internal, v.File, v.Masked, v.Raw} {
		if set {
			flags |= 1 << i
		}
	}
	return flags
}
