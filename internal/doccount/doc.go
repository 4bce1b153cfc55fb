// Package doccount keeps the figures README.md and docs/*.md state about the project true:
// how many conformance specs, requirements, planted faults, register entries and readings,
// and mutation configurations there are. A document states such a figure only inside a
// marker, which Markdown renders as the bare number:
//
//	<!-- count:faults -->N<!-- /count -->
//
// Counts computes every figure from its source of truth (Sources says which), Update rewrites
// the markers of one document, and Sync does it for every document. The tests of
// internal/doccheck fail when a marker drifts or when a document states such a figure
// outside a marker; a figure that grows with the code (a fault planted, a requirement
// added) is then rewritten, not hunted down:
//
//	go generate ./internal/doccount   (make doc-counts)
//
// cmd/doccounts is the command behind both.
package doccount

//go:generate go run ../../cmd/doccounts -root ../..
