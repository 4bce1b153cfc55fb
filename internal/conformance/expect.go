package conformance

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// problemKind says how a problem differs from what was expected; the report groups
// failures into causes by it (docs/reports.md, "Causes").
type problemKind int

const (
	// otherProblem is described by its text alone.
	otherProblem problemKind = iota
	// noAnswer: the exchange got no HTTP answer.
	noAnswer
	// wrongAnswer: the status or the code is not one the check accepts.
	wrongAnswer
	// ruleProblem: a rule at a JSON pointer — a contract violation, or a check of the
	// answer's form the suites make beyond the schemas (rule = the requirement checked).
	ruleProblem
	// readingProblem: the answer has a reading's status but not what that reading says
	// besides (where a resource is reported, the jobs of an earlier call, a gateway body).
	readingProblem
)

// problem is one thing wrong with an exchange.
type problem struct {
	text        string
	kind        problemKind
	rule        string
	pointer     string
	requirement specfacts.RequirementID
	// reading is the register reading the problem was judged under, if any.
	reading string
}

// String is the problem as a failure message lists it.
func (q problem) String() string {
	if q.reading != "" {
		return "as " + q.reading + ": " + q.text
	}
	return q.text
}

// weight says how far a problem puts an answer from a reading: a missing answer or another
// status or code weighs more than what a reading adds, which weighs more than one member's
// form. Judge blames the reading the answer is closest to.
func (q problem) weight() int {
	switch q.kind {
	case noAnswer:
		return 100
	case wrongAnswer:
		if q.rule != "" {
			return 5
		}
		return 10
	case readingProblem:
		return 3
	case ruleProblem:
		return 1
	}
	return 2
}

// problems collects what is wrong with one exchange; judge fails the spec with all of them
// and the context a developer needs: the requirement, its seed clause, the evidence.
type problems []problem

func (p *problems) addf(format string, args ...any) {
	*p = append(*p, problem{text: fmt.Sprintf(format, args...)})
}

// answerf adds a problem with the answer's status or code.
func (p *problems) answerf(format string, args ...any) {
	*p = append(*p, problem{text: fmt.Sprintf(format, args...), kind: wrongAnswer})
}

// rulef adds a problem with one member of the answer: the requirement the check is about
// and the JSON pointer of the member (array indices as *, so that one deviation in every
// item is one finding).
func (p *problems) rulef(req specfacts.RequirementID, pointer, format string, args ...any) {
	*p = append(*p, problem{text: fmt.Sprintf(format, args...), kind: ruleProblem, rule: string(req), pointer: pointer, requirement: req})
}

// readingf adds a problem with what a register reading says beyond the status.
func (p *problems) readingf(format string, args ...any) {
	*p = append(*p, problem{text: fmt.Sprintf(format, args...), kind: readingProblem})
}

func (p problems) texts() []string {
	out := make([]string, len(p))
	for i, q := range p {
		out[i] = q.String()
	}
	return out
}

// answered adds the problems every expectation shares: the exchange must have completed,
// with a JSON body and no contract violation beyond those the caller tolerated.
func (p *problems) answered(x *Exchange) bool {
	if x.Err != nil {
		*p = append(*p, problem{text: fmt.Sprintf("no usable answer: %v", x.Err), kind: noAnswer})
		return false
	}
	for _, v := range x.ContractViolations() {
		msg := fmt.Sprintf("contract violation [%s] at %s: %s", v.Rule, v.Location, v.Message)
		if v.RequirementID != "" {
			msg += " (requirement " + string(v.RequirementID) + ")"
		}
		*p = append(*p, problem{text: msg, kind: ruleProblem, rule: string(v.Rule), pointer: v.Location, requirement: v.RequirementID})
	}
	return true
}

// want is what a check accepts: its description, the answers it accepts when status and
// code say it, and the register entry whose readings judge the answer, if any.
type want struct {
	text    string
	answers []runrecord.Answer
	entry   specfacts.AmbiguityID
}

// judge fails the current spec when there are problems.
func (e *Env) judge(x *Exchange, expected string, p problems) {
	GinkgoHelper()
	e.judgeWant(x, want{text: expected}, p)
}

