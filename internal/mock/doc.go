// Package mock is the project's reference implementation of both APIs — KooPhone
// "Backing Up an Instance" and VBS "Associating Resources with a Backup Policy" — served by
// one http.Handler over a stateful, seeded, in-memory world.
//
// It exists so that the suites have something to run against on a machine with no cloud
// account, and so that client teams have a faithful stand-in: every documented error path
// is reachable, every rejected request names the offending field and the rule, and where
// the ambiguity register (specs/ambiguities.yaml) allows several readings the mock takes
// the strict one unless told otherwise: WithReading(s) chooses any legitimate reading per
// entry, WithLenient the first non-strict one of every entry (readings.go holds one
// decision function per entry, naming readings through the generated specfacts constants;
// koophone.go and vbs.go call them and read as the specification). register_test.go checks
// every reading's answer against its outcome in the register.
//
// Request checking reuses internal/contract, the one source of truth for shapes, limits,
// codes and header names; the semantic rules a schema cannot express live here.
//
// Two further mechanisms serve the project's own testing: injected failures
// (X-Mock-Fault: internal-error | latency=<d> | drop-connection, inject.go), which let
// suites provoke what a client cannot, and planted faults (faults.go), deviations that
// mutation testing switches on one at a time to prove the suites catch them. A planted
// fault is applied around the reference handlers (plant.go, plants_*.go), on top of any
// readings: it rewrites the request or the answer, or hands the reference a contract edited
// the way the deviating server misreads it; the handlers know nothing of it. Files: mock.go
// (type, options), serve.go (routing, recovery), accesslog.go (the access log, where an
// injected failure has its own level), wire.go (JSON and body helpers), world.go (state),
// server.go (listening).
//
// Client teams drive it too: an admin API under /__mock/ (admin.go: reset to the starting
// world, a bounded journal of the exchanges with their contract violations in journal.go,
// the state the calls changed), answering loopback clients only unless WithAdminRemote; and
// a minimal IAM (iam.go: the Keystone v3 password flow) whose tokens both APIs accept, so
// that target files taking tokens from IAM are tested end to end.
package mock
