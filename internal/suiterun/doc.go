// Package suiterun runs the compiled conformance suites (the `go test -c` binaries that
// `make dist` puts beside the conformance binary, like Kubernetes' e2e.test) against one
// target, and many targets with a bound on how many run at once.
//
// It exists so that a team without a Go toolchain or a source checkout can certify an
// endpoint: everything a suite needs (specs, catalog, the mock's world) is embedded in the
// binaries, so a run only needs the binaries and a target file. It merges the suites' Ginkgo
// JSON and JUnit reports into the one ginkgo.json and junit.xml that internal/report builds
// from; it never decides a verdict itself.
//
// A suite that leaves no report is an error, never a silently missing API: a report built
// without it would show that API's requirements as not evaluated and could pass.
package suiterun
