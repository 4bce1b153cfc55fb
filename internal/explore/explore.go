package explore

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
	"pgregory.net/rapid"
)

// DefaultBudget is the number of generated requests per API when Options.Budget is 0: small
// enough to add seconds to a run against the mock, large enough to draw every fault kind.
const DefaultBudget = 200

// unansweredLimit stops exploration: a target that no longer answers, or hangs on some
// requests, is not explored further (each unanswered request costs the target's timeout).
const unansweredLimit = 3

// metamorphicOneIn: one request in this many (a power of two) is sent again, related to
// another by one of the metamorphic relations (relations.go).
const metamorphicOneIn = 4

// shrinkFactor bounds the requests spent shrinking a finding, as a multiple of the budget.
const shrinkFactor = 2

// maxAnswerBytes bounds how much of an answer is read: no documented answer comes near the
// size of the largest valid request, as the suites' engine reasons.
const maxAnswerBytes = specfacts.RequestBodyLimit

// Options configure one exploration.
type Options struct {
	// Target names the endpoints, tokens and ids; required.
	Target *target.Target
	// APIs to explore; empty means every API the target configures.
	APIs []specfacts.API
	// Budget is the number of generated requests per API (0: DefaultBudget). Shrinking a
	// finding may send up to shrinkFactor times as many more.
	Budget int
	// Seed makes the run reproducible; 0 draws one (Result.Seed reports it).
	Seed uint64
	// Rate bounds requests per second (0: unbounded).
	Rate float64
	// Duration bounds the whole exploration of each API (0: unbounded).
	Duration time.Duration
	// Client sends the requests; nil uses one with the target's timeout.
	Client *http.Client
	// Log receives the budgets and the seed before the first request; nil discards them.
	Log io.Writer
	// Phases to run; empty means every phase (the call sequences only where the target
	// allows them). Budget applies to each phase.
	Phases []Phase
	// Pools are the pooled ids the call sequences may name (FreshPools); none, no sequence
	// is sent.
	Pools Pools
	// Model predicts the answers to call sequences; nil, no sequence is sent.
	Model Model
}

// runs reports whether the options ask for a phase.
func (o Options) runs(p Phase) bool { return len(o.Phases) == 0 || slices.Contains(o.Phases, p) }

// Result is what an exploration did and found.
type Result struct {
	Seed     uint64
	Budget   int
	Rate     float64
	Duration time.Duration
	APIs     []*APIResult
}

// Findings are the findings of every API.
func (r *Result) Findings() []*Finding {
	var out []*Finding
	for _, a := range r.APIs {
		if a.Finding != nil {
			out = append(out, a.Finding)
		}
	}
	return out
}

// APIResult is the exploration of one API.
type APIResult struct {
	API specfacts.API
	// Sent counts every request; Shrinking those sent to shrink a finding.
	Sent, Shrinking int
	Elapsed         time.Duration
	// Stopped says why exploration ended before its budget (duration, no answers); empty
	// when the budget was spent or a finding ended it.
	Stopped string
	// Unanswered is set when the target stopped answering: the exploration is incomplete.
	Unanswered bool
	Coverage   Coverage
	Finding    *Finding
	// Sample is the allowed exchange with the most faults, kept as the evidence of a
	// passing exploration; nil when nothing was judged.
	Sample *runrecord.Evidence
	// Sequences is what the call sequences covered; nil when the phase was not asked for.
	Sequences *SequenceCoverage `json:",omitempty"`
	// Consumed are the pooled ids the call sequences used up, or may have (Spec empty: the
	// caller names itself).
	Consumed []runrecord.Consumed `json:",omitempty"`
}

// Coverage says what an exploration covered.
type Coverage struct {
	// Faults is the size of the vocabulary; MustRefuse how many of them no reading lets through.
	Faults, MustRefuse int
	// ByFaultCount counts requests by how many faults they carried (0: valid base requests).
	ByFaultCount map[int]int `json:"by_fault_count"`
	// ByKind counts requests carrying each fault kind.
	ByKind map[string]int `json:"by_kind"`
	// Pairs counts the distinct pairs of fault kinds sent together.
	Pairs map[string]int `json:"pairs"`
	// Metamorphic counts the requests sent again related by a metamorphic relation;
	// Relations counts them by relation (relations.go).
	Metamorphic int            `json:"metamorphic"`
	Relations   map[string]int `json:"relations"`
	// Readings counts the readings observed of the base register entry.
	Readings map[string]map[string]int `json:"readings"`
}

