package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The testdata runs come from a throwaway Ginkgo suite (see testdata/README.md); it puts
// these credentials into evidence and failure messages on purpose.
const (
	leakToken    = "tok-LEAKCHECK-7f3a9c1e"
	vbsLeakToken = "vbs-tok-SECRET-55aa"
)

var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// loadRun returns a testdata run as Ginkgo's own types, so a test can alter it before it
// goes through the one reader (record).
func loadRun(t *testing.T, name string) []ginkgotypes.Report {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name, "ginkgo.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g []ginkgotypes.Report
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// record passes Ginkgo reports through the JSON encoding and runrecord.Read, as `report
// build` does.
func record(t *testing.T, g []ginkgotypes.Report) *runrecord.Run {
	t.Helper()
	raw, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	if len(g) == 0 {
		return &runrecord.Run{}
	}
	run, err := runrecord.Read(raw)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func build(t *testing.T, g []ginkgotypes.Report, ws ...Waiver) *Report {
	t.Helper()
	return buildWith(t, g, BuildOptions{Secrets: []string{leakToken, vbsLeakToken}, Waivers: ws, Now: testNow})
}

func buildWith(t *testing.T, g []ginkgotypes.Report, opts BuildOptions) *Report {
	t.Helper()
	r, err := Build(record(t, g), catalog.Default(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func requirement(t *testing.T, r *Report, id specfacts.RequirementID) Requirement {
	t.Helper()
	i := slices.IndexFunc(r.Requirements, func(q Requirement) bool { return q.ID == string(id) })
	if i < 0 {
		t.Fatalf("requirement %s missing from report", id)
	}
	return r.Requirements[i]
}

// A failing spec makes its requirement fail, with the failure message, location and the
// recorded exchange as evidence, and fails the headline verdict.
func TestForcedFailureIsFailWithEvidence(t *testing.T) {
	r := build(t, loadRun(t, "run-fail"))
	q := requirement(t, r, specfacts.ReqKooPhoneInstancePermissions)
	if q.Status != StatusFail {
		t.Fatalf("status %q, want fail", q.Status)
	}
	if len(q.Evidence) == 0 || q.Evidence[0].Response == nil || q.Evidence[0].Response.Status != 400 {
		t.Fatalf("want the 400 exchange as evidence, got %+v", q.Evidence)
	}
	permissions := contract.Default().Constraints().KooPhone.Code(specfacts.CodeInstancePermissions).Code
	if len(q.Evidence[0].Violations) == 0 || !strings.Contains(q.Evidence[0].Violations[0], permissions) {
		t.Fatalf("want the contract violation in evidence, got %v", q.Evidence[0].Violations)
	}
	if q.Specs[0].Failure == nil || !strings.Contains(q.Specs[0].Failure.Message, "want 400 "+permissions) ||
		!strings.Contains(q.Specs[0].Failure.Location, ".go:") {
		t.Fatalf("want failure message and location, got %+v", q.Specs[0].Failure)
	}
	if r.Verdict != StatusFail || r.Totals.Fail != 1 {
		t.Fatalf("verdict %q with %d failures, want fail with 1", r.Verdict, r.Totals.Fail)
	}
	if got := requirement(t, r, specfacts.ReqKooPhoneBackupOperation).Status; got != StatusPass {
		t.Fatalf("passing requirement has status %q", got)
	}
}

// A requirement whose only spec was skipped is not-evaluated with the suite's skip reason,
// never pass; pending specs and requirements without specs are not-evaluated too.
func TestAllSkippedIsNotEvaluatedWithReason(t *testing.T) {
	r := build(t, loadRun(t, "run-fail"))
	cases := map[specfacts.RequirementID]string{
		specfacts.ReqKooPhoneInternalError:           "fault_injection: false",
		specfacts.ReqKooPhoneReleasedInstanceRefused: "owned instance pool too small",
		specfacts.ReqVBSReassociate:                  notEvaluatedAllPending,
		specfacts.ReqKooPhoneUnknownTenant:           notEvaluatedNoSpec,
	}
	for id, reason := range cases {
		q := requirement(t, r, id)
		if q.Status != StatusNotEvaluated || !strings.Contains(q.Reason, reason) {
			t.Errorf("%s: status %q reason %q, want not-evaluated with %q", id, q.Status, q.Reason, reason)
		}
	}
}

// A run in which every spec was skipped, or which has no spec at all, evaluated nothing and
// is a failed run.
func TestNothingEvaluatedIsFailure(t *testing.T) {
	g := loadRun(t, "run-fixed")
	for i := range g {
		for j := range g[i].SpecReports {
			if g[i].SpecReports[j].LeafNodeType == ginkgotypes.NodeTypeIt {
				g[i].SpecReports[j].State = ginkgotypes.SpecStateSkipped
			}
		}
	}
	for name, run := range map[string][]ginkgotypes.Report{"all skipped": g, "no suites": nil} {
		r := build(t, run)
		if r.Verdict != StatusFail || r.Totals.Evaluated != 0 || r.Totals.Pass != 0 {
			t.Errorf("%s: verdict %q, evaluated %d, pass %d; want fail, 0, 0", name, r.Verdict, r.Totals.Evaluated, r.Totals.Pass)
		}
		if !strings.Contains(r.VerdictReason, "no requirement was evaluated") {
			t.Errorf("%s: verdict reason %q", name, r.VerdictReason)
		}
	}
}

// When the target describes only one API, the other API's requirements say so.
func TestAbsentAPISectionIsNotEvaluated(t *testing.T) {
	g := loadRun(t, "run-fixed")
	var kept []ginkgotypes.Report
	for _, s := range g {
		if strings.Contains(s.SuiteDescription, "KooPhone") {
			kept = append(kept, s)
		}
	}
	for i := range kept {
		for j := range kept[i].SpecReports {
			for k, e := range kept[i].SpecReports[j].ReportEntries {
				if e.Name == runrecord.EntryTarget {
					kept[i].SpecReports[j].ReportEntries[k].Value = ginkgotypes.WrapEntryValue(json.RawMessage(`{"name":"kp-only","profile":"strict","koophone_base_url":"http://kp.example"}`))
				}
			}
		}
	}
	r := buildWith(t, kept, BuildOptions{Now: testNow})
	q := requirement(t, r, specfacts.ReqVBSAssociateOperation)
	if q.Status != StatusNotEvaluated || !strings.Contains(q.Reason, "does not describe the vbs API") {
		t.Fatalf("status %q reason %q", q.Status, q.Reason)
	}
	if r.Target.Name != "kp-only" || r.Target.Profile != "strict" {
		t.Fatalf("target metadata not taken from the entry: %+v", r.Target)
	}
}

type junitSuites struct {
	Suites []struct {
		Cases []struct {
			Name    string    `xml:"name,attr"`
			Status  string    `xml:"status,attr"`
			Failure *struct{} `xml:"failure"`
			Skipped *struct{} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// The spec counts of conformance.json agree with the JUnit report of the same run.
func TestJUnitAgreesWithSpecCounts(t *testing.T) {
	for _, run := range []string{"run-fail", "run-fixed", "run-regressed"} {
		raw, err := os.ReadFile(filepath.Join("testdata", run, "junit.xml"))
		if err != nil {
			t.Fatal(err)
		}
		var ju junitSuites
		if err := xml.Unmarshal(raw, &ju); err != nil {
			t.Fatalf("%s: junit does not parse: %v", run, err)
		}
		var got SpecCounts
		for _, s := range ju.Suites {
			for _, c := range s.Cases {
				if !strings.HasPrefix(c.Name, "[It] ") { // [BeforeSuite] and friends are not specs
					continue
				}
				got.Total++
				switch {
				case c.Failure != nil:
					got.Failed++
				case c.Status == "pending":
					got.Pending++
				case c.Skipped != nil || c.Status == "skipped":
					got.Skipped++
				case c.Status == "passed":
					got.Passed++
				default:
					t.Errorf("%s: testcase %q has unexpected status %q", run, c.Name, c.Status)
				}
			}
		}
		r := build(t, loadRun(t, run))
		// JUnit knows no inconclusive: such a spec is among its skipped (or passed) ones.
		counts := r.Totals.Specs
		counts.Inconclusive = 0
		if got != counts {
			t.Errorf("%s: junit %+v, conformance.json %+v", run, got, r.Totals.Specs)
		}
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("conformance-report.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("conformance-report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// writeValidated writes every report of r into a new directory and validates its
// conformance.json against the checked-in schema; the error is the schema's.
func writeValidated(t *testing.T, r *Report) (dir string, err error) {
	t.Helper()
	dir = t.TempDir()
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
	return dir, compileSchema(t).Validate(inst)
}

// Every conformance.json written validates against the checked-in schema, and the schema
// does reject a malformed report.
func TestReportsValidateAgainstSchema(t *testing.T) {
	schema := compileSchema(t)
	waivers := []Waiver{
		{Requirement: string(specfacts.ReqKooPhoneInstancePermissions), Target: "*", Reason: "vendor fix scheduled", Expires: "2026-12-31"},
		{Requirement: string(specfacts.ReqKooPhoneBackupOperation), Target: "reference-mock", Reason: "old flake", Expires: "2026-01-31"},
	}
	for _, run := range []string{"run-fail", "run-fixed", "run-regressed"} {
		if _, err := writeValidated(t, build(t, loadRun(t, run), waivers...)); err != nil {
			t.Errorf("%s: %v", run, err)
		}
	}
	bad := map[string]any{"schema_version": 1, "verdict": "maybe"}
	if schema.Validate(bad) == nil {
		t.Fatal("schema accepted a report with verdict \"maybe\" and no requirements")
	}
}

// Each requirement of the catalog appears once in conformance.json and as a row of the HTML
// matrix.
func TestEveryCatalogRequirementInMatrix(t *testing.T) {
	dir := t.TempDir()
	if err := WriteAll(build(t, loadRun(t, "run-fail")), dir); err != nil {
		t.Fatal(err)
	}
	back, err := Load(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	cat := catalog.Default()
	if len(back.Requirements) != len(cat.Requirements) {
		t.Fatalf("json has %d requirements, catalog %d", len(back.Requirements), len(cat.Requirements))
	}
	for i, req := range cat.Requirements {
		if back.Requirements[i].ID != req.ID {
			t.Errorf("json requirement %d is %s, want %s", i, back.Requirements[i].ID, req.ID)
		}
		row := `<tr class="req" data-id="` + req.ID + `"`
		if strings.Count(string(html), row) != 1 {
			t.Errorf("html matrix has %d rows for %s, want 1", strings.Count(string(html), row), req.ID)
		}
	}
}

// A valid waiver turns a failure into waived (and the verdict into pass), an expired one does
// not, a waiver for a passing requirement is stale, and one for another target is unused.
func TestWaivers(t *testing.T) {
	g := loadRun(t, "run-fail")
	raw := []byte(fmt.Sprintf(`waivers:
  - {requirement: %s, target: reference-mock, reason: "vendor fix in 2.3", expires: 2026-06-01}
  - {requirement: %s, target: "*", reason: "was flaky", expires: 2027-01-01}
  - {requirement: %s, target: other-vendor, reason: "n/a", expires: 2027-01-01}
`, specfacts.ReqKooPhoneInstancePermissions, specfacts.ReqKooPhoneBackupOperation, specfacts.ReqKooPhoneInstanceIDsMaxItems))
	ws, err := ParseWaivers(raw, catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	r := build(t, g, ws...)
	if q := requirement(t, r, specfacts.ReqKooPhoneInstancePermissions); q.Status != StatusWaived || !strings.Contains(q.Reason, "vendor fix in 2.3") {
		t.Fatalf("on its expiry day the waiver applies: got %q %q", q.Status, q.Reason)
	}
	if r.Verdict != StatusPass || r.Totals.Waived != 1 {
		t.Fatalf("verdict %q waived %d, want pass and 1", r.Verdict, r.Totals.Waived)
	}
	states := []string{r.Waivers[0].State, r.Waivers[1].State, r.Waivers[2].State}
	if !slices.Equal(states, []string{WaiverApplied, WaiverStale, WaiverUnused}) {
		t.Fatalf("waiver states %v", states)
	}

	later := buildWith(t, g, BuildOptions{Waivers: ws, Now: testNow.AddDate(0, 0, 1)})
	if q := requirement(t, later, specfacts.ReqKooPhoneInstancePermissions); q.Status != StatusFail || !strings.Contains(q.Reason, "expired") {
		t.Fatalf("after expiry: got %q %q, want fail noting the expiry", q.Status, q.Reason)
	}
	if later.Verdict != StatusFail || later.Waivers[0].State != WaiverExpired {
		t.Fatalf("after expiry: verdict %q, waiver %q", later.Verdict, later.Waivers[0].State)
	}
	var md bytes.Buffer
	if err := RenderMarkdown(&md, later); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "expired on 2026-06-01") || !strings.Contains(md.String(), "is stale") {
		t.Fatalf("summary does not mention the expired and stale waivers:\n%s", md.String())
	}
}

// A waiver file with an unknown requirement, a malformed date, a missing reason or an unknown
// key is refused with an error naming the entry and field.
func TestWaiverFileErrors(t *testing.T) {
	known := specfacts.ReqVBSInternalError
	cases := map[string]string{
		"waivers: [{requirement: no-such-req, target: x, reason: r, expires: 2027-01-01}]":                  "waivers[0].requirement",
		fmt.Sprintf("waivers: [{requirement: %s, target: x, reason: r, expires: 01/02/2027}]", known):       "waivers[0].expires",
		fmt.Sprintf("waivers: [{requirement: %s, target: x, expires: 2027-01-01}]", known):                  "waivers[0].reason",
		fmt.Sprintf("waivers: [{requirement: %s, target: x, reason: r, expires: 2027-01-01, y: 1}]", known): "field y not found",
		fmt.Sprintf("waivers: [{requirement: %s, reason: r, expires: 2027-01-01}]", known):                  "waivers[0].target",
	}
	for in, want := range cases {
		_, err := ParseWaivers([]byte(in), catalog.Default())
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one naming %q", in, err, want)
		}
	}
}

// Diff lists pass→fail as regressions, pass→not-evaluated as lost coverage, fail→pass as
// fixes and first evaluations as newly evaluated.
func TestDiff(t *testing.T) {
	failed, fixed, regressed := build(t, loadRun(t, "run-fail")), build(t, loadRun(t, "run-fixed")), build(t, loadRun(t, "run-regressed"))

	d := Diff(failed, fixed)
	if d.HasRegressions() || !hasChange(d.Fixes, specfacts.ReqKooPhoneInstancePermissions) || !hasChange(d.NewlyEvaluated, specfacts.ReqKooPhoneReleasedInstanceRefused) {
		t.Fatalf("fail→fixed: %+v", d)
	}
	d = Diff(fixed, regressed)
	if !d.HasRegressions() || !hasChange(d.Regressions, specfacts.ReqKooPhoneResponse200Shape) || len(d.Regressions) != 1 {
		t.Fatalf("fixed→regressed: %+v", d)
	}
	d = Diff(fixed, failed)
	if !hasChange(d.Regressions, specfacts.ReqKooPhoneInstancePermissions) || !hasChange(d.LostCoverage, specfacts.ReqKooPhoneReleasedInstanceRefused) {
		t.Fatalf("fixed→failed: %+v", d)
	}
	if hasChange(d.Regressions, specfacts.ReqKooPhoneReleasedInstanceRefused) {
		t.Fatal("lost coverage counted as a regression")
	}
	var text, md bytes.Buffer
	if err := d.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "regressions (1)") || !strings.Contains(md.String(), "### Regressions") {
		t.Fatalf("diff renderings:\n%s\n%s", text.String(), md.String())
	}
}

func hasChange(cs []Change, id specfacts.RequirementID) bool {
	return slices.ContainsFunc(cs, func(c Change) bool { return c.ID == string(id) })
}

// Two reports render side by side: one column per implementation and the requirements on
// which they differ marked.
func TestRenderComparison(t *testing.T) {
	a, b := build(t, loadRun(t, "run-fail")), build(t, loadRun(t, "run-fixed"))
	b.Target.Name = "vendor-b"
	var html, md bytes.Buffer
	if err := RenderHTML(&html, a, b); err != nil {
		t.Fatal(err)
	}
	if err := RenderMarkdown(&md, a, b); err != nil {
		t.Fatal(err)
	}
	page := html.String()
	if !strings.Contains(page, "<th>reference-mock</th><th>vendor-b</th>") {
		t.Fatal("comparison table lacks one column per implementation")
	}
	if !strings.Contains(page, `data-id="`+string(specfacts.ReqKooPhoneInstancePermissions)+`" data-status="fail pass"`) ||
		!strings.Contains(page, `data-differs="true"`) {
		t.Fatal("comparison row does not show fail on one and pass on the other")
	}
	if !strings.Contains(md.String(), "| `"+string(specfacts.ReqKooPhoneInstancePermissions)+"` | ❌ fail | ✅ pass |") {
		t.Fatalf("markdown comparison:\n%s", md.String())
	}
}

// No output file — JSON, HTML, Markdown, re-rendered comparison or diff — carries a token
// that was in the evidence, in a header or in a failure message.
func TestSecretsRedactedEverywhere(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "run-fail", "ginkgo.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(leakToken)) || !bytes.Contains(raw, []byte(vbsLeakToken)) {
		t.Fatal("testdata no longer carries the tokens this test looks for")
	}
	dir := t.TempDir()
	r := build(t, loadRun(t, "run-fail"))
	if err := WriteAll(r, dir); err != nil {
		t.Fatal(err)
	}
	back, err := Load(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	cmp := filepath.Join(dir, "compare")
	if err := WriteRendered(cmp, back, build(t, loadRun(t, "run-fixed"))); err != nil {
		t.Fatal(err)
	}
	var diff bytes.Buffer
	if err := Diff(build(t, loadRun(t, "run-fixed")), back).WriteMarkdown(&diff); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "diff.md"), diff.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	files := 0
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, tok := range []string{leakToken, vbsLeakToken} {
			if bytes.Contains(data, []byte(tok)) {
				t.Errorf("%s contains token %s", path, tok)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 6 {
		t.Fatalf("checked only %d files", files)
	}
	if q := requirement(t, back, specfacts.ReqKooPhoneInstancePermissions); !strings.Contains(q.Specs[0].Failure.Message, "[REDACTED]") {
		t.Fatalf("failure message was not redacted but dropped: %q", q.Specs[0].Failure.Message)
	}
}

// Evidence is bounded: long bodies are cut and only a few exchanges per spec are kept.
func TestEvidenceIsBounded(t *testing.T) {
	g := loadRun(t, "run-fail")
	long := strings.Repeat("x", 10*maxExcerptBytes)
	entry := func() ginkgotypes.ReportEntry {
		v, _ := json.Marshal(map[string]any{"request": map[string]any{"method": "POST", "url": "http://x", "body": long},
			"response": map[string]any{"status": 400, "body": `{"error_code":"` + long + `"}`}})
		return ginkgotypes.ReportEntry{Name: runrecord.EntryEvidence, Value: ginkgotypes.WrapEntryValue(json.RawMessage(v))}
	}
	for i := range g {
		for j := range g[i].SpecReports {
			sr := &g[i].SpecReports[j]
			if sr.LeafNodeText == "refuses a foreign instance" {
				for range 10 {
					sr.ReportEntries = append(sr.ReportEntries, entry())
				}
			}
		}
	}
	q := requirement(t, build(t, g), specfacts.ReqKooPhoneInstancePermissions)
	if len(q.Evidence) > maxEvidencePerSpec {
		t.Fatalf("%d evidence entries kept, want at most %d", len(q.Evidence), maxEvidencePerSpec)
	}
	if q.Specs[0].EvidenceEntries != 11 {
		t.Fatalf("spec counts %d evidence entries, want 11", q.Specs[0].EvidenceEntries)
	}
	for _, ev := range q.Evidence {
		if len(ev.Request.Body) > maxExcerptBytes+len(truncationMarker) || len(ev.Response.Body) > maxExcerptBytes+len(truncationMarker) {
			t.Fatalf("excerpt of %d/%d bytes", len(ev.Request.Body), len(ev.Response.Body))
		}
	}
}

// Input that is not a Ginkgo JSON report, or an entry whose value is not the documented JSON,
// is an error naming what was wrong.
func TestBadInputIsAClearError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ginkgo.json")
	if err := os.WriteFile(path, []byte(`{"not":"an array"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := runrecord.ReadFile(path); err == nil || !strings.Contains(err.Error(), "not the array of suite reports") {
		t.Fatalf("got %v", err)
	}
	g := loadRun(t, "run-fail")
	g[0].SpecReports[1].ReportEntries = append(g[0].SpecReports[1].ReportEntries,
		ginkgotypes.ReportEntry{Name: runrecord.EntryAmbiguity, Value: ginkgotypes.WrapEntryValue(json.RawMessage(`[1,2]`))})
	raw, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runrecord.Read(raw); err == nil || !strings.Contains(err.Error(), `report entry "ambiguity"`) {
		t.Fatalf("got %v", err)
	}
	if _, err := Build(&runrecord.Run{}, nil, BuildOptions{}); err == nil {
		t.Fatal("no error without a catalog")
	}
	if _, err := Build(nil, catalog.Default(), BuildOptions{}); err == nil {
		t.Fatal("no error without a run record")
	}
}

// Observed ambiguity readings are recorded per register entry, saying whether the strict
// reading was taken.
func TestAmbiguityReadings(t *testing.T) {
	r := build(t, loadRun(t, "run-fail"))
	byID := map[specfacts.AmbiguityID]Ambiguity{}
	for _, a := range r.Ambiguities {
		byID[specfacts.AmbiguityID(a.ID)] = a
	}
	if a := byID[specfacts.AmbKooPhoneErrorCodeCase]; a.Outcome != AmbiguityTolerated || !slices.Equal(a.Observed, []string{"mixed-case"}) {
		t.Fatalf("error-code-case: %+v", a)
	}
	if a := byID[specfacts.AmbVBSEmptyResources]; a.Outcome != AmbiguityStrict {
		t.Fatalf("%s: %+v", specfacts.AmbVBSEmptyResources, a)
	}
	if a := byID[specfacts.AmbKooPhoneContentType]; a.Outcome != AmbiguityNotObserved {
		t.Fatalf("%s: %+v", specfacts.AmbKooPhoneContentType, a)
	}
	if len(r.Ambiguities) != len(catalog.Default().Ambiguities) {
		t.Fatalf("%d register entries in the report, catalog has %d", len(r.Ambiguities), len(catalog.Default().Ambiguities))
	}
}

// The HTML page is self-contained: no external stylesheet, script, font, image or import.
func TestHTMLIsSelfContained(t *testing.T) {
	var html bytes.Buffer
	if err := RenderHTML(&html, build(t, loadRun(t, "run-fail"))); err != nil {
		t.Fatal(err)
	}
	page := strings.ToLower(html.String())
	for _, bad := range []string{`src="http`, `href="http`, `src="//`, `href="//`, "@import", "url(http", `rel="stylesheet"`, "@font-face"} {
		if strings.Contains(page, bad) {
			t.Errorf("page references an external resource: %q", bad)
		}
	}
	if !strings.Contains(page, "<style>") || !strings.Contains(page, "<svg") {
		t.Fatal("page lacks its inline CSS or SVG chart")
	}
}
