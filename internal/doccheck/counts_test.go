package doccheck

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/koobackup/conformance/internal/doccount"
)

// Every figure the README and docs/ state inside a count marker is the one its source gives:
// a planted fault, a requirement or a reading added to the code shows up here until
// `make doc-counts` rewrites the markers.
func TestDocCountsMatchTheirSources(t *testing.T) {
	root := moduleRoot(t)
	drifts, err := doccount.Sync(root, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range drifts {
		t.Error(d.Error())
	}
}

// A figure of the counted things (specs, requirements, faults, readings, entries,
// configurations, instances, volumes, ids) stated outside a marker is one no test keeps
// true; each must be marked or said without the number.
func TestDocsStateNoUnmarkedCounts(t *testing.T) {
	root := moduleRoot(t)
	docs, err := doccount.Documents(root)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, rel := range docs {
		if rel == doccount.Inventory {
			continue // generated whole; internal/inventory checks it for drift
		}
		doc, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range doccount.FindUnmarked(rel, doc) {
			t.Error(u.Error())
		}
		checked++
	}
	if checked < 2 {
		t.Fatalf("checked %d document(s); the document list is broken", checked)
	}
}
