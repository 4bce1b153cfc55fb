package explore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
)

// Answer is what the target answered.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// Finding kinds: stable kebab-case ids.
const (
	FindingServerError     = "server-error-for-client-fault"
	FindingAccepted        = "must-refuse-fault-accepted"
	FindingUndocumented    = "undocumented-answer"
	FindingOutsideRegister = "answer-outside-every-reading"
	FindingInconsistent    = "inconsistent-reading"
	FindingMetamorphic     = "presentation-changes-answer"
)

// class is what two presentations of one request must share: the status and the error code.
func class(a Answer) string {
	obj := decodeObject(a.Body)
	code, _ := obj["error_code"].(string)
	if env, ok := obj["error"].(map[string]any); ok {
		code, _ = env["code"].(string)
	}
	return strings.TrimSpace(fmt.Sprintf("%d %s", a.Status, strings.ToUpper(code)))
}

// sameClass is the metamorphic relation: a request presented differently (member order,
// white space, header order and case, charset parameter) gets the answer of the same class.
func (o *oracle) sameClass(r *Request, first, second Answer) *verdict {
	if class(first) == class(second) {
		return nil
	}
	reqs := o.blame(r)
	if r.API == specfacts.KooPhone {
		reqs = append(reqs, specfacts.ReqKooPhoneJSONCharsetAccepted)
	} else {
		reqs = append(reqs, specfacts.ReqVBSJSONCharset)
	}
	return &verdict{kind: FindingMetamorphic,
		message:      fmt.Sprintf("answered %s, but %s to the same request presented differently", class(second), class(first)),
		allowed:      "the same status and code for every presentation of a request: " + class(first),
		requirements: reqs, entries: o.entries(r)}
}

// verdict is the oracle's judgement of one exchange; nil when the answer is allowed.
type verdict struct {
	kind         string
	message      string
	allowed      string
	requirements []specfacts.RequirementID
	entries      []specfacts.AmbiguityID
	reference    string
	// rule and pointer name the first contract violation of an undocumented answer.
	rule, pointer string
}

// oracle judges answers: invariants, the register, and consistency across the run.
type oracle struct {
	voc  *Vocabulary
	cat  *catalog.Catalog
	con  *contract.Contract
	cons contract.Constraints

	// items is where a success reports the requested items; nil when it reports none.
	items *itemReport

	mu sync.Mutex
	// observed is the base entry's reading first seen per alphabet of the ids, and the
	// request that showed it. Whether ids of the other alphabet get the same answer is the
	// alphabet relation's question (relations.go), asked of two requests alike but for it.
	observed map[Alphabet]observation
	// readings counts the readings observed per entry, for the coverage.
	readings map[string]map[string]int
}

// observation is a reading first seen, and the request that showed it.
type observation struct{ reading, by string }

func newOracle(voc *Vocabulary, cat *catalog.Catalog, con *contract.Contract) *oracle {
	return &oracle{voc: voc, cat: cat, con: con, cons: con.Constraints(), items: itemReportOf(voc),
		observed: map[Alphabet]observation{}, readings: map[string]map[string]int{}}
}

// baseListPresent reports whether the request still names ids of the base list, which
// cannot exist on the target.
func (o *oracle) baseListPresent(r *Request) bool {
	if r.Raw != nil || r.Pooled {
		return false
	}
	l, ok := r.list(pathOf(o.voc.ListPointer))
	if !ok || len(l) == 0 {
		return false
	}
	for _, f := range r.Faults {
		if f.Role == RoleList || f.Role == RoleListItem {
			return false
		}
	}
	return true
}

// entries are the register entries that govern the answer to r.
func (o *oracle) entries(r *Request) []specfacts.AmbiguityID {
	var out []specfacts.AmbiguityID
	for _, f := range r.Faults {
		for _, e := range f.Entries {
			if !slices.Contains(out, e) {
				out = append(out, e)
			}
		}
	}
	if len(r.Faults) > 1 {
		out = append(out, o.voc.Precedence)
	}
	if o.baseListPresent(r) && !slices.Contains(out, o.voc.BaseEntry) {
		out = append(out, o.voc.BaseEntry)
	}
	return out
}

