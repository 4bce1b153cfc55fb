package conformance

import (
	"context"
	"os"

	"github.com/koobackup/conformance/internal/explore"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
)

// Explore sends the generated requests of internal/explore to one API of the target and
// fails the current spec with the shrunk minimal case of a finding. A passing exploration
// records what it covered and the allowed exchange with the most faults as its evidence;
// one the target stopped answering is inconclusive.
func Explore(ctx context.Context, api specfacts.API) {
	GinkgoHelper()
	env := Current()
	StopIfPlanning()
	opts, err := explore.SuiteOptions(api, env.Target, env.Client, os.LookupEnv)
	if err != nil {
		Fail(err.Error())
	}
	opts.Log = GinkgoWriter
	res, err := explore.Run(ctx, opts)
	if err != nil {
		Fail(err.Error())
	}
	GinkgoWriter.Printf("explore %s: seed %d (%s=%d reruns it)\n", api, res.Seed, explore.SeedEnv, res.Seed)
	for _, a := range res.APIs {
		AddReportEntry(explore.ReportEntry, res.Record(a), ReportEntryVisibilityNever)
		if a.Finding != nil {
			AddReportEntry(runrecord.EntryEvidence, a.Finding.Evidence(), ReportEntryVisibilityNever)
			AddReportEntry(runrecord.EntryExpectation, a.Finding.Expectation(runrecord.OwningRequirement(requirementsOfCurrentSpec())), ReportEntryVisibilityNever)
			Fail(a.Finding.String())
		}
		if a.Sample != nil {
			AddReportEntry(runrecord.EntryEvidence, *a.Sample, ReportEntryVisibilityNever)
		}
		GinkgoWriter.Print(a.Summary())
		if a.Unanswered {
			Inconclusive("explore stopped before its budget: " + a.Stopped)
		}
	}
}
