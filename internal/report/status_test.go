package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

// specNamed returns the spec report with the given leaf text, failing the test when absent.
func specNamed(t *testing.T, g []ginkgotypes.Report, text string) *ginkgotypes.SpecReport {
	t.Helper()
	for i := range g {
		for j := range g[i].SpecReports {
			if g[i].SpecReports[j].LeafNodeText == text {
				return &g[i].SpecReports[j]
			}
		}
	}
	t.Fatalf("no spec %q in the testdata run", text)
	return nil
}

// addSpec appends a copy of a spec of the run with a new text, state and entries.
func addSpec(t *testing.T, g []ginkgotypes.Report, like, text string, state ginkgotypes.SpecState, entries ...ginkgotypes.ReportEntry) {
	t.Helper()
	for i := range g {
		for j := range g[i].SpecReports {
			if g[i].SpecReports[j].LeafNodeText == like {
				sr := g[i].SpecReports[j]
				sr.LeafNodeText, sr.State, sr.ReportEntries, sr.Failure = text, state, entries, ginkgotypes.Failure{}
				g[i].SpecReports = append(g[i].SpecReports, sr)
				return
			}
		}
	}
	t.Fatalf("no spec %q in the testdata run", like)
}

func entry(name string, v any) ginkgotypes.ReportEntry {
	return ginkgotypes.ReportEntry{Name: name, Value: ginkgotypes.WrapEntryValue(v)}
}

// A requirement with one passing spec and one skipped spec is partially evaluated, naming
// the skip reason, and never pass.
func TestSkippedSpecLeavesRequirementPartiallyEvaluated(t *testing.T) {
	g := loadRun(t, "run-fixed")
	addSpec(t, g, "rejects 101 instance ids", "accepts 100 owned ids", ginkgotypes.SpecStateSkipped,
		entry(runrecord.EntrySkipReason, runrecord.SkipReason{Reason: "the target file does not say allow_mutating: true"}))
	r := build(t, g)
	q := requirement(t, r, specfacts.ReqKooPhoneInstanceIDsMaxItems)
	if q.Status != StatusPartiallyEvaluated || !strings.Contains(q.Reason, "1 of 2 applicable specs") || !strings.Contains(q.Reason, "allow_mutating") {
		t.Fatalf("status %q reason %q", q.Status, q.Reason)
	}
	if r.Totals.PartiallyEvaluated == 0 || r.Verdict != StatusPass {
		t.Fatalf("totals %+v verdict %q: a partial requirement alone does not fail the default run", r.Totals, r.Verdict)
	}
}

// A spec that records an inconclusive verdict makes its requirement inconclusive with the
// verdict's reason; it never counts as a pass.
func TestInconclusiveVerdictMakesRequirementInconclusive(t *testing.T) {
	g := loadRun(t, "run-fixed")
	sr := specNamed(t, g, "rejects 101 instance ids")
	sr.State = ginkgotypes.SpecStateSkipped
	sr.ReportEntries = append(sr.ReportEntries, entry(runrecord.EntryVerdict,
		runrecord.Verdict{Outcome: runrecord.OutcomeInconclusive, Reason: ("the target answers unknown instances with " + contract.Default().Constraints().KooPhone.Code(specfacts.CodeParameterIncorrect).Code + " too")}))
	r := build(t, g)
	q := requirement(t, r, specfacts.ReqKooPhoneInstanceIDsMaxItems)
	if q.Status != StatusInconclusive || !strings.Contains(q.Reason, ("unknown instances with "+contract.Default().Constraints().KooPhone.Code(specfacts.CodeParameterIncorrect).Code)) {
		t.Fatalf("status %q reason %q", q.Status, q.Reason)
	}
	if r.Totals.Inconclusive == 0 || r.Totals.Specs.Inconclusive == 0 {
		t.Fatalf("totals %+v", r.Totals)
	}
}

