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
// An exploration has two phases. Requests (generate.go, alphabet.go) uses pgregory.net/rapid: valid base requests walk
// list sizes (past ten where the schema states no maxItems), id lengths, the ids' alphabet
// (ASCII, or multi-byte characters within the maxLength counted in characters and in bytes,
// so that the request is valid whichever unit a server counts), key order, white space and
// header case; faulty ones carry one to three independent faults. Base requests name only
// ids that cannot exist on any target, so no request can change state. The oracle
// (oracle.go, items.go) checks invariants (no 5xx, no 2xx for a must-refuse fault, a
// documented answer or one a governing reading states, and a 2xx reports every requested
// item exactly once where the 200 lists them) and consistency (the base entry's reading is
// the same across the run, per alphabet). The metamorphic relations (relations.go) send a
// request again related to the first: presented differently, its ids in another order, or
// its ids of the same length spelt in the other alphabet; each answer is judged alone, then
// both must be of the same class (status and code). Where a reading answers both alike (an
// unknown instance refused with the code a length check gives), the relation cannot tell
// and claims nothing. A valid request of multi-byte ids is always paired with its ASCII
// twin. rapid shrinks a finding to a minimal case (fewest faults, shortest lists
// and ids), reported with the seed and a curl command whose tokens are redacted (report.go).
//
// Sequences (sequence.go), only on a target file that says allow_mutating: true and states an
// explore_budget (budget.go: FreshPools takes that many fresh ids of each pool, none the
// ledger lists as consumed), are call sequences as a rapid state machine: rapid.T.Repeat's
// actions plan backups or associations of batches mixing owned, foreign and unknown ids,
// repeats, verifications, and batches carrying a must-refuse fault, naming pooled ids by
// slot; the machine's invariant follows every request that may be refused with a backup or
// association of the pooled ids it named, since a refusal must have changed nothing. A plan is sent with fresh ids; while a finding is shrunk, a plan
// sent before is answered from the tree of sequences sent (memo.go), so that rapid's shrinking
// spends ids only on sequences it has not seen, and rapid is told failures that name no id,
// so that the same sequence with other ids fails alike. The model (model.go) is a reference
// implementation the caller passes in (Model; the suites pass referencemock.Model, so this
// package does not link the mock) built from the target file: it answers the same sequence,
// and every fault-free answer must be of its class and name the same items, each once. It
// starts at the register's strict readings and takes one other legitimate reading of an entry
// when that alone explains the whole sequence; what nothing explains is a finding,
// FindingModel, reported as the minimal sequence of curl commands with its seed. The ids a
// sequence used up (a 2xx, a 5xx, no answer, an answer unlike the model's) are returned for
// the ledger.
//
// Run (explore.go) is the entry point the `conformance explore` command and the suites'
// `kind:explore` specs call; it bounds requests, rate and duration per phase and stops on a
// target that no longer answers.
package explore
