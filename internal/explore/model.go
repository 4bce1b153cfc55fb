package explore

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
)

// FindingModel is a call sequence whose answer is unlike the model's: the target's state, or
// its answer to a state, differs from what the reference implementation taking the
// readings the run observed would have.
const FindingModel = "answer-unlike-model"

// Model builds a fresh reference implementation of the target: the world the target file
// describes (every owned instance restored, every volume free, the foreign instances
// another tenant's) answering with the given register readings (entry id → reading id;
// entries not named take the strict reading). The reference mock is one (referencemock.Model,
// mock.NewModel); explore does not link it, so that the engine the suites import stays free
// of the implementation it tests.
type Model func(t *target.Target, readings map[string]string) (http.Handler, error)

// modelOracle predicts the answers to call sequences with the model. It starts from the
// register's strict readings and takes the readings the target shows: when an answer is
// unlike the model's, and one other legitimate reading of one entry makes the model give
// every answer of the run so far (this sequence's and every earlier one's), that reading is
// taken for the rest of the run; when none does, the answer is a finding. A reading that
// gives the very status answered is preferred to one that gives only its class, and an
// entry's reading taken earlier may be revised the same way: two readings can explain the
// same refusal (a 409 and a 404 are both refusals), and only later answers tell them apart.
type modelOracle struct {
	build Model
	tgt   *target.Target
	api   specfacts.API
	cat   *catalog.Catalog
	// readings are the readings the model takes, every entry named.
	readings map[string]string
	// learned are the entries whose reading the run observed, and that reading.
	learned map[string]string
	// history are the run's sequences, each holding the exchanges the model explained.
	history []*session
	// unexplained are the reading sets (by readingsKey) some exchange of the history
	// contradicts; the history only grows, so they stay contradicted.
	unexplained map[string]bool
}

func newModelOracle(build Model, t *target.Target, api specfacts.API, cat *catalog.Catalog) *modelOracle {
	rs := map[string]string{}
	for _, a := range cat.Ambiguities {
		rs[a.ID] = a.Strict
	}
	return &modelOracle{build: build, tgt: t, api: api, cat: cat, readings: rs, learned: map[string]string{}, unexplained: map[string]bool{}}
}

// session is the model of one call sequence: a fresh world, and the exchanges so far.
type session struct {
	mo *modelOracle
	h  http.Handler
	// sent are the requests the model answered, got the target's answers to them.
	sent []*Request
	got  []Answer
}

func (mo *modelOracle) session() (*session, error) {
	h, err := mo.build(mo.tgt, mo.readings)
	if err != nil {
		return nil, fmt.Errorf("explore: the model: %w", err)
	}
	s := &session{mo: mo, h: h}
	mo.history = append(mo.history, s)
	return s, nil
}

