// Package suites holds the Ginkgo conformance suites, one package per API (suites/koophone,
// suites/vbs). They validate any implementation — the reference mock by default, or the
// one CONFORMANCE_TARGET describes — against the contract in specs/. Each spec carries a
// Kubernetes-style comment block (Testname, Requirement, Description with MUST) that reads as
// the specification; docs/conformance-inventory.md is generated from them.
package suites
