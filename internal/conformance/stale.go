package conformance

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// FirstUse judges the first request of a run that names a fresh pooled id with expect, and
// tells a stale pool from a deviating target. A pooled id can be spent without the ledger
// knowing (another tool backed it up, a run kept no ledger): the target then refuses it as
// already backed up or associated, and expect fails although the target did nothing wrong.
// When expect fails on a refusal of a request that names one pooled id, sent for the first
// time in this run, the same request is sent with a spare fresh id of the pool, then once
// more. If the target carries the spare out and refuses its repeat exactly as it refused the
// probe, the probe's id was spent before the run: the spec is skipped as a stale pool, the id
// named and added to the ledger, never failed. If the target refuses the fresh id too, or
// answers its repeat otherwise, the failure stands.
func (e *Env) FirstUse(x *Exchange, expect func()) {
	GinkgoHelper()
	failures := InterceptGomegaFailures(expect)
	if len(failures) == 0 {
		return
	}
	if reason, ok := e.stale(x); ok {
		SkipBecause(reason)
	}
	Fail(strings.Join(failures, "\n"))
}

// stale runs the control of FirstUse and returns the skip reason when the pool is stale.
func (e *Env) stale(x *Exchange) (string, bool) {
	GinkgoHelper()
	pool := poolOf(x.Request.API)
	ids := pooledIn(x.Request.Body, pools.listedIn(pool))
	if len(ids) != 1 || consumption.timesSent(pool, ids[0]) != 1 || !refusedLikeSpent(x, ids[0]) {
		return "", false
	}
	id := ids[0]
	spare, ok := pools.spare(pool)
	if !ok {
		return "", false
	}
	By("sending the same request with a fresh id, to learn whether " + id + " was spent before this run")
	control := x.Request
	control.Body = bytes.ReplaceAll(x.Request.Body, []byte(`"`+id+`"`), []byte(`"`+spare+`"`))
	c := e.Send(control)
	if !carriedOut(c, spare) {
		return "", false
	}
	By("repeating it, to learn how the target answers an id already spent")
	again := e.Send(control)
	if again.Err != nil || again.Status != x.Status || wireCode(again) != wireCode(x) {
		return "", false
	}
	AddReportEntry(runrecord.EntryConsumed, runrecord.Consumed{API: string(x.Request.API), Pool: string(pool), ID: id,
		Spec: CurrentSpecReport().FullText(), Reason: runrecord.ConsumedStale, Status: x.Status}, ReportEntryVisibilityNever)
	known := "though the target's ledger " + earlier.Path + " does not list it"
	if earlier.Path == "" {
		known = "and no ledger is kept for this target"
	}
	return fmt.Sprintf("stale pool: %s id %q was refused at its first use in this run (%d %s), %s; the same request with the fresh id %q was carried out and, repeated, refused the same way, so %q was spent before this run (by another tool, or a run that kept no ledger); it is now recorded as consumed. Remove it from the target file or reset the target; this spec did not evaluate its requirements",
		pool, id, x.Status, wireCode(x), known, spare, id), true
}

// refusedLikeSpent reports whether x is an answer a spent id may get: a request error, or a
// VBS 200 that lists the id as failed and not associated.
func refusedLikeSpent(x *Exchange, id string) bool {
	if x.Err != nil {
		return false
	}
	if x.Status >= 400 && x.Status < 500 {
		return true
	}
	if x.Request.API == specfacts.VBS && x.Status >= 200 && x.Status < 300 {
		return len(withoutOnlyFailed(x, []string{id})) == 0
	}
	return false
}

// carriedOut reports whether the target acted on the id: a 2xx, and for VBS the id among the
// associated resources.
func carriedOut(c *Exchange, id string) bool {
	if c.Err != nil || c.Status < 200 || c.Status >= 300 {
		return false
	}
	if c.Request.API != specfacts.VBS {
		return true
	}
	var res struct {
		Success []ResultItem `json:"success_resources"`
	}
	if c.JSON(&res) != nil {
		return false
	}
	for _, it := range res.Success {
		if it.ResourceID == id {
			return true
		}
	}
	return false
}

// spare returns a spare id of the pool this process has not named in any request yet.
func (p *poolRegistry) spare(pool Pool) (string, bool) {
	p.mu.Lock()
	candidates := append([]string(nil), p.spares[pool]...)
	p.mu.Unlock()
	for _, id := range candidates {
		if consumption.timesSent(pool, id) == 0 {
			return id, true
		}
	}
	return "", false
}
