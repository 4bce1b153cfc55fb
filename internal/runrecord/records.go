package runrecord

import (
	"fmt"
	"slices"
	"strings"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
)

// Names of the report entries the suites emit with AddReportEntry (docs/architecture.md,
// "Ginkgo report entries"). Each entry's value is the record type named beside it.
const (
	// EntryEvidence carries an Evidence: one per exchange with the target.
	EntryEvidence = "evidence"
	// EntryAmbiguity carries an Observation: which reading of a register entry the target took.
	EntryAmbiguity = "ambiguity"
	// EntryTarget carries a Target: the implementation under test, once per suite.
	EntryTarget = "target"
	// EntrySkipReason carries a SkipReason: why a spec was skipped.
	EntrySkipReason = "skip-reason"
	// EntryVerdict carries a Verdict: the spec ran but its probe could not tell a conformant
	// server from a deviating one.
	EntryVerdict = "verdict"
	// EntryUnreachable carries an Unreachable: the target of one API did not answer the
	// preflight (or stopped answering), so none of that API's requirements was evaluated.
	EntryUnreachable = "unreachable"
	// EntryConsumed carries a Consumed: a pooled id a request of the spec may have used up.
	EntryConsumed = "consumed"
	// EntryPool carries a PoolState: how many ids of a pool the run could still use.
	EntryPool = "pool"
)

// ExcerptBytes bounds every excerpt a run keeps of what it saw: request and response bodies
// in evidence, and the messages and reasons reports quote. It is the one size of an excerpt.
const ExcerptBytes = 2 << 10

// Message is one side of an exchange as evidence keeps it: redacted, bodies cut to an
// excerpt (ExcerptBytes). URL is set on requests, Status on responses.
type Message struct {
	Method  string              `json:"method"`
	URL     string              `json:"url,omitempty"`
	Status  int                 `json:"status,omitempty"`
	Headers map[string][]string `json:"headers,omitempty"`
	Body    string              `json:"body,omitempty"`
}

// Evidence is the record of one exchange (entry EntryEvidence). Response is nil when no
// HTTP answer arrived; Error then says why.
type Evidence struct {
	Requirements []specfacts.RequirementID `json:"requirements,omitempty"`
	Request      Message                   `json:"request"`
	Response     *Message                  `json:"response,omitempty"`
	Violations   contract.Violations       `json:"violations,omitempty"`
	Error        string                    `json:"error,omitempty"`
	ElapsedMS    int64                     `json:"elapsed_ms"`
}

// String is what a developer sees on failure: the request and the response, redacted.
func (ev Evidence) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "request: %s %s\n", ev.Request.Method, ev.Request.URL)
	for k, v := range ev.Request.Headers {
		fmt.Fprintf(&b, "  %s: %s\n", k, strings.Join(v, ", "))
	}
	if ev.Request.Body != "" {
		fmt.Fprintf(&b, "  body: %s\n", ev.Request.Body)
	}
	if ev.Response != nil {
		fmt.Fprintf(&b, "response: %d\n", ev.Response.Status)
		for k, v := range ev.Response.Headers {
			fmt.Fprintf(&b, "  %s: %s\n", k, strings.Join(v, ", "))
		}
		fmt.Fprintf(&b, "  body: %s\n", ev.Response.Body)
	}
	if ev.Error != "" {
		fmt.Fprintf(&b, "error: %s\n", ev.Error)
	}
	for _, v := range ev.Violations {
		fmt.Fprintf(&b, "violation: %s %s: %s\n", v.Rule, v.Location, v.Message)
	}
	return b.String()
}

// Observation says which reading of a register entry (specs/ambiguities.yaml) the target
// took (entry EntryAmbiguity). Tolerated is true when the reading is not the strict one,
// i.e. only the default profile accepts it.
type Observation struct {
	ID        specfacts.AmbiguityID `json:"id"`
	Reading   string                `json:"reading"`
	Strict    string                `json:"strict"`
	Tolerated bool                  `json:"tolerated"`
}

// StrictDeviation reports whether the strict profile refuses the observed reading.
func (o Observation) StrictDeviation() bool { return o.Reading != o.Strict }

func (o Observation) String() string {
	if o.Reading == o.Strict {
		return fmt.Sprintf("register entry %s: the target takes the strict reading %q", o.ID, o.Reading)
	}
	return fmt.Sprintf("register entry %s: the target takes reading %q (strict: %q)", o.ID, o.Reading, o.Strict)
}

