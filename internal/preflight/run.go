package preflight

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/target"
	"github.com/onsi/ginkgo/v2/reporters"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

// TargetRecord is the target entry a suite would have recorded for t (no tokens, URLs
// redacted), for a run whose suites did not start.
func TargetRecord(t *target.Target, profile string, red *redact.Redactor) runrecord.Target {
	if profile == "" {
		profile = runrecord.ProfileDefault
	}
	rec := runrecord.Target{Name: red.String(t.Name), Profile: profile, AllowMutating: t.AllowMutating,
		FaultInjection: t.FaultInjection, Timeout: t.RequestTimeout().String()}
	if t.KooPhone != nil {
		rec.KooPhoneURL = red.String(t.KooPhone.BaseURL)
	}
	if t.VBS != nil {
		rec.VBSURL = red.String(t.VBS.BaseURL)
	}
	return rec
}

// SuiteReports is the Ginkgo record of a run whose suites did not start because no API of
// the target answered the preflight: one suite per unreachable API, holding one aborted
// set-up node with the target and unreachable entries — what a suite aborted by its own
// preflight records (internal/conformance), so internal/report reads both alike.
func SuiteReports(tgt runrecord.Target, unreachable []runrecord.Unreachable, start, end time.Time) []ginkgotypes.Report {
	loc := ginkgotypes.CodeLocation{FileName: "conformance preflight"}
	var out []ginkgotypes.Report
	for _, u := range unreachable {
		entry := func(name string, v any) ginkgotypes.ReportEntry {
			return ginkgotypes.ReportEntry{Visibility: ginkgotypes.ReportEntryVisibilityNever, Location: loc,
				Time: end, Name: name, Value: ginkgotypes.WrapEntryValue(v)}
		}
		out = append(out, ginkgotypes.Report{
			SuitePath:        "suites/" + u.API,
			SuiteDescription: u.API + " conformance (not started: the preflight got no answer)",
			SuiteSucceeded:   false,
			StartTime:        start, EndTime: end, RunTime: end.Sub(start),
			SpecReports: ginkgotypes.SpecReports{{
				LeafNodeType:     ginkgotypes.NodeTypeSynchronizedBeforeSuite,
				LeafNodeLocation: loc,
				State:            ginkgotypes.SpecStateAborted,
				StartTime:        start, EndTime: end, RunTime: end.Sub(start),
				ParallelProcess: 1,
				Failure: ginkgotypes.Failure{Message: u.String(), Location: loc,
					FailureNodeType: ginkgotypes.NodeTypeSynchronizedBeforeSuite, FailureNodeLocation: loc,
					FailureNodeContext: ginkgotypes.FailureNodeIsLeafNode},
				ReportEntries: ginkgotypes.ReportEntries{entry(runrecord.EntryTarget, tgt), entry(runrecord.EntryUnreachable, u)},
			}},
		})
	}
	return out
}

// WriteRun writes reports as the merged Ginkgo JSON report ginkgoPath and the JUnit report
// junitPath, the two files a run of the suites leaves for internal/report.
func WriteRun(reports []ginkgotypes.Report, ginkgoPath, junitPath string) error {
	if len(reports) == 0 {
		return errors.New("preflight: no suite report to write")
	}
	dir := filepath.Dir(ginkgoPath)
	var jsons, junits []string
	for _, r := range reports {
		name := strings.TrimPrefix(r.SuitePath, "suites/")
		j, x := filepath.Join(dir, ".preflight."+name+".ginkgo.json"), filepath.Join(dir, ".preflight."+name+".junit.xml")
		if err := reporters.GenerateJSONReport(r, j); err != nil {
			return fmt.Errorf("preflight: %w", err)
		}
		if err := reporters.GenerateJUnitReport(r, x); err != nil {
			return fmt.Errorf("preflight: %w", err)
		}
		jsons, junits = append(jsons, j), append(junits, x)
	}
	if msgs, err := reporters.MergeAndCleanupJSONReports(jsons, ginkgoPath); err != nil || len(msgs) > 0 {
		return fmt.Errorf("preflight: merge Ginkgo reports: %w", errors.Join(err, errors.New(strings.Join(msgs, "; "))))
	}
	if msgs, err := reporters.MergeAndCleanupJUnitReports(junits, junitPath); err != nil || len(msgs) > 0 {
		return fmt.Errorf("preflight: merge JUnit reports: %w", errors.Join(err, errors.New(strings.Join(msgs, "; "))))
	}
	for _, p := range append(jsons, junits...) {
		_ = os.Remove(p) // merged; Merge removes them too, this covers a partial failure
	}
	return nil
}
