package mutation

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/mock"
)

// minFaults is the least the catalog holds: fewer faults would leave requirements no
// planted deviation exercises.
const minFaults = 40

// unplantable lists requirements no fault can violate, with the reason. Every other
// requirement of the catalog must be named by a fault.
var unplantable = map[string]string{}

// MatrixEnvVar set to "full" runs the whole fault catalog on every configuration (`make
// test-mutation`, which CI runs beside `make test`). Unset, the tests run a sample: every
// sampleEvery-th fault of the catalog on the strict mock and on a lenient read-only target,
// with the same judging, so that `make test` stays fast and still proves that kills and
// honest "could not tell" are told apart.
const MatrixEnvVar = "MUTATION_MATRIX"

const sampleEvery = 8

func fullMatrix() bool { return os.Getenv(MatrixEnvVar) == "full" }

// matrixOptions are the faults and configurations of this test run.
func matrixOptions() (Options, []Configuration) {
	if fullMatrix() {
		return Options{}, append([]Configuration{StrictConfiguration}, OtherConfigurations()...)
	}
	var faults []string
	for i, f := range mock.Faults() {
		if i%sampleEvery == 0 {
			faults = append(faults, f.Name)
		}
	}
	return Options{Faults: faults, Configurations: []Configuration{LenientReadOnlyConfiguration}},
		[]Configuration{StrictConfiguration, LenientReadOnlyConfiguration}
}

// readingMisattributions are register entries the strict profile names on a mock that
// takes one reading of another entry, because the probe of the named entry cannot tell
// the readings apart there; such probes say "inconclusive" rather than pass.
var readingMisattributions = map[string][]string{
	// The multi-byte id at the maximum length names no instance: refused with 1000 as an
	// unknown instance, it looks like the bytes reading of koophone-id-length-unit.
	"koophone-unknown-instance-code=parameter-incorrect": {"koophone-id-length-unit"},
}

// The mock takes each non-strict reading of each register entry on its own: the default
// profile passes it, and the strict profile names that entry (and only the listed
// misattributions besides).
func TestEveryReadingIsTakenAndTolerated(t *testing.T) {
	if !fullMatrix() {
		t.Skip("runs every reading under both profiles: make test-mutation (" + MatrixEnvVar + "=full), which CI runs beside make test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	checks, err := CheckReadings(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) < 30 {
		t.Fatalf("%d non-strict readings checked, the register has more", len(checks))
	}
	for _, c := range checks {
		key := c.Entry + "=" + c.Reading
		want := sortedUnique(append([]string{c.Entry}, readingMisattributions[key]...))
		switch {
		case c.Error != "":
			t.Errorf("%s: %s", key, c.Error)
		case len(c.DefaultFailures) > 0:
			t.Errorf("%s: the default profile failed %d spec(s), first %q: %s", key, len(c.DefaultFailures), c.DefaultFailures[0].Text, c.DefaultFailures[0].Message)
		case !slices.Equal(c.Flagged, want):
			t.Errorf("%s: the strict profile named %v, want %v", key, c.Flagged, want)
		}
	}
}

// Each requirement of the catalog is violated by at least one fault, so each of its checks
// is shown able to fail.
func TestEveryRequirementIsViolatedByAFault(t *testing.T) {
	named := map[string]bool{}
	for _, f := range mock.Faults() {
		for _, id := range f.Requirements {
			named[string(id)] = true
		}
	}
	for _, r := range catalog.Default().Requirements {
		_, skip := unplantable[r.ID]
		if !named[r.ID] && !skip {
			t.Errorf("requirement %s (%s) is violated by no fault", r.ID, r.Kind)
		}
		if named[r.ID] && skip {
			t.Errorf("requirement %s is listed as unplantable but fault(s) violate it", r.ID)
		}
	}
}

// The catalog has at least 40 faults, spread over both APIs and every requirement kind,
// and each names requirements of its own API that exist.
func TestCatalogSizeAndSpread(t *testing.T) {
	cat := catalog.Default()
	faults := mock.Faults()
	if len(faults) < minFaults {
		t.Errorf("catalog has %d faults, want at least %d", len(faults), minFaults)
	}
	apis, kinds := map[string]int{}, map[string]int{}
	for _, f := range faults {
		apis[string(f.API)]++
		if len(f.Requirements) == 0 {
			t.Errorf("fault %s names no requirement", f.Name)
		}
		if f.Description == "" {
			t.Errorf("fault %s has no description", f.Name)
		}
		for _, id := range f.Requirements {
			r, ok := cat.Requirement(string(id))
			if !ok {
				t.Errorf("fault %s names unknown requirement %s", f.Name, id)
				continue
			}
			if r.API != string(f.API) {
				t.Errorf("fault %s (%s) names requirement %s of API %s", f.Name, f.API, id, r.API)
			}
			kinds[r.Kind]++
		}
	}
	for _, a := range catalog.APIs {
		if apis[a] == 0 {
			t.Errorf("no fault for API %s", a)
		}
	}
	for _, k := range catalog.Kinds {
		if kinds[k] == 0 {
			t.Errorf("no fault for requirement kind %s", k)
		}
	}
}

// Run refuses a fault name that is not in the catalog before compiling anything.
func TestRunRejectsUnknownFault(t *testing.T) {
	_, err := Run(context.Background(), Options{Faults: []string{"no-such-fault"}})
	var unknown *UnknownFaultError
	if !errors.As(err, &unknown) || unknown.Name != "no-such-fault" {
		t.Fatalf("Run with an unknown fault: err = %v, want *UnknownFaultError naming it", err)
	}
}

// FindModuleRoot finds this module's go.mod from a package directory below it.
func TestFindModuleRoot(t *testing.T) {
	root, err := FindModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := FindModuleRoot(root + "/internal/mutation"); got != root {
		t.Errorf("from internal/mutation: %q, want %q", got, root)
	}
	if _, err := FindModuleRoot(t.TempDir()); err == nil {
		t.Error("a directory outside any module was given a module root")
	}
}

// selectFaults keeps the catalog's order and only the named faults.
func TestSelectFaults(t *testing.T) {
	all := mock.Faults()
	picked, err := selectFaults([]string{all[2].Name, all[0].Name})
	if err != nil {
		t.Fatal(err)
	}
	if len(picked) != 2 || picked[0].Name != all[0].Name || picked[1].Name != all[2].Name {
		t.Errorf("selectFaults: %v", picked)
	}
	if got, _ := selectFaults(nil); !slices.EqualFunc(got, all, func(a, b mock.Fault) bool { return a.Name == b.Name }) {
		t.Error("no names did not select the whole catalog")
	}
}
