// Package run is one conformance run against one target, top to bottom; run.go reads as
// the answer to "what happens when I run `make conformance`":
//
//  1. resolve the target: a target file, or the reference mock started in this process with
//     any readings and planted faults, which writes its own target file (target.go);
//  2. preflight: one harmless request per API, all at once (preflight.go, with the probe and
//     the handoff to the suites in internal/preflight); when no API answers, the suites are
//     not started and the reports say so;
//  3. launch the compiled suites (internal/run/launch, the one place that starts a suite
//     process), in parallel processes under Ginkgo when it is at hand;
//  4. the stages that read the finished suites: the ids the run consumed (ledger.go) and
//     exploration (explore.go);
//  5. build the reports from the suites' merged record (reports.go), with the run's
//     detection power when asked (prove.go).
//
// `make conformance`, `conformance run` (the dist binary) and the tests all take this path.
package run
