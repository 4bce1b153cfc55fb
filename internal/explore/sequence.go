package explore

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/specfacts"
	"pgregory.net/rapid"
)

// Phase is one part of an exploration.
type Phase string

const (
	// PhaseRequests sends single generated requests naming ids that cannot exist: nothing
	// can change state.
	PhaseRequests Phase = "requests"
	// PhaseSequences sends call sequences over the target's ids — backups, repeated
	// backups, associations, re-associations, batches mixing owned, foreign and unknown
	// ids — and checks them against the model. It needs allow_mutating: true, pooled ids
	// (Options.Pools) and a model (Options.Model).
	PhaseSequences Phase = "sequences"
)

// Phases lists the phases in the order a run takes them.
var Phases = []Phase{PhaseRequests, PhaseSequences}

// sequenceSteps is the average number of requests of a call sequence: long enough for a
// backup, a refused batch and a repeat to meet, short enough to spend few ids each.
const sequenceSteps = 5

// maxSequence bounds the requests of one sequence: rapid's repeat has a long tail, and every
// request before a failure is sent again for each candidate shrinking tries.
const maxSequence = 2 * sequenceSteps

// freshPerSequence bounds the fresh pooled ids one sequence names: one shows a refused
// batch that changed state, or a repeat; two a batch of several owned ids.
const freshPerSequence = 1

// maxBatch bounds the ids of one generated batch: three or more mixed ones make the batches
// the suites' hand-picked probes (one or two ids) do not send.
const maxBatch = 5

// SequenceCoverage says what an API's call sequences covered.
type SequenceCoverage struct {
	// Sequences counts the call sequences sent, Requests their requests (shrinking aside).
	Sequences int `json:"sequences"`
	Requests  int `json:"requests"`
	// ByAction counts the requests of each action.
	ByAction map[string]int `json:"by_action"`
	// Budget is how many pooled ids the run could name; Named how many it named.
	Budget int `json:"budget"`
	Named  int `json:"named"`
	// Learned are the readings the model took from the target's answers (entry → reading).
	Learned map[string]string `json:"learned,omitempty"`
	// Skipped says why no sequence was sent, or why exploration ended before its budget.
	Skipped string `json:"skipped,omitempty"`
}

// Item kinds of a batch, in the order rapid shrinks them to the first: an id that cannot
// exist is the simplest item, and a fresh pooled id simpler than an earlier one, so that a
// sequence shrinks to where each pooled id is first named by the request that matters.
const (
	itemUnknown = "unknown"
	itemForeign = "foreign"
	itemFresh   = "fresh"
	itemEarlier = "earlier"
)

// sequencer runs an API's call sequences.
type sequencer struct {
	e     *engine
	voc   *Vocabulary
	cons  contract.Constraints
	or    *oracle
	mo    *modelOracle
	spend *spending
	cov   *SequenceCoverage
	// kinds are the item kinds of the API's batches; foreign the other tenant's ids.
	kinds   []string
	foreign []string
	// refusable are the faults no reading lets through: a batch carrying one must change
	// nothing.
	refusable []*Fault
	// requestN numbers the requests sent, for their x-request-id.
	requestN int
	// sent holds every sequence sent, as a tree of their plans (memo.go).
	sent *node
	// sampleSteps is the length of the sequence the sample exchange ends.
	sampleSteps int
}

// planner is what rapid draws: a call sequence as a plan. Its actions name the pooled ids
// by slot (the sequence's first fresh id, its second), not by value, so that a plan is
// taken from the pool only when it is sent, and a plan sent before is known by its slots.
type planner struct {
	s     *sequencer
	steps []planStep
	// batches are the plan's fault-free batches, for repeats.
	batches [][]string
	// slots are the slots the plan named, in order.
	slots []string
	// unknownN numbers the ids that cannot exist.
	unknownN int
	// checked is how many steps the invariant has seen.
	checked int
}

// planStep is one request of a plan.
type planStep struct {
	action string
	r      *Request
	ids    []string
	key    string
}

// slotPrefix starts the placeholder of a pooled id in a plan. A placeholder is an id no
// target has, so that a slot the pool cannot fill (its budget spent) is sent as one.
const slotPrefix = syntheticPrefix + "p"

