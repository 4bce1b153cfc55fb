// Package runrecord is the one vocabulary between the conformance suites and everything that
// reads a run: the Ginkgo labels a spec carries (req:, api:, kind:, mutating, conformance),
// the names of the report entries the suites emit, the typed records behind those entries
// (evidence, ambiguity observation, target, skip reason, verdict, unreachable target,
// expectation of a failed check, consumed pool id, pool state), the owning requirement of a
// spec, and
// the one reader of a Ginkgo JSON report.
//
// The suites write records with these types; internal/report, internal/mutation and
// internal/inventory read runs only through Read, so a record cannot drift between the
// writer and its readers: a renamed field is a compile error, not a silently empty column.
// A known entry whose value is not the documented JSON is an error naming the spec and the
// entry, because a report built on a half-decoded record would misstate what was checked.
package runrecord
