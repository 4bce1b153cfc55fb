package report

import (
	"encoding/json"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	ginkgotypes "github.com/onsi/ginkgo/v2/types"
	"gopkg.in/yaml.v3"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/specs"
)

// Label prefixes and names the suites use (docs/architecture.md).
const (
	labelRequirement = "req:"
	labelAPI         = "api:"
	labelKind        = "kind:"
	labelMutating    = "mutating"
)

// Report entry names the suites emit (docs/architecture.md).
const (
	entryEvidence   = "evidence"
	entryAmbiguity  = "ambiguity"
	entryTarget     = "target"
	entrySkipReason = "skip-reason"
)

// Bounds on what a report carries, so a chatty target cannot blow up the page an auditor
// opens: excerpts are cut, and only the first evidence entries of each spec are kept (the
// failing spec's evidence is kept first).
const (
	maxExcerptBytes         = 2048
	maxEvidencePerSpec      = 3
	maxEvidencePerReq       = 6
	maxFailureMessageBytes  = 4096
	truncationMarker        = "…[truncated]"
	apiKooPhone, apiVBS     = "koophone", "vbs"
	notEvaluatedNoSpec      = "no spec checks this requirement"
	notEvaluatedAllPending  = "every spec that checks it is pending"
	notEvaluatedAllSkipped  = "every spec that checks it was skipped"
	notEvaluatedAPIAbsent   = "the target does not describe the %s API"
	notEvaluatedNotRunLabel = "its specs did not run (filtered out)"
)

// BuildOptions are the inputs of Build besides the Ginkgo report and the catalog.
type BuildOptions struct {
	// Secrets are masked in everything the report carries (tokens, configured secrets).
	Secrets []string
	// Waivers are applied to failing requirements of the matching target.
	Waivers []Waiver
	// Target fills the target metadata when the suites reported none (e.g. a run that
	// failed before its BeforeSuite).
	Target *TargetInfo
	// Now decides waiver expiry and stamps the report; time.Now when zero.
	Now time.Time
}

