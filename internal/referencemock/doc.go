// Package referencemock lets a suite run without a target file: `go tool ginkgo
// ./suites/...` or `go test ./suites/koophone` with no CONFORMANCE_TARGET runs against the
// reference mock, started in the suite's first process and shared by all of them.
//
// It is its own package, imported only by the suites' *_suite_test.go files and handed to
// conformance.Setup, so that internal/conformance, the engine every suite links, does not
// import the reference implementation: the engine stays what a target is tested with, and
// the mock is one target among others. internal/run never relies on it: it starts the mock
// itself and names it to the suites through a target file, as it would any target.
package referencemock
