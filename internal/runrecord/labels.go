package runrecord

import (
	"slices"
	"strings"

	"github.com/koobackup/conformance/internal/specfacts"
)

// Label prefixes and names a conformance spec carries (docs/architecture.md, "Ginkgo
// labels"). Selection (`--label-filter`) and every reader of a run rely on them.
const (
	// RequirementLabelPrefix precedes each requirement id of specs/requirements.yaml the
	// spec checks.
	RequirementLabelPrefix = "req:"
	// APILabelPrefix precedes the API the spec checks ("koophone", "vbs").
	APILabelPrefix = "api:"
	// KindLabelPrefix precedes the kind of a checked requirement.
	KindLabelPrefix = "kind:"
	// MutatingLabel marks a spec whose requests could change state on the target.
	MutatingLabel = "mutating"
	// ConformanceLabel marks a conformance spec, as opposed to a self-check.
	ConformanceLabel = "conformance"
	// ExploreLabel marks the spec of a suite that sends the requests internal/explore
	// generates, as opposed to the hand-picked probes: mutation testing tells which of the
	// two killed a planted fault by it.
	ExploreLabel = KindLabelPrefix + "explore"
)

// RequirementsOf returns the requirement ids named by req: labels, in label order, once each.
func RequirementsOf(labels []string) []specfacts.RequirementID {
	var out []specfacts.RequirementID
	for _, v := range valuesOf(labels, RequirementLabelPrefix) {
		out = append(out, specfacts.RequirementID(v))
	}
	return out
}

// APIOf returns the first api: label's value, or "" when there is none.
func APIOf(labels []string) string {
	if apis := valuesOf(labels, APILabelPrefix); len(apis) > 0 {
		return apis[0]
	}
	return ""
}

func valuesOf(labels []string, prefix string) []string {
	var out []string
	for _, l := range labels {
		if v, ok := strings.CutPrefix(l, prefix); ok && v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// PlanEnvVar switches the suites into plan mode (value "1"): every node runs as in a real
// run — section and allow_mutating checks, pool reservations resolved against the file's
// pools, fault-injection checks — but no request leaves the process and no IAM token is
// fetched. A spec that reaches its first request is stopped there and carries the
// EntryPlanWouldRun report entry; a spec skipped before that carries its real skip reason.
// internal/conformance implements it; `conformance target check` reads the result.
const PlanEnvVar = "CONFORMANCE_PLAN"

// EntryPlanWouldRun names the report entry of a spec that would send requests.
const EntryPlanWouldRun = "plan-would-run"

// crossCutting are the requirements every answer of a kind is checked against, whatever the
// request: the documented statuses, the error envelope, the 200 shape, the status of the
// client codes. Specs carry them beside the requirement their probe is about, so they are
// never a spec's owning requirement while it names another.
var crossCutting = []specfacts.RequirementID{
	specfacts.ReqKooPhoneDocumentedStatus, specfacts.ReqKooPhoneErrorEnvelopeShape, specfacts.ReqKooPhoneClientErrorsAre400,
	specfacts.ReqKooPhoneResponse200Shape,
	specfacts.ReqVBSDocumentedStatus, specfacts.ReqVBSErrorEnvelopeShape, specfacts.ReqVBSResponse200Shape,
}

// CrossCutting reports whether a requirement is checked on every answer of a kind rather
// than being what a probe is about.
func CrossCutting(id specfacts.RequirementID) bool { return slices.Contains(crossCutting, id) }

// OwningRequirement is the requirement a spec's probe is about, from its req: labels in
// label order: the first that is not cross-cutting, else the first. conformance.Req and
// the suites' label helpers list the probe's own requirement first and the requirements
// that ride along after it (docs/reports.md, "Causes").
func OwningRequirement(reqs []specfacts.RequirementID) specfacts.RequirementID {
	for _, id := range reqs {
		if !CrossCutting(id) {
			return id
		}
	}
	if len(reqs) > 0 {
		return reqs[0]
	}
	return ""
}