// judgeWant fails the current spec when there are problems: it records what differed as an
// expectation entry and fails with that difference as the first line of the message.
func (e *Env) judgeWant(x *Exchange, w want, p problems) {
	GinkgoHelper()
	if len(p) == 0 {
		return
	}
	rec := e.expectation(x, w, p)
	AddReportEntry(runrecord.EntryExpectation, rec, ReportEntryVisibilityNever)
	// Through Gomega, not Ginkgo's Fail, so that a caller can intercept the failure
	// (InterceptGomegaFailures: FirstUse tells a stale pool from a deviation that way).
	Expect(rec).To(checkFailed(e.failureMessage(x, w, rec, p)))
}

// checkFailed is a matcher that never matches and fails with exactly the message given:
// the first line of a failure is what differed, not a matcher's own wording.
type checkFailed string

func (c checkFailed) Match(any) (bool, error)          { return false, nil }
func (c checkFailed) FailureMessage(any) string        { return string(c) }
func (c checkFailed) NegatedFailureMessage(any) string { return string(c) }

// gotOf is the class of the answer an exchange got.
func gotOf(x *Exchange) *runrecord.Answer {
	if x == nil {
		return nil
	}
	if x.Err != nil {
		return &runrecord.Answer{Error: x.Err.Error()}
	}
	a := &runrecord.Answer{Status: x.Status}
	if x.Status >= 300 || x.Status < 200 {
		a.Code = wireCode(x)
	}
	return a
}

// primary is the problem that says what differed: no answer, then a wrong status or code,
// then the first rule at a pointer, then a reading's own outcome, then the first of the rest.
func (p problems) primary() problem {
	for _, k := range []problemKind{noAnswer, wrongAnswer, ruleProblem, readingProblem} {
		for _, q := range p {
			if q.kind == k {
				return q
			}
		}
	}
	return p[0]
}

// expectation is the record of a failed check.
func (e *Env) expectation(x *Exchange, w want, p problems) runrecord.Expectation {
	owner := runrecord.OwningRequirement(requirementsOfCurrentSpec())
	q := p.primary()
	rec := runrecord.Expectation{RequestClass: owner, Requirement: owner, Expected: w.answers, RegisterEntry: w.entry}
	if len(w.answers) == 0 {
		rec.ExpectedText = w.text
	}
	if x != nil {
		rec.Subjects = subjectsOf(x.Request)
		rec.Got = gotOf(x)
		if rec.Got.Error != "" {
			rec.Got.Error = e.Redactor.String(rec.Got.Error)
		}
		for _, a := range w.answers {
			if a.Status == rec.Got.Status && a.Code != "" && rec.Got.Code == "" {
				// The check compares a success's codes too (the fail_resources of a 200).
				rec.Got.Code = wireCode(x)
			}
		}
	}
	expected := runrecord.Answers(w.answers)
	if expected == "" {
		expected = w.text
	}
	if q.kind == wrongAnswer && q.rule == "" && x != nil {
		switch {
		case otherSuccess(x.Status, w.answers):
			// Another success status where 200 is due is one deviation whatever the
			// request: the status the server gives a success.
			q.requirement = documentedStatus[x.Request.API]
			q.rule, q.pointer = string(q.requirement), "/status"
		case rec.Got != nil && x.Request.API == specfacts.KooPhone:
			// An expected code under another status is one deviation whatever the request:
			// the status the server gives that code.
			if req, ok := e.codeStatusRequirement(*rec.Got, w.answers); ok {
				q.requirement = req
				q.rule, q.pointer = string(req), "/status"
			}
		}
	}
	switch q.kind {
	case ruleProblem:
		rec.Rule, rec.Pointer = q.rule, q.pointer
		if q.requirement != "" {
			rec.Requirement = q.requirement
		}
		rec.Summary = q.text
		if !strings.Contains(q.text, q.pointer) {
			rec.Summary = fmt.Sprintf("%s at %s: %s", q.rule, q.pointer, q.text)
		}
	case noAnswer, wrongAnswer:
		if q.rule != "" {
			rec.Rule, rec.Pointer, rec.Requirement = q.rule, q.pointer, q.requirement
		}
		rec.Summary = fmt.Sprintf("expected %s, got %s", expected, rec.Got)
		if rec.Got == nil {
			rec.Summary = q.text
		}
		if w.entry != "" {
			rec.Summary = fmt.Sprintf("register entry %s: %s", w.entry, rec.Summary)
		}
	default:
		rec.Summary = q.text
		if w.entry != "" && !strings.Contains(q.text, string(w.entry)) {
			rec.Summary = fmt.Sprintf("register entry %s: %s", w.entry, q.text)
		}
	}
	rec.Summary = e.Redactor.String(strings.TrimSpace(strings.SplitN(rec.Summary, "\n", 2)[0]))
	return rec
}