func (o *oracle) judge(r *Request, hr *http.Request, a Answer) *verdict {
	entries := o.entries(r)
	allowed := o.describeAllowed(r, entries)
	reqs := o.blame(r)
	switch {
	case a.Status >= 500 && len(r.Faults) == 0:
		return &verdict{kind: FindingServerError, message: fmt.Sprintf("status %d for a valid request naming ids that cannot exist", a.Status), allowed: allowed, requirements: reqs, entries: entries}
	case a.Status >= 500:
		return &verdict{kind: FindingServerError, message: fmt.Sprintf("status %d for a request carrying a client fault", a.Status), allowed: allowed, requirements: reqs, entries: entries}
	case a.Status >= 200 && a.Status < 300 && o.mustRefuse(r):
		return &verdict{kind: FindingAccepted, message: fmt.Sprintf("status %d for a request no reading lets through", a.Status), allowed: allowed, requirements: reqs, entries: entries}
	}
	if vs := o.con.ValidateResponse(hr, a.Status, a.Header, a.Body); len(vs) > 0 && !o.excused(entries, a, vs) {
		var req []specfacts.RequirementID
		for _, v := range vs {
			if v.RequirementID != "" && !slices.Contains(req, v.RequirementID) {
				req = append(req, v.RequirementID)
			}
		}
		return &verdict{kind: FindingUndocumented, message: vs.Error(), allowed: allowed, requirements: req, entries: entries, rule: string(vs[0].Rule), pointer: vs[0].Location}
	}
	if v := o.answeredOnce(r, a); v != nil {
		return v
	}
	if len(r.Faults) > 0 || !o.baseListPresent(r) {
		return nil
	}
	base, _ := o.cat.Ambiguity(string(o.voc.BaseEntry))
	var seen []string
	for _, rd := range base.Readings {
		if base.Tolerates(rd.ID) && o.matchesAny(rd.Outcome, a) {
			seen = append(seen, rd.ID)
		}
	}
	baseReqs := toReqs(base.Requirements)
	if len(seen) == 0 {
		return &verdict{kind: FindingOutsideRegister, message: fmt.Sprintf("status %d %s matches no reading of %s", a.Status, excerpt(a.Body, 200), base.ID), allowed: allowed, requirements: baseReqs, entries: []specfacts.AmbiguityID{o.voc.BaseEntry}}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.readings[base.ID] == nil {
		o.readings[base.ID] = map[string]int{}
	}
	o.readings[base.ID][seen[0]]++
	alpha := r.idAlphabet()
	desc := fmt.Sprintf("%d ids of %d characters (%s)", r.Size, r.Length, alpha)
	first, ok := o.observed[alpha]
	if !ok {
		o.observed[alpha] = observation{seen[0], desc}
		return nil
	}
	if !slices.Contains(seen, first.reading) {
		return &verdict{kind: FindingInconsistent,
			message:      fmt.Sprintf("register entry %s answered with reading %s here, and with reading %s for %s earlier in the run", base.ID, seen[0], first.reading, first.by),
			allowed:      fmt.Sprintf("one reading of %s for the whole run: %s, as first observed", base.ID, first.reading),
			requirements: baseReqs, entries: []specfacts.AmbiguityID{o.voc.BaseEntry},
			reference: first.by}
	}
	return nil
}

// blame names the requirements a wrong answer to r breaks: the faults' own, the precedence
// requirement when there are several, and the invariants about client errors.
func (o *oracle) blame(r *Request) []specfacts.RequirementID {
	var out []specfacts.RequirementID
	add := func(ids ...specfacts.RequirementID) {
		for _, id := range ids {
			if id != "" && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	if len(r.Faults) > 1 {
		if p, ok := o.cat.Ambiguity(string(o.voc.Precedence)); ok {
			add(toReqs(p.Requirements)...)
		}
	}
	for _, f := range r.Faults {
		add(f.Requirements...)
	}
	if r.API == specfacts.KooPhone {
		add(specfacts.ReqKooPhoneClientErrorsAre400)
	}
	if len(r.Faults) == 0 {
		if b, ok := o.cat.Ambiguity(string(o.voc.BaseEntry)); ok {
			add(toReqs(b.Requirements)...)
		}
	}
	return out
}

func (o *oracle) mustRefuse(r *Request) bool {
	for _, f := range r.Faults {
		if f.MustRefuse {
			return true
		}
	}
	return o.baseListPresent(r) && mustRefuse(o.cat, []specfacts.AmbiguityID{o.voc.BaseEntry})
}

// excused reports whether a reading the register tolerates allows the answer despite the
// contract's violations vs. A reading that names only a status leaves the body unjudged (the
// answer may come from the transport); one that names a code, an envelope or a gateway body
// reads the body as JSON, so it never excuses a body that is not JSON or not sent as JSON.
func (o *oracle) excused(entries []specfacts.AmbiguityID, a Answer, vs contract.Violations) bool {
	wire := slices.ContainsFunc(vs, func(v contract.Violation) bool {
		return v.Rule == specfacts.RuleResponseBodyInvalidJSON || v.Rule == specfacts.RuleResponseContentType
	})
	for _, id := range entries {
		e, ok := o.cat.Ambiguity(string(id))
		if !ok {
			continue
		}
		for _, rd := range e.Readings {
			if !e.Tolerates(rd.ID) {
				continue
			}
			for _, out := range rd.Outcome {
				if o.matches(out, a) && (!wire || statusOnly(out)) {
					return true
				}
			}
		}
	}
	return false
}

// statusOnly reports whether an outcome names nothing but statuses.
func statusOnly(out catalog.Outcome) bool {
	return reflect.DeepEqual(out, catalog.Outcome{Statuses: out.Statuses})
}

func (o *oracle) matchesAny(os catalog.Outcomes, a Answer) bool {
	for _, out := range os {
		if o.matches(out, a) {
			return true
		}
	}
	return false
}

var gatewayCode = regexp.MustCompile(catalog.GatewayCodePattern)

// matches reports whether an answer is the outcome's. An outcome that states neither a
// status nor a body shape (a code prefix, members it may omit) says nothing about whether
// the answer is allowed, so it never vouches for one.
func (o *oracle) matches(out catalog.Outcome, a Answer) bool {
	statuses := out.Statuses
	if len(statuses) == 0 && out.Gateway {
		statuses = []int{catalog.GatewayStatus}
	}
	if len(statuses) == 0 && len(out.Codes) == 0 && !out.Envelope {
		return false
	}
	if len(statuses) > 0 && !slices.Contains(statuses, a.Status) {
		return false
	}
	obj := decodeObject(a.Body)
	if out.Gateway {
		code, _ := obj["error_code"].(string)
		_, msg := obj["error_msg"].(string)
		_, rid := obj["request_id"].(string)
		if !gatewayCode.MatchString(code) || !msg || !rid {
			return false
		}
	}
	if len(out.Codes) > 0 {
		code, _ := obj["error_code"].(string)
		ok := false
		for _, name := range out.Codes {
			c := o.cons.KooPhone.Code(specfacts.ErrorCodeName(name))
			if strings.EqualFold(code, c.Code) && a.Status == c.Status {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	if out.Envelope {
		env, _ := obj["error"].(map[string]any)
		code, _ := env["code"].(string)
		_, msg := env["message"].(string)
		if code == "" || !msg {
			return false
		}
	}
	if out.ResourceIn != "" {
		l, _ := obj[out.ResourceIn].([]any)
		if len(l) == 0 {
			return false
		}
	}
	return true
}

// describeAllowed says what the documents allow for r, for the finding.
func (o *oracle) describeAllowed(r *Request, entries []specfacts.AmbiguityID) string {
	var parts []string
	if o.mustRefuse(r) {
		parts = append(parts, "a refusal (no reading lets this request through)")
	}
	for _, id := range entries {
		e, ok := o.cat.Ambiguity(string(id))
		if !ok {
			continue
		}
		var rs []string
		for _, rd := range e.Readings {
			if e.Tolerates(rd.ID) {
				rs = append(rs, rd.ID+": "+rd.Outcome.String())
			}
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", id, strings.Join(rs, "; ")))
	}
	parts = append(parts, "otherwise a documented status and body of the contract, never a 5xx")
	return strings.Join(parts, "; ")
}

func decodeObject(b []byte) map[string]any {
	dec := json.NewDecoder(bytes.NewReader(b))
	var obj map[string]any
	if dec.Decode(&obj) != nil {
		return nil
	}
	return obj
}

func toReqs(ids []string) []specfacts.RequirementID {
	out := make([]specfacts.RequirementID, len(ids))
	for i, id := range ids {
		out[i] = specfacts.RequirementID(id)
	}
	return out
}

func excerpt(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
