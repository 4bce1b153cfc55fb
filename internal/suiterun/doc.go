// Package suiterun holds what `conformance run` needs beyond one run (internal/run): the
// target files of a --targets directory, each run into its own output directory, and the
// Sonobuoy hand-over of the results.
package suiterun
