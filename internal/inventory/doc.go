// Package inventory reads the conformance specs as the Kubernetes conformance inventory
// does: from the comment block above each spec (Testname, Requirement, Description with
// MUST) in suites/, and from the labels Ginkgo reports for each spec in a dry run. It renders
// docs/conformance-inventory.md, detects drift between that file and the code, and checks
// that the specs cover the requirement catalog: every requirement has a spec, and no spec
// names a requirement the catalog does not have.
package inventory
