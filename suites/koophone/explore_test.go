package koophone_test

import (
	"github.com/koobackup/conformance/internal/conformance"
	"github.com/koobackup/conformance/internal/referencemock"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
)

var _ = Describe("KooPhone explore", Label("api:koophone", conformance.ExploreLabel), func() {
	/*
		Testname: KooPhone, generated requests
		Requirement: koophone-client-errors-are-400, koophone-documented-status, koophone-error-envelope-shape, koophone-several-faults-refused, koophone-instance-id-max-length
		Description: Requests generated from the spec, valid ones and ones carrying one, two or
		three faults of the vocabulary derived from the spec, MUST never be answered with a
		5xx, MUST never be answered with a 2xx when a fault no register reading lets through
		is present, MUST be answered with a documented status and body or an answer a reading
		of a governing register entry states, and the reading of the unknown-instance entry
		MUST be the same for every list size and id length. Ids of every length up to the
		maximum, in ASCII or multi-byte characters within the limit in characters and in bytes,
		MUST get the same answer as the same ids spelt in the other alphabet; the same ids in
		another order and the same request presented differently MUST get the same answer.
		Every request names only ids that cannot exist, so no request can change state. The
		seed is printed; CONFORMANCE_EXPLORE_SEED and CONFORMANCE_EXPLORE_BUDGET rerun or
		lengthen it.
	*/
	It("answers generated requests as the documents and the register allow",
		conformance.Req(specfacts.ReqKooPhoneClientErrorsAre400, specfacts.ReqKooPhoneDocumentedStatus, specfacts.ReqKooPhoneErrorEnvelopeShape, specfacts.ReqKooPhoneSeveralFaultsRefused, specfacts.ReqKooPhoneInstanceIDMaxLength),
		func(ctx SpecContext) { conformance.Explore(ctx, specfacts.KooPhone) })

	claim := conformance.ExploreClaim(specfacts.KooPhone)
	/*
		Testname: KooPhone, generated call sequences
		Requirement: koophone-rejected-request-changes-nothing, koophone-released-instance-refused, koophone-cmd-jobs-cover-request, koophone-instance-permissions
		Description: Generated call sequences over owned instances (as many as the target
		file's explore_budget states), instances of another tenant and ids that cannot exist
		— backups, repeated backups, batches mixing the three, batches carrying a fault no
		reading lets through — MUST be answered as the reference model answers them, taking
		the register readings the sequence observed: a refused batch MUST change nothing, no
		instance MUST be backed up twice (only named again with its job, under the
		idempotent reading of koophone-rebackup-code), and every instance of a 200 MUST have
		exactly one job. A finding is shrunk to the shortest sequence and printed with the
		seed; the instances the sequences used up are recorded in the ledger.
	*/
	It("answers generated call sequences as the reference model does", conformance.Mutating,
		conformance.Req(specfacts.ReqKooPhoneRejectedRequestChangesNothing, specfacts.ReqKooPhoneReleasedInstanceRefused, specfacts.ReqKooPhoneCmdJobsCoverRequest, specfacts.ReqKooPhoneInstancePermissions),
		func(ctx SpecContext) {
			conformance.ExploreSequences(ctx, specfacts.KooPhone, claim, referencemock.Model)
		})
})
