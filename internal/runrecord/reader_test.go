package runrecord

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

// entry wraps a record the way AddReportEntry does.
func entry(name string, v any) ginkgotypes.ReportEntry {
	return ginkgotypes.ReportEntry{Name: name, Value: ginkgotypes.WrapEntryValue(v)}
}

func encode(t *testing.T, reports ...ginkgotypes.Report) []byte {
	t.Helper()
	raw, err := json.Marshal(reports)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func it(text string, state ginkgotypes.SpecState, labels []string, entries ...ginkgotypes.ReportEntry) ginkgotypes.SpecReport {
	return ginkgotypes.SpecReport{LeafNodeType: ginkgotypes.NodeTypeIt, LeafNodeText: text, LeafNodeLabels: labels, State: state,
		LeafNodeLocation: ginkgotypes.CodeLocation{FileName: "/src/suites/koophone/backup_test.go", LineNumber: 42},
		ReportEntries:    entries, RunTime: time.Second}
}

// Every record a suite emits comes back typed, with the spec's labels, state and location.
func TestReadDecodesEveryRecord(t *testing.T) {
	ev := Evidence{Requirements: []specfacts.RequirementID{specfacts.ReqKooPhoneAuthTokenRequired}, Request: Message{Method: "POST", URL: "http://x/v1/instances/backup"},
		Response:   &Message{Method: "POST", Status: 400, Body: (`{"error_code":"` + contract.Default().Constraints().KooPhone.Code(specfacts.CodeParameterIncorrect).Code + `"}`)},
		Violations: contract.Violations{{Rule: specfacts.RuleResponseBodySchema, Location: "/response/body", Message: "error_msg: missing"}}}
	labels := []string{ConformanceLabel, RequirementLabelPrefix + string(specfacts.ReqKooPhoneAuthTokenRequired), APILabelPrefix + "koophone", KindLabelPrefix + "auth", MutatingLabel}
	setup := ginkgotypes.SpecReport{LeafNodeType: ginkgotypes.NodeTypeBeforeSuite, State: ginkgotypes.SpecStatePassed,
		ReportEntries: []ginkgotypes.ReportEntry{entry(EntryTarget, Target{Name: "vendor", Profile: "default", KooPhoneURL: "http://x"}),
			entry(EntryUnreachable, Unreachable{API: "vbs", Reason: "no answer from http://y within 10s"})}}
	raw := encode(t, ginkgotypes.Report{SuiteDescription: "KooPhone", SpecReports: []ginkgotypes.SpecReport{
		setup,
		it("rejects", ginkgotypes.SpecStatePassed, labels, entry(EntryEvidence, ev),
			entry(EntryAmbiguity, Observation{ID: "koophone-missing-token-code", Reading: "tenant-does-not-exist", Strict: string(specfacts.CodeParameterIncorrect), Tolerated: true}),
			entry("a note of the suite's own", "ignored")),
		it("could not tell", ginkgotypes.SpecStateSkipped, labels, entry(EntryVerdict, Verdict{Outcome: OutcomeInconclusive, Reason: "the target reads unknown ids as 1000"}),
			entry(EntrySkipReason, SkipReason{Reason: "pool too small"})),
	}})
	run, err := Read(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Suites) != 1 || len(run.Suites[0].Specs) != 3 {
		t.Fatalf("got %+v", run)
	}
	if tg := run.Target(); tg == nil || tg.Name != "vendor" || tg.KooPhoneURL != "http://x" {
		t.Fatalf("target: %+v", tg)
	}
	if u := run.Unreachable(); len(u) != 1 || u[0].API != "vbs" {
		t.Fatalf("unreachable: %+v", u)
	}
	pass := run.Suites[0].Specs[1]
	if !pass.IsSpec() || !pass.Passed() || pass.File != "/src/suites/koophone/backup_test.go" || pass.Line != 42 || !pass.Mutating() {
		t.Fatalf("spec: %+v", pass)
	}
	if got := pass.Requirements(); len(got) != 1 || got[0] != specfacts.ReqKooPhoneAuthTokenRequired || pass.API() != "koophone" {
		t.Fatalf("labels: %v %q", got, pass.API())
	}
	if len(pass.Evidence) != 1 || pass.Evidence[0].Response.Status != 400 || pass.Evidence[0].Violations[0].Rule != specfacts.RuleResponseBodySchema {
		t.Fatalf("evidence: %+v", pass.Evidence)
	}
	if len(pass.Observations) != 1 || !pass.Observations[0].StrictDeviation() {
		t.Fatalf("observations: %+v", pass.Observations)
	}
	if len(pass.Inconclusive()) != 0 {
		t.Fatal("a spec without a verdict is not inconclusive")
	}
	skipped := run.Suites[0].Specs[2]
	if got := skipped.Inconclusive(); len(got) != 1 || !strings.Contains(got[0], "1000") || skipped.SkipReasons[0].Reason != "pool too small" {
		t.Fatalf("verdict: %+v", skipped)
	}
}

// A known entry that does not hold its record, or a verdict with an unknown outcome, is an
// error naming the spec and the entry rather than a silently empty record.
func TestReadRefusesMalformedRecords(t *testing.T) {
	for name, e := range map[string]ginkgotypes.ReportEntry{
		"evidence not an object":      entry(EntryEvidence, "not json"),
		"target null":                 entry(EntryTarget, nil),
		"verdict unknown outcome":     entry(EntryVerdict, Verdict{Outcome: "maybe", Reason: "r"}),
		"verdict without reason":      entry(EntryVerdict, Verdict{Outcome: OutcomeInconclusive}),
		"unreachable without api":     entry(EntryUnreachable, Unreachable{Reason: "r"}),
		"expectation without summary": entry(EntryExpectation, Expectation{RequestClass: specfacts.ReqKooPhoneUnknownTenant}),
	} {
		raw := encode(t, ginkgotypes.Report{SpecReports: []ginkgotypes.SpecReport{it("the spec", ginkgotypes.SpecStatePassed, nil, e)}})
		_, err := Read(raw)
		var ee *EntryError
		if !errors.As(err, &ee) || ee.Entry != e.Name || ee.Spec != "the spec" {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

// Bytes that are not a Ginkgo report, and a report without suites, are refused.
func TestReadRefusesNonReports(t *testing.T) {
	for _, raw := range []string{`{"not":"an array"}`, `[]`, `garbage`} {
		var re *ReportError
		if _, err := Read([]byte(raw)); !errors.As(err, &re) {
			t.Errorf("%s: got %v", raw, err)
		}
	}
	if _, err := ReadFile("/nonexistent/ginkgo.json"); err == nil || !strings.Contains(err.Error(), "/nonexistent/ginkgo.json") {
		t.Errorf("missing file: got %v", err)
	}
}

// Label helpers return each value once, in label order.
func TestLabelValues(t *testing.T) {
	labels := []string{"req:b", "api:vbs", "req:a", "req:b", "kind:limit", "conformance"}
	if got := RequirementsOf(labels); !slices.Equal(got, []specfacts.RequirementID{"b", "a"}) {
		t.Errorf("requirements: %v", got)
	}
	if APIOf(labels) != "vbs" || APIOf(nil) != "" {
		t.Errorf("api: %q", APIOf(labels))
	}
}
