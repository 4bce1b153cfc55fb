package conformance

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/koobackup/conformance/internal/ledger"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/target"
	. "github.com/onsi/ginkgo/v2"
)

// Pool names a list of ids in the target file that specs consume.
type Pool string

const (
	OwnedInstances Pool = ledger.OwnedInstances
	FreeVolumes    Pool = ledger.FreeVolumes
)

// Reservation is a claim, made while the spec tree is built, on ids of a pool. Claims are
// resolved in BeforeSuite in an order that depends only on the tree (never on which process
// runs which spec), so every `ginkgo -p` process computes the same assignment and no id is
// handed to two specs, and on a live target no instance is released twice by one run.
//
// A claim belongs to one spec, or to one Ordered container whose specs share its ids on
// purpose (a refused request, then a valid one that shows the refusal changed nothing): a
// negative spec never names an id another spec's request may have used up. Inside such a
// container the later specs take their ids through Remaining, which ends them inconclusive,
// naming the spec whose request consumed an id, instead of blaming the target twice.
type Reservation struct {
	pool   Pool
	name   string
	n      int
	filter func(string) bool
	why    string // what the filter wants, for the skip reason
	order  int
	// upTo, for a claim of ReserveUpTo, is how many ids it wants of the target.
	upTo func(*target.Target) int

	ids    []string
	reason string
}

type poolRegistry struct {
	mu    sync.Mutex
	all   []*Reservation
	names map[string]bool
	// spares are ids no claim got that this Ginkgo process may use for the stale-pool
	// control (stale.go): every procs-th leftover, from the proc-th on, so that no two
	// processes share one.
	spares map[Pool][]string
	// listed are every id of each pool the target file lists, to recognise them in requests.
	listed map[Pool]map[string]bool
	states []runrecord.PoolState
}

var pools = &poolRegistry{names: map[string]bool{}}

// Reserve claims n ids of a pool for the spec or container named name (unique).
func Reserve(pool Pool, name string, n int) *Reservation {
	return pools.add(&Reservation{pool: pool, name: name, n: n})
}

// ReserveMatching claims n ids of a pool that satisfy filter; why says what the filter wants.
func ReserveMatching(pool Pool, name string, n int, why string, filter func(string) bool) *Reservation {
	return pools.add(&Reservation{pool: pool, name: name, n: n, filter: filter, why: why})
}

// ReserveUpTo claims, for the spec named name, as many ids of a pool as upTo says for the
// target, from what every other claim left: it is resolved last and met with however many
// are left, none included, so that it never takes an id a fixed claim needs, and it leaves
// sparesPerProcess spares for each process's stale-pool control.
func ReserveUpTo(pool Pool, name string, upTo func(*target.Target) int) *Reservation {
	return pools.add(&Reservation{pool: pool, name: name, upTo: upTo})
}

// sparesPerProcess are the leftover ids a ReserveUpTo claim leaves each Ginkgo process, so
// that a stale id met at its first use can still be told from a deviation (stale.go).
const sparesPerProcess = 2

func (p *poolRegistry) add(r *Reservation) *Reservation {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.names[r.name] {
		panic(fmt.Sprintf("conformance: reservation %q made twice", r.name))
	}
	p.names[r.name] = true
	r.order = len(p.all)
	p.all = append(p.all, r)
	return r
}

func listedIDs(t *target.Target, pool Pool) []string { return ledger.Listed(t, string(pool)) }

// resolve assigns ids: filtered claims first (they have fewest candidates), then smaller
// claims before larger ones, so that a small pool still serves most specs; ties keep tree
// order. Ids an earlier run consumed (the ledger) are never assigned. A claim that cannot be
// met gets a reason instead of ids. What is left over becomes the processes' spares.
func (p *poolRegistry) resolve(t *target.Target, earlier ledger.Earlier, proc, procs int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	available := map[Pool][]string{}
	p.listed = map[Pool]map[string]bool{}
	p.states = nil
	spent := map[Pool]int{}
	for _, pool := range []Pool{OwnedInstances, FreeVolumes} {
		all := listedIDs(t, pool)
		if all == nil && ((pool == OwnedInstances && t.KooPhone == nil) || (pool == FreeVolumes && t.VBS == nil)) {
			continue
		}
		used := map[string]bool{}
		for _, id := range earlier.Consumed[string(pool)] {
			used[id] = true
		}
		p.listed[pool] = map[string]bool{}
		for _, id := range all {
			p.listed[pool][id] = true
			if used[id] {
				spent[pool]++
				continue
			}
			available[pool] = append(available[pool], id)
		}
	}
	ordered := append([]*Reservation(nil), p.all...)
	sort.SliceStable(ordered, func(i, j int) bool {
		a, b := ordered[i], ordered[j]
		if (a.upTo != nil) != (b.upTo != nil) {
			return b.upTo != nil
		}
		if (a.filter != nil) != (b.filter != nil) {
			return a.filter != nil
		}
		if a.n != b.n {
			return a.n < b.n
		}
		return a.order < b.order
	})
	// An id some filtered claim could take is handed to an unfiltered claim last, so that a
	// large claim does not drain the few ids a filtered one needs in later runs.
	wanted := func(pool Pool, id string) bool {
		for _, r := range p.all {
			if r.pool == pool && r.filter != nil && r.filter(id) {
				return true
			}
		}
		return false
	}
	reserved := map[Pool]int{}
	for _, r := range ordered {
		r.ids, r.reason = nil, ""
		if r.upTo != nil {
			r.n = max(0, min(r.upTo(t), len(available[r.pool])-sparesPerProcess*procs))
		}
		free := available[r.pool]
		if r.filter == nil {
			free = append([]string(nil), free...)
			sort.SliceStable(free, func(i, j int) bool { return !wanted(r.pool, free[i]) && wanted(r.pool, free[j]) })
		}
		var picked, rest []string
		for _, id := range free {
			if len(picked) < r.n && (r.filter == nil || r.filter(id)) {
				picked = append(picked, id)
			} else {
				rest = append(rest, id)
			}
		}
		if len(picked) < r.n {
			r.reason = shortReason(r, len(picked), len(listedIDs(t, r.pool)), spent[r.pool], earlier.Path)
			continue
		}
		r.ids = picked
		reserved[r.pool] += r.n
		available[r.pool] = rest
	}
	p.spares = map[Pool][]string{}
	for pool, rest := range available {
		for i, id := range rest {
			if i%procs == proc-1 {
				p.spares[pool] = append(p.spares[pool], id)
			}
		}
	}
	claimed := map[Pool]bool{}
	for _, r := range p.all {
		claimed[r.pool] = true
	}
	for _, pool := range []Pool{OwnedInstances, FreeVolumes} {
		if p.listed[pool] == nil || !claimed[pool] {
			continue
		}
		n := len(listedIDs(t, pool))
		p.states = append(p.states, runrecord.PoolState{Pool: string(pool), Listed: n, ConsumedEarlier: spent[pool],
			Fresh: n - spent[pool], Reserved: reserved[pool], Ledger: earlier.Path})
	}
}

