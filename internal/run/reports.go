package run

import (
	"fmt"
	"io"
	"strings"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/target"
)

// ReportOptions say how a run's record becomes the reports.
type ReportOptions struct {
	// Target is the run's target, for its secrets and metadata.
	Target *target.Target
	// Source says where the target came from, for the summary line.
	Source            string
	Waivers           []report.Waiver
	RequireConclusive bool
	DetectionPower    *report.DetectionPower
}

// maxCausesPrinted bounds the causes a terminal shows; summary.md and conformance.html
// have every one.
const maxCausesPrinted = 10

// BuildReports builds conformance.json, conformance.html and summary.md in out from the
// run's record and prints the verdict line, then the causes (what to fix, one finding per
// deviation, most specs explained first), expired or stale waivers and, under
// RequireConclusive, the requirements left open. It is the one place a run's record becomes
// its reports: `conformance run` and `conformance report build` both end here. It returns
// the run's exit code: 0 the target conforms, 1 it does not.
func BuildReports(rec *runrecord.Run, out string, o ReportOptions, stdout io.Writer) (int, error) {
	opts := report.BuildOptions{Secrets: o.Target.Tokens(), RequireConclusive: o.RequireConclusive, Waivers: o.Waivers,
		DetectionPower: o.DetectionPower,
		Target:         &report.TargetInfo{Name: o.Target.Name, Profile: o.Target.Profile, AllowMutating: o.Target.AllowMutating}}
	if o.Target.KooPhone != nil {
		opts.Target.KooPhoneBaseURL = o.Target.KooPhone.BaseURL
	}
	if o.Target.VBS != nil {
		opts.Target.VBSBaseURL = o.Target.VBS.BaseURL
	}
	r, err := report.Build(rec, catalog.Default(), opts)
	if err != nil {
		return 2, err
	}
	if err := report.WriteAll(r, out); err != nil {
		return 2, err
	}
	name := r.Target.Name
	if name == "" {
		name = "(unnamed)"
	}
	fmt.Fprintf(stdout, "conformance: %s — %s (target %s from %s; %d/%d requirements evaluated; reports in %s)\n",
		strings.ToUpper(r.Verdict), r.VerdictReason, name, o.Source, r.Totals.Evaluated, r.Totals.Requirements, out)
	if err := report.WriteCauses(stdout, r, maxCausesPrinted); err != nil {
		return 2, err
	}
	for _, w := range r.Waivers {
		if w.State == report.WaiverExpired || w.State == report.WaiverStale {
			fmt.Fprintf(stdout, "  waiver %s for %s: %s\n", w.State, w.Requirement, w.Note)
		}
	}
	if r.RequireConclusive && r.Verdict != report.StatusPass {
		for _, q := range r.Requirements {
			if !report.Conclusive(q.Status) {
				fmt.Fprintf(stdout, "  %s %s: %s\n", q.Status, q.ID, q.Reason)
			}
		}
	}
	if r.Verdict != report.StatusPass {
		return 1, nil
	}
	return 0, nil
}
