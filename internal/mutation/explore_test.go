package mutation

import (
	"slices"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/runrecord"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

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
