package report

import (
	"strings"

	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

// entryUnreachable is the entry a suite emits when an API of the target gave no answer
// (internal/conformance/preflight.go).
const entryUnreachable = "unreachable"

// unreachable applies the suites' unreachable entries after the verdict: a requirement of
// such an API that no spec evaluated is not-evaluated because the target was unreachable
// (not "no spec checks it", which is what an aborted suite would otherwise look like), and
// the verdict, failed in any case because the run did not complete, says why first.
func (b *builder) unreachable(suites []ginkgotypes.Report, r *Report) {
	reasons := map[string]string{}
	var apis []string
	var unreadable string
	for _, s := range suites {
		for _, sr := range s.SpecReports {
			for _, e := range sr.ReportEntries {
				if e.Name != entryUnreachable {
					continue
				}
				var u struct {
					API    string `json:"api"`
					Reason string `json:"reason"`
				}
				if err := decodeEntry(e, &u); err != nil || u.API == "" || u.Reason == "" {
					// Kept visible rather than dropped: a run that lost its target must not
					// read as a run that merely checked nothing.
					msg := "unreachable entry without api and reason"
					if err != nil {
						msg = err.Error()
					}
					unreadable = b.excerpt(msg, maxFailureMessageBytes)
					r.SuiteFailures = append(r.SuiteFailures, SuiteFailure{Suite: s.SuiteDescription,
						Node: sr.LeafNodeType.String(), State: sr.State.String(), Message: unreadable})
					continue
				}
				if _, seen := reasons[u.API]; !seen {
					reasons[u.API] = b.excerpt(u.Reason, maxExcerptBytes)
					apis = append(apis, u.API)
				}
			}
		}
	}
	if len(apis) == 0 {
		if unreadable != "" {
			r.Verdict, r.VerdictReason = StatusFail, "a suite reported its target unreachable, unreadably: "+unreadable
		}
		return
	}
	for i := range r.Requirements {
		req := &r.Requirements[i]
		if reason, ok := reasons[req.API]; ok && req.Status == StatusNotEvaluated && cutShort(*req) {
			req.Reason = NotEvaluatedUnreachable + ": " + reason
		}
	}
	lines := make([]string, len(apis))
	for i, api := range apis {
		lines[i] = api + ": " + reasons[api]
	}
	why := NotEvaluatedUnreachable + " (" + strings.Join(lines, "; ") + ")"
	if r.Totals.Fail > 0 {
		why = r.VerdictReason + "; " + why
	}
	r.Verdict, r.VerdictReason = StatusFail, why
}

// cutShort reports whether a requirement lost a spec to the abort: it has no spec report
// (a suite aborted before its specs reports none), or a spec Ginkgo skipped without any
// reason (what AbortSuite leaves behind). A requirement whose specs were all skipped for
// their own stated reason (no allow_mutating, no fault injection) keeps that reason.
func cutShort(q Requirement) bool {
	if len(q.Specs) == 0 {
		return true
	}
	for _, s := range q.Specs {
		if s.State == ginkgotypes.SpecStateSkipped.String() && len(s.SkipReasons) == 0 {
			return true
		}
	}
	return false
}

// NotEvaluatedUnreachable begins the reason of a requirement the run could not evaluate
// because its API gave no answer.
const NotEvaluatedUnreachable = "target unreachable"
