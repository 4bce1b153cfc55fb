package explore

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/koobackup/conformance/internal/ledger"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
)

// Pools are the pooled ids call sequences may name, in the order they are taken: the
// KooPhone tenant's owned instances and the VBS project's free volumes. Each id is named by
// one sequence at most; the ids a sequence named are never handed to another, whatever the
// target answered, because a refused request may have changed them all the same.
type Pools struct {
	OwnedInstances []string `json:"owned_instance_ids,omitempty"`
	Volumes        []string `json:"volume_ids,omitempty"`
}

// of returns the pool an API's sequences draw from.
func (p Pools) of(api specfacts.API) []string {
	if api == specfacts.KooPhone {
		return p.OwnedInstances
	}
	return p.Volumes
}

// poolName is the target file's key of the pool an API's sequences draw from, as the
// ledger names it.
func poolName(api specfacts.API) string {
	if api == specfacts.KooPhone {
		return ledger.OwnedInstances
	}
	return ledger.FreeVolumes
}

// FreshPools returns the ids a run's call sequences may name: none unless the target file
// says allow_mutating: true, else the first ids of each pool that consumed (pool key →
// ids, as the ledger names them) does not list, at most as many as the file's
// explore_budget states for the pool (none when it states no budget).
func FreshPools(t *target.Target, consumed map[string][]string) Pools {
	if t == nil || !t.AllowMutating || t.ExploreBudget == nil {
		return Pools{}
	}
	take := func(pool string, n int) []string {
		var out []string
		for _, id := range ledger.Listed(t, pool) {
			if len(out) >= n {
				break
			}
			if !slices.Contains(consumed[pool], id) {
				out = append(out, id)
			}
		}
		return out
	}
	return Pools{
		OwnedInstances: take(ledger.OwnedInstances, t.ExploreBudget.OwnedInstanceIDs),
		Volumes:        take(ledger.FreeVolumes, t.ExploreBudget.VolumeIDs),
	}
}

// BudgetOf is how many ids of the pool the target file lets explore name per run: 0 unless
// the file says allow_mutating: true and states an explore_budget.
func BudgetOf(t *target.Target, pool string) int {
	if t == nil || !t.AllowMutating || t.ExploreBudget == nil {
		return 0
	}
	if pool == ledger.OwnedInstances {
		return t.ExploreBudget.OwnedInstanceIDs
	}
	return t.ExploreBudget.VolumeIDs
}

// spending hands out an API's pooled ids and keeps what the target did with them.
type spending struct {
	api  specfacts.API
	pool []string
	// next is the first id no sequence has named.
	next int
	// share is how many ids exploration may take; shrinking a finding may take the rest.
	share int
	// consumed are the ids the target used up, or may have, by id.
	consumed map[string]runrecord.Consumed
	order    []string
}

// shrinkReserve is what exploration leaves of the pool, at most half of it, so that a
// finding found late can still be shrunk with fresh ids: a sequence shrinks to its minimal
// case with a few of them, since a plan sent before costs none.
const shrinkReserve = 16

func newSpending(api specfacts.API, pool []string) *spending {
	return &spending{api: api, pool: pool, share: len(pool) - min(len(pool)/2, shrinkReserve), consumed: map[string]runrecord.Consumed{}}
}

// take returns a fresh id, or false when the budget (exploration's share, unless shrinking)
// is spent.
func (s *spending) take(shrinking bool) (string, bool) {
	if s.next >= len(s.pool) || (!shrinking && s.next >= s.share) {
		return "", false
	}
	s.next++
	return s.pool[s.next-1], true
}

// named counts the pooled ids sequences named.
func (s *spending) named() int { return s.next }

// spent reports whether no fresh id is left at all.
func (s *spending) spent() bool { return s.next >= len(s.pool) }

// exhausted reports whether exploration has no fresh id left.
func (s *spending) exhausted() bool { return s.next >= s.share }

// note records what one answer did to the pooled ids its request named: a 2xx used them up
// (but a VBS volume the answer lists only as failed), no answer or a 5xx may have, and so
// may an answer unlike the model's. A refusal the model agrees with used up nothing.
func (s *spending) note(ids []string, a Answer, answered, unlikeModel bool) {
	reason := ""
	switch {
	case !answered || a.Status >= http.StatusInternalServerError || unlikeModel:
		reason = runrecord.ConsumedUnknown
	case a.Status >= 200 && a.Status < 300:
		reason = runrecord.ConsumedCarriedOut
		if s.api == specfacts.VBS {
			ids = withoutOnlyFailed(a, ids)
		}
	default:
		return
	}
	for _, id := range ids {
		if _, ok := s.consumed[id]; ok {
			continue
		}
		s.consumed[id] = runrecord.Consumed{API: string(s.api), Pool: poolName(s.api), ID: id, Reason: reason, Status: a.Status}
		s.order = append(s.order, id)
	}
}

// list returns the consumed ids in the order they were used up.
func (s *spending) list() []runrecord.Consumed {
	out := make([]runrecord.Consumed, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.consumed[id])
	}
	return out
}

// withoutOnlyFailed drops the volumes a VBS 200 lists as failed and not as associated.
func withoutOnlyFailed(a Answer, ids []string) []string {
	success, fail := vbsLists(a)
	var out []string
	for _, id := range ids {
		if slices.Contains(fail, id) && !slices.Contains(success, id) {
			continue
		}
		out = append(out, id)
	}
	return out
}

// SpentLine says what an API's sequences did with the pool, for the summary.
func (a *APIResult) SpentLine() string {
	if a.Sequences == nil {
		return ""
	}
	sq := a.Sequences
	var b strings.Builder
	fmt.Fprintf(&b, "  call sequences: %d, %d requests; %s: %d of %d ids named, %d used up", sq.Sequences, sq.Requests, poolName(a.API), sq.Named, sq.Budget, len(a.Consumed))
	if len(sq.Learned) > 0 {
		var rs []string
		for _, e := range sortedKeys(sq.Learned) {
			rs = append(rs, e+"="+sq.Learned[e])
		}
		fmt.Fprintf(&b, "; readings the model took from the answers: %s", strings.Join(rs, ", "))
	}
	if sq.Skipped != "" {
		fmt.Fprintf(&b, "; %s", sq.Skipped)
	}
	return b.String() + "\n"
}
