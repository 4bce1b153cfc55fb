package explore

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
)

// Finding is one deviation, reduced to a minimal case.
type Finding struct {
	API  specfacts.API `json:"api"`
	Kind string        `json:"kind"`
	// Seed and Budget reproduce the exploration that found it (conformance explore --seed
	// --budget).
	Seed         uint64                    `json:"seed"`
	Budget       int                       `json:"budget"`
	Message      string                    `json:"message"`
	Requirements []specfacts.RequirementID `json:"requirements"`
	Entries      []specfacts.AmbiguityID   `json:"register_entries,omitempty"`
	// Faults are the faults the minimal request carries; Size and Length its base list.
	Faults []string `json:"faults"`
	Size   int      `json:"list_size"`
	Length int      `json:"id_length"`
	// Curl is the minimal request, tokens redacted.
	Curl string `json:"curl"`
	// Status and Answer are what the target answered (an excerpt, secrets redacted).
	Status int    `json:"status"`
	Answer string `json:"answer"`
	// Allowed is what the documents and the register allow for the request.
	Allowed string `json:"allowed"`
	// Reference is the earlier request an inconsistency is measured against.
	Reference string `json:"reference,omitempty"`
	// Phase is the phase that found it; Sequence, for a call sequence, every exchange of
	// the minimal sequence, the last one the deviating (Size counts its batches).
	Phase    Phase    `json:"phase"`
	Sequence []string `json:"sequence,omitempty"`

	exchange runrecord.Evidence
	// rule and pointer name the contract violation of an undocumented answer, so that the
	// finding is one cause with a hand-picked probe's violation of the same rule there.
	rule, pointer string
}

// evidence is one exchange in the record every conformance spec keeps, secrets redacted.
func (e *engine) evidence(r *Request, a Answer, reqs []specfacts.RequirementID) runrecord.Evidence {
	return runrecord.Evidence{
		Requirements: reqs,
		Request: runrecord.Message{Method: r.Method, URL: e.red.String(strings.TrimRight(e.base, "/") + r.Path()),
			Headers: e.red.Header(headerOf(r)), Body: e.red.String(excerpt(r.BodyBytes(), runrecord.ExcerptBytes))},
		Response: &runrecord.Message{Method: r.Method, Status: a.Status, Headers: e.red.Header(a.Header), Body: e.red.String(excerpt(a.Body, runrecord.ExcerptBytes))},
	}
}

// Expectation is the finding as the record of a failed check, so that the report groups it
// with the hand-picked probes' failures of the same deviation (internal/report, "Causes").
// class is the requirement the exploring spec is about.
func (f *Finding) Expectation(class specfacts.RequirementID) runrecord.Expectation {
	got := runrecord.Answer{Status: f.Status}
	if f.Status < 200 || f.Status > 299 {
		// A success's code is not an error code: the suites record a 2xx by its status
		// alone, and a finding joins their failure only when the two read alike.
		got.Code = codeOf(f.exchange.Response)
	}
	rec := runrecord.Expectation{RequestClass: class, Requirement: class, ExpectedText: f.Allowed, Got: &got,
		Rule: f.rule, Pointer: f.pointer, Summary: f.Headline(), Generated: true}
	if f.Kind == FindingInconsistent && len(f.Entries) == 1 {
		// Two readings of one entry in one server: the entry is the deviation, whichever
		// request showed it.
		rec.RegisterEntry = f.Entries[0]
	}
	return rec
}

