// Package koophone is the conformance suite of the KooPhone "Backing Up an Instance" API,
// POST /v1/instances/backup. Run it with `go test ./suites/koophone` or
// `go tool ginkgo -p --randomize-all ./suites/koophone`.
package koophone
