package mutation

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

// ginkgoJSON builds the file --ginkgo.json-report writes, from spec reports.
func ginkgoJSON(t *testing.T, specs ...ginkgotypes.SpecReport) []byte {
	t.Helper()
	raw, err := json.Marshal([]ginkgotypes.Report{{SuiteDescription: "Synthetic suite", SpecReports: specs}})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func spec(text string, state ginkgotypes.SpecState, msg string, labels ...string) ginkgotypes.SpecReport {
	return ginkgotypes.SpecReport{
		ContainerHierarchyTexts:  []string{"API"},
		ContainerHierarchyLabels: [][]string{{"api:vbs"}},
		LeafNodeType:             ginkgotypes.NodeTypeIt,
		LeafNodeText:             text,
		LeafNodeLabels:           labels,
		State:                    state,
		Failure:                  ginkgotypes.Failure{Message: msg},
	}
}

func withEntries(sr ginkgotypes.SpecReport, entries ...ginkgotypes.ReportEntry) ginkgotypes.SpecReport {
	sr.ReportEntries = entries
	return sr
}

func observed(id, reading, strict string) ginkgotypes.ReportEntry {
	return ginkgotypes.ReportEntry{Name: runrecord.EntryAmbiguity, Value: ginkgotypes.WrapEntryValue(
		runrecord.Observation{ID: specfacts.AmbiguityID(id), Reading: reading, Strict: strict, Tolerated: reading != strict})}
}

func targetSetup(profile string) ginkgotypes.SpecReport {
	return ginkgotypes.SpecReport{LeafNodeType: ginkgotypes.NodeTypeBeforeSuite, State: ginkgotypes.SpecStatePassed,
		ReportEntries: []ginkgotypes.ReportEntry{{Name: runrecord.EntryTarget, Value: ginkgotypes.WrapEntryValue(runrecord.Target{Profile: profile})}}}
}

// ParseGinkgoReport counts specs, and returns each failure with its full text, req labels,
// a shortened message and, under the strict profile, the register entries its ambiguity
// records show a non-strict reading for; inconclusive specs are listed apart.
func TestParseGinkgoReport(t *testing.T) {
	long := strings.Repeat("x", 2*maxMessage)
	verdict := ginkgotypes.ReportEntry{Name: runrecord.EntryVerdict, Value: ginkgotypes.WrapEntryValue(
		runrecord.Verdict{Outcome: runrecord.OutcomeInconclusive, Reason: "unknown ids get the same code"})}
	raw := ginkgoJSON(t,
		targetSetup(runrecord.ProfileStrict),
		spec("passes", ginkgotypes.SpecStatePassed, "", "req:vbs-a"),
		withEntries(spec("fails", ginkgotypes.SpecStateFailed, "strict profile deviations", "req:vbs-b", "req:vbs-a", "conformance"),
			observed(string(specfacts.ReqVBSReassociate), "idempotent", "refuse"), observed(string(specfacts.ReqVBSEmptyResources), "reject", "reject")),
		withEntries(spec("times out", ginkgotypes.SpecStateTimedout, long, "req:vbs-c"), observed(string(specfacts.ReqVBSUnknownFields), "reject", "ignore")),
		spec("skipped", ginkgotypes.SpecStateSkipped, ""),
		withEntries(spec("could not tell", ginkgotypes.SpecStateSkipped, "inconclusive", "req:vbs-d"), verdict),
		ginkgotypes.SpecReport{LeafNodeType: ginkgotypes.NodeTypeBeforeSuite, State: ginkgotypes.SpecStatePanicked, Failure: ginkgotypes.Failure{Message: "boom"}},
	)
	p, err := ParseGinkgoReport(raw)
	if err != nil {
		t.Fatal(err)
	}
	if p.Specs != 3 || p.Passed != 1 || len(p.Failures) != 3 {
		t.Fatalf("parsed %+v, want 3 specs, 1 passed, 3 failures", p)
	}
	f := p.Failures[0]
	if f.Text != "API fails" || strings.Join(f.Requirements, ",") != "vbs-a,vbs-b" || f.Suite != "Synthetic suite" {
		t.Errorf("first failure %+v", f)
	}
	if len(p.Failures[1].Message) > maxMessage+len("…") {
		t.Errorf("message not shortened: %d bytes", len(p.Failures[1].Message))
	}
	if got := StrictFlags(p.Failures); strings.Join(got, ",") != (string(specfacts.AmbVBSReassociate) + "," + string(specfacts.AmbVBSUnknownFields)) {
		t.Errorf("strict flags %v", got)
	}
	if p.Failures[2].Text != "[BeforeSuite]" {
		t.Errorf("suite-level failure named %q", p.Failures[2].Text)
	}
	if len(p.Inconclusive) != 1 || p.Inconclusive[0].Text != "API could not tell" || p.Inconclusive[0].Requirements[0] != "vbs-d" {
		t.Errorf("inconclusive %+v", p.Inconclusive)
	}
}

// Under the default profile a failing spec that observed a non-strict reading names no
// strict deviation: the default profile tolerates the reading, so it is not why it failed.
func TestStrictFlagsOnlyUnderStrictProfile(t *testing.T) {
	raw := ginkgoJSON(t, targetSetup(runrecord.ProfileDefault),
		withEntries(spec("fails", ginkgotypes.SpecStateFailed, "want 400", "req:vbs-b"), observed(string(specfacts.ReqVBSReassociate), "idempotent", "refuse")))
	p, err := ParseGinkgoReport(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Failures) != 1 || len(StrictFlags(p.Failures)) != 0 {
		t.Fatalf("failures %+v", p.Failures)
	}
}

// A report that is not Ginkgo's JSON, or holds no suite, is a *ReportError.
func TestParseGinkgoReportRejectsGarbage(t *testing.T) {
	for _, raw := range []string{"", "{", `{"a":1}`, "[]"} {
		_, err := ParseGinkgoReport([]byte(raw))
		var re *ReportError
		if !errors.As(err, &re) {
			t.Errorf("%q: err = %v, want *ReportError", raw, err)
		}
	}
}

// syntheticResult is a run with one killed and one surviving fault over a tiny catalog.
func syntheticResult(t *testing.T) (*Result, *catalog.Catalog) {
	t.Helper()
	cat, err := catalog.Parse([]byte(`version: 1
requirements:
  - {id: vbs-a, api: vbs, level: MUST, kind: limit, statement: s, source: {seed: 002_dce269810d0c77b5.txt, clause: c}}
  - {id: vbs-b, api: vbs, level: MUST, kind: auth, statement: s, source: {seed: 002_dce269810d0c77b5.txt, clause: c}}
`), []byte("version: 1\nambiguities: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	strict := ConfigurationResult{Name: StrictConfiguration.Name, Baseline: Baseline{Passed: true}, Mutants: []Mutant{
		{Fault: "f-killed", API: "vbs", Requirements: []string{"vbs-a"}, Outcome: OutcomeKilled, RightReason: true, KilledBy: KilledByHandPicked, Causes: []string{"vbs-a → expected 400, got 500"},
			Killers: []FailedSpec{{Text: "rejects | pipes", Requirements: []string{"vbs-a"}}}},
		{Fault: "f-survived", API: "vbs", Requirements: []string{"vbs-b"}, Outcome: OutcomeSurvived, Reason: "vbs-b pass"},
	}}
	readOnly := ConfigurationResult{Name: ReadOnlyConfiguration.Name, ReadOnly: true, Baseline: Baseline{Passed: true}, Mutants: []Mutant{
		{Fault: "f-survived", API: "vbs", Requirements: []string{"vbs-b"}, Outcome: OutcomeNotEvaluated,
			Reason: "vbs-b not-evaluated: every spec that checks it was skipped"},
		{Fault: "f-killed", API: "vbs", Requirements: []string{"vbs-a"}, Outcome: OutcomeInconclusive,
			Reason: "vbs-a inconclusive: no spec could tell"},
	}}
	for _, c := range []*ConfigurationResult{&strict, &readOnly} {
		for _, m := range c.Mutants {
			c.Totals.add(m)
		}
	}
	r := &Result{
		Pristine:       strict.Baseline,
		Mutants:        strict.Mutants,
		Configurations: []ConfigurationResult{strict, readOnly},
		Fairness:       Fairness{DefaultPassed: true, StrictFailed: true, Holds: true},
	}
	r.finish(cat)
	return r, cat
}

// finish scores killed/total and names the kind whose requirements no killed fault proves.
func TestFinishScoresAndFindsWeakestKind(t *testing.T) {
	r, _ := syntheticResult(t)
	if r.Killed != 1 || r.Total != 2 || r.Score != 0.5 || r.OK() {
		t.Errorf("score %d/%d=%v ok=%v", r.Killed, r.Total, r.Score, r.OK())
	}
	if strings.Join(r.Weakest, ",") != "auth" {
		t.Errorf("weakest %v, want auth", r.Weakest)
	}
	if len(r.Survivors()) != 1 || r.Survivors()[0].Fault != "f-survived" {
		t.Errorf("survivors %v", r.Survivors())
	}
}

// The writers produce the score table, a Markdown report naming survivors and weak kinds,
// and JSON that reads back to the same score.
func TestWriters(t *testing.T) {
	r, _ := syntheticResult(t)
	table := ScoreTable(r)
	for _, want := range []string{"| f-killed | vbs | vbs-a | killed | hand-picked | 1 | rejects \\| pipes |", "| f-survived | vbs | vbs-b | survived | — | 0 |", "1/2 killed (50.0%)",
		"Causes per fault (the report's findings for one planted deviation): median 1, at most 1."} {
		if !strings.Contains(table, want) {
			t.Errorf("score table lacks %q:\n%s", want, table)
		}
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"**Fail**: 1 fault(s) survived", "Weakest coverage: auth.", "| auth | 1 | 0 | 1 | 0 | vbs-b |", "fairness holds: yes",
		"| f-killed | vbs | vbs-a | killed · hand-picked | inconclusive |", "| f-survived | vbs | vbs-b | **survived** | not-evaluated |",
		"| strict | strict | mutating allowed | passed | 1 | 1 / 0 / 0 | 0 | 0 | 0 | 1 | 1/2 (50%) |",
		"| read-only | strict | read-only | passed | 0 | 0 / 0 / 0 | 1 | 1 | 0 | 0 | 2/2 (100%) |",
		"- read-only, f-killed: inconclusive — vbs-a inconclusive: no spec could tell",
		"- strict, f-survived: survived — vbs-b pass"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := WriteReports(dir, r); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if back.Score != 0.5 || len(back.Configurations) != 2 || back.Configurations[0].Mutants[0].Killers[0].Text != "rejects | pipes" ||
		back.Configurations[1].Mutants[0].Outcome != OutcomeNotEvaluated || back.Configurations[1].Totals.NotEvaluated != 1 {
		t.Errorf("JSON round trip: %+v", back)
	}
	if _, err := os.Stat(filepath.Join(dir, MarkdownFile)); err != nil {
		t.Error(err)
	}
}

// An invalid baseline makes the whole result fail whatever the kills.
func TestInvalidBaselineFails(t *testing.T) {
	r, cat := syntheticResult(t)
	r.Mutants = r.Mutants[:1]
	r.Pristine.Passed = false
	r.Configurations[0].Baseline.Passed = false
	r.finish(cat)
	if r.Valid || r.OK() {
		t.Error("a result with a failing pristine run is valid")
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "**Invalid run**") {
		t.Errorf("markdown does not say the run is invalid:\n%s", md.String())
	}
}

// judge kills on any failed spec; otherwise a requirement the report calls a pass makes a
// survivor, inconclusive or partially evaluated ones make the non-kill inconclusive, all
// not evaluated make it not evaluated, and a run that did not report is an error.
func TestJudge(t *testing.T) {
	st := func(pairs ...string) []RequirementStatus {
		var out []RequirementStatus
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, RequirementStatus{ID: pairs[i], Status: pairs[i+1], Reason: "why " + pairs[i]})
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		failed   bool
		runError bool
		statuses []RequirementStatus
		want     Outcome
	}{
		{"a failed spec kills", true, false, st("a", "pass"), OutcomeKilled},
		{"a failed spec kills despite a run error", true, true, nil, OutcomeKilled},
		{"a passing requirement survives", false, false, st("a", "inconclusive", "b", "pass"), OutcomeSurvived},
		{"a waived requirement is a pass too", false, false, st("a", "waived"), OutcomeSurvived},
		{"inconclusive", false, false, st("a", "inconclusive", "b", "not-evaluated"), OutcomeInconclusive},
		{"partially evaluated is not a pass", false, false, st("a", "partially-evaluated"), OutcomeInconclusive},
		{"not evaluated", false, false, st("a", "not-evaluated", "b", "not-evaluated"), OutcomeNotEvaluated},
		{"a run error without a report", false, true, st("a", "not-evaluated"), OutcomeError},
		{"no report built", false, false, st("a", statusUnknown), OutcomeError},
		{"no requirement", false, false, nil, OutcomeError},
	} {
		got, reason := judge(tc.failed, tc.runError, tc.statuses)
		if got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
		if got != OutcomeKilled && reason == "" {
			t.Errorf("%s: %s without a reason", tc.name, got)
		}
		if got != OutcomeKilled && len(tc.statuses) > 0 && !strings.Contains(reason, "why "+tc.statuses[0].ID) {
			t.Errorf("%s: reason %q does not carry the statuses' reasons", tc.name, reason)
		}
	}
}

// Outcomes order from killed to survived, and only killed, inconclusive and not evaluated
// are honest.
func TestOutcomeOrder(t *testing.T) {
	order := []Outcome{OutcomeKilled, OutcomeInconclusive, OutcomeNotEvaluated, OutcomeError, OutcomeSurvived}
	for i := 1; i < len(order); i++ {
		if !order[i].Worse(order[i-1]) || order[i-1].Worse(order[i]) {
			t.Errorf("%s is not worse than %s", order[i], order[i-1])
		}
	}
	for _, o := range order {
		if want := o != OutcomeError && o != OutcomeSurvived; o.Honest() != want {
			t.Errorf("%s honest = %v", o, o.Honest())
		}
	}
}
