package targetcheck

import (
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/onsi/ginkgo/v2/types"
)

func spec(text string, state types.SpecState, labels []string, entries ...string) types.SpecReport {
	r := types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: text, LeafNodeLabels: labels, State: state}
	for _, e := range entries {
		name, value, _ := strings.Cut(e, "=")
		r.ReportEntries = append(r.ReportEntries, types.ReportEntry{Name: name, Value: types.WrapEntryValue(value)})
	}
	return r
}

// A spec stopped at its first request or finished without one runs; a skipped spec carries the suite's reason; a failed one makes the plan an error.
func TestSpecsOfReadsPlanReport(t *testing.T) {
	rep := types.Report{SuiteSucceeded: true, SpecReports: types.SpecReports{
		spec("sends", types.SpecStateSkipped, []string{"api:koophone"}, runrecord.EntryPlanWouldRun+"=would send requests"),
		spec("local only", types.SpecStatePassed, []string{"api:vbs"}),
		spec("needs a pool", types.SpecStateSkipped, []string{"api:koophone", "mutating"}, "skip-reason=pool too small"),
	}}
	got, err := specsOf([]types.Report{rep})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !got[0].Runs || got[0].API != "koophone" || !got[1].Runs || got[2].Runs || got[2].Reason != "pool too small" {
		t.Fatalf("got %+v", got)
	}
	rep.SpecReports = append(rep.SpecReports, spec("broken", types.SpecStateFailed, nil))
	if _, err := specsOf([]types.Report{rep}); err == nil || !strings.Contains(err.Error(), "failed in plan mode") {
		t.Fatalf("a failed spec did not fail the plan: %v", err)
	}
}

// A failed suite set-up (a missing variable, an unreachable IAM) is reported as such, not as zero specs.
func TestSpecsOfSetupFailure(t *testing.T) {
	setup := types.SpecReport{LeafNodeType: types.NodeTypeSynchronizedBeforeSuite, State: types.SpecStateFailed,
		Failure: types.Failure{Message: "conformance: target file: vbs.auth_token_env: environment variable X is not set"}}
	_, err := specsOf([]types.Report{{SpecReports: types.SpecReports{setup}}})
	if err == nil || !strings.Contains(err.Error(), "environment variable X is not set") {
		t.Fatalf("got %v", err)
	}
}
