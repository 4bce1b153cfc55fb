package mutation

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/runrecord"
)

// Bars of the diagnosis a single planted deviation gets (docs/mutation.md, "Causes per
// fault"): the report groups its failures into one cause, at most MaxCausesPerFault, and
// names the requirement the fault violates among the failing ones.
const (
	MedianCausesPerFault = 1
	MaxCausesPerFault    = 2
)

// FaultCauses is what the report built from one mutant's run says about its failures.
type FaultCauses struct {
	Fault string `json:"fault"`
	// Causes are the titles of the report's causes, most specs explained first.
	Causes []string `json:"causes"`
	// Failing are the requirements the report fails (of the fault's, for CausesOfMutant).
	Failing []string `json:"failing"`
	// Missing are the requirements the fault violates (mock.Fault.Requirements) that the
	// report does not fail.
	Missing []string `json:"missing,omitempty"`
	Error   string   `json:"error,omitempty"`
}

// CausesOfReport reads a mutant's report: its causes, its failing requirements, and which
// of the requirements the fault violates it leaves out.
func CausesOfReport(f mock.Fault, rep *report.Report) FaultCauses {
	fc := FaultCauses{Fault: f.Name, Causes: []string{}, Failing: []string{}}
	for _, c := range rep.Causes {
		fc.Causes = append(fc.Causes, c.Title)
	}
	for _, q := range rep.Requirements {
		if q.Status == report.StatusFail {
			fc.Failing = append(fc.Failing, q.ID)
		}
	}
	for _, id := range f.Requirements {
		if !slices.Contains(fc.Failing, string(id)) {
			fc.Missing = append(fc.Missing, string(id))
		}
	}
	return fc
}

// CausesOfMutant reads what the mutation run kept of a mutant's report: its causes, and
// which requirements the fault violates the report does not fail.
func CausesOfMutant(m Mutant) FaultCauses {
	fc := FaultCauses{Fault: m.Fault, Causes: append([]string{}, m.Causes...), Failing: []string{}, Error: m.Error}
	for _, st := range m.Statuses {
		if st.Status == report.StatusFail {
			fc.Failing = append(fc.Failing, st.ID)
		} else {
			fc.Missing = append(fc.Missing, st.ID)
		}
	}
	return fc
}

// CausesPerFault plants each selected fault, one at a time, on the configuration and reads
// each mutant's report (CausesOfMutant): how many causes a single deviation gets.
func CausesPerFault(ctx context.Context, opts Options, c Configuration) ([]FaultCauses, error) {
	cols, err := RunMatrix(ctx, opts, []Configuration{c})
	if err != nil {
		return nil, err
	}
	if !cols[0].Baseline.Passed {
		return nil, fmt.Errorf("mutation: the %s baseline failed, so no cause count means anything: %s", c.Name, cols[0].Baseline.Error)
	}
	out := make([]FaultCauses, 0, len(cols[0].Mutants))
	for _, m := range cols[0].Mutants {
		out = append(out, CausesOfMutant(m))
	}
	return out, nil
}

// CauseCounts summarises cause counts over faults: the median and the largest count.
func CauseCounts(fcs []FaultCauses) (median float64, maxCount int) {
	if len(fcs) == 0 {
		return 0, 0
	}
	counts := make([]int, len(fcs))
	for i, fc := range fcs {
		counts[i] = len(fc.Causes)
		maxCount = max(maxCount, counts[i])
	}
	sort.Ints(counts)
	n := len(counts)
	if n%2 == 1 {
		return float64(counts[n/2]), maxCount
	}
	return float64(counts[n/2-1]+counts[n/2]) / 2, maxCount
}

// causeTitles builds the report of a mutant's run the way `report build` does and returns
// its causes' titles; none when no report could be built.
func causeTitles(run *runrecord.Run, secrets []string) []string {
	if len(run.Suites) == 0 {
		return nil
	}
	rep, err := report.Build(run, catalog.Default(), report.BuildOptions{Secrets: secrets})
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(rep.Causes))
	for _, c := range rep.Causes {
		out = append(out, c.Title)
	}
	return out
}