// runMu serializes explorations: rapid reads its settings from process-wide flags.
var runMu sync.Mutex

// Run explores every API of the target and returns what it covered and found. A finding is
// not an error; an error means exploration could not run (bad options, no vocabulary).
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Target == nil {
		return nil, errors.New("explore: no target")
	}
	if o.Budget < 0 || o.Rate < 0 || o.Duration < 0 {
		return nil, fmt.Errorf("explore: budget, rate and duration must not be negative (budget %d, rate %g, duration %s)", o.Budget, o.Rate, o.Duration)
	}
	for _, p := range o.Phases {
		if !slices.Contains(Phases, p) {
			return nil, fmt.Errorf("explore: no phase %q; phases: %v", p, Phases)
		}
	}
	if o.Budget == 0 {
		o.Budget = DefaultBudget
	}
	if o.Seed == 0 {
		o.Seed = rand.Uint64N(1<<53-1) + 1
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: o.Target.RequestTimeout()}
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	apis := o.APIs
	if len(apis) == 0 {
		if o.Target.KooPhone != nil {
			apis = append(apis, specfacts.KooPhone)
		}
		if o.Target.VBS != nil {
			apis = append(apis, specfacts.VBS)
		}
	}
	con := contract.Default()
	cat := catalog.Default()
	res := &Result{Seed: o.Seed, Budget: o.Budget, Rate: o.Rate, Duration: o.Duration}
	for _, api := range apis {
		if (api == specfacts.KooPhone && o.Target.KooPhone == nil) || (api == specfacts.VBS && o.Target.VBS == nil) {
			return nil, fmt.Errorf("explore: the target has no %s section", api)
		}
		if (api == specfacts.KooPhone && o.Target.KooPhone.AuthToken == "") || (api == specfacts.VBS && o.Target.VBS.AuthToken == "") {
			// Without the tenant's token every request would carry a missing-token fault, and
			// the base requests would be judged as valid ones.
			return nil, fmt.Errorf("explore: the target file gives no %s token (auth_token or auth_token_env); tokens from an auth: block are obtained by the suites, not yet by conformance explore", api)
		}
		voc, err := BuildVocabulary(api, con, cat, o.Target)
		if err != nil {
			return nil, err
		}
		ar, err := runAPI(ctx, o, voc, cat, con)
		if err != nil {
			return nil, err
		}
		res.APIs = append(res.APIs, ar)
	}
	return res, nil
}

// engine is one API's exploration: it sends, counts and stops.
type engine struct {
	sample       *runrecord.Evidence
	sampleFaults int
	o            Options
	base         string
	red          *redact.Redactor
	start        time.Time

	sent, shrinkSent, unanswered int
	limit                        int
	stopped                      string
	finding                      *Finding
	cov                          Coverage
	// shrinking is set once a finding is seen: coverage counts only the exploration itself.
	shrinking bool
}

