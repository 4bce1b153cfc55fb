// Package prove measures one finished run's detection power: it reads from the run record
// the readings the target was observed to take and its mode (allow_mutating), configures
// the reference mock the same way, plants every fault of the catalog on it
// (internal/mutation) and counts how many of those deviations the suites would catch on
// an implementation that reads the documents as this target does.
//
// A run against a target that answers unknown instances with KOOPHONE.API.1000, or that
// may not mutate, can pass honestly while proving less than the same run against the
// strict mock; the mutation score of the strict mock does not show this. The result, a
// report.DetectionPower, becomes a section of the run's reports (report build --prove),
// naming every planted deviation the run could not distinguish and why.
package prove
