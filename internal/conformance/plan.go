package conformance

import (
	"net/http"
	"os"

	"github.com/koobackup/conformance/internal/runrecord"
	. "github.com/onsi/ginkgo/v2"
)

// Plan mode (runrecord.PlanEnvVar) lets `conformance target check` say which specs a
// target file would run, from the same labels, reservations and skip rules as a real run.
func planning() bool { return os.Getenv(runrecord.PlanEnvVar) == "1" }

// planTransport stands in for the network in plan mode. Skip unwinds through
// http.Client.Do, which calls RoundTrip on the caller's goroutine; a spec that sends from a
// goroutine of its own must defer GinkgoRecover there, as Ginkgo asks for any assertion.
type planTransport struct{}

func (planTransport) RoundTrip(*http.Request) (*http.Response, error) {
	AddReportEntry(runrecord.EntryPlanWouldRun, "would send requests", ReportEntryVisibilityNever)
	Skip("plan mode: the spec would run (stopped before its first request)")
	return nil, nil
}

// StopIfPlanning stops a spec in plan mode as its first request would: for specs that send
// through a client of their own making or from goroutines, where planTransport cannot.
func StopIfPlanning() {
	GinkgoHelper()
	if planning() {
		AddReportEntry(runrecord.EntryPlanWouldRun, "would send requests", ReportEntryVisibilityNever)
		Skip("plan mode: the spec would run (stopped before its first request)")
	}
}
