package prove

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/mutation"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/runrecord"
)

// Options configure Prove.
type Options struct {
	// Mutation configures the mutation runs (root, work directory, parallelism, timeouts,
	// progress); its Faults restricts the catalog (empty: every fault of a reached API).
	Mutation mutation.Options
	// Unobserved is UnobservedWorst (the default when empty) or UnobservedStrict.
	Unobserved string
}

// Result is a prove run: the section for the reports and the matrix it was computed from.
type Result struct {
	DetectionPower *report.DetectionPower
	Matrix         []mutation.ConfigurationResult
}

// OK reports whether the run's evidence holds up: the mock configured as observed passes
// without a fault, and no planted deviation leaves a requirement reported as pass.
func (r *Result) OK() bool {
	return r.DetectionPower.Valid && len(r.DetectionPower.Survivors) == 0
}

// Prove plants the fault catalog on the reference mock configured with the readings and
// the mode the run observed, and says how many of the deviations the run would catch.
// runDigest identifies the run's Ginkgo JSON report (report.RunDigest).
func Prove(ctx context.Context, run *runrecord.Run, runDigest string, opts Options) (*Result, error) {
	plan, err := PlanOf(run)
	if err != nil {
		return nil, err
	}
	if opts.Unobserved == "" {
		opts.Unobserved = UnobservedWorst
	}
	configs, err := plan.Configurations(opts.Unobserved)
	if err != nil {
		return nil, err
	}
	mopts := opts.Mutation
	mopts.Faults, err = faultsFor(plan.APIs, mopts.Faults)
	if err != nil {
		return nil, err
	}
	matrix, err := mutation.RunMatrix(ctx, mopts, configs)
	if err != nil {
		return nil, fmt.Errorf("prove: %w", err)
	}
	d := detectionPower(plan, opts.Unobserved, matrix)
	d.RunDigest = runDigest
	return &Result{DetectionPower: d, Matrix: matrix}, nil
}

// faultsFor selects the faults of the reached APIs, among the named ones when any are.
func faultsFor(apis, names []string) ([]string, error) {
	for _, n := range names {
		if err := mock.CheckFault(n); err != nil {
			return nil, fmt.Errorf("prove: %w", err)
		}
	}
	var out []string
	for _, f := range mock.Faults() {
		if slices.Contains(apis, string(f.API)) && (len(names) == 0 || slices.Contains(names, f.Name)) {
			out = append(out, f.Name)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("prove: no fault of the catalog is planted on the APIs the run reached (%s)", strings.Join(apis, ", "))
	}
	return out, nil
}

// detectionPower takes each fault's worst outcome over the configurations and writes the
// section.
func detectionPower(plan *Plan, unobserved string, matrix []mutation.ConfigurationResult) *report.DetectionPower {
	d := &report.DetectionPower{AllowMutating: plan.AllowMutating, Profile: plan.Profile, Unobserved: unobserved,
		APIs: plan.APIs, ObservedEntries: len(plan.Observed), RegisterEntries: len(catalog.Default().Ambiguities), Readings: plan.Readings, Configurations: []string{}, Valid: true,
		Problems: slices.Clone(plan.Notes), NotDistinguishable: []report.UndetectedFault{}, Survivors: []report.UndetectedFault{}}
	for _, c := range matrix {
		d.Configurations = append(d.Configurations, c.Name)
		if !c.Baseline.Passed {
			d.Valid = false
			d.Problems = append(d.Problems, baselineProblem(c))
		}
	}
	if len(matrix) == 0 {
		return d
	}
	for _, first := range matrix[0].Mutants {
		worst, where := first, matrix[0].Name
		for _, c := range matrix[1:] {
			if m, ok := c.Mutant(first.Fault); ok && m.Outcome.Worse(worst.Outcome) {
				worst, where = m, c.Name
			}
		}
		d.Total++
		if worst.Killed() {
			d.Caught++
			continue
		}
		u := report.UndetectedFault{Fault: worst.Fault, API: worst.API, Description: worst.Description, Outcome: string(worst.Outcome),
			Configuration: where, Requirements: []report.DetectionRequirement{}}
		for _, st := range worst.Statuses {
			u.Requirements = append(u.Requirements, report.DetectionRequirement{ID: st.ID, Status: st.Status, Reason: st.Reason})
		}
		if worst.Outcome.Honest() {
			d.NotDistinguishable = append(d.NotDistinguishable, u)
		} else {
			d.Survivors = append(d.Survivors, u)
		}
	}
	sortFaults(d.NotDistinguishable)
	sortFaults(d.Survivors)
	d.Summary = summary(d)
	return d
}

func sortFaults(fs []report.UndetectedFault) {
	slices.SortFunc(fs, func(a, b report.UndetectedFault) int { return strings.Compare(a.Fault, b.Fault) })
}

func baselineProblem(c mutation.ConfigurationResult) string {
	var texts []string
	for _, r := range c.Baseline.Runs {
		for _, f := range r.Failures {
			texts = append(texts, f.Text)
		}
	}
	msg := fmt.Sprintf("the reference mock configured as %s failed the suites without any planted fault, so its kills prove nothing", c.Name)
	if c.Baseline.Error != "" {
		msg += ": " + c.Baseline.Error
	}
	if len(texts) > 0 {
		msg += fmt.Sprintf(" (%d failed spec(s), first: %s)", len(texts), texts[0])
	}
	return msg
}

// summary is the sentence of the section.
func summary(d *report.DetectionPower) string {
	mode := "mutating allowed"
	if !d.AllowMutating {
		mode = "read-only"
	}
	observed := fmt.Sprintf("readings of %d of %d register entries observed, %d of them non-strict", d.ObservedEntries, d.RegisterEntries, len(d.Readings))
	switch {
	case d.ObservedEntries == d.RegisterEntries:
	case d.Unobserved == UnobservedStrict:
		observed += ", the others taken strict"
	default:
		observed += ", the others at their worst reading"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "On an implementation that reads the documents as this target does (%s; %s), this run would catch %d of %d planted deviations",
		mode, observed, d.Caught, d.Total)
	list := func(fs []report.UndetectedFault) string {
		var out []string
		for _, f := range fs {
			var reqs []string
			for _, q := range f.Requirements {
				reqs = append(reqs, q.ID+" "+q.Status)
			}
			out = append(out, fmt.Sprintf("%s (%s)", f.Fault, strings.Join(reqs, ", ")))
		}
		return strings.Join(out, "; ")
	}
	if len(d.NotDistinguishable) > 0 {
		fmt.Fprintf(&b, "; not distinguishable: %s", list(d.NotDistinguishable))
	} else {
		b.WriteString("; not distinguishable: none")
	}
	if len(d.Survivors) > 0 {
		fmt.Fprintf(&b, "; would pass unnoticed: %s", list(d.Survivors))
	}
	if !d.Valid {
		b.WriteString(" — not established: the mock configured as observed fails without a fault")
	}
	b.WriteString(".")
	return b.String()
}