// Build derives the report of one run from its Ginkgo JSON report (one types.Report per
// suite package).
func Build(suites []ginkgotypes.Report, cat *catalog.Catalog, opts BuildOptions) (*Report, error) {
	if cat == nil {
		return nil, fmt.Errorf("build report: no requirement catalog")
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	b := &builder{
		cat:     cat,
		red:     redact.New(opts.Secrets...),
		reqs:    map[string]*Requirement{},
		ambObs:  map[string]map[string][]string{},
		present: map[string]bool{},

		specsByAPI: map[string]*SpecCounts{},
	}
	r := &Report{
		SchemaVersion: SchemaVersion,
		Run: RunInfo{
			GeneratedAt:   now.UTC(),
			GoVersion:     runtime.Version(),
			GinkgoVersion: ginkgotypes.VERSION,
			Suites:        []SuiteRun{},
		},
		Requirements:  []Requirement{},
		Ambiguities:   []Ambiguity{},
		Waivers:       []WaiverResult{},
		SuiteFailures: []SuiteFailure{},
		APIs:          []APITotals{},
		redactor:      redact.New(opts.Secrets...),
	}
	for _, req := range cat.Requirements {
		b.reqs[req.ID] = &Requirement{
			ID: req.ID, API: req.API, Level: req.Level, Kind: req.Kind, Statement: req.Statement,
			Source: Source{Seed: req.Source.Seed, Clause: req.Source.Clause}, Inferred: req.Inferred,
			Specs: []Spec{}, Evidence: []Evidence{},
		}
	}
	docs, err := specDocuments()
	if err != nil {
		return nil, err
	}
	r.SpecDocuments = docs

	for _, s := range suites {
		if r.Run.StartTime.IsZero() || (!s.StartTime.IsZero() && s.StartTime.Before(r.Run.StartTime)) {
			r.Run.StartTime = s.StartTime.UTC()
		}
		if s.EndTime.After(r.Run.EndTime) {
			r.Run.EndTime = s.EndTime.UTC()
		}
		run := SuiteRun{Description: s.SuiteDescription, Path: b.red.String(s.SuitePath), Succeeded: s.SuiteSucceeded}
		for _, reason := range s.SpecialSuiteFailureReasons {
			r.SuiteFailures = append(r.SuiteFailures, SuiteFailure{Suite: s.SuiteDescription, Node: "suite",
				State: "failed", Message: b.excerpt(reason, maxFailureMessageBytes)})
		}
		for _, sr := range s.SpecReports {
			if err := b.spec(s.SuiteDescription, suiteAPI(s), sr, &run.Specs, r); err != nil {
				return nil, err
			}
		}
		r.Run.Suites = append(r.Run.Suites, run)
	}
	if !r.Run.StartTime.IsZero() && r.Run.EndTime.After(r.Run.StartTime) {
		r.Run.DurationSeconds = r.Run.EndTime.Sub(r.Run.StartTime).Seconds()
	}
	if b.target != nil {
		r.Target = *b.target
	} else if opts.Target != nil {
		r.Target = *opts.Target
	}
	r.Target = TargetInfo{Name: b.red.String(r.Target.Name), Profile: r.Target.Profile,
		KooPhoneBaseURL: b.red.String(r.Target.KooPhoneBaseURL), VBSBaseURL: b.red.String(r.Target.VBSBaseURL),
		AllowMutating: r.Target.AllowMutating}
	if b.target != nil || opts.Target != nil {
		b.present[apiKooPhone] = r.Target.KooPhoneBaseURL != ""
		b.present[apiVBS] = r.Target.VBSBaseURL != ""
	}

	for _, req := range cat.Requirements {
		rr := b.reqs[req.ID]
		decide(rr, b.present)
		r.Requirements = append(r.Requirements, *rr)
	}
	r.Waivers = applyWaivers(r, opts.Waivers, now)
	r.Ambiguities = b.ambiguities()
	totals(r, b.specsByAPI)
	verdict(r)
	b.unreachable(suites, r)
	return r, nil
}

type builder struct {
	cat     *catalog.Catalog
	red     *redact.Redactor
	reqs    map[string]*Requirement
	target  *TargetInfo
	ambObs  map[string]map[string][]string // register id → reading → specs
	ambSeq  []string                       // ids in order of first observation
	present map[string]bool                // API → described by the target (only when known)
	// specsByAPI counts specs per API alongside the per-suite counts.
	specsByAPI map[string]*SpecCounts
}

// spec folds one Ginkgo spec report into the requirements it names.
func (b *builder) spec(suite, api string, sr ginkgotypes.SpecReport, suiteCounts *SpecCounts, r *Report) error {
	for _, e := range sr.ReportEntries {
		if e.Name != entryTarget {
			continue
		}
		var t TargetInfo
		if err := decodeEntry(e, &t); err != nil {
			return fmt.Errorf("spec %q: %w", sr.FullText(), err)
		}
		if b.target == nil {
			b.target = &t
		}
	}
	if sr.LeafNodeType != ginkgotypes.NodeTypeIt {
		// Setup nodes carry no requirement, but a failing BeforeSuite means nothing ran
		// and must not go unnoticed.
		if sr.State.Is(ginkgotypes.SpecStateFailureStates) {
			r.SuiteFailures = append(r.SuiteFailures, SuiteFailure{Suite: suite, Node: sr.LeafNodeType.String(),
				Text: sr.FullText(), State: sr.State.String(), Message: b.excerpt(sr.Failure.Message, maxFailureMessageBytes),
				Location: b.red.String(sr.Failure.Location.String())})
		}
		return nil
	}
	labels := sr.Labels()
	api = specAPI(labels, api)
	if b.specsByAPI[api] == nil {
		b.specsByAPI[api] = &SpecCounts{}
	}
	for _, counts := range []*SpecCounts{suiteCounts, b.specsByAPI[api]} {
		counts.Total++
		switch {
		case sr.State == ginkgotypes.SpecStatePassed:
			counts.Passed++
		case sr.State.Is(ginkgotypes.SpecStateFailureStates):
			counts.Failed++
		case sr.State == ginkgotypes.SpecStatePending:
			counts.Pending++
		default:
			counts.Skipped++
		}
	}

	var reqIDs []string
	spec := Spec{Text: b.red.String(sr.FullText()), State: sr.State.String(), Location: b.red.String(sr.LeafNodeLocation.String()),
		RunTimeSeconds: sr.RunTime.Seconds(), Labels: labels, Mutating: slices.Contains(labels, labelMutating)}
	for _, l := range labels {
		if id, ok := strings.CutPrefix(l, labelRequirement); ok && !slices.Contains(reqIDs, id) {
			reqIDs = append(reqIDs, id)
		}
	}
	if sr.State.Is(ginkgotypes.SpecStateFailureStates) {
		spec.Failure = &Failure{Message: b.excerpt(sr.Failure.Message, maxFailureMessageBytes),
			Location: b.red.String(sr.Failure.Location.String())}
	}
	if sr.State == ginkgotypes.SpecStateSkipped {
		if msg := strings.TrimSpace(sr.Failure.Message); msg != "" {
			spec.SkipReasons = append(spec.SkipReasons, b.excerpt(msg, maxExcerptBytes))
		}
	}
	var evidence []Evidence
	for _, e := range sr.ReportEntries {
		switch e.Name {
		case entrySkipReason:
			var v struct {
				Reason string `json:"reason"`
			}
			if err := decodeEntry(e, &v); err != nil {
				return fmt.Errorf("spec %q: %w", sr.FullText(), err)
			}
			if reason := b.excerpt(v.Reason, maxExcerptBytes); reason != "" && !slices.Contains(spec.SkipReasons, reason) {
				spec.SkipReasons = append([]string{reason}, spec.SkipReasons...)
			}
		case entryEvidence:
			spec.EvidenceEntries++
			if len(evidence) >= maxEvidencePerSpec {
				continue
			}
			ev, err := b.evidence(e)
			if err != nil {
				return fmt.Errorf("spec %q: %w", sr.FullText(), err)
			}
			ev.Spec = spec.Text
			evidence = append(evidence, ev)
		case entryAmbiguity:
			var v struct {
				ID      string `json:"id"`
				Reading string `json:"reading"`
			}
			if err := decodeEntry(e, &v); err != nil {
				return fmt.Errorf("spec %q: %w", sr.FullText(), err)
			}
			if v.ID == "" || v.Reading == "" {
				continue
			}
			if b.ambObs[v.ID] == nil {
				b.ambObs[v.ID] = map[string][]string{}
				b.ambSeq = append(b.ambSeq, v.ID)
			}
			if !slices.Contains(b.ambObs[v.ID][v.Reading], spec.Text) {
				b.ambObs[v.ID][v.Reading] = append(b.ambObs[v.ID][v.Reading], spec.Text)
			}
		}
	}
	if spec.Failure != nil && len(evidence) == 0 {
		// The failure itself is evidence: a spec may fail before any exchange.
		evidence = append(evidence, Evidence{Spec: spec.Text, Violations: []string{}, Error: spec.Failure.Message})
	}

	known := 0
	for _, id := range reqIDs {
		rr, ok := b.reqs[id]
		if !ok {
			continue
		}
		known++
		rr.Specs = append(rr.Specs, spec)
		for _, ev := range evidence {
			if len(rr.Evidence) >= maxEvidencePerReq && spec.Failure == nil {
				break
			}
			rr.Evidence = append(rr.Evidence, ev)
		}
	}
	if known == 0 && sr.State.Is(ginkgotypes.SpecStateFailureStates) {
		msg := "failed spec names no catalog requirement (labels: " + strings.Join(labels, ", ") + "): " + spec.Failure.Message
		r.SuiteFailures = append(r.SuiteFailures, SuiteFailure{Suite: suite, Node: "It", Text: spec.Text,
			State: spec.State, Message: msg, Location: spec.Failure.Location})
	}
	return nil
}

// decodeEntry decodes a report entry's JSON value; suites may pass a struct (encoded by
// Ginkgo) or a string that itself holds JSON.
func decodeEntry(e ginkgotypes.ReportEntry, v any) error {
	raw := []byte(e.Value.AsJSON)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = []byte(s)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("report entry %q: value is not the documented JSON: %w", e.Name, err)
	}
	return nil
}

