// Package inventory reads the conformance specs as the Kubernetes conformance inventory
// (test/conformance/walk.go) does: it parses the Go source of suites/ and ties each comment
// block (Testname, Requirement, Description with MUST) to the It, Entry or DescribeTable
// call it immediately precedes, so every It and every Entry is a spec of the inventory and
// a block that describes no spec is an error. It renders docs/conformance-inventory.md and
// detects drift between that file and the code.
//
// A dry run of the suites (read through runrecord) gives the labels Ginkgo itself sees for
// each spec; CheckLabels holds each block's Requirement line against the req: labels of the
// specs it describes, and Coverage checks that every catalog requirement has a spec and no
// spec names a requirement the catalog does not have.
package inventory
