package report

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
)

// Kinds of a cause (docs/reports.md, "Causes").
const (
	// CauseAnswer: requests of one class got another status or code than the one expected.
	CauseAnswer = "answer"
	// CauseRule: one rule at one JSON pointer of the answers: a contract rule
	// (specs/rules.yaml) or a check of the answer's form the suites make beyond the
	// schemas, named by the requirement it checks.
	CauseRule = "rule"
	// CauseRegister: one register entry answered outside every reading.
	CauseRegister = "register"
	// CauseUnreachable: the target of an API stopped answering; its requirements are not
	// evaluated, and the specs that failed on the way are this cause's.
	CauseUnreachable = "unreachable"
	// CauseFailure: a failure that carries no expectation record (a panic, a suite's own
	// assertion); failures with the same first line are one cause.
	CauseFailure = "failure"
)

// Cause is one deviation of the target, with every failure it explains: failures that
// share one deviation are one finding.
type Cause struct {
	// ID numbers the causes of a report from 1, most specs explained first.
	ID int `json:"id"`
	// Key is the cause's signature, stable from run to run (report diff compares it).
	Key  string `json:"key"`
	Kind string `json:"kind"`
	API  string `json:"api"`
	// Title is the exact first line: what differed.
	Title string `json:"title"`
	// Requirement owns the cause: the most specific requirement of its failures.
	Requirement   string `json:"requirement"`
	RequestClass  string `json:"request_class,omitempty"`
	Expected      string `json:"expected,omitempty"`
	Got           string `json:"got,omitempty"`
	Rule          string `json:"rule,omitempty"`
	Pointer       string `json:"pointer,omitempty"`
	RegisterEntry string `json:"register_entry,omitempty"`
	// Requirements are every requirement whose failure the cause explains: the owning one,
	// then the others in catalog order.
	Requirements []string `json:"requirements"`
	// Specs are the failed specs the cause explains.
	Specs []string `json:"specs"`
	// Source is the seed clause of the owning requirement.
	Source Source `json:"source"`
	// Fix says in one sentence what the target must do instead.
	Fix string `json:"fix"`
}

// causeFailure is one failed spec's record with its signatures.
type causeFailure struct {
	spec string
	reqs []string
	rec  runrecord.Expectation
	kind string
	keys []string
	api  string
	// start is when the spec started; consequence marks a failure a request another spec's
	// target wrongly carried out explains (linkCascades).
	start       time.Time
	consequence bool
}

// causeInput collects the failed specs of a run for grouping.
type causeInput struct {
	failures []causeFailure
}

// add records the failure of one spec: each expectation record it emitted, or its failure
// message's first line when it emitted none.
func (c *causeInput) add(spec string, api string, sp runrecord.Spec, message string) {
	ids := sp.Requirements()
	reqs := make([]string, len(ids))
	for i, id := range ids {
		reqs[i] = string(id)
	}
	recs := sp.Expectations
	if len(recs) == 0 {
		owner := runrecord.OwningRequirement(ids)
		rec := runrecord.Expectation{RequestClass: owner, Requirement: owner, Summary: firstLine(message)}
		if len(sp.Unreachable) > 0 {
			// The spec whose unanswered request ended the suite: it failed on no answer.
			rec.Got = &runrecord.Answer{Error: sp.Unreachable[0].Reason}
		}
		recs = []runrecord.Expectation{rec}
	}
	for _, rec := range recs {
		kind, keys := causeKeys(api, rec)
		c.failures = append(c.failures, causeFailure{spec: spec, reqs: reqs, rec: rec, kind: kind, keys: keys, api: api, start: sp.StartTime})
	}
}

// arrayIndex matches the array indices of a JSON pointer: one deviation in every item of
// a list is one cause.
var arrayIndex = regexp.MustCompile(`/[0-9]+(/|$)`)

func normalPointer(p string) string {
	for {
		n := arrayIndex.ReplaceAllString(p, "/*$1")
		if n == p {
			return n
		}
		p = n
	}
}

