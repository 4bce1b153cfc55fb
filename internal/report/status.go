package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

// Reasons of the statuses that are not pass or fail.
const (
	notEvaluatedNoSpec      = "no spec checks this requirement"
	notEvaluatedAllPending  = "every spec that checks it is pending"
	notEvaluatedAllSkipped  = "every spec that checks it was skipped"
	notEvaluatedAPIAbsent   = "the target does not describe the %s API"
	notEvaluatedNotRunLabel = "its specs did not run (filtered out)"
	notEvaluatedUnreachable = NotEvaluatedUnreachable + ": "
	notEvaluatedNotApplic   = "no spec that checks it applied to the readings the target took"
)

// decide sets a requirement's status from its specs: pass only when every spec ran and at
// least one could have failed on a deviating server (docs/reports.md). unreachable maps an
// API to why its target could not be reached: a requirement of it is failed only by a spec
// whose request the API left unanswered after it had answered others, and is otherwise
// not evaluated.
func decide(rr *Requirement, present map[string]bool, unreachable map[string]Unreachable) {
	sort.SliceStable(rr.Specs, func(i, j int) bool { return stateRank(rr.Specs[i]) < stateRank(rr.Specs[j]) })
	if gone, ok := unreachable[rr.API]; ok && !(gone.Answered && anyFailed(rr.Specs)) {
		// A target that never answered says nothing about the contract; one that stopped
		// answering left the specs not yet run unjudged.
		rr.Status, rr.Reason = StatusNotEvaluated, notEvaluatedUnreachable+gone.Reason
		return
	}
	var failed, conclusive, inconclusive, notRun, notApplicable int
	var skipReasons, inconclusiveReasons, notApplicableReasons []string
	for _, s := range rr.Specs {
		switch {
		case s.Failure != nil || isFailureState(s.State):
			failed++
		case len(s.NotApplicable) > 0:
			notApplicable++
			for _, reason := range s.NotApplicable {
				notApplicableReasons = appendOnce(notApplicableReasons, reason)
			}
		case len(s.Inconclusive) > 0:
			inconclusive++
			for _, reason := range s.Inconclusive {
				inconclusiveReasons = appendOnce(inconclusiveReasons, reason)
			}
		case s.State == ginkgotypes.SpecStatePassed.String():
			conclusive++
		default:
			notRun++
			for _, reason := range s.SkipReasons {
				skipReasons = appendOnce(skipReasons, reason)
			}
		}
	}
	switch {
	case failed > 0:
		rr.Status = StatusFail
	case conclusive > 0 && inconclusive+notRun == 0:
		rr.Status = StatusPass
	case conclusive > 0:
		rr.Status = StatusPartiallyEvaluated
		rr.Reason = fmt.Sprintf("%d of %d applicable specs gave conclusive evidence", conclusive, len(rr.Specs)-notApplicable) +
			gaps(notRun, skipReasons, inconclusive, inconclusiveReasons)
	case inconclusive > 0:
		rr.Status = StatusInconclusive
		rr.Reason = "no spec could tell a conformant server from a deviating one" +
			gaps(notRun, skipReasons, inconclusive, inconclusiveReasons)
	default:
		rr.Status = StatusNotEvaluated
		known, ok := present[rr.API]
		pending := 0
		for _, s := range rr.Specs {
			if s.State == ginkgotypes.SpecStatePending.String() {
				pending++
			}
		}
		switch {
		case ok && !known:
			rr.Reason = fmt.Sprintf(notEvaluatedAPIAbsent, rr.API)
		case len(rr.Specs) == 0:
			rr.Reason = notEvaluatedNoSpec
		case notApplicable == len(rr.Specs):
			rr.Reason = notEvaluatedNotApplic + ": " + strings.Join(notApplicableReasons, "; ")
		case len(skipReasons) > 0:
			rr.Reason = notEvaluatedAllSkipped + ": " + strings.Join(skipReasons, "; ")
		case pending == len(rr.Specs):
			rr.Reason = notEvaluatedAllPending
		case notRun+notApplicable > pending:
			rr.Reason = notEvaluatedAllSkipped
		default:
			rr.Reason = notEvaluatedNotRunLabel
		}
	}
}

