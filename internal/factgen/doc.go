// Package factgen writes the Go source of package specfacts from the files of specs/: the API
// names (each OpenAPI document's info.x-api), the requirement ids (requirements.yaml), the
// ambiguity register's entry ids (ambiguities.yaml), the violation rule ids (rules.yaml), KooPhone's error-code names (x-error-codes), the VBS
// resource types (the resource_type enum), the request body limit (x-request-body-limit) and
// the reference mock's fault header (x-mock-fault-header on the mock's server entry).
//
// It reads the YAML directly and depends on nothing the generated package feeds, so that a
// broken or missing generated file can always be regenerated. cmd/factgen is its main; the
// drift test of internal/specfacts compares its output with the committed file.
package factgen