// failureMessage leads with what differed, then every problem, then the requirement the
// spec is about with its seed clause, then the evidence.
func (e *Env) failureMessage(x *Exchange, w want, rec runrecord.Expectation, p problems) string {
	var b strings.Builder
	b.WriteString(rec.Summary + "\n")
	if len(p) > 1 || p[0].String() != rec.Summary {
		b.WriteString("problems:\n")
		for _, q := range p {
			fmt.Fprintf(&b, "  - %s\n", q)
		}
	}
	if r, ok := e.Catalog.Requirement(string(runrecord.OwningRequirement(requirementsOfCurrentSpec()))); ok {
		fmt.Fprintf(&b, "requirement %s (%s): %s\n  seed %s: %q\n", r.ID, r.Level, r.Statement, r.Source.Seed, r.Source.Clause)
	}
	fmt.Fprintf(&b, "expected: %s\n", w.text)
	if x != nil {
		if got := gotOf(x); got != nil {
			fmt.Fprintf(&b, "got: %s\n", got)
		}
		b.WriteString(e.evidence(x).String())
	}
	return e.Redactor.String(b.String())
}

// ExpectNoServerError fails when the answer is a 5xx, a transport failure or, unless the
// caller tolerated it, a contract violation; it is the floor under every robustness spec.
func (e *Env) ExpectNoServerError(x *Exchange) {
	GinkgoHelper()
	var p problems
	if p.answered(x) && x.Status >= 500 {
		p.answerf("a client mistake was answered with server error %d", x.Status)
	}
	e.judge(x, "a request error (4xx), never a 5xx or a dropped connection", p)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// documentedStatus is the requirement on the statuses each API answers with.
var documentedStatus = map[specfacts.API]specfacts.RequirementID{specfacts.KooPhone: specfacts.ReqKooPhoneDocumentedStatus, specfacts.VBS: specfacts.ReqVBSDocumentedStatus}

// otherSuccess reports whether status is a success other than the successes expected.
func otherSuccess(status int, expected []runrecord.Answer) bool {
	if status < 200 || status > 299 {
		return false
	}
	success := false
	for _, a := range expected {
		if a.Status == status {
			return false
		}
		if a.Status >= 200 && a.Status <= 299 {
			success = true
		}
	}
	return success
}

// codeStatusRequirement reports whether got carries an expected KooPhone code under a status
// the code is not documented with, and the requirement on that code's status.
func (e *Env) codeStatusRequirement(got runrecord.Answer, expected []runrecord.Answer) (specfacts.RequirementID, bool) {
	if got.Code == "" {
		return "", false
	}
	for _, a := range expected {
		if a.Code == got.Code && a.Status == got.Status {
			return "", false
		}
	}
	for _, a := range expected {
		if a.Code != got.Code {
			continue
		}
		if a.Status >= 500 {
			return specfacts.ReqKooPhoneInternalError, true
		}
		return specfacts.ReqKooPhoneClientErrorsAre400, true
	}
	return "", false
}

// maxSubjects bounds the ids an expectation record carries.
const maxSubjects = 256

// subjectsOf are the ids a request names: KooPhone instance_ids, VBS resource ids; none when
// its body is not the documented shape.
func subjectsOf(r Request) []string {
	var body struct {
		InstanceIDs []any `json:"instance_ids"`
		Resources   []any `json:"resources"`
	}
	if json.Unmarshal(r.Body, &body) != nil {
		return nil
	}
	var out []string
	add := func(v any) {
		if s, ok := v.(string); ok && s != "" && len(out) < maxSubjects && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, v := range body.InstanceIDs {
		add(v)
	}
	for _, v := range body.Resources {
		if m, ok := v.(map[string]any); ok {
			add(m["resource_id"])
		}
	}
	return out
}
