package conformance

import (
	"context"
	"fmt"
	"os"

	"github.com/koobackup/conformance/internal/explore"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
	. "github.com/onsi/ginkgo/v2"
)

// Explore sends the generated requests of internal/explore to one API of the target and
// fails the current spec with the shrunk minimal case of a finding. A passing exploration
// records what it covered and the allowed exchange with the most faults as its evidence;
// one the target stopped answering is inconclusive. Its requests name only ids that cannot
// exist: the call sequences, which spend pooled ids, are ExploreSequences.
func Explore(ctx context.Context, api specfacts.API) {
	GinkgoHelper()
	env := Current()
	StopIfPlanning()
	opts, err := explore.SuiteOptions(api, env.Target, env.Client, os.LookupEnv)
	if err != nil {
		Fail(err.Error())
	}
	opts.Phases = []explore.Phase{explore.PhaseRequests}
	runExplore(ctx, api, opts)
}

// ExploreClaim claims the pooled ids an API's call sequences may spend: as many as the
// target file's explore_budget states, from what every hand-picked spec's claim left.
// Call it while the spec tree is built, beside the spec that calls ExploreSequences.
func ExploreClaim(api specfacts.API) *Reservation {
	pool := poolOf(api)
	return ReserveUpTo(pool, "explore/"+string(api), func(t *target.Target) int { return explore.BudgetOf(t, string(pool)) })
}

// ExploreSequences sends generated call sequences over the claimed ids to one API and checks
// every answer against model (referencemock.Model: the suites pass the reference mock in,
// since the engine does not link it), failing the current spec with the shrunk minimal
// sequence of a finding. The ids the sequences used up are recorded as consumed, so that the
// run's ledger stage keeps them. Without a budget, or with no id left to claim, the spec is
// skipped with the reason.
func ExploreSequences(ctx context.Context, api specfacts.API, claim *Reservation, model explore.Model) {
	GinkgoHelper()
	env := Current()
	ids := claim.IDs()
	if len(ids) == 0 {
		if explore.BudgetOf(env.Target, string(claim.pool)) == 0 {
			SkipBecause(fmt.Sprintf("the target file states no explore_budget for %s: call sequences spend pooled ids only where it does", claim.pool))
		}
		SkipBecause(fmt.Sprintf("%s has no id left for call sequences after the hand-picked specs' claims", claim.pool))
	}
	StopIfPlanning()
	opts, err := explore.SuiteOptions(api, env.Target, env.Client, os.LookupEnv)
	if err != nil {
		Fail(err.Error())
	}
	opts.Phases = []explore.Phase{explore.PhaseSequences}
	opts.Model = model
	if api == specfacts.KooPhone {
		opts.Pools.OwnedInstances = ids
	} else {
		opts.Pools.Volumes = ids
	}
	runExplore(ctx, api, opts)
}

// runExplore runs one exploration for the current spec: it records the coverage, the ids
// consumed and the evidence, and fails with a finding.
func runExplore(ctx context.Context, api specfacts.API, opts explore.Options) {
	GinkgoHelper()
	opts.Log = GinkgoWriter
	res, err := explore.Run(ctx, opts)
	if err != nil {
		Fail(err.Error())
	}
	GinkgoWriter.Printf("explore %s: seed %d (%s=%d reruns it)\n", api, res.Seed, explore.SeedEnv, res.Seed)
	spec := CurrentSpecReport().FullText()
	for _, a := range res.APIs {
		AddReportEntry(explore.ReportEntry, res.Record(a), ReportEntryVisibilityNever)
		for _, c := range a.Consumed {
			c.Spec = spec
			consumption.sent(Pool(c.Pool), []string{c.ID})
			if consumption.add(Pool(c.Pool), c.ID, consumed{spec: spec, reason: c.Reason, status: c.Status}) {
				AddReportEntry(runrecord.EntryConsumed, c, ReportEntryVisibilityNever)
			}
		}
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
