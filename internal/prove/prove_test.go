package prove

import (
	"errors"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/mutation"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
)

// runWith is a run record of one suite whose set-up reported the target and whose specs
// observed the given readings (entry, reading, entry, reading, …).
func runWith(t runrecord.Target, obs ...string) *runrecord.Run {
	setup := runrecord.Spec{Targets: []runrecord.Target{t}}
	var specs []runrecord.Spec
	for i := 0; i < len(obs); i += 2 {
		specs = append(specs, runrecord.Spec{Observations: []runrecord.Observation{{ID: specfacts.AmbiguityID(obs[i]), Reading: obs[i+1]}}})
	}
	return &runrecord.Run{Suites: []runrecord.Suite{{Specs: append([]runrecord.Spec{setup}, specs...)}}}
}

var (
	unknownInstance = string(specfacts.AmbKooPhoneUnknownInstanceCode)
	missingToken    = string(specfacts.AmbKooPhoneMissingTokenCode)
	statusMapping   = string(specfacts.AmbVBSStatusMapping)
	// The unknown-instance entry's strict reading and its non-strict one, from the register.
	unknownStrict  = mock.StrictReadings()[unknownInstance]
	unknownLenient = mock.LenientReadings()[unknownInstance]
	tokenStrict    = mock.StrictReadings()[missingToken]
)

// PlanOf takes the mode and profile from the target entry, the APIs the target describes
// and reached, and one legitimate reading per observed entry — the non-strict one when the
// run saw several — noting readings the mock cannot take.
func TestPlanOf(t *testing.T) {
	run := runWith(runrecord.Target{Profile: runrecord.ProfileDefault, KooPhoneURL: "http://k", VBSURL: "http://v", AllowMutating: false},
		unknownInstance, unknownStrict, unknownInstance, unknownLenient,
		missingToken, tokenStrict,
		statusMapping, "teapot",
		"no-such-entry", "x")
	run.Suites[0].Specs[0].Unreachable = []runrecord.Unreachable{{API: string(specfacts.VBS), Reason: "no answer"}}
	p, err := PlanOf(run)
	if err != nil {
		t.Fatal(err)
	}
	if p.AllowMutating || p.Profile != runrecord.ProfileDefault || strings.Join(p.APIs, ",") != string(specfacts.KooPhone) {
		t.Errorf("mode %v, profile %q, APIs %v", p.AllowMutating, p.Profile, p.APIs)
	}
	if p.Observed[unknownInstance] != unknownLenient || p.Observed[missingToken] != tokenStrict || len(p.Observed) != 2 {
		t.Errorf("observed %v", p.Observed)
	}
	// The missing-token reading is the strict one: it is observed, but not listed as a
	// non-strict reading.
	if len(p.Readings) != 1 || p.Readings[0].Entry != unknownInstance || !strings.Contains(p.Readings[0].Note, unknownStrict+", "+unknownLenient) {
		t.Errorf("readings %+v", p.Readings)
	}
	notes := strings.Join(p.Notes, "\n")
	for _, want := range []string{statusMapping + "=teapot", "no-such-entry"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q: %s", want, notes)
		}
	}
}

// A run without a target entry, or one that reached no API, cannot be proved.
func TestPlanOfRefusesRunsWithoutATarget(t *testing.T) {
	if _, err := PlanOf(&runrecord.Run{Suites: []runrecord.Suite{{}}}); !errors.Is(err, ErrNoTarget) {
		t.Errorf("no target: err = %v", err)
	}
	if _, err := PlanOf(runWith(runrecord.Target{})); !errors.Is(err, ErrNothingReached) {
		t.Errorf("no base URL: err = %v", err)
	}
}

// The observed readings override every base configuration; with "worst" the lenient
// extremes are added, configurations with the same readings run once, and the mode and
// profile carry over.
func TestConfigurations(t *testing.T) {
	p := &Plan{Observed: mock.Readings{unknownInstance: unknownLenient}, Profile: runrecord.ProfileStrict}
	configs, err := p.Configurations(UnobservedWorst)
	if err != nil {
		t.Fatal(err)
	}
	if len(configs) != 3 {
		t.Fatalf("%d configurations, want 3", len(configs))
	}
	for _, c := range configs {
		if c.Readings[unknownInstance] != unknownLenient || !c.ReadOnly || !c.StrictProfile {
			t.Errorf("%s: %v read-only %v strict %v", c.Name, c.Readings[unknownInstance], c.ReadOnly, c.StrictProfile)
		}
	}
	if configs[0].Readings[missingToken] != mock.StrictReadings()[missingToken] || configs[1].Readings[missingToken] != mock.LenientReadings()[missingToken] {
		t.Errorf("unobserved entry: %s / %s", configs[0].Readings[missingToken], configs[1].Readings[missingToken])
	}
	all := &Plan{Observed: mock.LenientReadings(), AllowMutating: true}
	if configs, _ := all.Configurations(UnobservedWorst); len(configs) != 1 || configs[0].ReadOnly {
		t.Errorf("every entry observed: %d configurations", len(configs))
	}
	if configs, _ := p.Configurations(UnobservedStrict); len(configs) != 1 {
		t.Errorf("strict: %d configurations", len(configs))
	}
	if _, err := p.Configurations("best"); err == nil {
		t.Error("an unknown --unobserved value was accepted")
	}
}