// causeKeys are the signatures of a failure (docs/reports.md, "Causes"); failures that
// share any signature are one cause:
//   - a rule at a pointer, whatever the request;
//   - no answer at all, one per API: a server that hangs does so whatever it is asked;
//   - an answer a register reading allows the status and code of, but not the rest: the
//     register entry;
//   - another answer: the request class and the answer got (the expected answers vary
//     with the spec's alternatives, the deviation does not), and for a probe of a register
//     entry also the entry and the answer got (probes of one entry are one question,
//     whichever requirement their spec is about);
//   - else the failure's first line;
//   - besides, a server error (5xx), one per API and answer, whatever the request;
//   - and a generated request's failure (kind:explore) joins a hand-picked probe's failure
//     of the same API that got the same answer (joinGenerated), and one that found a register
//     entry answered two ways joins every failure of that entry.
func causeKeys(api string, rec runrecord.Expectation) (kind string, keys []string) {
	kind, keys = causeKeysOf(api, rec)
	if rec.Generated && rec.RegisterEntry != "" {
		// A generated request that found a register entry answered two ways is that entry's
		// deviation, whatever each request got.
		keys = append(keys, "register "+string(rec.RegisterEntry))
	}
	if rec.Got != nil && rec.Got.Error == "" && rec.Got.Status >= 500 {
		// A server error is the server's own failure whatever the request was, as a hang is.
		keys = append(keys, "server-error "+api+" got "+gotClass(*rec.Got))
	}
	return kind, keys
}

func causeKeysOf(api string, rec runrecord.Expectation) (kind string, keys []string) {
	switch {
	case rec.Rule != "":
		return CauseRule, []string{"rule " + rec.Rule + " " + normalPointer(rec.Pointer)}
	case rec.Got != nil && rec.Got.Error != "":
		return CauseAnswer, []string{"no-answer " + api}
	case rec.RegisterEntry != "" && (rec.Got == nil || answerIn(*rec.Got, rec.Expected)):
		return CauseRegister, []string{"register " + string(rec.RegisterEntry)}
	case rec.RegisterEntry != "":
		return CauseRegister, []string{"register " + string(rec.RegisterEntry) + " got " + gotClass(*rec.Got), "answer " + string(rec.RequestClass) + " got " + gotClass(*rec.Got)}
	case rec.Got != nil && (len(rec.Expected) > 0 || rec.ExpectedText != ""):
		return CauseAnswer, []string{"answer " + string(rec.RequestClass) + " got " + gotClass(*rec.Got)}
	}
	return CauseFailure, []string{"failure " + string(rec.RequestClass) + ": " + rec.Summary}
}

// answerIn reports whether got has the status, and the code where one is named, of an
// expected answer.
func answerIn(got runrecord.Answer, expected []runrecord.Answer) bool {
	for _, e := range expected {
		if e.Status == got.Status && (e.Code == "" || e.Code == got.Code) {
			return true
		}
	}
	return false
}

func expectedOf(rec runrecord.Expectation) string {
	if s := runrecord.Answers(rec.Expected); s != "" {
		return s
	}
	return rec.ExpectedText
}

// gotClass is the got answer without the transport's wording, which varies from request
// to request.
func gotClass(a runrecord.Answer) string {
	if a.Error != "" {
		return "no answer"
	}
	return a.String()
}