// evidence decodes an evidence entry into bounded, redacted excerpts. Headers and bodies are
// accepted in the shapes encoding/json gives to http.Header and to raw JSON, because the
// engine may record either.
func (b *builder) evidence(e ginkgotypes.ReportEntry) (Evidence, error) {
	var v struct {
		Request *struct {
			Method  string          `json:"method"`
			URL     string          `json:"url"`
			Headers json.RawMessage `json:"headers"`
			Body    json.RawMessage `json:"body"`
		} `json:"request"`
		Response *struct {
			Status  int             `json:"status"`
			Headers json.RawMessage `json:"headers"`
			Body    json.RawMessage `json:"body"`
		} `json:"response"`
		Violations []json.RawMessage `json:"violations"`
		Error      string            `json:"error"`
	}
	if err := decodeEntry(e, &v); err != nil {
		return Evidence{}, err
	}
	ev := Evidence{Violations: []string{}, Error: b.excerpt(v.Error, maxExcerptBytes)}
	if q := v.Request; q != nil {
		ev.Request = &Request{Method: q.Method, URL: b.excerpt(q.URL, maxExcerptBytes),
			Headers: b.headers(q.Headers), Body: b.body(q.Body)}
	}
	if p := v.Response; p != nil {
		ev.Response = &Response{Status: p.Status, Headers: b.headers(p.Headers), Body: b.body(p.Body)}
	}
	for _, raw := range v.Violations {
		ev.Violations = append(ev.Violations, b.excerpt(violationText(raw), maxExcerptBytes))
	}
	return ev, nil
}

