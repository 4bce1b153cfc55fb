package vbs_test

import (
	"os"

	"github.com/koobackup/conformance/internal/conformance"
	"github.com/koobackup/conformance/internal/explore"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
)

var _ = Describe("VBS explore", Label("api:vbs", "kind:explore"), func() {
	/*
		Testname: VBS, generated requests
		Requirement: vbs-documented-status, vbs-error-envelope-shape, vbs-fault-precedence
		Description: Requests generated from the spec, valid ones and ones carrying one, two or
		three faults of the vocabulary derived from the spec, MUST never be answered with a
		5xx, MUST never be answered with a 2xx when a fault no register reading lets through
		is present, MUST be answered with a documented status and body or an answer a reading
		of a governing register entry states, and the reading of the unknown-volume entry
		MUST be the same for every list size. Every request names only ids that cannot exist,
		so no request can change state. The seed is printed; CONFORMANCE_EXPLORE_SEED and
		CONFORMANCE_EXPLORE_BUDGET rerun or lengthen it.
	*/
	It("answers generated requests as the documents and the register allow",
		conformance.Req(specfacts.ReqVBSDocumentedStatus, specfacts.ReqVBSErrorEnvelopeShape, specfacts.ReqVBSFaultPrecedence),
		func(ctx SpecContext) { runExplore(ctx, specfacts.VBS) })
})

// runExplore explores one API of the suite's target and fails with the minimal case.
func runExplore(ctx SpecContext, api specfacts.API) {
	env := conformance.Current()
	conformance.StopIfPlanning()
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
			AddReportEntry(runrecord.EntryExpectation, a.Finding.Expectation(runrecord.OwningRequirement(runrecord.RequirementsOf(CurrentSpecReport().Labels()))), ReportEntryVisibilityNever)
			Fail(a.Finding.String())
		}
		if a.Sample != nil {
			AddReportEntry(runrecord.EntryEvidence, *a.Sample, ReportEntryVisibilityNever)
		}
		GinkgoWriter.Print(a.Summary())
		if a.Unanswered {
			conformance.Inconclusive("explore stopped before its budget: " + a.Stopped)
		}
	}
}
