package traffic

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/specfacts"
)

// MaxEvidencePerRequirement bounds the exchanges kept as evidence for one requirement, so a
// long-running proxy holds bounded memory however often a client repeats a mistake.
const MaxEvidencePerRequirement = 5

// Tally accumulates the verdicts of many exchanges into one report. It is safe for
// concurrent use; it keeps counts and a few redacted excerpts, never whole exchanges.
type Tally struct {
	mu        sync.Mutex
	redactor  *redact.Redactor
	start     time.Time
	exchanges int
	violating int
	apis      map[string]int
	byReq     map[string]*requirementTally
	// unattributed collects violations no catalog requirement names (e.g. an unknown
	// route) and incomplete exchanges, keyed by rule or error kind.
	unattributed map[string]*requirementTally
	clientGone   int
}

type requirementTally struct {
	violations int
	evidence   []report.Evidence
	example    string
}

// NewTally returns an empty Tally whose evidence passes through red.
func NewTally(red *redact.Redactor) *Tally {
	if red == nil {
		red = redact.New()
	}
	return &Tally{
		redactor: red, start: time.Now().UTC(), apis: map[string]int{},
		byReq: map[string]*requirementTally{}, unattributed: map[string]*requirementTally{},
	}
}

// Add records one exchange and its violations.
func (t *Tally) Add(c *contract.Contract, ex Exchange, vs contract.Violations) {
	var api specfacts.API
	if u, err := httpRequest(ex.Request); err == nil {
		api, _, _ = c.Route(u.Method, u.URL.Path)
	}
	t.AddRouted(api, ex, vs)
}

// AddRouted is Add for a caller that already knows the exchange's API ("" for none).
func (t *Tally) AddRouted(api specfacts.API, ex Exchange, vs contract.Violations) {
	// Only exchanges kept as evidence need redacting (below, once a requirement still has
	// room for one); a clean exchange costs a route lookup.
	if ex.Error != "" {
		ex.Error = t.redactor.String(ex.Error)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.exchanges++
	if api != "" {
		t.apis[string(api)]++
	}
	if len(vs) > 0 {
		t.violating++
	}
	grouped := map[*requirementTally][]string{}
	var order []*requirementTally
	slot := func(m map[string]*requirementTally, key string) *requirementTally {
		rt := m[key]
		if rt == nil {
			rt = &requirementTally{}
			m[key] = rt
		}
		if _, seen := grouped[rt]; !seen {
			order = append(order, rt)
			grouped[rt] = nil
		}
		return rt
	}
	for _, v := range vs {
		rt := slot(t.byReq, string(v.RequirementID))
		if v.RequirementID == "" {
			rt = slot(t.unattributed, "violation "+string(v.Rule))
		}
		rt.violations++
		line := describe(v)
		if rt.example == "" {
			rt.example = line
		}
		grouped[rt] = append(grouped[rt], line)
	}
	switch ex.ErrorKind {
	case ErrorUpstreamUnreachable, ErrorUpstreamTimeout:
		rt := slot(t.unattributed, string(ex.ErrorKind))
		rt.violations++
		if rt.example == "" {
			rt.example = ex.Error
		}
	case ErrorClientGone:
		t.clientGone++
	}
	redacted := false
	for _, rt := range order {
		if len(rt.evidence) < MaxEvidencePerRequirement {
			if !redacted {
				ex, redacted = Redacted(ex, t.redactor), true
			}
			rt.evidence = append(rt.evidence, evidenceOf(ex, grouped[rt]))
		}
	}
}

// Exchanges reports how many exchanges were added.
func (t *Tally) Exchanges() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.exchanges
}

// Violating reports how many exchanges had at least one violation.
func (t *Tally) Violating() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.violating
}

// Failed reports whether the run must fail: a violation, or an exchange that could not be
// checked because the upstream did not answer.
func (t *Tally) Failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.violating > 0 || len(t.unattributed) > 0 || t.exchanges == 0
}

func describe(v contract.Violation) string {
	s := fmt.Sprintf("%s at %s: %s", v.Rule, v.Location, v.Message)
	if v.RequirementID != "" {
		s = string(v.RequirementID) + ": " + s
	}
	return s
}

func evidenceOf(ex Exchange, violations []string) report.Evidence {
	ev := report.Evidence{
		Spec: fmt.Sprintf("%s %s at %s", ex.Request.Method, ex.Request.URL, ex.Start.UTC().Format(time.RFC3339Nano)),
		Request: &report.Request{
			Method: ex.Request.Method, URL: ex.Request.URL,
			Headers: flatten(ex.Request.Header), Body: Excerpt(ex.Request.Body, ExcerptLimit),
		},
		Violations: violations,
		Error:      ex.Error,
	}
	if ev.Violations == nil {
		ev.Violations = []string{}
	}
	if r := ex.Response; r != nil {
		ev.Response = &report.Response{Status: r.Status, Headers: flatten(r.Header), Body: Excerpt(r.Body, ExcerptLimit)}
	}
	return ev
}

func flatten(h map[string][]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		out[k] = strings.Join(vs, ", ")
	}
	return out
}

