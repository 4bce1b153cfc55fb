// Package report turns one run's Ginkgo JSON report into the artefacts people keep and
// machines act on: conformance.json (validated by an embedded JSON Schema), a self-contained
// conformance.html for auditors, and summary.md for pull requests. It decides the status of
// every catalog requirement from the labels and report entries of the specs, applies waivers,
// and diffs two reports so CI can fail on regressions.
//
// A requirement is never "pass" unless at least one spec that checks it ran: all-skipped and
// unchecked requirements are "not-evaluated" with the reason, and a run that evaluated nothing
// is a failed run. Everything written passes through a redactor built from the target's
// secrets.
package report
