package mock

import (
	"slices"
	"testing"

	"github.com/koobackup/conformance/internal/catalog"
)

// The reading table covers every register entry: Strict is the register's strict reading,
// Lenient is a listed reading, and differs from Strict whenever the entry has more than one.
func TestReadingsCoverRegister(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range cat.Ambiguities {
		seen[a.ID] = true
		c, ok := Readings[a.ID]
		if !ok {
			t.Errorf("%s: not in the reading table", a.ID)
			continue
		}
		ids := make([]string, len(a.Readings))
		for i, r := range a.Readings {
			ids[i] = r.ID
		}
		if c.Strict != a.Strict {
			t.Errorf("%s: table strict %q, register strict %q", a.ID, c.Strict, a.Strict)
		}
		if !slices.Contains(ids, c.Lenient) || !a.Tolerates(c.Lenient) {
			t.Errorf("%s: lenient %q is not a tolerated reading %v", a.ID, c.Lenient, ids)
		}
		if len(ids) > 1 && c.Lenient == c.Strict {
			t.Errorf("%s: lenient takes the strict reading although %v are legitimate", a.ID, ids)
		}
	}
	for id := range Readings {
		if !seen[id] {
			t.Errorf("%s: in the table but not in the register", id)
		}
	}
}
