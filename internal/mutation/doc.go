// Package mutation proves the conformance suites: it runs them against the pristine
// reference mock and against the mock with each planted fault of the catalog
// (internal/mock/faults.go) switched on, and counts the faults the suites kill.
//
// Every fault runs on several configurations — readings the mock takes, and whether the
// target file allows mutating requests — and the result is a fault × configuration
// matrix. A fault no spec kills is judged by the statuses of the requirements it violates
// in the report built from its run (internal/report, the code `report build` uses): any
// pass makes it a survivor, the report vouching for a deviating server; otherwise the
// non-kill is honest (inconclusive or not evaluated). internal/prove runs the same matrix
// on the configuration one finished run observed.
//
// A suite that passes everything proves nothing; the mutation score is the evidence that
// it catches real deviations, and the number falls when someone weakens a check. The
// package also runs the fairness check: the lenient-but-conformant variant of the mock must
// pass the default profile, and the strict profile must flag exactly the register entries
// that variant deviates on — so the suites are shown to tell a deviation from a legitimate
// reading.
//
// Each suite is compiled once into a test binary; every mutant gets its own in-process
// mock on its own port and its own target file, and the binaries run as child processes
// with bounded parallelism and a per-run timeout. docs/mutation.md explains the score and
// how to add a fault.
package mutation