// gaps says which specs did not count and why, for the reason of a non-conclusive status.
func gaps(notRun int, skipReasons []string, inconclusive int, inconclusiveReasons []string) string {
	var b strings.Builder
	if inconclusive > 0 {
		fmt.Fprintf(&b, "; %d inconclusive: %s", inconclusive, strings.Join(inconclusiveReasons, "; "))
	}
	if notRun > 0 {
		fmt.Fprintf(&b, "; %d not run", notRun)
		if len(skipReasons) > 0 {
			b.WriteString(": " + strings.Join(skipReasons, "; "))
		}
	}
	return b.String()
}

func appendOnce(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func isFailureState(state string) bool {
	switch state {
	case ginkgotypes.SpecStatePassed.String(), ginkgotypes.SpecStateSkipped.String(), ginkgotypes.SpecStatePending.String():
		return false
	}
	return true
}

// stateRank orders specs failures first, then conclusive passes, then the rest.
func stateRank(s Spec) int {
	switch {
	case isFailureState(s.State):
		return 0
	case s.State == ginkgotypes.SpecStatePassed.String() && len(s.Inconclusive) == 0:
		return 1
	case len(s.Inconclusive) > 0:
		return 2
	case len(s.NotApplicable) > 0:
		return 4
	}
	return 3
}

// verdict decides the headline: fail on any failure, on an unreachable target, on a run
// that settled nothing, and — with --require-conclusive — on any requirement left open.
func verdict(r *Report) {
	t := r.Totals
	open := t.PartiallyEvaluated + t.Inconclusive + t.NotEvaluated
	switch {
	case len(r.Unreachable) > 0:
		var apis []string
		for _, u := range r.Unreachable {
			apis = append(apis, u.API+": "+u.Reason)
		}
		r.Verdict = StatusFail
		r.VerdictReason = "target unreachable (" + strings.Join(apis, "; ") + "); its requirements were not evaluated"
		if t.Fail > 0 {
			// A failure seen before the target went away is a finding; it leads.
			r.VerdictReason = fmt.Sprintf("%d of %d evaluated requirements failed; ", t.Fail, t.Evaluated) + r.VerdictReason
		}
	case t.Fail > 0:
		r.Verdict = StatusFail
		r.VerdictReason = fmt.Sprintf("%s: %d of %d evaluated requirements failed", causesCount(r), t.Fail, t.Evaluated)
	case len(r.SuiteFailures) > 0:
		r.Verdict = StatusFail
		r.VerdictReason = fmt.Sprintf("%d failure(s) outside any requirement (setup, unlabelled spec or interrupted suite)", len(r.SuiteFailures))
	case t.Evaluated == 0:
		r.Verdict = StatusFail
		r.VerdictReason = "no requirement was evaluated: a run that checks nothing proves nothing"
	case r.RequireConclusive && open > 0:
		var ids []string
		for _, q := range r.Requirements {
			if !Conclusive(q.Status) {
				ids = append(ids, q.ID+" ("+q.Status+")")
			}
		}
		r.Verdict = StatusFail
		r.VerdictReason = fmt.Sprintf("--require-conclusive: %d of %d requirements are not conclusive (%d partially evaluated, %d inconclusive, %d not evaluated): %s",
			open, t.Requirements, t.PartiallyEvaluated, t.Inconclusive, t.NotEvaluated, strings.Join(ids, ", "))
	default:
		r.Verdict = StatusPass
		r.VerdictReason = fmt.Sprintf("all %d evaluated requirements met (%d waived); %d partially evaluated, %d inconclusive, %d not evaluated of %d",
			t.Evaluated, t.Waived, t.PartiallyEvaluated, t.Inconclusive, t.NotEvaluated, t.Requirements)
	}
}

// NotEvaluatedUnreachable starts the reason of every requirement whose specs an unreachable
// target cut short.
const NotEvaluatedUnreachable = "target unreachable"

// causesCount says how many causes explain the failures: "1 cause", "3 causes".
func causesCount(r *Report) string {
	open := 0
	for _, c := range r.Causes {
		if !c.Waived(r) {
			open++
		}
	}
	if open == 1 {
		return "1 cause"
	}
	return fmt.Sprintf("%d causes", open)
}

func anyFailed(specs []Spec) bool {
	return slices.ContainsFunc(specs, func(s Spec) bool { return s.Failure != nil || isFailureState(s.State) })
}