func slotID(n int) string { return fmt.Sprintf("%s%04d", slotPrefix, n) }

func isSlot(id string) bool { return strings.HasPrefix(id, slotPrefix) }

// requestIDPlaceholder stands for a request's x-request-id in a plan: each request sent
// gets its own.
const requestIDPlaceholder = syntheticPrefix + "-seq-request"

// runSequences explores an API with call sequences, when the options allow it, and adds
// what they covered and found to out.
func runSequences(ctx context.Context, o Options, voc *Vocabulary, cat *catalog.Catalog, con *contract.Contract, or *oracle, out *APIResult) error {
	pool := o.Pools.of(voc.API)
	cov := &SequenceCoverage{ByAction: map[string]int{}, Budget: len(pool)}
	out.Sequences = cov
	switch {
	case out.Finding != nil:
		cov.Skipped = "not sent: the single requests already found a deviation"
		return nil
	case !o.Target.AllowMutating:
		cov.Skipped = "not sent: the target file does not say allow_mutating: true"
		return nil
	case len(pool) == 0:
		cov.Skipped = fmt.Sprintf("not sent: no fresh id of %s to spend (the target file's explore_budget states none, or the ledger lists every one as consumed)", poolName(voc.API))
		return nil
	case o.Model == nil:
		cov.Skipped = "not sent: no model to check them against"
		return nil
	}
	url := o.Target.VBS.BaseURL
	if voc.API == specfacts.KooPhone {
		url = o.Target.KooPhone.BaseURL
	}
	e := &engine{o: o, base: url, red: redact.New(append(o.Target.Tokens(), o.Target.Secrets...)...), start: time.Now(),
		limit: o.Budget * (1 + shrinkFactor),
		cov:   Coverage{ByFaultCount: map[int]int{}, ByKind: map[string]int{}, Pairs: map[string]int{}}}
	s := &sequencer{e: e, voc: voc, cons: con.Constraints(), or: or, mo: newModelOracle(o.Model, o.Target, voc.API, cat),
		spend: newSpending(voc.API, pool), cov: cov, sent: &node{}}
	if voc.API == specfacts.KooPhone {
		s.kinds = []string{itemUnknown, itemForeign, itemFresh, itemEarlier}
		s.foreign = o.Target.KooPhone.ForeignInstanceIDs
	} else {
		s.kinds = []string{itemUnknown, itemFresh, itemEarlier}
	}
	for _, f := range voc.Faults {
		if f.MustRefuse {
			s.refusable = append(s.refusable, f)
		}
	}
	if _, err := s.mo.session(); err != nil {
		return err
	}
	fmt.Fprintf(o.Log, "explore %s call sequences: seed %d, budget %d requests (+%d for shrinking), %d ids of %s (at most %d before a finding)\n",
		voc.API, o.Seed, o.Budget, o.Budget*shrinkFactor, len(pool), poolName(voc.API), s.spend.share)
	for name, v := range map[string]string{
		"rapid.checks": strconv.Itoa(o.Budget),
		"rapid.steps":  strconv.Itoa(sequenceSteps),
	} {
		if err := flag.Lookup(name).Value.Set(v); err != nil {
			return fmt.Errorf("explore: rapid flag %s=%s: %w", name, v, err)
		}
	}
	prop := func(t *rapid.T) {
		if e.stop(ctx) || (!e.shrinking && (s.spend.exhausted() || e.sent >= o.Budget)) {
			return
		}
		p := &planner{s: s}
		actions := map[string]func(*rapid.T){"batch": p.batch, "own": p.own, "repeat": p.repeat, "verify": p.verify, "": p.check}
		if len(s.refusable) > 0 {
			actions["refused"] = p.refused
		}
		t.Repeat(actions)
		s.run(ctx, t, p.steps)
	}
	func() {
		defer func() {
			if p := recover(); p != nil && p != errStopCheck {
				panic(p)
			}
		}()
		rapid.Check(&recorder{}, prop)
	}()
	if !e.shrinking && s.spend.exhausted() && e.stopped == "" {
		cov.Skipped = fmt.Sprintf("ended after %d sequences: exploration's share of the id budget (%d of %d) is spent", cov.Sequences, s.spend.share, len(pool))
	}
	cov.Named = s.spend.named()
	cov.Learned = s.mo.learned
	out.Sent += e.sent
	out.Shrinking += e.shrinkSent
	out.Elapsed += time.Since(e.start)
	out.Consumed = s.spend.list()
	if e.unanswered >= unansweredLimit {
		out.Unanswered = true
	}
	if out.Sample == nil {
		out.Sample = e.sample
	}
	if e.finding != nil {
		out.Finding = e.finding
	} else if e.stopped != "" && out.Stopped == "" {
		out.Stopped = "call sequences: " + e.stopped
	}
	return nil
}