// Each fault counts with its worst outcome over the configurations: caught only when killed
// on every one; not distinguishable when honest; a survivor when a requirement passes.
func TestDetectionPowerTakesTheWorst(t *testing.T) {
	req := string(specfacts.ReqKooPhoneInstanceIDMaxLength)
	m := func(fault string, o mutation.Outcome, status string) mutation.Mutant {
		return mutation.Mutant{Fault: fault, API: string(specfacts.KooPhone), Outcome: o,
			Statuses: []mutation.RequirementStatus{{ID: req, Status: status, Reason: "why"}}}
	}
	matrix := []mutation.ConfigurationResult{
		{Name: "as-observed", Baseline: mutation.Baseline{Passed: true}, Mutants: []mutation.Mutant{
			m("f-caught", mutation.OutcomeKilled, report.StatusFail), m("f-hidden", mutation.OutcomeKilled, report.StatusFail),
			m("f-unnoticed", mutation.OutcomeInconclusive, report.StatusInconclusive)}},
		{Name: "as-observed-lenient", Baseline: mutation.Baseline{Passed: true}, Mutants: []mutation.Mutant{
			m("f-caught", mutation.OutcomeKilled, report.StatusFail), m("f-hidden", mutation.OutcomeNotEvaluated, report.StatusNotEvaluated),
			m("f-unnoticed", mutation.OutcomeSurvived, report.StatusPass)}},
	}
	p := &Plan{APIs: []string{string(specfacts.KooPhone)}, Readings: []report.DetectionReading{}}
	d := detectionPower(p, UnobservedWorst, matrix)
	if d.Caught != 1 || d.Total != 3 || !d.Valid {
		t.Errorf("caught %d of %d, valid %v", d.Caught, d.Total, d.Valid)
	}
	if len(d.NotDistinguishable) != 1 || d.NotDistinguishable[0].Fault != "f-hidden" || d.NotDistinguishable[0].Configuration != "as-observed-lenient" ||
		d.NotDistinguishable[0].Requirements[0].Status != report.StatusNotEvaluated {
		t.Errorf("not distinguishable %+v", d.NotDistinguishable)
	}
	if len(d.Survivors) != 1 || d.Survivors[0].Fault != "f-unnoticed" || d.Survivors[0].Requirements[0].Status != report.StatusPass {
		t.Errorf("survivors %+v", d.Survivors)
	}
	for _, want := range []string{"read-only", "would catch 1 of 3 planted deviations", "not distinguishable: f-hidden (" + req + " not-evaluated)",
		"would pass unnoticed: f-unnoticed (" + req + " pass)", "readings of 0 of ", "the others at their worst reading"} {
		if !strings.Contains(d.Summary, want) {
			t.Errorf("summary lacks %q: %s", want, d.Summary)
		}
	}
	if (&Result{DetectionPower: d}).OK() {
		t.Error("a result with a survivor is OK")
	}
	matrix[1].Baseline.Passed = false
	d = detectionPower(p, UnobservedWorst, matrix)
	if d.Valid || len(d.Problems) != 1 || !strings.Contains(d.Summary, "not established") {
		t.Errorf("failed baseline: valid %v, problems %v, summary %s", d.Valid, d.Problems, d.Summary)
	}
}

// faultsFor keeps the faults of the reached APIs (among the named ones) and refuses an
// unknown fault or an empty selection.
func TestFaultsFor(t *testing.T) {
	got, err := faultsFor([]string{string(specfacts.VBS)}, nil)
	if err != nil || len(got) == 0 {
		t.Fatalf("%v, %v", got, err)
	}
	for _, name := range got {
		if f, _ := mock.LookupFault(name); f.API != specfacts.VBS {
			t.Errorf("fault %s of API %s selected for vbs", name, f.API)
		}
	}
	if _, err := faultsFor([]string{string(specfacts.VBS)}, []string{mock.FaultKooPhoneHang}); err == nil {
		t.Error("a KooPhone fault alone on a VBS-only run was accepted")
	}
	var unknown *mock.UnknownFaultError
	if _, err := faultsFor([]string{string(specfacts.VBS)}, []string{"no-such-fault"}); !errors.As(err, &unknown) {
		t.Errorf("unknown fault: err = %v", err)
	}
}
