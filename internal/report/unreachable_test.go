package report

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	ginkgotypes "github.com/onsi/ginkgo/v2/types"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// A run whose suites were aborted by an unreachable target reports every requirement of
// both APIs as not-evaluated because the target was unreachable, and says so in the verdict.
func TestUnreachableTargetIsNotEvaluated(t *testing.T) {
	r := build(t, loadRun(t, "run-unreachable"))
	if r.Totals.Requirements == 0 || r.Totals.NotEvaluated != r.Totals.Requirements || r.Totals.Fail != 0 {
		t.Fatalf("totals %+v, want every requirement not evaluated and none failed", r.Totals)
	}
	for _, q := range r.Requirements {
		want := "target unreachable: no answer from http://127.0.0.1:18431 within 2s"
		if q.Status != StatusNotEvaluated || q.Reason != want {
			t.Errorf("%s: status %q reason %q, want not-evaluated %q", q.ID, q.Status, q.Reason, want)
		}
	}
	if r.Verdict != StatusFail || !strings.HasPrefix(r.VerdictReason, "target unreachable (koophone: no answer") ||
		!strings.Contains(r.VerdictReason, "vbs: no answer") {
		t.Fatalf("verdict %q %q, want fail naming both unreachable APIs", r.Verdict, r.VerdictReason)
	}
	dir := t.TempDir()
	if err := WriteAll(r, dir); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := compileSchema(t).Validate(inst); err != nil {
		t.Fatalf("the unreachable run's report breaks the schema: %v", err)
	}
}

// A target lost in the middle of a run keeps the requirements already decided or skipped
// for their own reason, marks those whose specs the abort cut short, and the verdict keeps
// the failures first.
func TestTargetLostMidRunKeepsDecidedRequirements(t *testing.T) {
	g := loadRun(t, "run-fail")
	added, cut := false, false
	for i := range g {
		for j := range g[i].SpecReports {
			sr := &g[i].SpecReports[j]
			if sr.LeafNodeType != ginkgotypes.NodeTypeIt {
				continue
			}
			if !added && sr.State.Is(ginkgotypes.SpecStateFailureStates) {
				sr.ReportEntries = append(sr.ReportEntries, ginkgotypes.ReportEntry{Name: entryUnreachable,
					Value: ginkgotypes.ReportEntryValue{AsJSON: `{"api":"koophone","url":"http://kp.example","reason":"no answer from http://kp.example within 10s, 3 requests in a row"}`}})
				added = true
			}
			// What AbortSuite leaves of a spec that had not run: skipped, no message, no entries.
			if slices.Contains(sr.Labels(), "req:koophone-instance-ids-max-items") {
				sr.State, sr.Failure, sr.ReportEntries = ginkgotypes.SpecStateSkipped, ginkgotypes.Failure{}, nil
				cut = true
			}
		}
	}
	if !added || !cut {
		t.Fatal("test data changed: run-fail lacks the failed spec or the max-items spec")
	}
	r := build(t, g)
	if q := requirement(t, r, "koophone-instance-permissions"); q.Status != StatusFail {
		t.Errorf("failed requirement became %q", q.Status)
	}
	if q := requirement(t, r, "koophone-backup-operation"); q.Status != StatusPass {
		t.Errorf("passed requirement became %q", q.Status)
	}
	if q := requirement(t, r, "koophone-instance-ids-max-items"); q.Status != StatusNotEvaluated ||
		q.Reason != "target unreachable: no answer from http://kp.example within 10s, 3 requests in a row" {
		t.Errorf("cut-short requirement: %q %q", q.Status, q.Reason)
	}
	if q := requirement(t, r, "koophone-internal-error"); !strings.Contains(q.Reason, "fault_injection: false") {
		t.Errorf("requirement skipped for its own reason lost it: %q", q.Reason)
	}
	if q := requirement(t, r, "vbs-reassociate"); strings.Contains(q.Reason, "unreachable") {
		t.Errorf("a vbs requirement took the koophone reason: %q", q.Reason)
	}
	if !strings.HasPrefix(r.VerdictReason, "1 of ") || !strings.Contains(r.VerdictReason, "target unreachable (koophone: ") {
		t.Errorf("verdict reason %q", r.VerdictReason)
	}
}

// An unreachable entry the builder cannot read is a suite failure, never silently dropped.
func TestMalformedUnreachableEntryIsVisible(t *testing.T) {
	g := loadRun(t, "run-fixed")
	g[0].SpecReports[0].ReportEntries = append(g[0].SpecReports[0].ReportEntries,
		ginkgotypes.ReportEntry{Name: entryUnreachable, Value: ginkgotypes.ReportEntryValue{AsJSON: `{"api":"koophone"}`}})
	r := build(t, g)
	if len(r.SuiteFailures) == 0 || !strings.Contains(r.SuiteFailures[len(r.SuiteFailures)-1].Message, "unreachable entry") {
		t.Fatalf("suite failures %+v, want the malformed entry", r.SuiteFailures)
	}
	if r.Verdict != StatusFail {
		t.Fatalf("verdict %q, want fail", r.Verdict)
	}
}
