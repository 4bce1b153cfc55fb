//go:build !race

package mutation

// The tests of this file run the suites against the fault sample of the matrix: every
// configuration's baseline and each sampled fault, two dozen suite runs against mocks
// served from this process. The race detector makes them three times as slow and would
// see nothing new in them, so they are left out of its build: make test runs them in its
// job without it, and its race job watches the same runner run jobs side by side against
// the same mocks in parallel_test.go.

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/report"
)

var (
	fullRunOnce sync.Once
	fullRun     *Result
	fullRunErr  error
)

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
