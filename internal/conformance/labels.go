package conformance

import (
	"fmt"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
)

// Label prefixes and names read by the report builder (docs/architecture.md); defined once
// in runrecord, which every reader of a run shares.
const (
	RequirementLabelPrefix = runrecord.RequirementLabelPrefix
	APILabelPrefix         = runrecord.APILabelPrefix
	KindLabelPrefix        = runrecord.KindLabelPrefix
	MutatingLabel          = runrecord.MutatingLabel
	ConformanceLabel       = runrecord.ConformanceLabel
	ExploreLabel           = runrecord.ExploreLabel
)

// Req returns the labels of a conformance spec that checks the given requirements: one
// `req:<id>` per requirement, plus the API and kind of each, and `conformance`. An unknown
// id panics at tree construction, so a typo can never ship as an unchecked requirement.
func Req(ids ...specfacts.RequirementID) Labels {
	cat := catalog.Default()
	seen := map[string]bool{}
	out := Labels{ConformanceLabel}
	add := func(l string) {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	for _, id := range ids {
		r, ok := cat.Requirement(string(id))
		if !ok {
			panic(fmt.Sprintf("conformance.Req: %q is not in specs/requirements.yaml", id))
		}
		add(RequirementLabelPrefix + r.ID)
		add(APILabelPrefix + r.API)
		add(KindLabelPrefix + r.Kind)
	}
	return out
}

// Mutating marks a spec whose requests could change state on the target.
var Mutating = Label(MutatingLabel)
