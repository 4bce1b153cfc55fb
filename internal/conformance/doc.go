// Package conformance is the engine behind the Ginkgo suites in suites/: it loads the target
// (CONFORMANCE_TARGET, or the reference mock started in-process), sends every request with a
// bounded time and a bounded response size, checks every exchange against the contract,
// records evidence for the reports, hands out pooled resource ids so that no id is used by
// two positive specs (also across `ginkgo -p` processes), and applies the profile: the
// default profile tolerates every legitimate reading of the ambiguity register, the strict
// profile requires the preferred one.
//
// Expectations are phrased per documented behaviour (an error with this status and code, a
// backup whose jobs cover exactly these instances, a partition of resources) so that suites
// read as the specification and every tolerance names its register entry.
package conformance
