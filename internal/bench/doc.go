// Package bench measures the suite's engine, the reference mock and the validating proxy
// against baselines taken in the same run, and writes reports/bench.md and bench.json.
//
// It has two halves. The load half (Drive, Workload, Ceiling, ScaleTarget) is what the
// benchmarks in internal/mock, internal/proxy and this package use to put concurrent
// keep-alive load on a loopback server. The report half (Run, ParseEvents, Compare) runs
// those benchmarks with `go test -bench -benchmem -json`, turns each figure into a ratio to
// its in-run baseline, says whether each goal is met and by how much it is missed, and names
// what limits each figure from CPU profiles taken in the same run. Numbers come only from
// benchmarks: nothing here asserts on wall-clock time.
package bench