func (b *builder) headers(raw json.RawMessage) map[string]string {
	out := map[string]string{}
	var multi map[string][]string
	var single map[string]string
	switch {
	case len(raw) == 0 || string(raw) == "null":
	case json.Unmarshal(raw, &multi) == nil:
		for k, vs := range multi {
			out[k] = strings.Join(vs, ", ")
		}
	case json.Unmarshal(raw, &single) == nil:
		maps.Copy(out, single)
	default:
		out["(headers)"] = string(raw)
	}
	for k, v := range out {
		if redact.IsCredentialHeader(k) {
			out[k] = redact.Mask
		} else {
			out[k] = b.excerpt(v, maxExcerptBytes)
		}
	}
	return out
}

// body keeps a string body as is and a JSON body as its compact text.
func (b *builder) body(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return b.excerpt(s, maxExcerptBytes)
	}
	return b.excerpt(string(raw), maxExcerptBytes)
}

// violationText renders a violation of internal/contract (or a plain string) as one line.
func violationText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return string(raw)
	}
	msg, _ := m["message"].(string)
	var where []string
	for _, k := range []string{"kind", "code", "rule", "location", "path", "pointer", "field"} {
		if v, ok := m[k].(string); ok && v != "" {
			where = append(where, v)
		}
	}
	if msg == "" {
		return string(raw)
	}
	if len(where) == 0 {
		return msg
	}
	return strings.Join(where, " ") + ": " + msg
}

// excerpt redacts before cutting, so a token split by the cut cannot survive.
func (b *builder) excerpt(s string, limit int) string {
	s = b.red.String(s)
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + truncationMarker
}

func isRuneStart(c byte) bool { return c&0xC0 != 0x80 }

// decide sets a requirement's status from its specs.
func decide(rr *Requirement, present map[string]bool) {
	var passed, failed, skipped, pending int
	var reasons []string
	for _, s := range rr.Specs {
		switch s.State {
		case ginkgotypes.SpecStatePassed.String():
			passed++
		case ginkgotypes.SpecStatePending.String():
			pending++
		case ginkgotypes.SpecStateSkipped.String():
			skipped++
			for _, reason := range s.SkipReasons {
				if !slices.Contains(reasons, reason) {
					reasons = append(reasons, reason)
				}
			}
		default:
			failed++
		}
	}
	sort.SliceStable(rr.Specs, func(i, j int) bool { return stateRank(rr.Specs[i].State) < stateRank(rr.Specs[j].State) })
	switch {
	case failed > 0:
		rr.Status = StatusFail
	case passed > 0:
		rr.Status = StatusPass
	default:
		rr.Status = StatusNotEvaluated
		known, ok := present[rr.API]
		switch {
		case ok && !known:
			rr.Reason = fmt.Sprintf(notEvaluatedAPIAbsent, rr.API)
		case len(rr.Specs) == 0:
			rr.Reason = notEvaluatedNoSpec
		case len(reasons) > 0:
			rr.Reason = notEvaluatedAllSkipped + ": " + strings.Join(reasons, "; ")
		case pending == len(rr.Specs):
			rr.Reason = notEvaluatedAllPending
		case skipped > 0:
			rr.Reason = notEvaluatedAllSkipped
		default:
			rr.Reason = notEvaluatedNotRunLabel
		}
	}
}

