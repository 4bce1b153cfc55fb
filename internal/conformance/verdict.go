package conformance

import (
	"github.com/koobackup/conformance/internal/runrecord"
	. "github.com/onsi/ginkgo/v2"
)

// Inconclusive ends the current spec as "ran, but could not tell": the reading the target
// takes leaves the probe unable to tell a server that checks the thing under test from one
// that does not (e.g. it answers an unknown instance with the same code a 33-character id
// must get). It records a verdict entry and then skips the spec, so Ginkgo and junit.xml
// never count it as passed; the report shows the spec's requirements as inconclusive (or
// partially evaluated when another spec of theirs gave conclusive evidence), and
// `report build --require-conclusive` fails the run on them.
//
// Skip rather than pass: a passed spec is what every CI reads as proof, and a probe that
// could not have failed proves nothing. Skip rather than fail: the target did nothing the
// documents forbid. Strict-profile deviations the spec already observed still fail it.
func Inconclusive(reason string) {
	GinkgoHelper()
	failOnStrictDeviations()
	AddReportEntry(runrecord.EntryVerdict, runrecord.Verdict{Outcome: runrecord.OutcomeInconclusive, Reason: reason}, ReportEntryVisibilityNever)
	Skip("inconclusive: " + reason)
}

// NotApplicable ends the current spec because the reading the target took leaves it
// nothing to check — e.g. a follow-up that re-checks a refused request on a target that
// did not refuse it. It records a verdict entry and skips; the report leaves the spec out
// of its requirements' status instead of counting it as a gap (a plain skip would make
// them partially evaluated). Use SkipBecause, not this, when the spec could not run for
// want of pool ids, permission or configuration.
func NotApplicable(reason string) {
	GinkgoHelper()
	failOnStrictDeviations()
	AddReportEntry(runrecord.EntryVerdict, runrecord.Verdict{Outcome: runrecord.OutcomeNotApplicable, Reason: reason}, ReportEntryVisibilityNever)
	Skip("not applicable: " + reason)
}
