// Package clientcheck holds tests, not code: they drive real third-party API clients through
// the validating proxy against the reference mock, to show that the proxy gates a client's
// requests and to pin down the pitfalls the contract exposes in those clients (see
// docs/client-gating.md).
//
// The VBS client is github.com/gophercloud/gophercloud, driven exactly as the Go SDK
// github.com/chnsz/golangsdk (a gophercloud fork, not obtainable from the module proxy
// here) does in openstack/vbs/v2/policies.Associate. KooPhone has no Go SDK; the same
// ServiceClient's Post is used as a generic client.
package clientcheck