// stateRank orders specs failures first, then passes, then the rest.
func stateRank(state string) int {
	switch state {
	case ginkgotypes.SpecStatePassed.String():
		return 1
	case ginkgotypes.SpecStateSkipped.String(), ginkgotypes.SpecStatePending.String():
		return 2
	}
	return 0
}

func applyWaivers(r *Report, waivers []Waiver, now time.Time) []WaiverResult {
	out := []WaiverResult{}
	for _, w := range waivers {
		res := WaiverResult{Requirement: w.Requirement, Target: w.Target, Reason: w.Reason, Expires: w.Expires}
		idx := slices.IndexFunc(r.Requirements, func(q Requirement) bool { return q.ID == w.Requirement })
		switch {
		case !w.matchesTarget(r.Target.Name):
			res.State, res.Note = WaiverUnused, fmt.Sprintf("names target %q, this run tested %q", w.Target, r.Target.Name)
		case idx < 0:
			res.State, res.Note = WaiverUnused, "the requirement is not in the catalog"
		default:
			req := &r.Requirements[idx]
			switch req.Status {
			case StatusPass:
				res.State, res.Note = WaiverStale, "the requirement passes; remove the waiver"
			case StatusNotEvaluated:
				res.State, res.Note = WaiverUnused, "the requirement was not evaluated in this run"
			case StatusWaived:
				res.State, res.Note = WaiverUnused, "another waiver already applies"
			case StatusFail:
				if w.expiredAt(now) {
					res.State, res.Note = WaiverExpired, "expired on "+w.Expires+"; the failure counts again"
					req.Reason = "waiver expired on " + w.Expires + " (" + w.Reason + ")"
				} else {
					res.State, res.Note = WaiverApplied, "failure waived until "+w.Expires
					req.Status = StatusWaived
					req.Reason = "waived until " + w.Expires + ": " + w.Reason
				}
			}
		}
		out = append(out, res)
	}
	return out
}

func (b *builder) ambiguities() []Ambiguity {
	out := []Ambiguity{}
	seen := map[string]bool{}
	for _, a := range b.cat.Ambiguities {
		seen[a.ID] = true
		amb := Ambiguity{ID: a.ID, API: a.API, Question: a.Question, Strict: a.Strict, InRegister: true,
			Requirements: append([]string{}, a.Requirements...), Readings: []Reading{}, Observed: []string{}}
		obs := b.ambObs[a.ID]
		for _, rd := range a.Readings {
			specs := obs[rd.ID]
			amb.Readings = append(amb.Readings, Reading{ID: rd.ID, Description: rd.Description, Strict: rd.ID == a.Strict,
				Legitimate: a.Tolerates(rd.ID), Observed: len(specs), Specs: append([]string{}, specs...)})
			if len(specs) > 0 {
				amb.Observed = append(amb.Observed, rd.ID)
			}
		}
		// A reading the register does not list (rejected or unknown) is still shown.
		var extra []string
		for reading := range obs {
			if !slices.ContainsFunc(a.Readings, func(r catalog.Reading) bool { return r.ID == reading }) {
				extra = append(extra, reading)
			}
		}
		sort.Strings(extra)
		for _, reading := range extra {
			amb.Readings = append(amb.Readings, Reading{ID: reading, Description: "not a reading of the register",
				Observed: len(obs[reading]), Specs: obs[reading]})
			amb.Observed = append(amb.Observed, reading)
		}
		amb.Outcome = ambiguityOutcome(amb)
		out = append(out, amb)
	}
	for _, id := range b.ambSeq {
		if seen[id] {
			continue
		}
		amb := Ambiguity{ID: id, Question: "reported by a spec but not in the ambiguity register",
			Requirements: []string{}, Readings: []Reading{}, Observed: []string{}}
		var readings []string
		for reading := range b.ambObs[id] {
			readings = append(readings, reading)
		}
		sort.Strings(readings)
		for _, reading := range readings {
			amb.Readings = append(amb.Readings, Reading{ID: reading, Observed: len(b.ambObs[id][reading]), Specs: b.ambObs[id][reading]})
			amb.Observed = append(amb.Observed, reading)
		}
		amb.Outcome = AmbiguityNotTolerated
		out = append(out, amb)
	}
	return out
}