// resolvePools resolves every claim of this process against the target and the ledger
// process 1 shared, and records the pool states.
func resolvePools(t *target.Target) {
	suiteCfg, _ := GinkgoConfiguration()
	pools.resolve(t, earlier, max(1, suiteCfg.ParallelProcess), max(1, suiteCfg.ParallelTotal))
	pools.recordPools()
}

// shortReason says why a claim got no ids: the pool is exhausted by earlier runs (the
// ledger names them), or too small for this run's specs.
func shortReason(r *Reservation, matching, listed, spent int, ledgerPath string) string {
	if listed > 0 && spent == listed {
		return fmt.Sprintf("%s: all %d were consumed by earlier runs; ledger %s (list fresh ids in the target file, or reset the target and delete the ledger)", r.pool, listed, ledgerPath)
	}
	what := "ids"
	if r.why != "" {
		what = "ids " + r.why
	}
	reason := fmt.Sprintf("%s has too few unused %s: this spec needs %d, %d left (each pooled id is used by at most one spec per run)", r.pool, what, r.n, matching)
	if spent > 0 {
		reason += fmt.Sprintf("; %d of the %d listed were consumed by earlier runs (ledger %s)", spent, listed, ledgerPath)
	}
	return reason
}

// recordPools emits the pool states once per suite, on process 1, and says them on the
// progress output.
func (p *poolRegistry) recordPools() {
	p.mu.Lock()
	states := append([]runrecord.PoolState(nil), p.states...)
	p.mu.Unlock()
	if GinkgoParallelProcess() != 1 {
		return
	}
	for _, s := range states {
		AddReportEntry(runrecord.EntryPool, s, ReportEntryVisibilityNever)
		GinkgoWriter.Printf("pool %s\n", s)
	}
}

// IDs returns the reserved ids, or skips the spec with the reason they are missing.
func (r *Reservation) IDs() []string {
	GinkgoHelper()
	if r.reason != "" || len(r.ids) < r.n {
		reason := r.reason
		if reason == "" {
			reason = fmt.Sprintf("%s was not resolved", r.name)
		}
		skipWithReason(reason)
	}
	return append([]string(nil), r.ids...)
}

// Available reports whether the claim was met, without skipping.
func (r *Reservation) Available() bool { return r.reason == "" && len(r.ids) == r.n }

// Remaining returns the reserved ids no earlier request of this run consumed, for a spec
// that follows another in an Ordered container sharing the claim. When fewer than atLeast
// remain, the spec ends inconclusive naming the spec whose request consumed them: that
// spec's finding is the cause, and this one has nothing fresh left to check.
func (r *Reservation) Remaining(atLeast int) []string {
	GinkgoHelper()
	return Remaining(atLeast, r)
}

// Remaining is Reservation.Remaining over the ids of several claims of one pool, for a spec
// that re-checks what the specs before it in its container named (each with a claim of
// its own).
func Remaining(atLeast int, claims ...*Reservation) []string {
	GinkgoHelper()
	var left, by []string
	total := 0
	var pool Pool
	for _, r := range claims {
		pool = r.pool
		for _, id := range r.IDs() {
			total++
			if c, ok := consumption.of(r.pool, id); ok {
				if !slices.Contains(by, c.describe()) {
					by = append(by, c.describe())
				}
				continue
			}
			left = append(left, id)
		}
	}
	if len(left) < atLeast {
		Inconclusive(fmt.Sprintf("this spec needs %d of its %d reserved %s ids, but %d were used up earlier in this run: %s; that spec's finding explains it, and this spec has nothing fresh left to check",
			atLeast, total, pool, total-len(left), strings.Join(by, "; ")))
	}
	return left
}

// ConsumedInRun reports whether a request of this run consumed the id, for a spec that
// repeats what an earlier spec of its container did (a second backup of the same instance).
func (r *Reservation) ConsumedInRun(id string) bool {
	_, ok := consumption.of(r.pool, id)
	return ok
}
