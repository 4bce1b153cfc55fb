// Package explore generates requests from the specs and judges every answer with the
// register, so that deviations nobody wrote a probe for are found without false alarms.
//
// The fault vocabulary (vocabulary.go) is derived by walking each operation of
// internal/contract's OpenAPI documents: every required header, parameter and body member
// gives "missing" and "empty" faults, every typed member "wrong type", every maxItems or
// maxLength "over the limit", every enum "unsupported value", and the operation itself
// another method (where it documents 405), another Accept (where it documents 406), an
// unsupported Content-Type, malformed JSON and the ids a target file names as unknown. A
// constraint added to a spec adds its faults. Each fault names the requirements of the spec
// element it violates and the register entries (specs/ambiguities.yaml) that govern its
// answer; a fault is "must refuse" only when no reading of those entries lets a 2xx through.
//
// Generation (generate.go) uses pgregory.net/rapid: valid base requests walk list sizes, id
// lengths, key order, white space and header case; faulty ones carry one to three
// independent faults. Base requests name only ids that cannot exist on any target, so no
// request can change state. The oracle (oracle.go) checks invariants (no 5xx for a client
// fault, no 2xx for a must-refuse fault, a documented answer or one a governing reading
// states), consistency (the base entry's reading is the same across the run) and a
// metamorphic relation (the same request presented differently gets the same status and
// code). rapid
// shrinks a finding to a minimal case (fewest faults, shortest lists and ids), reported with
// the seed and a curl command whose tokens are redacted (report.go).
//
// Run (explore.go) is the entry point the `conformance explore` command and the suites'
// `kind:explore` specs call; it bounds requests, rate and duration and stops on a target
// that no longer answers.
package explore
