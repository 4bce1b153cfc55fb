//go:build !race

package mutation

// The test of this file runs the matrix on four plants, explore at ten times its budget
// included, against mocks served from this test process: the race detector would make it
// several times as slow and see nothing parallel_test.go does not show it.

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/explore"
	"github.com/koobackup/conformance/internal/mock"
)

// The matrix says which specs killed each fault: planted on the strict mock, a deviation
// only generated requests reach is killed by the kind:explore spec alone, a task id reused
// from one backup to the next (which explore does not compare) by the hand-picked specs
// alone, and a 500 for every request error by both. Explore runs with ten times the suites' budget here, so
// that its random seed cannot miss a plant (its own tests hold it to nine seeds of ten at
// the default budget): this test is about telling the killers apart.
func TestKilledByTellsExploreFromHandPicked(t *testing.T) {
	t.Setenv(explore.BudgetEnv, strconv.Itoa(10*explore.SuiteBudget))
	want := map[string]KilledBy{
		mock.FaultKooPhoneTwoFaults500:   KilledByExplore,
		mock.FaultVBSTwoFaults500:        KilledByExplore,
		mock.FaultKooPhoneTaskIDReused:   KilledByHandPicked,
		mock.FaultKooPhoneErrorStatus500: KilledByBoth,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cols, err := RunMatrix(ctx, Options{Faults: slices.Collect(maps.Keys(want))}, []Configuration{StrictConfiguration})
	if err != nil {
		t.Fatal(err)
	}
	strict := cols[0]
	if !strict.Baseline.Passed {
		t.Fatalf("the pristine mock failed: error %q, failures %v", strict.Baseline.Error, failuresOf(strict.Baseline.Runs))
	}
	if len(strict.Mutants) != len(want) {
		t.Fatalf("%d mutants, want %d", len(strict.Mutants), len(want))
	}
	for _, m := range strict.Mutants {
		if !m.Killed() || m.KilledBy != want[m.Fault] {
			var killers []string
			for _, k := range m.Killers {
				killers = append(killers, k.Text+" (explore "+strconv.FormatBool(k.Explore)+")")
			}
			t.Errorf("%s: %s by %q, want killed by %q; killers %v", m.Fault, m.Outcome, m.KilledBy, want[m.Fault], killers)
		}
	}
	if tt := strict.Totals; tt.KilledByExplore != 2 || tt.KilledByHandPicked != 1 || tt.KilledByBoth != 1 {
		t.Errorf("totals %+v, want 2 by explore, 1 by hand-picked, 1 by both", tt)
	}
	r := &Result{Pristine: strict.Baseline, Mutants: strict.Mutants, Configurations: cols}
	r.finish(catalog.Default())
	if want := []string{mock.FaultKooPhoneTwoFaults500, mock.FaultVBSTwoFaults500}; !sameStrings(r.ExploreOnly, want) {
		t.Errorf("explore only %v, want %v", r.ExploreOnly, want)
	}
	if table := ScoreTable(r); !strings.Contains(table, "Explore adds 2 fault(s) the hand-picked specs miss") {
		t.Errorf("score table lacks the explore summary:\n%s", table)
	}
	t.Log("\n" + MatrixMarkdown(cols))
}

func sameStrings(a, b []string) bool {
	return slices.Equal(sortedUnique(a), sortedUnique(b))
}
