package report

import (
	"time"

	"github.com/koobackup/conformance/internal/redact"
)

// SchemaVersion is the version of the conformance.json format this package writes; it
// changes only when a consumer would have to change. Version 2 added the
// partially-evaluated and inconclusive statuses, require_conclusive and unreachable.
const SchemaVersion = 2

// Requirement and run statuses as they appear in conformance.json (docs/reports.md, "How a
// requirement gets its status").
const (
	// StatusPass: every spec of the requirement ran and passed, and at least one of them
	// could have failed on a deviating server.
	StatusPass = "pass"
	// StatusFail: a spec of the requirement failed.
	StatusFail = "fail"
	// StatusPartiallyEvaluated: some specs gave conclusive evidence, others were skipped,
	// pending or inconclusive.
	StatusPartiallyEvaluated = "partially-evaluated"
	// StatusInconclusive: specs ran, but none could tell a conformant server from a
	// deviating one.
	StatusInconclusive = "inconclusive"
	// StatusNotEvaluated: no spec of the requirement ran (or its target was unreachable).
	StatusNotEvaluated = "not-evaluated"
	// StatusWaived: fail, covered by a valid waiver.
	StatusWaived = "waived"
)

// Conclusive reports whether a requirement status settles the requirement (pass, fail or
// waived); the others are what --require-conclusive refuses.
func Conclusive(status string) bool {
	return status == StatusPass || status == StatusFail || status == StatusWaived
}

// Report is conformance.json: the verdict of one run against one target.
type Report struct {
	SchemaVersion int    `json:"schema_version"`
	Verdict       string `json:"verdict"`
	// VerdictReason says in one sentence why the verdict is what it is.
	VerdictReason string         `json:"verdict_reason"`
	Target        TargetInfo     `json:"target"`
	Run           RunInfo        `json:"run"`
	SpecDocuments []SpecDocument `json:"spec_documents"`
	Totals        Totals         `json:"totals"`
	APIs          []APITotals    `json:"apis"`
	// Causes group the failures by the deviation that explains them, most specs first
	// (docs/reports.md, "Causes"); absent (nil when read) from reports written before
	// causes existed.
	Causes       []Cause        `json:"causes"`
	Requirements []Requirement  `json:"requirements"`
	Ambiguities  []Ambiguity    `json:"ambiguities"`
	Waivers      []WaiverResult `json:"waivers"`
	// SuiteFailures are failures outside any requirement (a BeforeSuite that failed, a spec
	// without a known req: label, an interrupted suite); any of them fails the run.
	SuiteFailures []SuiteFailure `json:"suite_failures"`
	// Unreachable names the APIs whose target could not be exchanged with; their
	// requirements are not-evaluated and the run fails.
	Unreachable []Unreachable `json:"unreachable"`
	// RequireConclusive is set when the run was built with --require-conclusive: any
	// requirement that is not pass, fail or waived then fails the run.
	RequireConclusive bool `json:"require_conclusive"`
	// DetectionPower is the section `conformance prove` adds (report build --prove): how
	// many planted deviations this run would catch on an implementation that reads the
	// documents as this target does.
	DetectionPower *DetectionPower `json:"detection_power,omitempty"`

	// redactor is applied once more to every byte written, in case a secret reached the
	// report in a form Build did not see (it is nil for reports read back from JSON, which
	// were redacted when built).
	redactor *redact.Redactor
}

// TargetInfo describes the implementation under test, as the suites reported it.
type TargetInfo struct {
	Name            string `json:"name"`
	Profile         string `json:"profile"`
	KooPhoneBaseURL string `json:"koophone_base_url"`
	VBSBaseURL      string `json:"vbs_base_url"`
	AllowMutating   bool   `json:"allow_mutating"`
}

// RunInfo is the run's metadata.
type RunInfo struct {
	StartTime       time.Time  `json:"start_time"`
	EndTime         time.Time  `json:"end_time"`
	DurationSeconds float64    `json:"duration_seconds"`
	GeneratedAt     time.Time  `json:"generated_at"`
	GoVersion       string     `json:"go_version"`
	GinkgoVersion   string     `json:"ginkgo_version"`
	Suites          []SuiteRun `json:"suites"`
}

// SuiteRun is one Ginkgo suite of the run.
type SuiteRun struct {
	Description string     `json:"description"`
	Path        string     `json:"path"`
	Succeeded   bool       `json:"succeeded"`
	Specs       SpecCounts `json:"specs"`
}

// SpecDocument is one OpenAPI document the run was checked against.
type SpecDocument struct {
	File    string `json:"file"`
	Title   string `json:"title"`
	Version string `json:"version"`
}

// SpecCounts counts conformance specs by outcome; they match the JUnit report of the run
// (an inconclusive spec is skipped there, and counted both as skipped and as inconclusive
// here).
type SpecCounts struct {
	Total        int `json:"total"`
	Passed       int `json:"passed"`
	Failed       int `json:"failed"`
	Skipped      int `json:"skipped"`
	Pending      int `json:"pending"`
	Inconclusive int `json:"inconclusive"`
}

// Totals counts requirements by status. Evaluated is how many were settled by conclusive
// evidence (pass + fail + waived): the number a reader should look at first.
type Totals struct {
	Requirements       int        `json:"requirements"`
	Evaluated          int        `json:"evaluated"`
	Pass               int        `json:"pass"`
	Fail               int        `json:"fail"`
	PartiallyEvaluated int        `json:"partially_evaluated"`
	Inconclusive       int        `json:"inconclusive"`
	NotEvaluated       int        `json:"not_evaluated"`
	Waived             int        `json:"waived"`
	Specs              SpecCounts `json:"specs"`
}

