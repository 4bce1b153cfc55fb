package mutation

import (
	"slices"
	"sort"

	"github.com/koobackup/conformance/internal/catalog"
)

// finish computes the score, the faults only explore kills and the coverage per kind.
func (r *Result) finish(cat *catalog.Catalog) {
	r.Valid = r.Pristine.Passed
	r.Total = len(r.Mutants)
	r.Killed = 0
	r.ExploreOnly = []string{}
	proven := map[string]bool{}
	type tally struct{ faults, killed int }
	perKind := map[string]*tally{}
	for _, k := range catalog.Kinds {
		perKind[k] = &tally{}
	}
	for _, m := range r.Mutants {
		if m.Killed() {
			r.Killed++
		}
		if m.KilledBy == KilledByExplore {
			r.ExploreOnly = append(r.ExploreOnly, m.Fault)
		}
		kinds := map[string]bool{}
		for _, id := range m.Requirements {
			if req, ok := cat.Requirement(id); ok {
				kinds[req.Kind] = true
			}
			if m.Killed() {
				proven[id] = true
			}
		}
		for k := range kinds {
			if t := perKind[k]; t != nil {
				t.faults++
				if m.Killed() {
					t.killed++
				}
			}
		}
	}
	if r.Total > 0 {
		r.Score = float64(r.Killed) / float64(r.Total)
	}
	r.Kinds = nil
	for _, k := range catalog.Kinds {
		kc := KindCoverage{Kind: k, Faults: perKind[k].faults, Killed: perKind[k].killed}
		for _, req := range cat.Requirements {
			if req.Kind != k {
				continue
			}
			kc.Requirements++
			if proven[req.ID] {
				kc.Proven++
			} else {
				kc.Unproven = append(kc.Unproven, req.ID)
			}
		}
		r.Kinds = append(r.Kinds, kc)
	}
	r.Weakest = weakestKinds(r.Kinds)
}

// weakestKinds returns the kinds with the lowest share of proven requirements, ties broken
// by fewer killed faults; all tied kinds are named.
func weakestKinds(kinds []KindCoverage) []string {
	if len(kinds) == 0 {
		return nil
	}
	sorted := slices.Clone(kinds)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Ratio() != sorted[j].Ratio() {
			return sorted[i].Ratio() < sorted[j].Ratio()
		}
		return sorted[i].Killed < sorted[j].Killed
	})
	first := sorted[0]
	var out []string
	for _, k := range sorted {
		if k.Ratio() == first.Ratio() && k.Killed == first.Killed {
			out = append(out, k.Kind)
		}
	}
	return out
}
