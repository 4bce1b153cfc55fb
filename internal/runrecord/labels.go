package runrecord

import (
	"slices"
	"strings"
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
)

// RequirementsOf returns the requirement ids named by req: labels, in label order, once each.
func RequirementsOf(labels []string) []string {
	return valuesOf(labels, RequirementLabelPrefix)
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