// Profiles a Target may name (docs/architecture.md, "Profiles").
const (
	// ProfileDefault accepts every legitimate reading of every register entry.
	ProfileDefault = "default"
	// ProfileStrict requires the register's strict reading.
	ProfileStrict = "strict"
)

// Target describes the implementation under test (entry EntryTarget); it never carries a
// token.
type Target struct {
	Name           string `json:"name,omitempty"`
	Profile        string `json:"profile"`
	KooPhoneURL    string `json:"koophone_base_url,omitempty"`
	VBSURL         string `json:"vbs_base_url,omitempty"`
	AllowMutating  bool   `json:"allow_mutating"`
	FaultInjection bool   `json:"fault_injection"`
	BuiltIn        bool   `json:"built_in"`
	Timeout        string `json:"timeout"`
}

func (t Target) String() string {
	return fmt.Sprintf("target %s (profile %s, allow_mutating %v)", strings.TrimSpace(t.Name+" "+t.KooPhoneURL+" "+t.VBSURL), t.Profile, t.AllowMutating)
}

// SkipReason says why a spec was skipped (entry EntrySkipReason): pool too small, read-only
// target, section absent.
type SkipReason struct {
	Reason string `json:"reason"`
}

func (s SkipReason) String() string { return s.Reason }

// Outcomes a Verdict may carry.
const (
	// OutcomeInconclusive: the spec ran, but the reading the target takes leaves its probe
	// unable to tell a server that checks the thing under test from one that does not.
	OutcomeInconclusive = "inconclusive"
	// OutcomeNotApplicable: the reading the target took leaves the spec nothing to check
	// (e.g. "binds nothing when it refuses the whole request" on a target that answered per
	// resource). The spec neither counts as evidence nor as a gap. Never for a spec that
	// could not run for want of pool ids, permission or configuration: those are skips.
	OutcomeNotApplicable = "not-applicable"
)