// A spec that passed without any exchange with the target could not have failed on a
// deviating one: its requirement is inconclusive.
func TestPassWithoutExchangeIsInconclusive(t *testing.T) {
	q := requirement(t, build(t, loadRun(t, "run-fixed")), specfacts.ReqVBSEmptyResources)
	if q.Status != StatusInconclusive || !strings.Contains(q.Reason, passedWithoutExchange) {
		t.Fatalf("status %q reason %q", q.Status, q.Reason)
	}
}

// An unreachable target makes every requirement of its API not-evaluated with the reason —
// even one whose spec failed — and fails the run saying why; the other API is unaffected.
func TestUnreachableTargetIsNotEvaluatedNeverFailed(t *testing.T) {
	g := loadRun(t, "run-fail")
	for i := range g {
		if !strings.Contains(g[i].SuiteDescription, "KooPhone") {
			continue
		}
		for j := range g[i].SpecReports {
			if g[i].SpecReports[j].LeafNodeType == ginkgotypes.NodeTypeBeforeSuite {
				g[i].SpecReports[j].ReportEntries = append(g[i].SpecReports[j].ReportEntries,
					entry(runrecord.EntryUnreachable, runrecord.Unreachable{API: "koophone", Reason: "no answer from http://127.0.0.1:40123 within 10s"}))
				break
			}
		}
	}
	r := build(t, g)
	for _, q := range r.Requirements {
		if q.API != "koophone" {
			continue
		}
		if q.Status != StatusNotEvaluated || q.Reason != "target unreachable: no answer from http://127.0.0.1:40123 within 10s" {
			t.Errorf("%s: status %q reason %q", q.ID, q.Status, q.Reason)
		}
	}
	if got := requirement(t, r, specfacts.ReqVBSAssociateOperation).Status; got != StatusPass {
		t.Errorf("vbs requirement %q, want pass", got)
	}
	if r.Verdict != StatusFail || !strings.Contains(r.VerdictReason, "target unreachable (koophone: no answer") {
		t.Fatalf("verdict %q: %s", r.Verdict, r.VerdictReason)
	}
	if len(r.Unreachable) != 1 || r.Unreachable[0].API != "koophone" {
		t.Fatalf("unreachable %+v", r.Unreachable)
	}
	var md bytes.Buffer
	if err := RenderMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "koophone target unreachable") {
		t.Fatalf("summary does not say the target was unreachable:\n%s", md.String())
	}
}

// --require-conclusive fails a run that passes by default, naming every requirement that is
// partially evaluated, inconclusive or not evaluated.
func TestRequireConclusiveFailsOnOpenRequirements(t *testing.T) {
	g := loadRun(t, "run-fixed")
	lenient := build(t, g)
	if lenient.Verdict != StatusPass {
		t.Fatalf("default verdict %q: %s", lenient.Verdict, lenient.VerdictReason)
	}
	strict := buildWith(t, g, BuildOptions{RequireConclusive: true, Now: testNow})
	if strict.Verdict != StatusFail || !strings.Contains(strict.VerdictReason, "--require-conclusive") ||
		!strings.Contains(strict.VerdictReason, (string(specfacts.ReqVBSEmptyResources)+" (inconclusive)")) || !strict.RequireConclusive {
		t.Fatalf("verdict %q: %s", strict.Verdict, strict.VerdictReason)
	}
}

// Diff counts weaker evidence as lost coverage and a failure after partial evidence as a
// regression.
func TestDiffOfEvidenceStatuses(t *testing.T) {
	old := build(t, loadRun(t, "run-fixed"))
	g := loadRun(t, "run-fixed")
	addSpec(t, g, "rejects 101 instance ids", "accepts 100 owned ids", ginkgotypes.SpecStateSkipped)
	weaker := build(t, g)
	d := Diff(old, weaker)
	if !hasChange(d.LostCoverage, specfacts.ReqKooPhoneInstanceIDsMaxItems) || d.HasRegressions() {
		t.Fatalf("pass → partially-evaluated: %+v", d)
	}
	g = loadRun(t, "run-fixed")
	sr := specNamed(t, g, "rejects 101 instance ids")
	sr.State = ginkgotypes.SpecStateFailed
	sr.Failure = ginkgotypes.Failure{Message: ("want 400 " + contract.Default().Constraints().KooPhone.Code(specfacts.CodeParameterIncorrect).Code + ", got 200")}
	d = Diff(weaker, build(t, g))
	if !hasChange(d.Regressions, specfacts.ReqKooPhoneInstanceIDsMaxItems) {
		t.Fatalf("partially-evaluated → fail: %+v", d)
	}
}

