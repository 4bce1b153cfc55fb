package vbs_test

import (
	"github.com/koobackup/conformance/internal/conformance"
	"github.com/koobackup/conformance/internal/referencemock"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
)

var _ = Describe("VBS explore", Label("api:vbs", conformance.ExploreLabel), func() {
	/*
		Testname: VBS, generated requests
		Requirement: vbs-documented-status, vbs-error-envelope-shape, vbs-fault-precedence, vbs-unknown-volume-fails, vbs-each-resource-once
		Description: Requests generated from the spec, valid ones and ones carrying one, two or
		three faults of the vocabulary derived from the spec, MUST never be answered with a
		5xx, MUST never be answered with a 2xx when a fault no register reading lets through
		is present, MUST be answered with a documented status and body or an answer a reading
		of a governing register entry states, and the reading of the unknown-volume entry
		MUST be the same for every list size and id length. A 200 MUST report every requested
		resource exactly once across success_resources and fail_resources, for lists longer
		than any other probe sends. The same ids in another order or spelt in the other
		alphabet (ASCII or multi-byte), and the same request presented differently (member
		order, white space, header case), MUST get the same answer. Every request names only
		ids that cannot exist, so no request can change state. The seed is printed;
		CONFORMANCE_EXPLORE_SEED and CONFORMANCE_EXPLORE_BUDGET rerun or lengthen it.
	*/
	It("answers generated requests as the documents and the register allow",
		conformance.Req(specfacts.ReqVBSDocumentedStatus, specfacts.ReqVBSErrorEnvelopeShape, specfacts.ReqVBSFaultPrecedence, specfacts.ReqVBSUnknownVolumeFails, specfacts.ReqVBSEachResourceOnce),
		func(ctx SpecContext) { conformance.Explore(ctx, specfacts.VBS) })

	claim := conformance.ExploreClaim(specfacts.VBS)
	/*
		Testname: VBS, generated call sequences
		Requirement: vbs-partial-failure, vbs-each-resource-once, vbs-reassociate, vbs-unknown-volume-fails
		Description: Generated call sequences over free volumes (as many as the target file's
		explore_budget states) and volumes that do not exist — associations,
		re-associations, batches mixing the two, batches carrying a fault no reading lets
		through — MUST be answered as the reference model answers them, taking the register
		readings the sequence observed: a refused request MUST associate nothing, every
		requested volume MUST be reported exactly once, in the list the model puts it in. A
		finding is shrunk to the shortest sequence and printed with the seed; the volumes the
		sequences used up are recorded in the ledger.
	*/
	It("answers generated call sequences as the reference model does", conformance.Mutating,
		conformance.Req(specfacts.ReqVBSPartialFailure, specfacts.ReqVBSEachResourceOnce, specfacts.ReqVBSReassociate, specfacts.ReqVBSUnknownVolumeFails),
		func(ctx SpecContext) { conformance.ExploreSequences(ctx, specfacts.VBS, claim, referencemock.Model) })
})
