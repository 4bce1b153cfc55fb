package report

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/runrecord"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

// BuildOptions are the inputs of Build besides the run record and the catalog.
type BuildOptions struct {
	// Secrets are masked in everything the report carries (tokens, configured secrets).
	Secrets []string
	// Waivers are applied to failing requirements of the matching target.
	Waivers []Waiver
	// Target fills the target metadata when the suites reported none (e.g. a run that
	// failed before its BeforeSuite).
	Target *TargetInfo
	// RequireConclusive fails the run when any requirement is partially evaluated,
	// inconclusive or not evaluated, for gates that must prove everything.
	RequireConclusive bool
	// Now decides waiver expiry and stamps the report; time.Now when zero.
	Now time.Time
	// DetectionPower is the result of `conformance prove` for this run, shown as a section.
	DetectionPower *DetectionPower
}

// Build derives the report of one run from its run record (the Ginkgo JSON report read by
// runrecord).
func Build(run *runrecord.Run, cat *catalog.Catalog, opts BuildOptions) (*Report, error) {
	if cat == nil {
		return nil, fmt.Errorf("build report: no requirement catalog")
	}
	if run == nil {
		return nil, fmt.Errorf("build report: no run record")
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	b := &builder{
		cat:        cat,
		red:        redact.New(opts.Secrets...),
		reqs:       map[string]*Requirement{},
		ambObs:     map[string]map[string][]string{},
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
		Requirements:      []Requirement{},
		Ambiguities:       []Ambiguity{},
		Waivers:           []WaiverResult{},
		SuiteFailures:     []SuiteFailure{},
		Unreachable:       []Unreachable{},
		APIs:              []APITotals{},
		RequireConclusive: opts.RequireConclusive,
		DetectionPower:    opts.DetectionPower,
		redactor:          redact.New(opts.Secrets...),
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

	for _, s := range run.Suites {
		if r.Run.StartTime.IsZero() || (!s.StartTime.IsZero() && s.StartTime.Before(r.Run.StartTime)) {
			r.Run.StartTime = s.StartTime.UTC()
		}
		if s.EndTime.After(r.Run.EndTime) {
			r.Run.EndTime = s.EndTime.UTC()
		}
		suite := SuiteRun{Description: s.Description, Path: b.red.String(s.Path), Succeeded: s.Succeeded}
		for _, reason := range s.SpecialFailures {
			r.SuiteFailures = append(r.SuiteFailures, SuiteFailure{Suite: s.Description, Node: "suite",
				State: "failed", Message: b.excerpt(reason, maxFailureMessageBytes)})
		}
		suiteAPI := runrecord.APIOf(s.Labels)
		for _, sp := range s.Specs {
			b.spec(s.Description, suiteAPI, sp, &suite.Specs, r)
		}
		r.Run.Suites = append(r.Run.Suites, suite)
	}
	if !r.Run.StartTime.IsZero() && r.Run.EndTime.After(r.Run.StartTime) {
		r.Run.DurationSeconds = r.Run.EndTime.Sub(r.Run.StartTime).Seconds()
	}
	r.Target, b.present = targetOf(run.Target(), opts.Target, b.red)
	unreachable := map[string]Unreachable{}
	for _, u := range run.Unreachable() {
		gone := Unreachable{API: u.API, Reason: b.excerpt(u.Reason, maxExcerptBytes), Answered: u.Answered}
		if prev, dup := unreachable[u.API]; !dup {
			unreachable[u.API] = gone
			r.Unreachable = append(r.Unreachable, gone)
		} else if u.Answered && !prev.Answered {
			// One process saw the API answer before it stopped: it did answer.
			prev.Answered = true
			unreachable[u.API] = prev
			for i := range r.Unreachable {
				if r.Unreachable[i].API == u.API {
					r.Unreachable[i].Answered = true
				}
			}
		}
	}

	for _, req := range cat.Requirements {
		rr := b.reqs[req.ID]
		decide(rr, b.present, unreachable)
		r.Requirements = append(r.Requirements, *rr)
	}
	r.Waivers = applyWaivers(r, opts.Waivers, now)
	// The failures of an API that never answered are not findings: its requirements are not
	// evaluated. An API that answered and then stopped is judged on what it did: its
	// unanswered requests are the unreachable cause's, its other failures causes of their own.
	var found causeInput
	cutShort := map[string][]string{}
	for _, f := range b.causes.failures {
		if gone, ok := unreachable[f.api]; !ok || gone.Answered {
			found.failures = append(found.failures, f)
		} else if !slices.Contains(cutShort[f.api], f.spec) {
			cutShort[f.api] = append(cutShort[f.api], f.spec)
		}
	}
	r.Causes = foldNoAnswer(unreachableCauses(r.Unreachable, cutShort), groupCauses(found, cat))
	for i := range r.Causes {
		r.Causes[i].ID = i + 1
	}
	attributeCauses(r)
	r.Ambiguities = b.ambiguities()
	totals(r, b.specsByAPI)
	verdict(r)
	return r, nil
}

// targetOf is the target the suites reported, else the one the caller knows; present says,
// per API, whether the target describes it (nil when no target is known at all).
func targetOf(reported *runrecord.Target, fallback *TargetInfo, red *redact.Redactor) (TargetInfo, map[string]bool) {
	var t TargetInfo
	switch {
	case reported != nil:
		t = TargetInfo{Name: reported.Name, Profile: reported.Profile, KooPhoneBaseURL: reported.KooPhoneURL,
			VBSBaseURL: reported.VBSURL, AllowMutating: reported.AllowMutating}
	case fallback != nil:
		t = *fallback
	default:
		return t, nil
	}
	t.Name, t.KooPhoneBaseURL, t.VBSBaseURL = red.String(t.Name), red.String(t.KooPhoneBaseURL), red.String(t.VBSBaseURL)
	present := map[string]bool{}
	for _, api := range catalog.APIs {
		present[api] = t.baseURL(api) != ""
	}
	return t, present
}

// baseURL is the target's base URL of an API, "" when it does not describe it.
func (t TargetInfo) baseURL(api string) string {
	switch api {
	case "koophone":
		return t.KooPhoneBaseURL
	case "vbs":
		return t.VBSBaseURL
	}
	return ""
}

type builder struct {
	cat    *catalog.Catalog
	red    *redact.Redactor
	reqs   map[string]*Requirement
	ambObs map[string]map[string][]string // register id → reading → specs
	ambSeq []string                       // ids in order of first observation
	// present says per API whether the target describes it (nil when unknown).
	present map[string]bool
	// specsByAPI counts specs per API alongside the per-suite counts.
	specsByAPI map[string]*SpecCounts
	// causes are the failed specs' records, grouped into causes once statuses are known.
	causes causeInput
}

// spec folds one node of the run into the requirements it names.
func (b *builder) spec(suite, suiteAPI string, sp runrecord.Spec, suiteCounts *SpecCounts, r *Report) {
	if !sp.IsSpec() {
		// Setup nodes carry no requirement, but a failing BeforeSuite means nothing ran
		// and must not go unnoticed.
		if sp.Failed() {
			r.SuiteFailures = append(r.SuiteFailures, SuiteFailure{Suite: suite, Node: sp.Node.String(),
				Text: sp.Text, State: sp.State.String(), Message: b.excerpt(sp.Failure.Message, maxFailureMessageBytes),
				Location: b.red.String(sp.Failure.Location)})
		}
		return
	}
	spec := Spec{Text: b.red.String(sp.Text), State: sp.State.String(), Location: b.red.String(fmt.Sprintf("%s:%d", sp.File, sp.Line)),
		RunTimeSeconds: sp.RunTime.Seconds(), Labels: sp.Labels, Mutating: sp.Mutating(), EvidenceEntries: len(sp.Evidence)}
	if sp.Failed() {
		spec.Failure = &Failure{Message: b.excerpt(sp.Failure.Message, maxFailureMessageBytes),
			Location: b.red.String(sp.Failure.Location)}
	}
	for _, reason := range sp.Inconclusive() {
		spec.Inconclusive = append(spec.Inconclusive, b.excerpt(reason, maxExcerptBytes))
	}
	for _, reason := range sp.NotApplicable() {
		spec.NotApplicable = append(spec.NotApplicable, b.excerpt(reason, maxExcerptBytes))
	}
	if sp.Passed() && len(sp.Evidence) == 0 {
		// A pass that exchanged nothing with the target could not have failed on a
		// deviating one.
		spec.Inconclusive = append(spec.Inconclusive, passedWithoutExchange)
	}
	if sp.Skipped() && len(sp.Verdicts) == 0 {
		for _, s := range sp.SkipReasons {
			if reason := b.excerpt(s.Reason, maxExcerptBytes); reason != "" && !slices.Contains(spec.SkipReasons, reason) {
				spec.SkipReasons = append(spec.SkipReasons, reason)
			}
		}
		if msg := b.excerpt(strings.TrimSpace(sp.SkipMessage), maxExcerptBytes); msg != "" && !slices.Contains(spec.SkipReasons, msg) {
			spec.SkipReasons = append(spec.SkipReasons, msg)
		}
	}
	b.count(cmp.Or(sp.API(), suiteAPI), spec, suiteCounts)
	for _, o := range sp.Observations {
		b.observe(o, spec.Text)
	}
	evidence := b.evidenceOf(sp.Evidence, spec)

	known := 0
	for _, id := range sp.Requirements() {
		rr, ok := b.reqs[string(id)]
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
	if known > 0 && spec.Failure != nil {
		b.causes.add(spec.Text, cmp.Or(sp.API(), suiteAPI), b.redacted(sp), spec.Failure.Message)
	}
	if known == 0 && spec.Failure != nil {
		msg := "failed spec names no catalog requirement (labels: " + strings.Join(sp.Labels, ", ") + "): " + spec.Failure.Message
		r.SuiteFailures = append(r.SuiteFailures, SuiteFailure{Suite: suite, Node: sp.Node.String(), Text: spec.Text,
			State: spec.State, Message: msg, Location: spec.Failure.Location})
	}
}

// passedWithoutExchange is the inconclusive reason of a spec that passed without
// recording any exchange.
const passedWithoutExchange = "passed without recording an exchange with the target"

// count adds a spec to its suite's and its API's counts.
func (b *builder) count(api string, spec Spec, suiteCounts *SpecCounts) {
	if b.specsByAPI[api] == nil {
		b.specsByAPI[api] = &SpecCounts{}
	}
	for _, counts := range []*SpecCounts{suiteCounts, b.specsByAPI[api]} {
		counts.Total++
		switch spec.State {
		case ginkgotypes.SpecStatePassed.String():
			counts.Passed++
		case ginkgotypes.SpecStateSkipped.String():
			counts.Skipped++
		case ginkgotypes.SpecStatePending.String():
			counts.Pending++
		default:
			counts.Failed++
		}
		if len(spec.Inconclusive) > 0 {
			counts.Inconclusive++
		}
	}
}

// observe records that a spec saw the target take a reading of a register entry.
func (b *builder) observe(o runrecord.Observation, spec string) {
	id := string(o.ID)
	if id == "" || o.Reading == "" {
		return
	}
	if b.ambObs[id] == nil {
		b.ambObs[id] = map[string][]string{}
		b.ambSeq = append(b.ambSeq, id)
	}
	if !slices.Contains(b.ambObs[id][o.Reading], spec) {
		b.ambObs[id][o.Reading] = append(b.ambObs[id][o.Reading], spec)
	}
}

// redacted returns the spec with the free text of its expectation records redacted and cut.
func (b *builder) redacted(sp runrecord.Spec) runrecord.Spec {
	recs := make([]runrecord.Expectation, len(sp.Expectations))
	for i, rec := range sp.Expectations {
		rec.Summary = b.excerpt(rec.Summary, maxExcerptBytes)
		rec.ExpectedText = b.excerpt(rec.ExpectedText, maxExcerptBytes)
		if rec.Got != nil {
			got := *rec.Got
			got.Error = b.excerpt(got.Error, maxExcerptBytes)
			got.Code = b.excerpt(got.Code, maxExcerptBytes)
			rec.Got = &got
		}
		recs[i] = rec
	}
	sp.Expectations = recs
	return sp
}