// serve has the model answer r.
func serve(h http.Handler, r *Request) Answer {
	hr, err := r.HTTP(context.Background(), "http://model.invalid")
	if err != nil {
		return Answer{}
	}
	// Headers are spelt as generated; a server reads them canonically, as the wire does.
	canonical := http.Header{}
	for k, vs := range hr.Header {
		for _, v := range vs {
			canonical.Add(k, v)
		}
	}
	hr.Header = canonical
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, hr)
	return Answer{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// expect feeds r to the model and compares the target's answer with the model's. It returns
// the model's answer and "" when they are alike (a reading taken on the way included), or
// what differs.
func (s *session) expect(r *Request, got Answer) (Answer, string) {
	want := serve(s.h, r)
	diff := s.mo.differ(got, want)
	if diff == "" {
		s.sent, s.got = append(s.sent, r), append(s.got, got)
		return want, ""
	}
	if h, a, ok := s.learn(r, got); ok {
		s.h = h
		s.sent, s.got = append(s.sent, r), append(s.got, got)
		return a, ""
	}
	return want, diff
}

// learn looks for one legitimate reading of one entry under which the model answers the
// whole run, r included, as the target did. It prefers a reading whose answer to r has the
// status the target gave, then entries not yet observed, then the register's order.
func (s *session) learn(r *Request, got Answer) (http.Handler, Answer, bool) {
	mo := s.mo
	type candidate struct {
		entry, reading string
		rs             map[string]string
	}
	var fresh, observed []candidate
	for _, a := range mo.cat.Ambiguities {
		if specfacts.API(a.API) != mo.api {
			continue
		}
		for _, rd := range a.Default {
			if rd == mo.readings[a.ID] {
				continue
			}
			rs := maps.Clone(mo.readings)
			rs[a.ID] = rd
			c := candidate{a.ID, rd, rs}
			if _, seen := mo.learned[a.ID]; seen {
				observed = append(observed, c)
			} else {
				fresh = append(fresh, c)
			}
		}
	}
	for _, sameStatus := range []bool{true, false} {
		for _, c := range append(fresh, observed...) {
			key := readingsKey(c.rs)
			if mo.unexplained[key] {
				continue
			}
			h, err := mo.build(mo.tgt, c.rs)
			if err != nil {
				mo.unexplained[key] = true
				continue
			}
			if !mo.replays(h, s) {
				mo.unexplained[key] = true
				continue
			}
			ans := serve(h, r)
			if mo.differ(got, ans) != "" || sameStatus && ans.Status != got.Status {
				continue
			}
			if !mo.explainsHistory(c.rs, s) {
				mo.unexplained[key] = true
				continue
			}
			mo.readings, mo.learned[c.entry] = c.rs, c.reading
			return h, ans, true
		}
	}
	return nil, Answer{}, false
}

// replays feeds h the exchanges of sequence s and reports whether it answers each as the
// target did.
func (mo *modelOracle) replays(h http.Handler, s *session) bool {
	for i, prev := range s.sent {
		if mo.differ(s.got[i], serve(h, prev)) != "" {
			return false
		}
	}
	return true
}

// explainsHistory reports whether a model taking rs answers every earlier sequence of the
// run but current as the target did, each from a fresh world.
func (mo *modelOracle) explainsHistory(rs map[string]string, current *session) bool {
	for _, s := range mo.history {
		if s == current || len(s.sent) == 0 {
			continue
		}
		h, err := mo.build(mo.tgt, rs)
		if err != nil || !mo.replays(h, s) {
			return false
		}
	}
	return true
}

// readingsKey names a set of readings.
func readingsKey(rs map[string]string) string {
	var b strings.Builder
	for _, e := range slices.Sorted(maps.Keys(rs)) {
		b.WriteString(e + "=" + rs[e] + ";")
	}
	return b.String()
}

// differ compares what the target answered with what the model answered: the kind of
// status (success, refusal, server error); KooPhone's documented error code; and, for a
// success, which item each requested id is answered in, once. VBS statuses and codes are
// left to the register (a refusal may be 400 or 404, its codes are the service's own).
func (mo *modelOracle) differ(got, want Answer) string {
	gk, wk := got.Status/100, want.Status/100
	if gk != wk {
		return fmt.Sprintf("answered %s, where the model answers %s", classOf(got), classOf(want))
	}
	switch {
	case gk == 4 && mo.api == specfacts.KooPhone:
		if class(got) != class(want) {
			return fmt.Sprintf("answered %s, where the model answers %s", classOf(got), classOf(want))
		}
	case gk == 2 && mo.api == specfacts.KooPhone:
		g, w := kooJobs(got), kooJobs(want)
		if !slices.Equal(sortedIDs(g), sortedIDs(w)) {
			return fmt.Sprintf("answered 200 with jobs for %s, where the model's jobs are for %s", idList(sortedIDs(g)), idList(sortedIDs(w)))
		}
	case gk == 2:
		gs, gf := vbsLists(got)
		ws, wf := vbsLists(want)
		if !slices.Equal(sortedIDs(gs), sortedIDs(ws)) || !slices.Equal(sortedIDs(gf), sortedIDs(wf)) {
			return fmt.Sprintf("answered 200 with success_resources %s and fail_resources %s, where the model's are %s and %s",
				idList(sortedIDs(gs)), idList(sortedIDs(gf)), idList(sortedIDs(ws)), idList(sortedIDs(wf)))
		}
	}
	return ""
}

// classOf is an answer's status and, where it has one, its error code.
func classOf(a Answer) string {
	switch {
	case a.Status == 0:
		return "nothing"
	case a.Status/100 == 2:
		return strconv.Itoa(a.Status)
	}
	return class(a)
}

// kooJob is one job of a KooPhone 200.
type kooJob struct {
	InstanceID string `json:"instance_id"`
	JobID      string `json:"job_id"`
}

// kooJobs reads the jobs of a KooPhone 200, by instance in answer order.
func kooJobs(a Answer) []string {
	var out []string
	for _, j := range kooJobList(a) {
		out = append(out, j.InstanceID)
	}
	return out
}

func kooJobList(a Answer) []kooJob {
	var body struct {
		Data struct {
			CmdJobs []kooJob `json:"cmd_jobs"`
		} `json:"data"`
	}
	if json.Unmarshal(a.Body, &body) != nil {
		return nil
	}
	return body.Data.CmdJobs
}

// vbsLists reads the resource ids of a VBS 200: associated, then failed; a list left out or
// null reads as empty.
func vbsLists(a Answer) (success, fail []string) {
	var body struct {
		Success []struct {
			ID string `json:"resource_id"`
		} `json:"success_resources"`
		Fail []struct {
			ID string `json:"resource_id"`
		} `json:"fail_resources"`
	}
	if json.Unmarshal(a.Body, &body) != nil {
		return nil, nil
	}
	for _, s := range body.Success {
		success = append(success, s.ID)
	}
	for _, f := range body.Fail {
		fail = append(fail, f.ID)
	}
	return success, fail
}

func sortedIDs(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func idList(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return "[" + strings.Join(ids, " ") + "]"
}
