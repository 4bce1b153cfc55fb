package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
)

// UnreachableEntry names the report entry a suite emits when an API of the target gives no
// answer; the report builder turns every requirement of that API that did not run into
// not-evaluated (target unreachable), instead of a wall of failures that are not findings.
const UnreachableEntry = runrecord.EntryUnreachable

// Unreachable is the value of an UnreachableEntry.
type Unreachable = runrecord.Unreachable

// preflight runs on process 1 before any spec: one harmless request to the suite's API.
// When it gets no HTTP answer, the suite is aborted with one clear line, so a dead or hung
// target costs one timeout per API rather than one per spec.
func preflight(ctx context.Context, api API, raw []byte, builtIn bool) {
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
	u := env.Preflight(ctx, api)
	if u == nil {
		return
	}
	// The suite ends here, before the per-process set-up that records the target.
	AddReportEntry("target", env.targetEntry(), ReportEntryVisibilityNever)
	abortUnreachable(*u)
}

// Preflight sends one request to the API that no implementation can act on — no token, and
// ids that cannot exist — and returns what made the target unreachable, or nil when any
// HTTP answer came back (whatever its status: judging it is the suites' job).
func (e *Env) Preflight(ctx context.Context, api API) *Unreachable {
	x := e.roundTrip(ctx, e.preflightRequest(api))
	var na *NoAnswerError
	if !errors.As(x.Err, &na) {
		GinkgoWriter.Printf("preflight: %s answered %d in %s\n", api, x.Status, x.Elapsed)
		return nil
	}
	base := e.Redactor.String(e.baseURL(api))
	return &Unreachable{API: string(api), URL: base, Reason: fmt.Sprintf("no answer from %s %s", base, na.summary())}
}

// preflightRequest is a request without the token header, for a synthetic instance or an
// unknown policy and volume: even a server that ignored the missing token would find
// nothing to change. It is built from the contract alone, not from the spec helpers.
func (e *Env) preflightRequest(api API) Request {
	c := e.Contract.Constraints()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	var body any
	req := Request{API: api, Header: h}
	switch api {
	case KooPhone:
		h.Set(c.KooPhone.RequestIDHeader, newUUID())
		req.Method, req.Path = c.KooPhone.Method, c.KooPhone.Path
		body = map[string]any{"instance_ids": SyntheticIDs(1)}
	case VBS:
		resourceType := string(specfacts.ResourceTypeVolume)
		if len(c.VBS.ResourceTypes) > 0 {
			resourceType = c.VBS.ResourceTypes[0]
		}
		req.Method, req.Path = c.VBS.Method, c.VBS.Path(e.Target.VBS.ProjectID)
		body = map[string]any{"backup_policy_id": e.Target.VBS.UnknownBackupPolicyID,
			"resources": []map[string]string{{"resource_id": SyntheticUUIDs(1)[0], "resource_type": resourceType}}}
	}
	req.Body, _ = json.Marshal(body)
	return req
}

// abortIfGone aborts the suite once the exchange's API has left MaxNoAnswerStreak
// exchanges in a row unanswered. The specs that got no answer have failed already, with
// their evidence; the ones not yet run become not-evaluated (target unreachable).
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
		Reason: fmt.Sprintf("no answer from %s %s, %d requests in a row", base, na.summary(), n)})
}

// abortUnreachable records the entry and aborts the suite in every process.
func abortUnreachable(u Unreachable) {
	GinkgoHelper()
	AddReportEntry(UnreachableEntry, u, ReportEntryVisibilityNever)
	AbortSuite(u.String())
}
