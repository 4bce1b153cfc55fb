package report

import _ "embed"

// Schema is the JSON Schema (draft 2020-12) of conformance.json, for consumers that want to
// validate a report before acting on it.
//
//go:embed conformance-report.schema.json
var Schema []byte
