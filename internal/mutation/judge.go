package mutation

import (
	"slices"
	"strings"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/specfacts"
)

func failuresOf(runs []SuiteRun) []FailedSpec {
	var out []FailedSpec
	for _, r := range runs {
		out = append(out, r.Failures...)
	}
	return out
}

func runErrors(runs []SuiteRun) string {
	var errs []string
	for _, r := range runs {
		if r.Error != "" {
			errs = append(errs, r.Suite+": "+r.Error)
		}
	}
	return strings.Join(errs, "; ")
}

func pristineOf(o outcome) Baseline {
	b := Baseline{Runs: o.runs}
	if o.err != nil {
		b.Error = o.err.Error()
		return b
	}
	b.Error = runErrors(o.runs)
	b.Passed = b.Error == "" && len(failuresOf(o.runs)) == 0 && len(o.runs) == len(specfacts.APIs())
	return b
}

// mutantOf judges one fault on one configuration: killed when a spec failed; otherwise
// the report's statuses of the requirements the fault violates decide — any pass makes it
// a survivor, else it is inconclusive or not evaluated (honest), or an error when the run
// could not be read.
func mutantOf(f mock.Fault, o outcome) Mutant {
	m := Mutant{Fault: f.Name, API: string(f.API), Description: f.Description, Requirements: requirementStrings(f.Requirements), Runs: slices.Clone(o.runs)}
	if o.err != nil {
		m.Error = o.err.Error()
		m.Outcome = OutcomeError
		m.Reason = "the mutant could not be run"
		return m
	}
	m.Error = runErrors(o.runs)
	m.Killers = failuresOf(o.runs)
	m.KilledBy = killedBy(m.Killers)
	m.Causes = slices.Clone(o.causes)
	for _, k := range m.Killers {
		for _, id := range k.Requirements {
			if slices.Contains(f.Requirements, specfacts.RequirementID(id)) {
				m.RightReason = true
			}
		}
	}
	for _, id := range f.Requirements {
		st, ok := o.statuses[string(id)]
		if !ok {
			st = RequirementStatus{ID: string(id), Status: statusUnknown, Reason: "no report was built from the run"}
		}
		m.Statuses = append(m.Statuses, st)
	}
	m.Outcome, m.Reason = judge(len(m.Killers) > 0, m.Error != "", m.Statuses)
	// Drop the per-run failure lists: the killers already hold them, once.
	for i := range m.Runs {
		m.Runs[i].Failures = nil
	}
	return m
}

// requirementStrings spells requirement ids as the mutation report's JSON carries them.
func requirementStrings(ids []specfacts.RequirementID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

// statusUnknown stands for the status of a requirement whose run produced no report.
const statusUnknown = "unknown"

// judge decides a mutant's outcome from whether a spec failed, whether a run failed to
// report, and the statuses of the requirements the fault violates.
func judge(failed, runError bool, statuses []RequirementStatus) (Outcome, string) {
	if failed {
		return OutcomeKilled, ""
	}
	var why []string
	for _, st := range statuses {
		why = append(why, st.ID+" "+st.Status+reasonSuffix(st.Reason))
	}
	reason := strings.Join(why, "; ")
	if runError {
		return OutcomeError, reason
	}
	outcome := OutcomeNotEvaluated
	for _, st := range statuses {
		switch st.Status {
		case report.StatusPass, report.StatusWaived:
			return OutcomeSurvived, reason
		case report.StatusInconclusive, report.StatusPartiallyEvaluated:
			outcome = OutcomeInconclusive
		case report.StatusNotEvaluated:
		default:
			// A status this judge does not know (or no report) proves nothing either way.
			return OutcomeError, reason
		}
	}
	if len(statuses) == 0 {
		return OutcomeError, "the fault names no requirement"
	}
	return outcome, reason
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}

// fairnessOf compares what the strict profile flagged on the lenient mock with the register
// entries that have more than one reading.
func fairnessOf(lenientDefault, lenientStrict outcome, cat *catalog.Catalog) Fairness {
	var f Fairness
	for _, a := range cat.Ambiguities {
		if len(a.Readings) > 1 {
			f.Expected = append(f.Expected, a.ID)
		}
	}
	f.Expected = sortedUnique(f.Expected)
	var errs []string
	for _, o := range []outcome{lenientDefault, lenientStrict} {
		if o.err != nil {
			errs = append(errs, o.err.Error())
		} else if e := runErrors(o.runs); e != "" {
			errs = append(errs, e)
		}
	}
	f.Error = strings.Join(errs, "; ")
	f.DefaultFailures = failuresOf(lenientDefault.runs)
	f.DefaultPassed = lenientDefault.err == nil && runErrors(lenientDefault.runs) == "" && len(f.DefaultFailures) == 0
	strictFailures := failuresOf(lenientStrict.runs)
	f.StrictFailed = len(strictFailures) > 0
	f.Flagged = StrictFlags(strictFailures)
	f.Missing = difference(f.Expected, f.Flagged)
	f.Extra = difference(f.Flagged, f.Expected)
	f.Holds = f.Error == "" && f.DefaultPassed && f.StrictFailed && len(f.Missing) == 0 && len(f.Extra) == 0
	return f
}

func difference(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
