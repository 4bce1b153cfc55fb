package report

import (
	"slices"
	"sort"

	"github.com/koobackup/conformance/internal/catalog"
)

// ambiguities lists every register entry with the readings the suites observed, then any
// entry a spec reported that the register does not have.
func (b *builder) ambiguities() []Ambiguity {
	out := []Ambiguity{}
	seen := map[string]bool{}
	for _, a := range b.cat.Ambiguities {
		seen[a.ID] = true
		amb := Ambiguity{ID: a.ID, API: a.API, Question: a.Question, Strict: a.Strict, InRegister: true,
			Requirements: append([]string{}, a.Requirements...), Readings: []Reading{}, Observed: []string{}}
		obs := b.ambObs[a.ID]
		for _, rd := range a.Readings {
			specs := obs[rd.ID]
			amb.Readings = append(amb.Readings, Reading{ID: rd.ID, Description: rd.Description, Strict: rd.ID == a.Strict,
				Legitimate: a.Tolerates(rd.ID), Observed: len(specs), Specs: append([]string{}, specs...)})
			if len(specs) > 0 {
				amb.Observed = append(amb.Observed, rd.ID)
			}
		}
		// A reading the register does not list (rejected or unknown) is still shown.
		var extra []string
		for reading := range obs {
			if !slices.ContainsFunc(a.Readings, func(r catalog.Reading) bool { return r.ID == reading }) {
				extra = append(extra, reading)
			}
		}
		sort.Strings(extra)
		for _, reading := range extra {
			amb.Readings = append(amb.Readings, Reading{ID: reading, Description: "not a reading of the register",
				Observed: len(obs[reading]), Specs: obs[reading]})
			amb.Observed = append(amb.Observed, reading)
		}
		amb.Outcome = ambiguityOutcome(amb)
		out = append(out, amb)
	}
	for _, id := range b.ambSeq {
		if seen[id] {
			continue
		}
		amb := Ambiguity{ID: id, Question: "reported by a spec but not in the ambiguity register",
			Requirements: []string{}, Readings: []Reading{}, Observed: []string{}}
		var readings []string
		for reading := range b.ambObs[id] {
			readings = append(readings, reading)
		}
		sort.Strings(readings)
		for _, reading := range readings {
			amb.Readings = append(amb.Readings, Reading{ID: reading, Observed: len(b.ambObs[id][reading]), Specs: b.ambObs[id][reading]})
			amb.Observed = append(amb.Observed, reading)
		}
		amb.Outcome = AmbiguityNotTolerated
		out = append(out, amb)
	}
	return out
}

func ambiguityOutcome(a Ambiguity) string {
	if len(a.Observed) == 0 {
		return AmbiguityNotObserved
	}
	outcome := AmbiguityStrict
	for _, rd := range a.Readings {
		if rd.Observed == 0 || rd.Strict {
			continue
		}
		if !rd.Legitimate {
			return AmbiguityNotTolerated
		}
		outcome = AmbiguityTolerated
	}
	return outcome
}