// Verdict qualifies the outcome of the spec that emits it (entry EntryVerdict). A spec
// that records a verdict is skipped right after (conformance.Inconclusive,
// conformance.NotApplicable), so Ginkgo never counts it as passed; the report counts an
// inconclusive spec as ran-but-could-not-tell and leaves a not-applicable one out.
type Verdict struct {
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

func (v Verdict) String() string { return v.Outcome + ": " + v.Reason }

// Unreachable says the target of an API could not be exchanged with (entry
// EntryUnreachable): refused connections, no answer within the timeout, not HTTP. The
// requirements of that API are then not-evaluated, except those whose specs an API that had
// answered (Answered) left unanswered: they fail.
type Unreachable struct {
	API string `json:"api"`
	// URL is the API's base URL, redacted.
	URL string `json:"url,omitempty"`
	// Reason is a sentence naming the URL and what happened, e.g.
	// "no answer from http://host:8080 within 10s".
	Reason string `json:"reason"`
	// Answered says the API answered earlier requests of the run (its preflight at least)
	// and then stopped: the requests it left unanswered are evidence against it, since a
	// server that answers some requests and hangs on others deviates, while one that never
	// answered says nothing about the contract.
	Answered bool `json:"answered,omitempty"`
}

func (u Unreachable) String() string { return u.API + ": " + u.Reason }

// EntryExpectation carries an Expectation: a check of the spec failed, and this is what it
// expected and what came back, in fields a report can group on.
const EntryExpectation = "expectation"

// Answer is the class of an HTTP answer as a check judges it: the status and the code that
// names the answer beyond it (KooPhone error_code, VBS error.code). Error is set instead
// when no HTTP answer arrived.
type Answer struct {
	Status int    `json:"status,omitempty"`
	Code   string `json:"code,omitempty"`
	Error  string `json:"error,omitempty"`
}

func (a Answer) String() string {
	switch {
	case a.Error != "":
		return "no answer (" + a.Error + ")"
	case a.Status == 0 && a.Code == "":
		return "no answer"
	case a.Code == "":
		return fmt.Sprintf("%d", a.Status)
	case a.Status == 0:
		return a.Code
	}
	return fmt.Sprintf("%d %s", a.Status, a.Code)
}

// Answers joins answers as alternatives: "400 KOOPHONE.API.1000 or 400 KOOPHONE.API.0000".
func Answers(as []Answer) string {
	parts := make([]string, 0, len(as))
	for _, a := range as {
		if s := a.String(); !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " or ")
}

// Expectation is the record of one failed check (entry EntryExpectation), emitted by the
// expectation helpers of internal/conformance at the point the check fails. It says what
// differed in one of three ways, which the report groups failures by (docs/reports.md,
// "Causes"):
//   - the answer: Expected and Got differ in status or code;
//   - a rule at a JSON pointer: Rule is a contract rule id (specs/rules.yaml), or, for a
//     check the suites make beyond the schemas, the id of the requirement it checks; Pointer
//     locates the offending member;
//   - a register entry answered outside every reading: RegisterEntry names it.
type Expectation struct {
	// RequestClass is a stable name for what the request was: the requirement the spec
	// probes (its owning requirement, OwningRequirement), never free text.
	RequestClass specfacts.RequirementID `json:"request_class"`
	// Requirement is the requirement the failed check is about: the rule's requirement
	// when the check is one of a response's form, else the spec's owning requirement.
	Requirement specfacts.RequirementID `json:"requirement,omitempty"`
	// Expected are the answers the check accepts (alternatives); ExpectedText describes
	// them when no status and code can (a 4xx, the answer a control got).
	Expected     []Answer `json:"expected,omitempty"`
	ExpectedText string   `json:"expected_text,omitempty"`
	Got          *Answer  `json:"got,omitempty"`
	Rule         string   `json:"rule,omitempty"`
	Pointer      string   `json:"pointer,omitempty"`
	// RegisterEntry is the register entry (specs/ambiguities.yaml) whose readings judged
	// the answer, when one did.
	RegisterEntry specfacts.AmbiguityID `json:"register_entry,omitempty"`
	// Summary is the exact first line of the failure: what differed.
	Summary string `json:"summary"`
	// Subjects are the instance or volume ids the request named: a request the target
	// wrongly carried out may have consumed them for a later spec (a cascade, one cause).
	Subjects []string `json:"subjects,omitempty"`
	// Generated marks the record of a generated request (the kind:explore specs): the
	// same deviation a hand-picked probe saw, reached another way.
	Generated bool `json:"generated,omitempty"`
}

func (x Expectation) String() string { return x.Summary }

// Reasons a Consumed record may give.
const (
	// ConsumedCarriedOut: the target answered 2xx, so it acted on the id.
	ConsumedCarriedOut = "carried-out"
	// ConsumedUnknown: no answer, or a 5xx: the target may have acted on the id.
	ConsumedUnknown = "may-have-acted"
	// ConsumedStale: the target refused the id at its first use in the run as already
	// backed up or associated, while it accepted a fresh id of the same pool.
	ConsumedStale = "stale"
)

// Consumed says a request of the spec used up (or may have used up) one id of a pool
// (entry EntryConsumed): an owned instance the target backed up, a volume it associated.
// The run's ledger (internal/ledger) collects them so that no later run against the same
// target counts on the id again.
type Consumed struct {
	API  string `json:"api"`
	Pool string `json:"pool"`
	ID   string `json:"id"`
	// Spec is the full text of the spec whose request consumed the id.
	Spec   string `json:"spec"`
	Reason string `json:"reason"`
	// Status is the answer's HTTP status, 0 when none came.
	Status int `json:"status,omitempty"`
}

func (c Consumed) String() string {
	return fmt.Sprintf("%s %s consumed by %q (%s)", c.Pool, c.ID, c.Spec, c.Reason)
}

// PoolState says how many ids of one pool the run could use (entry EntryPool), emitted
// before any spec by the suite that reserves from the pool: Listed in the target file,
// ConsumedEarlier of them named by the ledger as used up by earlier runs, Fresh = Listed -
// ConsumedEarlier, Reserved by the suite's specs.
type PoolState struct {
	Pool            string `json:"pool"`
	Listed          int    `json:"listed"`
	ConsumedEarlier int    `json:"consumed_earlier"`
	Fresh           int    `json:"fresh"`
	Reserved        int    `json:"reserved"`
	// Ledger is the ledger file read, "" when the run keeps none (the built-in mock).
	Ledger string `json:"ledger,omitempty"`
}

func (p PoolState) String() string {
	s := fmt.Sprintf("%s: %d listed, %d fresh, %d reserved by this suite", p.Pool, p.Listed, p.Fresh, p.Reserved)
	if p.ConsumedEarlier > 0 {
		s += fmt.Sprintf(" (%d consumed by earlier runs; ledger %s)", p.ConsumedEarlier, p.Ledger)
	}
	return s
}
