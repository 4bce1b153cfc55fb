package mutation

import (
	"context"
	"errors"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/report"
)

// minFaults is the least the catalog holds: fewer faults would leave requirements no
// planted deviation exercises.
const minFaults = 40

// unplantable lists requirements no fault can violate, with the reason. Every other
// requirement of the catalog must be named by a fault.
var unplantable = map[string]string{}

var (
	fullRunOnce sync.Once
	fullRun     *Result
	fullRunErr  error
)

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

// runAll runs the selected faults once for every test that needs it: the suites are
// compiled once (shared with the other test packages) and each mutant costs about a second.
func runAll(t *testing.T) *Result {
	t.Helper()
	fullRunOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		opts, _ := matrixOptions()
		fullRun, fullRunErr = Run(ctx, opts)
	})
	if fullRunErr != nil {
		t.Fatalf("mutation run: %v", fullRunErr)
	}
	return fullRun
}

// The pristine reference mock passes every spec of both suites, so kills mean something.
func TestPristineMockPassesEverySpec(t *testing.T) {
	res := runAll(t)
	if !res.Valid || !res.Pristine.Passed {
		t.Fatalf("pristine mock failed: error %q, runs %+v", res.Pristine.Error, res.Pristine.Runs)
	}
	for _, run := range res.Pristine.Runs {
		if run.Specs == 0 {
			t.Errorf("suite %s ran no spec against the pristine mock", run.Suite)
		}
	}
}

// Every planted fault is killed by at least one spec, and by one labelled with a
// requirement the fault names.
func TestEveryFaultIsKilled(t *testing.T) {
	res := runAll(t)
	opts, _ := matrixOptions()
	if want := len(opts.Faults); res.Total != want && !(want == 0 && res.Total == len(mock.Faults())) {
		t.Fatalf("ran %d mutants, want %d", res.Total, want)
	}
	for _, m := range res.Mutants {
		switch {
		case !m.Killed():
			t.Errorf("fault %s survived (%s); error: %q", m.Fault, m.Description, m.Error)
		case !m.RightReason:
			var texts []string
			for _, k := range m.Killers {
				texts = append(texts, k.Text)
			}
			t.Errorf("fault %s was killed only by specs not labelled with %v: %v", m.Fault, m.Requirements, texts)
		}
	}
	if res.Score != 1 {
		t.Errorf("mutation score %.3f, want 1", res.Score)
	}
}

// Every planted fault runs on every configuration of the matrix — the strict mock, both
// lenient mocks, and read-only targets in front of the strict and both lenient mocks — and in
// each it is killed, or the report built from the run (the same statuses a user sees)
// leaves every requirement it violates inconclusive or not evaluated: never a pass. Where
// mutating is allowed a kill must come from a spec of the fault's own requirements; on a
// read-only target those specs may be mutating and skipped, so another spec's kill counts
// as long as the report does not call the fault's own requirements a pass. Each
// configuration's baseline (no fault) passes. The matrix is printed on failure.
func TestFaultConfigurationMatrix(t *testing.T) {
	res := runAll(t)
	opts, configs := matrixOptions()
	faults := len(opts.Faults)
	if faults == 0 {
		faults = len(mock.Faults())
	}
	var want []string
	for _, c := range configs {
		want = append(want, c.Name)
	}
	var got []string
	for _, c := range res.Configurations {
		got = append(got, c.Name)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("configurations %v, want %v", got, want)
	}
	for _, c := range res.Configurations {
		if c.Totals.Total != faults {
			t.Errorf("%s configuration ran %d faults, want %d", c.Name, c.Totals.Total, faults)
		}
		if !c.Baseline.Passed {
			t.Errorf("%s: the baseline (no fault) failed: error %q, failures %v", c.Name, c.Baseline.Error, failuresOf(c.Baseline.Runs))
		}
		for _, m := range c.Mutants {
			switch {
			case m.Killed() && !m.RightReason && !c.ReadOnly:
				t.Errorf("%s: fault %s was killed only by specs not labelled with %v", c.Name, m.Fault, m.Requirements)
			case m.Killed() && !m.RightReason && ownRequirementPasses(m):
				t.Errorf("%s: fault %s was killed only by specs not labelled with %v, and the report calls one of them a pass: %v", c.Name, m.Fault, m.Requirements, m.Statuses)
			case !m.Outcome.Honest():
				t.Errorf("%s: fault %s %s: %s %s", c.Name, m.Fault, m.Outcome, m.Reason, m.Error)
			}
		}
		t.Logf("%s: %d faults: %d killed, %d inconclusive, %d not evaluated, %d error, %d survived",
			c.Name, c.Totals.Total, c.Totals.Killed, c.Totals.Inconclusive, c.Totals.NotEvaluated, c.Totals.Error, c.Totals.Survived)
	}
	if t.Failed() {
		t.Log("fault × configuration matrix:\n" + MatrixMarkdown(res.Configurations))
	}
}

// ownRequirementPasses reports whether the report calls a requirement the fault violates a
// pass.
func ownRequirementPasses(m Mutant) bool {
	for _, st := range m.Statuses {
		if st.Status == report.StatusPass {
			return true
		}
	}
	return false
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

// The lenient-but-conformant mock passes the default profile, and the strict profile flags
// exactly the register entries with more than one reading.
func TestFairnessHolds(t *testing.T) {
	f := runAll(t).Fairness
	if !f.DefaultPassed {
		t.Errorf("default profile failed the lenient mock: %+v", f.DefaultFailures)
	}
	if !f.StrictFailed {
		t.Error("strict profile passed the lenient mock")
	}
	if len(f.Missing) > 0 || len(f.Extra) > 0 {
		t.Errorf("strict profile flagged %v; missing %v, unexpected %v", f.Flagged, f.Missing, f.Extra)
	}
	if !f.Holds {
		t.Errorf("fairness does not hold: %+v", f)
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