// components joins the failures that share a signature: it returns, per failure, the index
// of its component's first failure.
func components(fs []causeFailure) []int {
	parent := make([]int, len(fs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i, f := range fs {
		for _, k := range f.keys {
			if j, ok := owner[k]; ok {
				a, b := find(i), find(j)
				parent[max(a, b)] = min(a, b)
			} else {
				owner[k] = i
			}
		}
	}
	out := make([]int, len(fs))
	for i := range fs {
		out[i] = find(i)
	}
	return out
}

// groupCauses folds the failures into causes, most specs first; cat gives each owning
// requirement's statement and clause.
func groupCauses(in causeInput, cat *catalog.Catalog) []Cause {
	type group struct {
		c       Cause
		first   runrecord.Expectation
		keys    []string
		owners  map[string]int
		classes []string
	}
	groups := map[int]*group{}
	var order []int
	linkCascades(in.failures)
	joinGenerated(in.failures)
	root := components(in.failures)
	// The cause is told by a failure of its own, not by a consequence of it.
	lead := map[int]int{}
	for i, f := range in.failures {
		if j, ok := lead[root[i]]; !ok || (in.failures[j].consequence && !f.consequence) {
			lead[root[i]] = i
		}
	}
	for i, f := range in.failures {
		g := groups[root[i]]
		if g == nil {
			first := in.failures[lead[root[i]]]
			g = &group{owners: map[string]int{}, c: Cause{Kind: first.kind, API: first.api, Title: first.rec.Summary,
				Rule: first.rec.Rule, Pointer: normalPointer(first.rec.Pointer), RegisterEntry: string(first.rec.RegisterEntry),
				Expected: expectedOf(first.rec), Requirements: []string{}, Specs: []string{}}}
			if first.rec.Got != nil {
				g.c.Got = gotClass(*first.rec.Got)
			}
			g.first = first.rec
			groups[root[i]] = g
			order = append(order, root[i])
		}
		for _, k := range f.keys {
			if !slices.Contains(g.keys, k) {
				g.keys = append(g.keys, k)
			}
		}
		if !slices.Contains(g.c.Specs, f.spec) {
			g.c.Specs = append(g.c.Specs, f.spec)
		}
		for _, id := range f.reqs {
			if _, ok := cat.Requirement(id); ok && !slices.Contains(g.c.Requirements, id) {
				g.c.Requirements = append(g.c.Requirements, id)
			}
		}
		if f.rec.Requirement != "" && !f.consequence {
			g.owners[string(f.rec.Requirement)]++
		}
		if class := string(f.rec.RequestClass); class != "" && !f.consequence && !slices.Contains(g.classes, class) {
			g.classes = append(g.classes, class)
		}
	}
	rank := map[string]int{}
	for i, q := range cat.Requirements {
		rank[q.ID] = i
	}
	out := make([]Cause, 0, len(order))
	for _, r := range order {
		g := groups[r]
		c := g.c
		// The smallest signature names the cause: the same whatever order the specs ran in.
		slices.Sort(g.keys)
		c.Key = g.keys[0]
		slices.Sort(c.Specs)
		sort.SliceStable(c.Requirements, func(i, j int) bool { return rank[c.Requirements[i]] < rank[c.Requirements[j]] })
		c.Requirement = owningOf(g.owners, c.Requirements, rank)
		if i := slices.Index(c.Requirements, c.Requirement); i > 0 {
			// The owner leads the requirements the cause explains.
			c.Requirements = append(append([]string{c.Requirement}, c.Requirements[:i]...), c.Requirements[i+1:]...)
		}
		c.Title = titleOf(c, g.classes, g.first)
		if c.Kind == CauseAnswer && len(g.classes) > 0 {
			c.RequestClass = g.classes[0]
		}
		if q, ok := cat.Requirement(c.Requirement); ok {
			c.Source = Source{Seed: q.Source.Seed, Clause: q.Source.Clause}
		}
		c.Fix = fixOf(c, g.first, cat)
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if len(out[i].Specs) != len(out[j].Specs) {
			return len(out[i].Specs) > len(out[j].Specs)
		}
		return out[i].Key < out[j].Key
	})
	for i := range out {
		out[i].ID = i + 1
	}
	return out
}

// owningOf picks the requirement a cause is about: the one its failed checks name most
// often, a requirement a probe is about before a cross-cutting one (runrecord.CrossCutting),
// then catalog order; when the checks name none, the first requirement it explains.
func owningOf(counts map[string]int, explained []string, rank map[string]int) string {
	ids := make([]string, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		typed := make([]specfacts.RequirementID, len(explained))
		for i, id := range explained {
			typed[i] = specfacts.RequirementID(id)
		}
		return string(runrecord.OwningRequirement(typed))
	}
	if len(ids) == 1 {
		return ids[0]
	}
	slices.SortFunc(ids, func(a, b string) int {
		if ca, cb := runrecord.CrossCutting(specfacts.RequirementID(a)), runrecord.CrossCutting(specfacts.RequirementID(b)); ca != cb {
			if ca {
				return 1
			}
			return -1
		}
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return cmp.Compare(rank[a], rank[b])
	})
	return ids[0]
}

// registerPrefix starts the first line of a failure judged by a register entry.
var registerPrefix = regexp.MustCompile(`^register entry [a-z0-9-]+: `)

// titleOf is the cause's first line: what differed, for every failure it explains.
func titleOf(c Cause, classes []string, first runrecord.Expectation) string {
	title := c.Title
	switch {
	case strings.HasPrefix(c.Key, "no-answer "):
		return fmt.Sprintf("%s requests got no answer: %s", c.API, first.Got.Error)
	case c.Kind == CauseRule:
		// A rule holds whatever the request and the register entry that judged it.
		title = registerPrefix.ReplaceAllString(title, "")
		if c.Pointer != "" && !strings.Contains(title, c.Pointer) {
			title = c.Rule + " at " + c.Pointer + ": " + title
		}
	case c.Kind == CauseAnswer && len(classes) > 0:
		title = classes[0] + " → " + title
	}
	return title
}

// fixOf is the one sentence that tells the target what to do instead.
func fixOf(c Cause, first runrecord.Expectation, cat *catalog.Catalog) string {
	statement := ""
	if q, ok := cat.Requirement(c.Requirement); ok {
		statement = " (" + q.ID + ": " + q.Statement + ")"
	}
	switch {
	case strings.HasPrefix(c.Key, "no-answer "):
		return "answer every request within the timeout, never hang or drop the connection" + statement
	case c.Kind == CauseAnswer:
		return fmt.Sprintf("answer %s, not %s, to this request%s", c.Expected, c.Got, statement)
	case c.Kind == CauseRule && c.Pointer == "/status" && first.Got != nil:
		for _, a := range first.Expected {
			if a.Code != "" && a.Code == first.Got.Code {
				return fmt.Sprintf("answer each error_code with the status the document gives it (%s with %d), not status %d%s", a.Code, a.Status, first.Got.Status, statement)
			}
		}
		return fmt.Sprintf("answer with the status the document gives (%s), not status %d%s", expectedOf(first), first.Got.Status, statement)
	case c.Kind == CauseRule:
		detail := c.Title
		if i := strings.Index(detail, c.Pointer+": "); c.Pointer != "" && i >= 0 {
			detail = detail[i+len(c.Pointer)+2:]
		}
		if c.Pointer == "" {
			return fmt.Sprintf("fix every answer this way: %s%s", detail, statement)
		}
		return fmt.Sprintf("fix %s in every answer that has it (%s)%s", c.Pointer, detail, statement)
	case c.Kind == CauseRegister:
		return fmt.Sprintf("answer as a reading of register entry %s allows (%s), not %s%s", c.RegisterEntry, orText(c.Expected, "specs/ambiguities.yaml"), orText(c.Got, "this way"), statement)
	}
	return fmt.Sprintf("make the check pass: %s%s", c.Title, statement)
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// attributeCauses tells each failing requirement which causes explain it.
func attributeCauses(r *Report) {
	for i := range r.Requirements {
		q := &r.Requirements[i]
		if q.Status != StatusFail && q.Status != StatusWaived {
			continue
		}
		for _, c := range r.Causes {
			if slices.Contains(c.Requirements, q.ID) {
				q.CausedBy = append(q.CausedBy, c.ID)
			}
		}
	}
}

// Cause returns the cause with that id.
func (r *Report) Cause(id int) (Cause, bool) {
	for _, c := range r.Causes {
		if c.ID == id {
			return c, true
		}
	}
	return Cause{}, false
}

// OwnCause returns the first cause the requirement owns among those that explain it.
func (r *Report) OwnCause(q Requirement) (Cause, bool) {
	for _, id := range q.CausedBy {
		if c, ok := r.Cause(id); ok && c.Requirement == q.ID {
			return c, true
		}
	}
	return Cause{}, false
}

// Explanation says why a failing requirement fails, in one line: its own cause and first
// failure, or the cause another requirement owns that it fails because of.
func (r *Report) Explanation(q Requirement) string {
	first := strings.TrimSuffix(firstLine(failureSummary(q)), " …")
	if c, ok := r.OwnCause(q); ok {
		return fmt.Sprintf("cause #%d: %s", c.ID, first)
	}
	if len(q.CausedBy) > 0 {
		var refs []string
		for _, id := range q.CausedBy {
			if c, ok := r.Cause(id); ok {
				refs = append(refs, fmt.Sprintf("#%d (%s)", c.ID, c.Requirement))
			}
		}
		if len(refs) > 0 {
			return "fails because of cause " + strings.Join(refs, ", ")
		}
	}
	return first
}

// Waived reports whether every requirement the cause explains that failed is waived.
func (c Cause) Waived(r *Report) bool {
	waived := false
	for _, q := range r.Requirements {
		if !slices.Contains(c.Requirements, q.ID) {
			continue
		}
		switch q.Status {
		case StatusFail:
			return false
		case StatusWaived:
			waived = true
		}
	}
	return waived
}

// unreachableCauses are the causes of the APIs whose target stopped answering: they lead,
// since nothing else about that API could be evaluated.
func unreachableCauses(gone []Unreachable, specs map[string][]string) []Cause {
	var out []Cause
	for _, u := range gone {
		out = append(out, Cause{Key: "unreachable " + u.API, Kind: CauseUnreachable, API: u.API,
			Title: u.API + " target unreachable: " + u.Reason, Requirements: []string{}, Specs: append([]string{}, specs[u.API]...),
			Fix: "make the " + u.API + " target answer every request within the timeout; until it does, none of its requirements can be evaluated"})
	}
	return out
}

// foldNoAnswer puts the unanswered requests of an API that answered and then stopped into
// that API's unreachable cause: a server that hangs on some requests is one deviation, told
// once, owning the requirements of the specs it left unanswered. The causes are numbered
// anew, unreachable ones first.
func foldNoAnswer(gone, found []Cause) []Cause {
	out := append([]Cause{}, gone...)
	for _, c := range found {
		i := slices.IndexFunc(out, func(u Cause) bool { return u.Kind == CauseUnreachable && c.Key == "no-answer "+u.API })
		if i < 0 {
			out = append(out, c)
			continue
		}
		u := &out[i]
		u.Requirement, u.Requirements, u.Source = c.Requirement, c.Requirements, c.Source
		for _, sp := range c.Specs {
			if !slices.Contains(u.Specs, sp) {
				u.Specs = append(u.Specs, sp)
			}
		}
		slices.Sort(u.Specs)
	}
	return out
}

// linkCascades joins a failure to the cause of the request that explains it: a spec whose
// success was refused, on ids an earlier spec's request named that the target wrongly carried
// out (it answered success where only a refusal is due). That request consumed the ids, so
// the refusal is the same deviation seen again, not a second one.
// joinGenerated gives a generated request's failure the signature of a hand-picked probe's
// failure of the same API that got the same answer: the same deviation, reached by a
// request nobody picked. A generated failure no probe shares stays a cause of its own.
func joinGenerated(fs []causeFailure) {
	for i := range fs {
		g := &fs[i]
		if !g.rec.Generated || g.rec.Got == nil {
			continue
		}
		for _, h := range fs {
			if h.rec.Generated || h.api != g.api || h.rec.Got == nil || gotClass(*h.rec.Got) != gotClass(*g.rec.Got) {
				continue
			}
			g.keys = append(g.keys, h.keys[0])
			break
		}
	}
}

func linkCascades(fs []causeFailure) {
	for i := range fs {
		b := &fs[i]
		if !refusedSuccess(b.rec) {
			continue
		}
		for _, a := range fs {
			if a.spec == b.spec || !wronglyCarriedOut(a.rec) || a.start.IsZero() || !a.start.Before(b.start) || !overlap(a.rec.Subjects, b.rec.Subjects) {
				continue
			}
			b.keys = append(b.keys, a.keys[0])
			b.consequence = true
			break
		}
	}
}

func success(status int) bool { return status >= 200 && status <= 299 }

// refusedSuccess: only a success was expected, and an error came back.
func refusedSuccess(rec runrecord.Expectation) bool {
	if rec.Got == nil || rec.Got.Status < 400 || len(rec.Expected) == 0 {
		return false
	}
	for _, a := range rec.Expected {
		if !success(a.Status) {
			return false
		}
	}
	return true
}

// wronglyCarriedOut: only refusals were expected, and a success came back.
func wronglyCarriedOut(rec runrecord.Expectation) bool {
	if rec.Got == nil || !success(rec.Got.Status) || len(rec.Expected) == 0 {
		return false
	}
	for _, a := range rec.Expected {
		if success(a.Status) {
			return false
		}
	}
	return true
}

func overlap(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