// codeOf reads the error code of an answer: KooPhone's error_code or VBS's error.code.
func codeOf(m *runrecord.Message) string {
	if m == nil {
		return ""
	}
	var body struct {
		ErrorCode string `json:"error_code"`
		Error     struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal([]byte(m.Body), &body) != nil {
		return ""
	}
	if body.ErrorCode != "" {
		return body.ErrorCode
	}
	return body.Error.Code
}

func (e *engine) newFinding(api specfacts.API, r *Request, a Answer, v *verdict) *Finding {
	ct := ""
	if a.Header != nil {
		ct = a.Header.Get("Content-Type")
	}
	ev := e.evidence(r, a, v.requirements)
	return &Finding{
		exchange: ev,
		API:      api, Kind: v.kind, Seed: e.o.Seed, Budget: e.o.Budget, Message: e.red.String(v.message),
		Requirements: v.requirements, Entries: v.entries,
		Faults: r.FaultIDs(), Size: r.Size, Length: r.Length,
		Curl:   r.Curl(e.base, e.red),
		Status: a.Status, Answer: e.red.String(strings.TrimSpace(ct + " " + excerpt(a.Body, 512))),
		Allowed: v.allowed, Reference: v.reference, Phase: PhaseRequests,
		rule: v.rule, pointer: v.pointer,
	}
}

// Headline is the finding's first line: the minimal request and what it got.
func (f *Finding) Headline() string {
	if len(f.Sequence) > 1 {
		return fmt.Sprintf("explore %s, %s (seed %d), minimal case: a sequence of %d requests, the last %s → %d", f.API, f.Kind, f.Seed, len(f.Sequence), f.Curl, f.Status)
	}
	return fmt.Sprintf("explore %s, %s (seed %d), minimal case: %s → %d", f.API, f.Kind, f.Seed, f.Curl, f.Status)
}

// String is the full report of the finding, headline first.
func (f *Finding) String() string {
	var b strings.Builder
	fmt.Fprintln(&b, f.Headline())
	faults := "none (a valid request)"
	if len(f.Faults) > 0 {
		faults = strings.Join(f.Faults, ", ")
	}
	fmt.Fprintf(&b, "  what:     %s\n", f.Message)
	if f.Phase == PhaseSequences {
		fmt.Fprintf(&b, "  sequence: %d request(s), the target's answer after each:\n", len(f.Sequence))
		for _, s := range f.Sequence {
			fmt.Fprintf(&b, "    %s\n", s)
		}
	} else {
		fmt.Fprintf(&b, "  faults:   %s; %d id(s) of %d characters\n", faults, f.Size, f.Length)
		fmt.Fprintf(&b, "  request:  %s\n", f.Curl)
	}
	fmt.Fprintf(&b, "  answered: %d %s\n", f.Status, f.Answer)
	fmt.Fprintf(&b, "  allowed:  %s\n", f.Allowed)
	if f.Reference != "" {
		fmt.Fprintf(&b, "  earlier:  %s\n", f.Reference)
	}
	fmt.Fprintf(&b, "  requirements: %s\n", joinIDs(f.Requirements))
	phase := ""
	if f.Phase == PhaseSequences {
		phase = " --phase " + string(PhaseSequences)
	}
	fmt.Fprintf(&b, "  rerun:    conformance explore --target <target file> --api %s%s --seed %d --budget %d (in the suites: %s=%d %s=%d)\n", f.API, phase, f.Seed, f.Budget, SeedEnv, f.Seed, BudgetEnv, f.Budget)
	return b.String()
}

// Summary says what an API's exploration covered, for a run that found nothing (and for
// the record of one that did).
func (a *APIResult) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "explore %s: %d requests in %s", a.API, a.Sent, a.Elapsed.Round(1e6))
	if a.Shrinking > 0 {
		fmt.Fprintf(&b, " (%d of them shrinking a finding)", a.Shrinking)
	}
	if a.Stopped != "" {
		fmt.Fprintf(&b, " (stopped: %s)", a.Stopped)
	}
	fmt.Fprintf(&b, "; vocabulary %d faults (%d must be refused)\n", a.Coverage.Faults, a.Coverage.MustRefuse)
	counts := make([]int, 0, len(a.Coverage.ByFaultCount))
	for n := range a.Coverage.ByFaultCount {
		counts = append(counts, n)
	}
	sort.Ints(counts)
	for _, n := range counts {
		fmt.Fprintf(&b, "  requests with %d fault(s): %d\n", n, a.Coverage.ByFaultCount[n])
	}
	if len(counts) > 0 {
		fmt.Fprintf(&b, "  fault kinds sent: %d; distinct pairs sent together: %d; sent again presented differently: %d\n", len(a.Coverage.ByKind), len(a.Coverage.Pairs), a.Coverage.Metamorphic)
	}
	for _, entry := range sortedKeys(a.Coverage.Readings) {
		var rs []string
		for _, rd := range sortedKeys(a.Coverage.Readings[entry]) {
			rs = append(rs, fmt.Sprintf("%s ×%d", rd, a.Coverage.Readings[entry][rd]))
		}
		fmt.Fprintf(&b, "  reading observed of %s: %s\n", entry, strings.Join(rs, ", "))
	}
	b.WriteString(a.SpentLine())
	return b.String()
}

func headerOf(r *Request) http.Header {
	h := http.Header{}
	for _, x := range r.Headers {
		h[x.Name] = append(h[x.Name], x.Value)
	}
	return h
}

func joinIDs(ids []specfacts.RequirementID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, ", ")
}
