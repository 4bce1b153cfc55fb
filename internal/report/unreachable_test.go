package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/runrecord"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
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
	if _, err := writeValidated(t, r); err != nil {
		t.Fatalf("the unreachable run's report breaks the schema: %v", err)
	}
}

// An unreachable entry the reader cannot decode fails the read naming the entry, never
// silently dropped (a dropped one would turn an unreachable target into a pass).
func TestMalformedUnreachableEntryIsVisible(t *testing.T) {
	g := loadRun(t, "run-fixed")
	g[0].SpecReports[0].ReportEntries = append(g[0].SpecReports[0].ReportEntries,
		ginkgotypes.ReportEntry{Name: runrecord.EntryUnreachable, Value: ginkgotypes.WrapEntryValue(json.RawMessage(`{"api":"koophone"}`))})
	raw, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runrecord.Read(raw); err == nil || !strings.Contains(err.Error(), runrecord.EntryUnreachable) {
		t.Fatalf("read error %v, want one naming the %q entry", err, runrecord.EntryUnreachable)
	}
}