func ambiguityOutcome(a Ambiguity) string {
	if len(a.Observed) == 0 {
		return AmbiguityNotObserved
	}
	outcome := AmbiguityStrict
	for _, rd := range a.Readings {
		if rd.Observed == 0 || rd.Strict {
			continue
		}
		if !rd.Legitimate {
			return AmbiguityNotTolerated
		}
		outcome = AmbiguityTolerated
	}
	return outcome
}

func totals(r *Report, specsByAPI map[string]*SpecCounts) {
	byAPI := map[string]*APITotals{}
	var apis []string
	for _, req := range r.Requirements {
		t := byAPI[req.API]
		if t == nil {
			t = &APITotals{API: req.API}
			byAPI[req.API] = t
			apis = append(apis, req.API)
		}
		for _, tt := range []*Totals{&r.Totals, &t.Totals} {
			tt.Requirements++
			switch req.Status {
			case StatusPass:
				tt.Pass++
			case StatusFail:
				tt.Fail++
			case StatusWaived:
				tt.Waived++
			default:
				tt.NotEvaluated++
			}
			tt.Evaluated = tt.Pass + tt.Fail + tt.Waived
		}
	}
	for _, s := range r.Run.Suites {
		addCounts(&r.Totals.Specs, s.Specs)
	}
	for api, c := range specsByAPI {
		if byAPI[api] != nil {
			byAPI[api].Specs = *c
		}
	}
	for _, api := range apis {
		r.APIs = append(r.APIs, *byAPI[api])
	}
}

// suiteAPI finds the API a suite tests: its api: label, else its path (suites/<api>).
func suiteAPI(s ginkgotypes.Report) string {
	for _, l := range s.SuiteLabels {
		if api, ok := strings.CutPrefix(l, labelAPI); ok {
			return api
		}
	}
	text := strings.ToLower(s.SuiteDescription + " " + s.SuitePath)
	for _, api := range []string{apiKooPhone, apiVBS} {
		if strings.Contains(text, api) {
			return api
		}
	}
	return ""
}

// specAPI is the spec's own api: label, else the suite's.
func specAPI(labels []string, suite string) string {
	for _, l := range labels {
		if api, ok := strings.CutPrefix(l, labelAPI); ok {
			return api
		}
	}
	return suite
}

func addCounts(dst *SpecCounts, src SpecCounts) {
	dst.Total += src.Total
	dst.Passed += src.Passed
	dst.Failed += src.Failed
	dst.Skipped += src.Skipped
	dst.Pending += src.Pending
}

func verdict(r *Report) {
	t := r.Totals
	switch {
	case t.Fail > 0:
		r.Verdict = StatusFail
		r.VerdictReason = fmt.Sprintf("%d of %d evaluated requirements failed", t.Fail, t.Evaluated)
	case len(r.SuiteFailures) > 0:
		r.Verdict = StatusFail
		r.VerdictReason = fmt.Sprintf("%d failure(s) outside any requirement (setup, unlabelled spec or interrupted suite)", len(r.SuiteFailures))
	case t.Evaluated == 0:
		r.Verdict = StatusFail
		r.VerdictReason = "no requirement was evaluated: a run that checks nothing proves nothing"
	default:
		r.Verdict = StatusPass
		r.VerdictReason = fmt.Sprintf("all %d evaluated requirements met (%d waived); %d of %d not evaluated",
			t.Evaluated, t.Waived, t.NotEvaluated, t.Requirements)
	}
}

// specDocuments reads info.title and info.version of each embedded OpenAPI document.
func specDocuments() ([]SpecDocument, error) {
	var out []SpecDocument
	for _, file := range []string{specs.KooPhoneFile, specs.VBSFile} {
		raw, err := specs.Read(file)
		if err != nil {
			return nil, fmt.Errorf("read spec %s: %w", file, err)
		}
		var doc struct {
			Info struct {
				Title   string `yaml:"title"`
				Version string `yaml:"version"`
			} `yaml:"info"`
		}
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("parse spec %s: %w", file, err)
		}
		out = append(out, SpecDocument{File: file, Title: doc.Info.Title, Version: doc.Info.Version})
	}
	return out, nil
}
