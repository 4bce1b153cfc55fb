// Package preflight is the probe and the handoff: it asks a target whether each of its APIs
// answers HTTP at all (one harmless request per API, all at once, each bounded by the
// target's timeout), and carries that verdict to the suites of the same run. A target that
// refuses connections, hangs or does not speak HTTP then costs one timeout for the whole run
// instead of one per suite (or per spec).
//
// The run's preflight stage (internal/run) probes before any suite starts and, when no API
// answers, builds the reports without starting them. The suites (internal/conformance) read
// the handoff file (HandoffEnvVar): a suite whose API is named there as unreachable stops
// before its first request, recording the preflight's reason; without a handoff (a direct
// ginkgo or go test run) a suite sends the same probe itself. It links no Ginkgo DSL, so the
// conformance binary can use it. The classification of transport failures (NoAnswerError)
// lives here so that the preflight and the suites' exchanges describe a missing answer in
// the same words.
package preflight
