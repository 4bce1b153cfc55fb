package doccount

import (
	"fmt"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/inventory"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/mutation"
)

// Source is one figure a document may state: its marker key, what it counts and where that
// is read from (the text of a drift message), and how to count it in the module at root.
type Source struct {
	Key   string
	What  string
	count func(root string) (int, error)
}

// Sources are the figures markers may name, in the order Counts lists them.
func Sources() []Source {
	register := func(n func(a catalog.Ambiguity) int) func(string) (int, error) {
		return func(string) (int, error) {
			total := 0
			for _, a := range catalog.Default().Ambiguities {
				total += n(a)
			}
			return total, nil
		}
	}
	return []Source{
		{"specs", "conformance specs: every It and Entry of suites/ (internal/inventory, as docs/conformance-inventory.md counts them)",
			func(root string) (int, error) {
				inv, err := inventory.Scan(root, "suites")
				if inv == nil {
					return 0, fmt.Errorf("count the specs: %w", err)
				}
				// A misplaced comment block is the inventory's error to report; the count
				// it gives is still true.
				return inv.SpecCount(), nil
			}},
		{"requirements", "requirements of the catalog (specs/requirements.yaml)",
			func(string) (int, error) { return len(catalog.Default().Requirements), nil }},
		{"faults", "faults the reference mock can plant (mock.Faults, internal/mock/faults.go)",
			func(string) (int, error) { return len(mock.Faults()), nil }},
		{"entries", "entries of the ambiguity register (specs/ambiguities.yaml)",
			register(func(catalog.Ambiguity) int { return 1 })},
		{"readings", "readings of the ambiguity register's entries (specs/ambiguities.yaml)",
			register(func(a catalog.Ambiguity) int { return len(a.Readings) })},
		{"non-strict-readings", "readings the default profile tolerates besides each entry's strict one (specs/ambiguities.yaml; one mutation.CheckReadings run each)",
			register(func(a catalog.Ambiguity) int {
				n := 0
				for _, r := range a.Default {
					if r != a.Strict {
						n++
					}
				}
				return n
			})},
		{"configurations", "configurations the mutation run plants every fault on: the strict one and mutation.OtherConfigurations",
			func(string) (int, error) { return 1 + len(mutation.OtherConfigurations()), nil }},
	}
}

// Counts computes every figure of Sources for the module at root.
func Counts(root string) (map[string]int, error) {
	out := map[string]int{}
	for _, s := range Sources() {
		n, err := s.count(root)
		if err != nil {
			return nil, err
		}
		out[s.Key] = n
	}
	return out, nil
}

// lookup returns the source with the key.
func lookup(key string) (Source, bool) {
	for _, s := range Sources() {
		if s.Key == key {
			return s, true
		}
	}
	return Source{}, false
}
