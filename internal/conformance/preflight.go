package conformance

import (
	"context"
	"errors"
	"fmt"

	"github.com/koobackup/conformance/internal/preflight"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
)

// UnreachableEntry names the report entry a suite emits when an API of the target gives no
// answer; the report builder turns every requirement of that API that did not run into
// not-evaluated (target unreachable), instead of a wall of failures that are not findings.
const UnreachableEntry = runrecord.EntryUnreachable

// Unreachable is the value of an UnreachableEntry.
type Unreachable = runrecord.Unreachable

// preflightSuite runs on process 1 before any spec. `make conformance` and `conformance run`
// have probed every API of the target already (internal/preflight) and say so through the
// handoff file: an API named there as unreachable stops its suite at once, with the same
// line. Without a handoff (a direct ginkgo or go test run) the suite sends its own harmless
// request, so a dead or hung target still costs one timeout per API rather than one per spec.
func preflightSuite(ctx context.Context, api specfacts.API, raw []byte, builtIn bool) {
	GinkgoHelper()
	env, err := newEnv(raw)
	if err != nil {
		Fail(err.Error())
	}
	if !env.hasSection(api) || planning() {
		// A plan run (conformance target check) sends nothing to the target.
		return
	}
	defer env.Client.CloseIdleConnections()
	env.BuiltIn = builtIn
	u, err := preflight.Recorded(api, env.Redactor.String(env.baseURL(api)))
	if err != nil {
		Fail(err.Error())
	}
	if u == nil {
		u = env.Preflight(ctx, api)
	}
	if u == nil {
		return
	}
	// The suite ends here, before the per-process set-up that records the target.
	AddReportEntry(runrecord.EntryTarget, env.targetEntry(), ReportEntryVisibilityNever)
	abortUnreachable(*u)
}

// Preflight sends internal/preflight's request to the API — no token, ids that cannot
// exist — through the suite's client, and returns what made the target unreachable, or nil
// when any HTTP answer came back (whatever its status: judging it is the suites' job).
func (e *Env) Preflight(ctx context.Context, api specfacts.API) *Unreachable {
	res := preflight.Probe(ctx, e.Client, e.Target, e.Contract, api, e.Redactor)
	if res.Unreachable == nil {
		GinkgoWriter.Printf("preflight: %s answered %d in %s\n", api, res.Status, res.Elapsed)
	}
	return res.Unreachable
}

// abortIfGone aborts the suite once the exchange's API has left MaxNoAnswerStreak
// exchanges in a row unanswered. The API answered its preflight, so the specs that got no
// answer have failed with their evidence and fail their requirements; the ones not yet run
// become not-evaluated (target unreachable).
func (e *Env) abortIfGone(x *Exchange) {
	GinkgoHelper()
	n, gone := e.streak.observe(x)
	if !gone {
		return
	}
	var na *NoAnswerError
	errors.As(x.Err, &na)
	base := e.Redactor.String(e.baseURL(x.Request.API))
	abortUnreachable(Unreachable{API: string(x.Request.API), URL: base,
		Reason: fmt.Sprintf("no answer from %s %s, %d requests in a row", base, na.Summary(), n), Answered: true})
}

// abortUnreachable records the entry and aborts the suite in every process.
func abortUnreachable(u Unreachable) {
	GinkgoHelper()
	AddReportEntry(UnreachableEntry, u, ReportEntryVisibilityNever)
	AbortSuite(u.String())
}
