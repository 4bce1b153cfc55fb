// Package vbs is the conformance suite of the VBS "Associating Resources with a Backup
// Policy" API, POST /v2/{project_id}/backuppolicyresources. Run it with
// `go test ./suites/vbs` or `go tool ginkgo -p --randomize-all ./suites/vbs`.
package vbs
