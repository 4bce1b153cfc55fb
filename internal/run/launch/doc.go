// Package launch starts the compiled conformance suites: it is the one place in the project
// that runs a suite process (process.go), and the place that compiles the suites from a
// source checkout (compile.go).
//
// A suite runs in one of three modes: real (requests go to the target), plan (every node
// runs but nothing leaves the process: `conformance target check`) and dry run (Ginkgo's
// own: no node runs, the specs are listed: `conformance inventory`). Several suites run one
// after the other, one process each, and their reports are merged; with a Ginkgo command
// line (compiled from the module's pinned Ginkgo, or shipped beside dist suites) they run
// under it instead, in parallel processes, exactly as `ginkgo -p` runs them.
//
// It sits below internal/run so that internal/mutation, which internal/run uses for prove,
// can launch suites too without an import cycle.
package launch
