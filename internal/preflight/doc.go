// Package preflight asks a target, before any suite is compiled or run, whether each of its
// APIs answers HTTP at all: one harmless request per API, all at once, each bounded by the
// target's timeout. A target that refuses connections, hangs or does not speak HTTP then
// costs one timeout for the whole run instead of one per suite (or per spec), and the run
// stops with one line per API and reports in which every requirement of that API is
// not-evaluated (target unreachable).
//
// It is used by `conformance preflight` (which `make conformance` calls first), by
// `conformance run`, and by the suites themselves (internal/conformance) as the safety net
// of a direct ginkgo or go test run. It links no Ginkgo DSL, so the conformance binary can
// use it. The classification of transport failures (NoAnswerError) lives here so that the
// preflight and the suites' exchanges describe a missing answer in the same words.
//
// The handoff file (HandoffEnvVar) carries the preflight's verdict into the suites of the
// same run: a suite whose API is named there as unreachable stops before its first request,
// recording the preflight's reason, instead of waiting out the timeout a second time.
package preflight
