package conformance

import (
	"fmt"
	"sort"
	"sync"

	"github.com/koobackup/conformance/internal/target"
	. "github.com/onsi/ginkgo/v2"
)

// Pool names a list of ids in the target file that specs consume.
type Pool string

const (
	OwnedInstances Pool = "koophone.owned_instance_ids"
	FreeVolumes    Pool = "vbs.volume_ids"
)

// Reservation is a claim, made while the spec tree is built, on ids of a pool. Claims are
// resolved in BeforeSuite in an order that depends only on the tree (never on which process
// runs which spec), so every `ginkgo -p` process computes the same assignment and no id is
// handed to two specs, and on a live target no instance is released twice by one run.
type Reservation struct {
	pool   Pool
	name   string
	n      int
	filter func(string) bool
	why    string // what the filter wants, for the skip reason
	order  int

	ids    []string
	reason string
}

type poolRegistry struct {
	mu    sync.Mutex
	all   []*Reservation
	names map[string]bool
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

// resolve assigns ids: filtered claims first (they have fewest candidates), then smaller
// claims before larger ones, so that a small pool still serves most specs; ties keep tree
// order. A claim that cannot be met gets a reason instead of ids.
func (p *poolRegistry) resolve(t *target.Target) {
	p.mu.Lock()
	defer p.mu.Unlock()
	available := map[Pool][]string{}
	if t.KooPhone != nil {
		available[OwnedInstances] = append([]string(nil), t.KooPhone.OwnedInstanceIDs...)
	}
	if t.VBS != nil {
		available[FreeVolumes] = append([]string(nil), t.VBS.VolumeIDs...)
	}
	ordered := append([]*Reservation(nil), p.all...)
	sort.SliceStable(ordered, func(i, j int) bool {
		a, b := ordered[i], ordered[j]
		if (a.filter != nil) != (b.filter != nil) {
			return a.filter != nil
		}
		if a.n != b.n {
			return a.n < b.n
		}
		return a.order < b.order
	})
	for _, r := range ordered {
		r.ids, r.reason = nil, ""
		free := available[r.pool]
		var picked, rest []string
		for _, id := range free {
			if len(picked) < r.n && (r.filter == nil || r.filter(id)) {
				picked = append(picked, id)
			} else {
				rest = append(rest, id)
			}
		}
		if len(picked) < r.n {
			what := "ids"
			if r.why != "" {
				what = "ids " + r.why
			}
			r.reason = fmt.Sprintf("%s has too few unused %s: this spec needs %d, %d left (each pooled id is used by at most one positive spec per run)", r.pool, what, r.n, len(picked))
			continue
		}
		r.ids = picked
		available[r.pool] = rest
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
