package doccount

import (
	"path/filepath"
	"testing"

	"github.com/koobackup/conformance/internal/catalog"
)

// Every source counts something in this module, and the register's figures hold together:
// each entry has one strict reading, so the non-strict readings are the readings less one per
// entry exactly when every reading is tolerated by the default profile.
func TestCountsOfThisModule(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	counts, err := Counts(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Sources() {
		if s.What == "" {
			t.Errorf("source %s does not say what it counts", s.Key)
		}
		if counts[s.Key] <= 0 {
			t.Errorf("count:%s = %d; its source (%s) yields nothing", s.Key, counts[s.Key], s.What)
		}
	}
	tolerated := 0
	for _, a := range catalog.Default().Ambiguities {
		tolerated += len(a.Default)
	}
	if want := tolerated - counts["entries"]; counts["non-strict-readings"] != want {
		t.Errorf("non-strict readings %d, want the tolerated readings less each entry's strict one: %d", counts["non-strict-readings"], want)
	}
	if counts["readings"] < counts["non-strict-readings"]+counts["entries"] {
		t.Errorf("readings %d < non-strict %d + one strict per entry %d", counts["readings"], counts["non-strict-readings"], counts["entries"])
	}
}
