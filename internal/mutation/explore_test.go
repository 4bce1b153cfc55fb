package mutation

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
	"github.com/koobackup/conformance/internal/runrecord"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
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

// A failed spec labelled kind:explore is marked as explore's; any other failed node,
// a suite-level one included, is on the hand-picked side.
func TestParseMarksExploreSpecs(t *testing.T) {
	raw := ginkgoJSON(t,
		spec("probe fails", ginkgotypes.SpecStateFailed, "want 400", "req:vbs-a"),
		spec("generated requests fail", ginkgotypes.SpecStateFailed, "500", "req:vbs-a", runrecord.ExploreLabel),
		spec("generated requests pass", ginkgotypes.SpecStatePassed, "", runrecord.ExploreLabel),
	)
	p, err := ParseGinkgoReport(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Failures) != 2 || p.Failures[0].Explore || !p.Failures[1].Explore {
		t.Fatalf("failures %+v, want the probe on the hand-picked side and the generated requests as explore's", p.Failures)
	}
	for _, tc := range []struct {
		killers []FailedSpec
		want    KilledBy
	}{
		{nil, ""},
		{[]FailedSpec{{Text: "[BeforeSuite]"}}, KilledByHandPicked},
		{[]FailedSpec{{Explore: true}}, KilledByExplore},
		{[]FailedSpec{{Explore: true}, {}}, KilledByBoth},
		{p.Failures, KilledByBoth},
	} {
		if got := killedBy(tc.killers); got != tc.want {
			t.Errorf("killedBy(%+v) = %q, want %q", tc.killers, got, tc.want)
		}
	}
}

// The reports show who killed each fault: a column of the strict mock's table, the split
// per configuration, each killed cell of the matrix, the faults only explore kills in the
// summary line and in the JSON.
func TestReportsShowKilledBy(t *testing.T) {
	r, cat := syntheticResult(t)
	generated := Mutant{Fault: "f-explore", API: "vbs", Requirements: []string{"vbs-a"}, Outcome: OutcomeKilled, RightReason: true,
		Killers: []FailedSpec{{Text: "generated requests", Requirements: []string{"vbs-a"}, Explore: true}}}
	generated.KilledBy = killedBy(generated.Killers)
	r.Configurations[0].Mutants = append(r.Configurations[0].Mutants, generated)
	r.Configurations[0].Totals = OutcomeTotals{}
	for _, m := range r.Configurations[0].Mutants {
		r.Configurations[0].Totals.add(m)
	}
	r.Mutants = r.Configurations[0].Mutants
	r.finish(cat)
	if !slices.Equal(r.ExploreOnly, []string{"f-explore"}) {
		t.Fatalf("explore only %v", r.ExploreOnly)
	}
	table := ScoreTable(r)
	for _, want := range []string{
		"| fault | API | requirements | result | killed by | causes | killing specs |",
		"| f-killed | vbs | vbs-a | killed | hand-picked | 1 | rejects \\| pipes |",
		"| f-explore | vbs | vbs-a | killed | explore | 0 | generated requests |",
		"| f-survived | vbs | vbs-b | survived | — | 0 |",
		"Killed by hand-picked specs only: 1, by explore only: 1, by both: 0. Explore adds 1 fault(s) the hand-picked specs miss: f-explore.",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("score table lacks %q:\n%s", want, table)
		}
	}
	md := MatrixMarkdown(r.Configurations)
	for _, want := range []string{
		"| strict | strict | mutating allowed | passed | 2 | 1 / 1 / 0 | 0 | 0 | 0 | 1 | 2/3 (67%) |",
		"| f-explore | vbs | vbs-a | killed · explore | — |",
		"| f-killed | vbs | vbs-a | killed · hand-picked | inconclusive |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("matrix lacks %q:\n%s", want, md)
		}
	}
	var js strings.Builder
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"explore_only": [`, `"killed_by": "explore"`, `"killed_by_explore": 1`, `"explore": true`} {
		if !strings.Contains(js.String(), want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
}
