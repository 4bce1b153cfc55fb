package mutation

import (
	"slices"
	"strings"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/mock"
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
	b.Passed = b.Error == "" && len(failuresOf(o.runs)) == 0 && len(o.runs) == len(Suites)
	return b
}

func mutantOf(f mock.Fault, o outcome) Mutant {
	m := Mutant{Fault: f.Name, API: f.API, Description: f.Description, Requirements: slices.Clone(f.Requirements), Runs: slices.Clone(o.runs)}
	if o.err != nil {
		m.Error = o.err.Error()
		return m
	}
	m.Error = runErrors(o.runs)
	m.Killers = failuresOf(o.runs)
	m.Killed = len(m.Killers) > 0
	for _, k := range m.Killers {
		for _, id := range k.Requirements {
			if slices.Contains(f.Requirements, id) {
				m.RightReason = true
			}
		}
	}
	for _, r := range o.runs {
		for _, s := range r.Inconclusive {
			for _, id := range s.Requirements {
				if !m.Killed && slices.Contains(f.Requirements, id) {
					m.Inconclusive = true
				}
			}
		}
	}
	// Drop the per-run failure lists: the killers already hold them, once.
	for i := range m.Runs {
		m.Runs[i].Failures = nil
	}
	return m
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
