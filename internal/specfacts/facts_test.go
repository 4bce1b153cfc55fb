package specfacts

import (
	"bytes"
	"os"
	"testing"

	"github.com/koobackup/conformance/internal/factgen"
	"github.com/koobackup/conformance/specs"
)

// facts_gen.go is exactly what the generator makes of the current specs; after editing
// specs/, run `go generate ./internal/specfacts`.
func TestGeneratedFileMatchesSpecs(t *testing.T) {
	want, err := factgen.Generate(specs.FS)
	if err != nil {
		t.Fatalf("generate from specs: %v", err)
	}
	got, err := os.ReadFile("facts_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("facts_gen.go drifted from specs/: run `go generate ./internal/specfacts` and commit the result")
	}
}

// The lists hold every constant once, and the ids the suites and reports key on are there.
func TestListsAreComplete(t *testing.T) {
	for name, n := range map[string]int{"APIs": len(APIs()), "RequirementIDs": len(RequirementIDs()),
		"AmbiguityIDs": len(AmbiguityIDs()), "RuleIDs": len(RuleIDs()), "ErrorCodeNames": len(ErrorCodeNames()), "ResourceTypes": len(ResourceTypes())} {
		if n == 0 {
			t.Errorf("%s is empty", name)
		}
	}
	unique := func(name string, vals []string) {
		seen := map[string]bool{}
		for _, v := range vals {
			if seen[v] {
				t.Errorf("%s lists %q twice", name, v)
			}
			seen[v] = true
		}
	}
	unique("RequirementIDs", strs(RequirementIDs()))
	unique("AmbiguityIDs", strs(AmbiguityIDs()))
	unique("RuleIDs", strs(RuleIDs()))
	unique("ErrorCodeNames", strs(ErrorCodeNames()))
	if RequestBodyLimit <= 0 || MockFaultHeader == "" {
		t.Errorf("body limit %d, fault header %q", RequestBodyLimit, MockFaultHeader)
	}
}

func strs[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}

// Every reading constant names an entry of the register, and each entry's readings are
// distinct.
func TestEntryReadingsNameTheirEntry(t *testing.T) {
	entries := map[AmbiguityID]bool{}
	for _, a := range AmbiguityIDs() {
		entries[a] = true
	}
	seen := map[EntryReading]bool{}
	for _, r := range EntryReadings() {
		if !entries[r.Entry()] || r.Reading() == "" {
			t.Errorf("%q: entry %q is not in the register, or the reading is empty", r, r.Entry())
		}
		if seen[r] {
			t.Errorf("%q listed twice", r)
		}
		seen[r] = true
	}
	if got := ReadingKooPhoneErrorCodeCaseMixedCase; got.Entry() != AmbKooPhoneErrorCodeCase || got.Reading() != "mixed-case" {
		t.Errorf("%q splits into %q and %q", got, got.Entry(), got.Reading())
	}
}