// batch plans a batch of ids of every kind: a backup, or an association with the target's
// policy.
func (p *planner) batch(t *rapid.T) {
	ids := p.draw(t, p.s.kinds)
	p.batches = append(p.batches, ids)
	p.add("batch", p.s.request(ids), ids)
}

// own plans a batch of pooled ids only, earlier ones of the sequence or fresh ones: the
// backup or association a refusal before it must not have spoilt.
func (p *planner) own(t *rapid.T) {
	ids := p.draw(t, []string{itemFresh, itemEarlier})
	p.batches = append(p.batches, ids)
	p.add("own", p.s.request(ids), ids)
}

// verify plans a batch of exactly the pooled ids the request before it named: after a
// refusal, the backup or association the refusal must have left possible; after a
// success, its repeat.
func (p *planner) verify(t *rapid.T) {
	var ids []string
	if n := len(p.steps); n > 0 {
		for _, id := range p.steps[n-1].ids {
			if isSlot(id) {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		t.Skip("the request before names no pooled id")
	}
	p.batches = append(p.batches, ids)
	p.add("verify", p.s.request(ids), ids)
}

// check is the state machine's invariant, run after every action: a request that may be
// refused — a batch naming pooled ids beside others, or carrying a fault — must have changed
// nothing, so the pooled ids it named are backed up or associated right after it.
func (p *planner) check(*rapid.T) {
	n := len(p.steps)
	if n == 0 || p.checked == n {
		return
	}
	p.checked = n
	last := p.steps[n-1]
	var slots []string
	others := len(last.r.Faults) > 0
	for _, id := range last.ids {
		if isSlot(id) {
			slots = append(slots, id)
		} else {
			others = true
		}
	}
	if len(slots) == 0 || !others || last.action == "verify" {
		return
	}
	p.batches = append(p.batches, slots)
	p.add("verify", p.s.request(slots), slots)
	p.checked = len(p.steps)
}

// repeat plans an earlier batch of the sequence again: a repeated backup, a
// re-association.
func (p *planner) repeat(t *rapid.T) {
	if len(p.batches) == 0 {
		t.Skip("no earlier batch to repeat")
	}
	ids := p.batches[rapid.IntRange(0, len(p.batches)-1).Draw(t, "earlier-batch")]
	p.add("repeat", p.s.request(ids), ids)
}

// refused plans a batch carrying a fault no reading lets through: refused, it must change
// nothing, which the batches after it check.
func (p *planner) refused(t *rapid.T) {
	f := p.s.refusable[rapid.IntRange(0, len(p.s.refusable)-1).Draw(t, "refused-fault")]
	ids := p.draw(t, p.s.kinds)
	r := p.s.request(ids)
	r.Faults = []*Fault{f}
	f.apply(r, drawer{t})
	p.add("refused", r, ids)
}

func (p *planner) add(action string, r *Request, ids []string) {
	if len(p.steps) >= maxSequence {
		return
	}
	// The key is the whole request as planned, credentials and faults included: two plans
	// alike in it are the same sequence to the target.
	key := fmt.Sprintf("%s %s %q %q %q", r.Method, r.Path(), r.Headers, r.BodyBytes(), r.FaultIDs())
	p.steps = append(p.steps, planStep{action: action, r: r, ids: ids, key: key})
}

// item is one drawn item of a batch: its kind, and an index that picks among the ids of
// the kind. Both are drawn for every kind, and each item is one element of rapid's list, so
// that shrinking removes an item or lowers its kind without moving the draws after it.
type item struct{ kind, index int }

func itemOf(kinds int) *rapid.Generator[item] {
	return rapid.Custom(func(t *rapid.T) item {
		return item{rapid.IntRange(0, kinds-1).Draw(t, "kind"), rapid.IntRange(0, maxBatch*freshPerSequence).Draw(t, "index")}
	})
}

// draw draws a batch of items of the kinds. An item that cannot be had (no foreign id, no
// earlier slot, the sequence's fresh slots spent, or one the batch already names) is an id
// that cannot exist instead, so that a batch never repeats an id.
func (p *planner) draw(t *rapid.T, kinds []string) []string {
	s := p.s
	items := rapid.SliceOfN(itemOf(len(kinds)), 1, min(maxBatch, listMax(s.voc))).Draw(t, "batch")
	ids := make([]string, 0, len(items))
	for _, it := range items {
		id := ""
		switch kind := kinds[it.kind]; {
		case kind == itemForeign && len(s.foreign) > 0:
			id = s.foreign[it.index%len(s.foreign)]
		case kind == itemEarlier && len(p.slots) > 0:
			id = p.slots[it.index%len(p.slots)]
		case kind == itemFresh && len(p.slots) < freshPerSequence:
			id = slotID(len(p.slots) + 1)
			p.slots = append(p.slots, id)
		}
		if id == "" || slices.Contains(ids, id) {
			p.unknownN++
			id = fmt.Sprintf("%sq%04d", syntheticPrefix, p.unknownN)
		}
		ids = append(ids, id)
	}
	return ids
}

// machine sends one plan: the model of its world and what was sent.
type machine struct {
	s     *sequencer
	ctx   context.Context
	sess  *session
	steps []step
	// fill maps each slot to the pooled id it was filled with; pooled is the set of them.
	fill   map[string]string
	pooled map[string]bool
	// jobs are the job_id of each instance the target backed up in this sequence.
	jobs map[string]string
	// refused are the pooled ids named by a request the target refused; associated the
	// volumes it reported associated.
	refused, associated map[string]bool
	// at is the tree node of the last request sent; last and lastAnswer are that request
	// and its answer.
	at         *node
	last       *Request
	lastAnswer Answer
}

// step is one exchange of a sequence, as the finding shows it.
type step struct {
	curl   string
	answer string
}

// run sends a plan and fails t with what failed it. While a finding is shrunk, a plan whose
// requests were all sent before in a sequence that passed, or whose requests up to a
// failure were, is answered from the tree of sequences sent: the target is taken to answer
// fresh ids alike, so that shrinking spends ids only on sequences it has not seen. Both ways
// fail t at this one place, which rapid takes as the same failure.
func (s *sequencer) run(ctx context.Context, t *rapid.T, plan []planStep) {
	if failure := s.play(ctx, plan); failure != "" {
		t.Fatalf("%s", failure)
	}
}

func (s *sequencer) play(ctx context.Context, plan []planStep) string {
	e := s.e
	if e.shrinking {
		if n, ok := s.sent.replay(plan); ok {
			if n != nil {
				e.finding = n.finding
				return n.failure
			}
			return ""
		}
	}
	if e.shrinking && s.spend.spent() && slices.ContainsFunc(plan, func(st planStep) bool { return slices.ContainsFunc(st.ids, isSlot) }) {
		// Shrinking has no fresh id left: the plan would name ids that cannot exist where
		// it names the pool's, and could not show the deviation; the finding stays as
		// shrunk so far.
		return ""
	}
	sess, err := s.mo.session()
	if err != nil {
		return ""
	}
	m := &machine{s: s, ctx: ctx, sess: sess, fill: map[string]string{}, pooled: map[string]bool{}, jobs: map[string]string{},
		refused: map[string]bool{}, associated: map[string]bool{}, at: s.sent}
	if !e.shrinking {
		s.cov.Sequences++
	}
	for _, st := range plan {
		if e.stop(ctx) {
			return ""
		}
		if goOn, failure := m.send(st); !goOn {
			return failure
		}
	}
	if !e.shrinking && m.last != nil && len(m.steps) > s.sampleSteps {
		// The last exchange of the longest sequence that passed: a passing exploration is
		// backed by a recorded exchange that could have failed.
		ev := e.evidence(m.last, m.lastAnswer, nil)
		e.sample, s.sampleSteps = &ev, len(m.steps)
	}
	return ""
}

// send fills the step's slots, sends it and judges the answer: the oracle's invariants for
// every request, and the model for a fault-free one. It reports whether the sequence goes
// on; a finding ends it with the sequence so far as its case, and its failure.
func (m *machine) send(st planStep) (bool, string) {
	s, e := m.s, m.s.e
	for _, id := range st.ids {
		if _, done := m.fill[id]; done || !isSlot(id) {
			continue
		}
		if pooled, ok := s.spend.take(e.shrinking); ok {
			m.fill[id], m.pooled[pooled] = pooled, true
		} else {
			m.fill[id] = id
		}
	}
	s.requestN++
	r, ids, key := m.concrete(st, fmt.Sprintf("%s-seq%08d", syntheticPrefix, s.requestN))
	var pooled []string
	for _, id := range ids {
		if m.pooled[id] {
			pooled = append(pooled, id)
		}
	}
	r.Pooled = len(pooled) > 0 || slices.ContainsFunc(ids, func(id string) bool { return slices.Contains(s.foreign, id) })
	hr, a, err := e.send(m.ctx, r)
	if err != nil {
		// No answer: the target may have acted, and the model no longer knows its state.
		s.spend.note(pooled, Answer{}, false, false)
		return false, ""
	}
	if !e.shrinking {
		s.cov.Requests++
		s.cov.ByAction[st.action]++
	}
	m.at, m.last, m.lastAnswer = m.at.child(key), r, a
	m.steps = append(m.steps, step{curl: r.Curl(e.base, e.red), answer: e.red.String(classOf(a))})
	if v := s.or.judge(r, hr, a); v != nil {
		s.spend.note(pooled, a, true, false)
		return false, m.fail(r, a, v)
	}
	if len(r.Faults) == 0 {
		if v := m.jobsOnce(a); v != nil {
			s.spend.note(pooled, a, true, true)
			return false, m.fail(r, a, v)
		}
		if want, diff := m.sess.expect(r, a); diff != "" {
			s.spend.note(pooled, a, true, true)
			return false, m.fail(r, a, m.unlikeModel(ids, a, want, diff))
		}
	}
	s.spend.note(pooled, a, true, false)
	switch a.Status / 100 {
	case 4:
		for _, id := range pooled {
			m.refused[id] = true
		}
	case 2:
		if s.voc.API == specfacts.KooPhone {
			for _, j := range kooJobList(a) {
				m.jobs[j.InstanceID] = j.JobID
			}
		} else {
			success, _ := vbsLists(a)
			for _, id := range success {
				m.associated[id] = true
			}
		}
	}
	return true, ""
}

// concrete is the step's request with its slots filled and its x-request-id, the ids it
// names, and its key in the tree of sequences sent: the plan's request, and which of its
// slots the pool could not fill.
func (m *machine) concrete(st planStep, requestID string) (*Request, []string, string) {
	fill := map[string]string{requestIDPlaceholder: requestID}
	key := st.key
	for _, id := range st.ids {
		if isSlot(id) {
			fill[id] = m.fill[id]
			if m.fill[id] == id {
				key += " (" + id + " unfilled)"
			}
		}
	}
	ids := make([]string, len(st.ids))
	for i, id := range st.ids {
		ids[i] = fill[id]
		if ids[i] == "" {
			ids[i] = id
		}
	}
	return substitute(st.r, fill), ids, key
}

// jobsOnce checks that a KooPhone 200 backs up no instance twice: an instance the target
// backed up earlier in the sequence may be named again only with the job that backed it up
// (koophone-rebackup-code: idempotent), never with a new one.
func (m *machine) jobsOnce(a Answer) *verdict {
	if m.s.voc.API != specfacts.KooPhone || a.Status/100 != 2 {
		return nil
	}
	for _, j := range kooJobList(a) {
		if earlier, ok := m.jobs[j.InstanceID]; ok && earlier != j.JobID {
			return &verdict{kind: FindingModel,
				message:      fmt.Sprintf("instance %s, backed up earlier in the sequence with job %s, was backed up again with a new job %s", j.InstanceID, earlier, j.JobID),
				allowed:      "a refusal of the released instance, or 200 naming the job that released it (koophone-rebackup-code)",
				requirements: []specfacts.RequirementID{specfacts.ReqKooPhoneReleasedInstanceRefused},
				entries:      []specfacts.AmbiguityID{specfacts.AmbKooPhoneRebackupCode}}
		}
	}
	return nil
}

// unlikeModel is the verdict on an answer the model does not give.
func (m *machine) unlikeModel(ids []string, got, want Answer, diff string) *verdict {
	var reqs []specfacts.RequirementID
	add := func(ids ...specfacts.RequirementID) {
		for _, id := range ids {
			if !slices.Contains(reqs, id) {
				reqs = append(reqs, id)
			}
		}
	}
	refusedEarlier := slices.ContainsFunc(ids, func(id string) bool { return m.refused[id] })
	var entries []specfacts.AmbiguityID
	if m.s.voc.API == specfacts.KooPhone {
		entries = []specfacts.AmbiguityID{specfacts.AmbKooPhoneUnknownInstanceCode, specfacts.AmbKooPhoneRebackupCode}
		backedUp := slices.ContainsFunc(ids, func(id string) bool { _, ok := m.jobs[id]; return ok })
		if refusedEarlier {
			add(specfacts.ReqKooPhoneRejectedRequestChangesNothing)
		}
		switch gk, wk := got.Status/100, want.Status/100; {
		case gk == 2 && wk == 2:
			add(specfacts.ReqKooPhoneCmdJobsCoverRequest)
		case backedUp:
			add(specfacts.ReqKooPhoneReleasedInstanceRefused)
		case gk == 4 && wk == 2 && refusedEarlier:
		case gk == 4 && wk == 2:
			add(specfacts.ReqKooPhoneBackupOperation)
		default:
			add(specfacts.ReqKooPhoneInstancePermissions)
		}
	} else {
		entries = []specfacts.AmbiguityID{specfacts.AmbVBSUnknownVolumeReporting, specfacts.AmbVBSReassociate}
		if slices.ContainsFunc(ids, func(id string) bool { return m.associated[id] }) {
			add(specfacts.ReqVBSReassociate)
		}
		switch gk, wk := got.Status/100, want.Status/100; {
		case gk == 2 && wk == 2:
			add(specfacts.ReqVBSEachResourceOnce, specfacts.ReqVBSPartialFailure)
		case gk == 4 && wk == 2:
			add(specfacts.ReqVBSPartialFailure, specfacts.ReqVBSAssociateOperation)
		default:
			add(specfacts.ReqVBSUnknownVolumeFails, specfacts.ReqVBSAssociateOperation)
		}
	}
	var taken []string
	for _, e := range sortedKeys(m.s.mo.learned) {
		taken = append(taken, e+"="+m.s.mo.learned[e])
	}
	readings := "the strict readings"
	if len(taken) > 0 {
		readings = "the strict readings but " + strings.Join(taken, ", ")
	}
	expect := classOf(want)
	if want.Status/100 == 2 {
		if m.s.voc.API == specfacts.KooPhone {
			expect += " with jobs for " + idList(sortedIDs(kooJobs(want)))
		} else {
			success, fail := vbsLists(want)
			expect += fmt.Sprintf(" with success_resources %s and fail_resources %s", idList(sortedIDs(success)), idList(sortedIDs(fail)))
		}
	}
	return &verdict{kind: FindingModel,
		message:      diff + " after the same sequence",
		allowed:      fmt.Sprintf("the reference model's answer after the same sequence, taking %s as observed in this run: %s; or the answer of another reading of one entry, had it explained every sequence of the run", readings, expect),
		requirements: reqs, entries: entries}
}

// fail records the finding, the sequence so far as its case, in the tree of sequences sent,
// and returns what rapid is told: it names no id, so that the same sequence sent again with
// other fresh ids fails alike.
func (m *machine) fail(r *Request, a Answer, v *verdict) string {
	e := m.s.e
	e.shrinking = true
	f := e.newFinding(m.s.voc.API, r, a, v)
	f.Phase = PhaseSequences
	for i, st := range m.steps {
		f.Sequence = append(f.Sequence, fmt.Sprintf("%d. %s → %s", i+1, st.curl, st.answer))
	}
	e.finding = f
	m.at.finding, m.at.failure = f, fmt.Sprintf("%s at request %d: %s", v.kind, len(m.steps), classOf(a))
	return m.at.failure
}

// request builds a fault-free request naming ids, presented canonically: the dimensions
// of presentation are the single requests' to walk, a sequence walks states.
func (s *sequencer) request(ids []string) *Request {
	g := &generator{voc: s.voc, cons: s.cons, tgt: s.e.o.Target}
	r := &Request{API: s.voc.API, PathParams: map[string]string{}, Size: len(ids)}
	token := ""
	if s.voc.API == specfacts.KooPhone {
		r.Method, r.PathTemplate = s.cons.KooPhone.Method, s.cons.KooPhone.Path
		token = s.e.o.Target.KooPhone.AuthToken
	} else {
		r.Method, r.PathTemplate = s.cons.VBS.Method, s.cons.VBS.PathTemplate
		token = s.e.o.Target.VBS.AuthToken
		if open, rest, ok := strings.Cut(s.cons.VBS.PathTemplate, "{"); ok && open != "" {
			name, _, _ := strings.Cut(rest, "}")
			r.PathParams[name] = s.e.o.Target.VBS.ProjectID
		}
	}
	r.Headers = []Header{{"Content-Type", "application/json"}}
	for _, pr := range s.voc.op.Parameters {
		if p := pr.Value; p != nil && p.In == openapi3.ParameterInHeader && p.Required {
			r.Headers = append(r.Headers, Header{p.Name, requestIDPlaceholder})
		}
	}
	if h := g.tokenHeader(); h != "" {
		r.Headers = append(r.Headers, Header{h, token})
	}
	r.Body = s.object(s.voc.body, "/body", ids)
	return r
}

// object is a schema's required members in the schema's order: the base list names ids, a
// string with an enum takes its first value, the VBS policy is the target's, any other
// string an id that cannot exist.
func (s *sequencer) object(sc *openapi3.Schema, where string, ids []string) *object {
	o := &object{}
	for _, name := range sc.Required {
		ps := sc.Properties[name]
		if ps == nil || ps.Value == nil {
			continue
		}
		o.members = append(o.members, member{name, s.value(ps.Value, where+"/"+name, ids, "")})
	}
	return o
}

func (s *sequencer) value(sc *openapi3.Schema, where string, ids []string, id string) any {
	switch {
	case where == s.voc.ListPointer:
		out := make([]any, len(ids))
		for i, id := range ids {
			if sc.Items.Value.Type.Is("object") {
				out[i] = s.item(sc.Items.Value, where+"/0", id)
			} else {
				out[i] = id
			}
		}
		return out
	case sc.Type.Is("object"):
		return s.object(sc, where, ids)
	case sc.Type.Is("array"):
		return []any{s.value(sc.Items.Value, where+"/0", ids, "")}
	case sc.Type.Is("string") && len(sc.Enum) > 0:
		v, _ := sc.Enum[0].(string)
		return v
	case sc.Type.Is("string") && s.voc.API == specfacts.VBS && where == "/body/"+firstStringMember(s.voc.body):
		return s.e.o.Target.VBS.BackupPolicyID
	case sc.Type.Is("string") && id != "":
		return id
	case sc.Type.Is("string"):
		return syntheticPrefix + "00"
	}
	return nil
}

// item is one object of the base list, its id member (the first required string without an
// enum) naming id.
func (s *sequencer) item(sc *openapi3.Schema, where string, id string) *object {
	o := &object{}
	named := false
	for _, name := range sc.Required {
		ps := sc.Properties[name]
		if ps == nil || ps.Value == nil {
			continue
		}
		v := s.value(ps.Value, where+"/"+name, nil, "")
		if !named && ps.Value.Type.Is("string") && len(ps.Value.Enum) == 0 {
			v, named = id, true
		}
		o.members = append(o.members, member{name, v})
	}
	return o
}