// The HTML matrix and summary.md show the new statuses with their reasons.
func TestRenderingsShowEvidenceStatuses(t *testing.T) {
	g := loadRun(t, "run-fixed")
	addSpec(t, g, "rejects 101 instance ids", "accepts 100 owned ids", ginkgotypes.SpecStateSkipped,
		entry(runrecord.EntrySkipReason, runrecord.SkipReason{Reason: "read-only target"}))
	r := build(t, g)
	var html, md bytes.Buffer
	if err := RenderHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	if err := RenderMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), `data-id="`+string(specfacts.ReqKooPhoneInstanceIDsMaxItems)+`" data-status="partially-evaluated"`) ||
		!strings.Contains(html.String(), `<span class="badge inconclusive">inconclusive</span>`) {
		t.Fatal("html matrix does not show partially-evaluated and inconclusive rows")
	}
	if !strings.Contains(md.String(), "### Not conclusive") || !strings.Contains(md.String(), ("`"+string(specfacts.ReqKooPhoneInstanceIDsMaxItems)+"` partially-evaluated — 1 of 2 applicable specs")) {
		t.Fatalf("summary:\n%s", md.String())
	}
}

// A spec the target's reading left nothing to check (a not-applicable verdict) counts
// neither as a gap nor as evidence: its requirement passes on its other specs, and is
// not-evaluated, saying why, when it has no other.
func TestNotApplicableSpecIsLeftOut(t *testing.T) {
	g := loadRun(t, "run-fixed")
	addSpec(t, g, "rejects 101 instance ids", "re-checks a refused request", ginkgotypes.SpecStateSkipped,
		entry(runrecord.EntryVerdict, runrecord.Verdict{Outcome: runrecord.OutcomeNotApplicable, Reason: "the request was answered per resource"}))
	sr := specNamed(t, g, "refuses a released instance")
	sr.State = ginkgotypes.SpecStateSkipped
	sr.ReportEntries = append(sr.ReportEntries, entry(runrecord.EntryVerdict,
		runrecord.Verdict{Outcome: runrecord.OutcomeNotApplicable, Reason: "the first backup was refused"}))
	r := build(t, g)
	if q := requirement(t, r, specfacts.ReqKooPhoneInstanceIDsMaxItems); q.Status != StatusPass {
		t.Errorf("status %q reason %q, want pass", q.Status, q.Reason)
	}
	q := requirement(t, r, specfacts.ReqKooPhoneReleasedInstanceRefused)
	if q.Status != StatusNotEvaluated || !strings.Contains(q.Reason, "the first backup was refused") {
		t.Errorf("status %q reason %q", q.Status, q.Reason)
	}
}

// A conformance.json of schema version 1 (before the evidence statuses) is still read, so
// `report diff` against an older baseline keeps working; an unknown version is refused.
func TestLoadReadsVersionOne(t *testing.T) {
	dir := t.TempDir()
	r := build(t, loadRun(t, "run-fixed"))
	r.SchemaVersion = 1
	if err := WriteAll(r, dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, JSONFile)
	if _, err := Load(path); err != nil {
		t.Fatalf("version 1: %v", err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, bytes.Replace(raw, []byte(`"schema_version": 1`), []byte(`"schema_version": 9`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	var ve *VersionError
	if _, err := Load(path); !errors.As(err, &ve) {
		t.Fatalf("version 9: got %v", err)
	}
}
