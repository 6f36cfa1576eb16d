package ciimage

// Variable is a CI/CD variable as the runner holds it for a job. The flags
// follow the job payload's variable fields.
type Variable struct {
	Key   string
	Value string
	// Public variables (YAML variables:, predefined ones) reach service
	// containers; project and group CI/CD variables are not public.
	Public bool
	// Internal variables (the runner's environment) also reach service
	// containers.
	Internal bool
	// File variables expand to a path, not to their value.
	File   bool
	Masked bool
	// Raw variables are not expanded.
	Raw bool
}

// Variables is an ordered list of variables; where a key repeats, the last
// definition wins.
type Variables []Variable

// Get returns the value of the last variable named key, or "" when there
// is none.
func (vs Variables) Get(key string) string {
	v, _ := vs.Lookup(key)
	return v
}

// Lookup returns the value of the last variable named key and whether
// there is one.
func (vs Variables) Lookup(key string) (string, bool) {
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].Key == key {
			return vs[i].Value, true
		}
	}
	return "", false
}

// PublicOrInternal returns the variables that the runner passes to service
// containers: the public ones and the internal ones, in order.
func (vs Variables) PublicOrInternal() Variables {
	var passed Variables
	for _, v := range vs {
		if v.Public || v.Internal {
			passed = append(passed, v)
		}
	}
	return passed
}