func runAPI(ctx context.Context, o Options, voc *Vocabulary, cat *catalog.Catalog, con *contract.Contract) (*APIResult, error) {
	runMu.Lock()
	defer runMu.Unlock()
	if err := configureRapid(o); err != nil {
		return nil, err
	}
	base := o.Target.KooPhone
	url := ""
	if voc.API == specfacts.KooPhone {
		url = base.BaseURL
	} else {
		url = o.Target.VBS.BaseURL
	}
	e := &engine{o: o, base: url, red: redact.New(append(o.Target.Tokens(), o.Target.Secrets...)...), start: time.Now(),
		limit: o.Budget * (1 + shrinkFactor),
		cov:   Coverage{ByFaultCount: map[int]int{}, ByKind: map[string]int{}, Pairs: map[string]int{}, Relations: map[string]int{}}}
	for _, f := range voc.Faults {
		e.cov.Faults++
		if f.MustRefuse {
			e.cov.MustRefuse++
		}
	}
	if o.runs(PhaseRequests) {
		fmt.Fprintf(o.Log, "explore %s: seed %d, budget %d requests (+%d for shrinking), rate %s, duration %s, %d faults in the vocabulary (%d must be refused)\n",
			voc.API, o.Seed, o.Budget, o.Budget*shrinkFactor, rateString(o.Rate), durationString(o.Duration), e.cov.Faults, e.cov.MustRefuse)
	}
	gen := &generator{voc: voc, cons: con.Constraints(), tgt: o.Target}
	or := newOracle(voc, cat, con)
	prop := func(t *rapid.T) {
		r := gen.draw(t)
		if e.stop(ctx) {
			return
		}
		hr, a, err := e.send(ctx, r)
		if err != nil {
			return
		}
		if !e.shrinking {
			e.count(r)
		}
		if v := or.judge(r, hr, a); v != nil {
			e.shrinking = true
			e.finding = e.newFinding(voc.API, r, a, v)
			t.Fatalf("%s", v.message)
		}
		if !e.shrinking && (e.sample == nil || len(r.FaultIDs()) > e.sampleFaults) {
			// The exchange with the most faults the oracle judged and allowed: a passing
			// exploration is backed by a recorded probe that could have failed.
			ev := e.evidence(r, a, nil)
			e.sample, e.sampleFaults = &ev, len(r.FaultIDs())
		}
		if r.Raw != nil || r.plan.name == "" {
			return
		}
		relation, variant := gen.relate(t, r)
		if e.stop(ctx) {
			return
		}
		hv, b, err := e.send(ctx, variant)
		if err != nil {
			return
		}
		if !e.shrinking {
			e.cov.Metamorphic++
			e.cov.Relations[relation]++
		}
		// The variant is a request of its own: judged alone first, so that a relation is
		// only claimed between two answers each of which is allowed.
		if v := or.judge(variant, hv, b); v != nil {
			e.shrinking = true
			e.finding = e.newFinding(voc.API, variant, b, v)
			t.Fatalf("%s", v.message)
		}
		if v, reportBase := or.related(relation, r, variant, a, b); v != nil {
			e.shrinking = true
			v.reference = r.Curl(e.base, e.red)
			if reportBase {
				v.reference = variant.Curl(e.base, e.red)
				variant, b = r, a
			}
			e.finding = e.newFinding(voc.API, variant, b, v)
			t.Fatalf("%s", v.message)
		}
	}
	rec := &recorder{}
	func() {
		defer func() {
			if p := recover(); p != nil && p != errStopCheck {
				panic(p)
			}
		}()
		if o.runs(PhaseRequests) {
			rapid.Check(rec, prop)
		}
	}()
	if rec.failed && e.finding == nil && e.stopped == "" {
		// rapid failed the property without a finding of the oracle and before any bound
		// stopped the run: a fault of the generator or the oracle, never a pass.
		return nil, fmt.Errorf("explore %s: the exploration itself failed (seed %d), not the target: %s", voc.API, o.Seed, strings.Join(rec.logs, "; "))
	}
	or.mu.Lock()
	e.cov.Readings = or.readings
	or.mu.Unlock()
	out := &APIResult{API: voc.API, Sent: e.sent, Shrinking: e.shrinkSent, Elapsed: time.Since(e.start), Stopped: e.stopped, Unanswered: e.unanswered >= unansweredLimit, Coverage: e.cov, Finding: e.finding, Sample: e.sample}
	if e.finding != nil {
		out.Stopped = ""
	}
	if o.runs(PhaseSequences) {
		if err := runSequences(ctx, o, voc, cat, con, or, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// stop reports whether no more requests may be sent, and why.
func (e *engine) stop(ctx context.Context) bool {
	switch {
	case e.stopped != "":
	case ctx.Err() != nil:
		e.stopped = "interrupted: " + ctx.Err().Error()
	case e.o.Duration > 0 && time.Since(e.start) >= e.o.Duration:
		e.stopped = fmt.Sprintf("duration %s reached after %d requests", e.o.Duration, e.sent)
	case e.sent >= e.limit:
		e.stopped = fmt.Sprintf("request budget %d spent", e.limit)
	}
	return e.stopped != ""
}

func (e *engine) send(ctx context.Context, r *Request) (*http.Request, Answer, error) {
	if e.o.Rate > 0 {
		next := e.start.Add(time.Duration(float64(e.sent) / e.o.Rate * float64(time.Second)))
		if d := time.Until(next); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return nil, Answer{}, ctx.Err()
			}
		}
	}
	hr, err := r.HTTP(ctx, e.base)
	if err != nil {
		return nil, Answer{}, err
	}
	e.sent++
	if e.shrinking {
		e.shrinkSent++
	}
	resp, err := e.o.Client.Do(hr)
	if err != nil {
		e.unanswered++
		if e.unanswered >= unansweredLimit {
			e.stopped = fmt.Sprintf("no answer to %d requests (last: %s)", e.unanswered, e.red.String(err.Error()))
		}
		return nil, Answer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		e.unanswered++
		if e.unanswered >= unansweredLimit {
			e.stopped = fmt.Sprintf("no complete answer to %d requests (last: %s)", e.unanswered, e.red.String(err.Error()))
		}
		return nil, Answer{}, err
	}
	return hr, Answer{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

func (e *engine) count(r *Request) {
	e.cov.ByFaultCount[len(r.Faults)]++
	kinds := make([]string, 0, len(r.Faults))
	for _, f := range r.Faults {
		k := string(f.Kind) + "@" + string(f.Role)
		e.cov.ByKind[k]++
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for i := range kinds {
		for j := i + 1; j < len(kinds); j++ {
			e.cov.Pairs[kinds[i]+" + "+kinds[j]]++
		}
	}
}

// configureRapid sets rapid's process-wide settings for one exploration: the budget is its
// number of checks, the seed its seed, shrinking bounded in time, and no fail files.
func configureRapid(o Options) error {
	if flag.Lookup("test.short") == nil {
		// rapid asks testing.Short; outside a test binary the testing flags must exist and
		// the command line count as parsed (the commands parse flag sets of their own).
		testing.Init()
	}
	if !flag.Parsed() {
		if err := flag.CommandLine.Parse(nil); err != nil {
			return fmt.Errorf("explore: settings of rapid: %w", err)
		}
	}
	shrink := 30 * time.Second
	if o.Duration > 0 && o.Duration < shrink {
		shrink = o.Duration
	}
	for name, v := range map[string]string{
		"rapid.checks":     strconv.Itoa(o.Budget),
		"rapid.seed":       strconv.FormatUint(o.Seed, 10),
		"rapid.nofailfile": "true",
		"rapid.shrinktime": shrink.String(),
		"rapid.v":          "false",
		"rapid.log":        "false",
	} {
		f := flag.Lookup(name)
		if f == nil {
			return fmt.Errorf("explore: rapid has no flag %s", name)
		}
		if err := f.Value.Set(v); err != nil {
			return fmt.Errorf("explore: rapid flag %s=%s: %w", name, v, err)
		}
	}
	return nil
}

// errStopCheck ends rapid.Check once it has reported: rapid calls FailNow, which in a test
// ends the goroutine; here it unwinds to runAPI.
var errStopCheck = errors.New("explore: check ended")

// recorder is the testing.TB rapid reports to; explore keeps its own record of the finding,
// so the recorder only has to end the check.
type recorder struct {
	failed bool
	logs   []string
}

func (r *recorder) Helper()      {}
func (r *recorder) Name() string { return "explore" }
func (r *recorder) Logf(format string, args ...any) {
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}
func (r *recorder) Log(args ...any)                   { r.logs = append(r.logs, fmt.Sprint(args...)) }
func (r *recorder) Skipf(format string, args ...any)  { r.Logf(format, args...); panic(errStopCheck) }
func (r *recorder) Skip(args ...any)                  { r.Log(args...); panic(errStopCheck) }
func (r *recorder) SkipNow()                          { panic(errStopCheck) }
func (r *recorder) Errorf(format string, args ...any) { r.failed = true; r.Logf(format, args...) }
func (r *recorder) Error(args ...any)                 { r.failed = true; r.Log(args...) }
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...); panic(errStopCheck) }
func (r *recorder) Fatal(args ...any)                 { r.Error(args...); panic(errStopCheck) }
func (r *recorder) FailNow()                          { r.failed = true; panic(errStopCheck) }
func (r *recorder) Fail()                             { r.failed = true }
func (r *recorder) Failed() bool                      { return r.failed }

func rateString(r float64) string {
	if r == 0 {
		return "unbounded"
	}
	return fmt.Sprintf("%g requests/s", r)
}

func durationString(d time.Duration) string {
	if d == 0 {
		return "unbounded"
	}
	return d.String()
}