// ReportOptions describe the run a Tally summarises.
type ReportOptions struct {
	// Name labels the checked traffic, e.g. "proxy to http://127.0.0.1:8080" or a file name.
	Name string
	// Upstream is the URL the traffic went to, when known.
	Upstream string
	// Kind is "proxy" or "check"; it names the source of the unattributed failures.
	Kind string
}

// Report turns the tally into the conformance report model: every requirement a violation
// names is `fail` with the violating exchanges as evidence; every other requirement is
// `not-evaluated`, because watching traffic can show a violation but never establish
// conformance. Violations no requirement names, and exchanges the upstream never
// answered, are suite failures. The verdict is `fail` when anything failed or no exchange
// was seen.
func (t *Tally) Report(cat *catalog.Catalog, opts ReportOptions) *report.Report {
	t.mu.Lock()
	defer t.mu.Unlock()
	end := time.Now().UTC()
	r := &report.Report{
		SchemaVersion: report.SchemaVersion,
		Target:        report.TargetInfo{Name: opts.Name, Profile: "default", KooPhoneBaseURL: opts.Upstream, VBSBaseURL: opts.Upstream},
		Run: report.RunInfo{
			StartTime: t.start, EndTime: end, DurationSeconds: end.Sub(t.start).Seconds(), GeneratedAt: end,
			GoVersion: runtime.Version(), Suites: []report.SuiteRun{},
		},
		SpecDocuments: []report.SpecDocument{},
		Requirements:  []report.Requirement{},
		Ambiguities:   []report.Ambiguity{},
		Waivers:       []report.WaiverResult{},
		SuiteFailures: []report.SuiteFailure{},
	}
	perAPI := map[string]*report.APITotals{}
	for _, req := range cat.Requirements {
		rr := report.Requirement{
			ID: req.ID, API: req.API, Level: req.Level, Kind: req.Kind, Statement: req.Statement,
			Source: report.Source{Seed: req.Source.Seed, Clause: req.Source.Clause}, Inferred: req.Inferred,
			Specs: []report.Spec{}, Evidence: []report.Evidence{},
		}
		at := perAPI[req.API]
		if at == nil {
			at = &report.APITotals{API: req.API}
			perAPI[req.API] = at
		}
		at.Requirements++
		if rt := t.byReq[req.ID]; rt != nil {
			rr.Status = report.StatusFail
			rr.Reason = fmt.Sprintf("%d violation(s) in %s traffic, e.g. %s", rt.violations, opts.Kind, rt.example)
			rr.Evidence = rt.evidence
			at.Evaluated++
			at.Fail++
		} else {
			rr.Status = report.StatusNotEvaluated
			rr.Reason = fmt.Sprintf("no violation in %d %s exchange(s); passive traffic checks cannot establish conformance", t.apis[req.API], req.API)
			at.NotEvaluated++
		}
		r.Requirements = append(r.Requirements, rr)
	}
	for id, rt := range t.byReq {
		if _, known := cat.Requirement(id); !known && id != "" {
			r.SuiteFailures = append(r.SuiteFailures, report.SuiteFailure{
				Suite: opts.Kind, Node: "violation", Text: id, State: report.StatusFail,
				Message: fmt.Sprintf("%d violation(s) of %q, which the catalog does not list, e.g. %s", rt.violations, id, rt.example),
			})
		}
	}
	keys := make([]string, 0, len(t.unattributed))
	for k := range t.unattributed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rt := t.unattributed[k]
		r.SuiteFailures = append(r.SuiteFailures, report.SuiteFailure{
			Suite: opts.Kind, Node: "exchange", Text: k, State: report.StatusFail,
			Message: fmt.Sprintf("%d occurrence(s), e.g. %s", rt.violations, rt.example),
		})
	}
	sort.Slice(r.SuiteFailures, func(i, j int) bool { return r.SuiteFailures[i].Text < r.SuiteFailures[j].Text })
	apiNames := make([]string, 0, len(perAPI))
	for a := range perAPI {
		apiNames = append(apiNames, a)
	}
	sort.Strings(apiNames)
	for _, a := range apiNames {
		at := perAPI[a]
		r.APIs = append(r.APIs, *at)
		r.Totals.Requirements += at.Requirements
		r.Totals.Evaluated += at.Evaluated
		r.Totals.Fail += at.Fail
		r.Totals.NotEvaluated += at.NotEvaluated
	}
	switch {
	case t.exchanges == 0:
		r.Verdict, r.VerdictReason = report.StatusFail, fmt.Sprintf("no exchange was seen by the %s, so nothing was checked", opts.Kind)
	case t.violating > 0 || len(r.SuiteFailures) > 0:
		r.Verdict = report.StatusFail
		r.VerdictReason = fmt.Sprintf("%d of %d exchange(s) violated the contract; %d requirement(s) failed; %d other failure(s)",
			t.violating, t.exchanges, r.Totals.Fail, len(r.SuiteFailures))
	default:
		r.Verdict = report.StatusPass
		r.VerdictReason = fmt.Sprintf("none of %d exchange(s) violated the contract", t.exchanges)
	}
	if t.clientGone > 0 {
		r.VerdictReason += fmt.Sprintf(" (%d client(s) disconnected before the answer)", t.clientGone)
	}
	return r
}