// APITotals are the totals of one API.
type APITotals struct {
	API string `json:"api"`
	Totals
}

// Source is the seed clause a requirement comes from.
type Source struct {
	Seed   string `json:"seed"`
	Clause string `json:"clause"`
}

// Requirement is one catalog requirement with its outcome in this run.
type Requirement struct {
	ID        string `json:"id"`
	API       string `json:"api"`
	Level     string `json:"level"`
	Kind      string `json:"kind"`
	Statement string `json:"statement"`
	Source    Source `json:"source"`
	Inferred  bool   `json:"inferred"`
	Status    string `json:"status"`
	// Reason explains every status but pass and fail: what was not run or could not tell,
	// the waiver, the expired waiver.
	Reason   string     `json:"reason,omitempty"`
	Specs    []Spec     `json:"specs"`
	Evidence []Evidence `json:"evidence"`
	// CausedBy are the ids of the causes that explain the requirement's failure; a cause
	// another requirement owns means it fails because of that cause.
	CausedBy []int `json:"caused_by,omitempty"`
}

// Spec is one Ginkgo spec that checks a requirement.
type Spec struct {
	Text           string   `json:"text"`
	State          string   `json:"state"`
	Location       string   `json:"location"`
	RunTimeSeconds float64  `json:"run_time_seconds"`
	Labels         []string `json:"labels"`
	Failure        *Failure `json:"failure,omitempty"`
	SkipReasons    []string `json:"skip_reasons,omitempty"`
	// Inconclusive holds why the spec could not tell (its verdict records, or "passed
	// without an exchange"); such a spec never counts as evidence of a pass.
	Inconclusive []string `json:"inconclusive,omitempty"`
	// NotApplicable holds why the reading the target took left the spec nothing to check;
	// such a spec counts neither as evidence nor as a gap.
	NotApplicable   []string `json:"not_applicable,omitempty"`
	Mutating        bool     `json:"mutating"`
	EvidenceEntries int      `json:"evidence_entries"`
}

// Failure is why a spec failed and where.
type Failure struct {
	Message  string `json:"message"`
	Location string `json:"location"`
}

// Evidence is one exchange a spec recorded, bounded to excerpts.
type Evidence struct {
	Spec       string    `json:"spec"`
	Request    *Request  `json:"request,omitempty"`
	Response   *Response `json:"response,omitempty"`
	Violations []string  `json:"violations"`
	Error      string    `json:"error,omitempty"`
}

// Request is the excerpt of a request.
type Request struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// Response is the excerpt of a response.
type Response struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// Ambiguity is one register entry with the readings this target was observed to take.
type Ambiguity struct {
	ID           string    `json:"id"`
	API          string    `json:"api"`
	Question     string    `json:"question"`
	Strict       string    `json:"strict"`
	Requirements []string  `json:"requirements"`
	Readings     []Reading `json:"readings"`
	// Observed lists the distinct readings seen, in register order.
	Observed []string `json:"observed"`
	// Outcome is "not-observed", "strict" (only the strict reading was seen), "tolerated"
	// (a legitimate non-strict reading was seen) or "not-tolerated".
	Outcome string `json:"outcome"`
	// InRegister is false when the suites reported an id the register does not have.
	InRegister bool `json:"in_register"`
}

// Reading is one reading of a register entry and how often it was observed.
type Reading struct {
	ID          string   `json:"id"`
	Description string   `json:"description"`
	Strict      bool     `json:"strict"`
	Legitimate  bool     `json:"legitimate"`
	Observed    int      `json:"observed"`
	Specs       []string `json:"specs"`
}

// Outcomes of an ambiguity entry.
const (
	AmbiguityNotObserved  = "not-observed"
	AmbiguityStrict       = "strict"
	AmbiguityTolerated    = "tolerated"
	AmbiguityNotTolerated = "not-tolerated"
)

// WaiverResult is what became of one waiver.
type WaiverResult struct {
	Requirement string `json:"requirement"`
	Target      string `json:"target"`
	Reason      string `json:"reason"`
	Expires     string `json:"expires"`
	// State is "applied", "expired" (the failure counts again), "stale" (the requirement
	// passes: remove the waiver) or "unused" (the requirement was not evaluated, or the
	// waiver names another target).
	State string `json:"state"`
	Note  string `json:"note"`
}

// Waiver states.
const (
	WaiverApplied = "applied"
	WaiverExpired = "expired"
	WaiverStale   = "stale"
	WaiverUnused  = "unused"
)

// Unreachable is an API whose target did not answer (runrecord.Unreachable).
type Unreachable struct {
	API    string `json:"api"`
	Reason string `json:"reason"`
	// Answered: the API answered earlier requests of the run, then stopped; the specs it
	// left unanswered fail their requirements (runrecord.Unreachable.Answered).
	Answered bool `json:"answered,omitempty"`
}

// SuiteFailure is a failure no requirement accounts for.
type SuiteFailure struct {
	Suite    string `json:"suite"`
	Node     string `json:"node"`
	Text     string `json:"text"`
	State    string `json:"state"`
	Message  string `json:"message"`
	Location string `json:"location"`
}
