// Package specfacts holds the facts of specs/ that code names, as typed constants: the API
// names, the requirement ids, the ambiguity register's entry ids and readings (ENTRY=READING), the violation rule ids, KooPhone's error-code names, the VBS
// resource types, the request body limit and the reference mock's fault header.
//
// The constants are generated (facts_gen.go, by cmd/factgen); a test fails when the file
// drifts from the specs, and another fails when any Go file outside specs/ and generated code
// spells one of these facts as a literal. Values that only matter at run time (the code
// strings, limits of individual fields, statuses) are read through package contract.
//
// The package imports only the standard library, so every other package, the catalog included, can use it.
package specfacts

//go:generate go run ../../cmd/factgen -o facts_gen.go
