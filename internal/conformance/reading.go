package conformance

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
)

// Probe is what a spec sent to observe a register entry: what an answer that carries the
// request out must cover.
type Probe struct {
	// Instances are the KooPhone instance ids of the request, in request order (an id may
	// repeat when the entry is about repeats).
	Instances []string
	// Resources are the VBS resources of the request, in request order (likewise).
	Resources []Resource
	// Subjects are the resource ids the entry is about: resource_in places them. Empty
	// means every requested resource. The other resources are free volumes, which any
	// reading that answers 200 must associate.
	Subjects []string
	// EarlierJobs are the KooPhone jobs an earlier call started for the probe's instances:
	// same_jobs compares the answer with them.
	EarlierJobs []CmdJob
}

// Judgement is what the register entry's readings made of one answer.
type Judgement struct {
	Entry string
	// Readings are the readings whose outcome the answer shows; more than one when the
	// probe cannot tell them apart. Empty when the answer fits none.
	Readings []string
	// Expected describes every reading's outcome, for messages.
	Expected string
	// Problems say, for the readings whose status the answer has, what else is wrong.
	Problems []string
	// Jobs and Result are the parsed 200 answer, if it was one.
	Jobs   []CmdJob
	Result AssociateResult
	// Refused is true when the accepted answer refused the whole request.
	Refused bool

	spelling        string
	checked, absent []string
	// found are Problems with what each says differed; answers the readings' statuses and
	// codes, for the expectation record of a failure.
	found   problems
	answers []runrecord.Answer
}

// Reading is the one reading observed, "" when the answer fits none or several.
func (j Judgement) Reading() string {
	if len(j.Readings) == 1 {
		return j.Readings[0]
	}
	return ""
}

// ExpectReading is the one place an answer is judged against a register entry: it accepts
// the answer when it shows the outcome (specs/ambiguities.yaml) of a reading, records the
// reading observed and lets the profile judge it (Observe: the strict profile requires the
// strict reading), and fails with every reading's outcome and what is wrong otherwise.
// When the probe cannot tell two readings apart, the answer is accepted and no reading is
// recorded.
func (e *Env) ExpectReading(x *Exchange, entry specfacts.AmbiguityID, probe Probe) Judgement {
	GinkgoHelper()
	a, ok := e.Catalog.Ambiguity(string(entry))
	if !ok {
		Fail(fmt.Sprintf("suite bug: ambiguity %q is not in specs/ambiguities.yaml", entry))
	}
	j := e.Judge(x, a, probe)
	if len(j.Readings) == 0 {
		e.judgeWant(x, want{text: j.Expected, answers: j.answers, entry: entry}, j.found)
		return j
	}
	e.observeSpelling(j.spelling)
	e.observeShape(specfacts.API(a.API), j.checked, j.absent)
	if r := j.Reading(); r != "" {
		e.Observe(string(entry), r)
	} else {
		By(fmt.Sprintf("register entry %s: the answer fits readings %s alike; none is recorded", entry, strings.Join(j.Readings, ", ")))
	}
	return j
}

// Judge matches an answer against every reading of a register entry without failing or
// recording anything; ExpectReading acts on its judgement.
func (e *Env) Judge(x *Exchange, a catalog.Ambiguity, probe Probe) Judgement {
	j := Judgement{Entry: a.ID}
	var want []string
	for _, r := range a.Readings {
		if !a.Tolerates(r.ID) {
			continue
		}
		name := r.ID
		if r.ID == a.Strict {
			name += ", the strict reading"
		}
		want = append(want, fmt.Sprintf("%s (%s)", r.Outcome, name))
	}
	j.Expected = fmt.Sprintf("register entry %s: %s", a.ID, strings.Join(want, "; or "))
	j.answers = e.readingAnswers(a)
	if x.Err != nil {
		j.found.answered(x)
		j.Problems = j.found.texts()
		return j
	}
	statusFits := false
	closest := -1
	for _, r := range a.Readings {
		if !a.Tolerates(r.ID) {
			continue
		}
		for _, o := range r.Outcome {
			if !statusMatches(o, x.Status) {
				continue
			}
			statusFits = true
			var p problems
			got := e.checkOutcome(x, specfacts.API(a.API), o, probe, &p)
			if len(p) > 0 {
				weight := 0
				for i := range p {
					p[i].reading = r.ID
					j.Problems = append(j.Problems, p[i].String())
					weight += p[i].weight()
				}
				// The failure blames the reading the answer comes closest to.
				if closest < 0 || weight < closest {
					closest, j.found = weight, p
				}
				continue
			}
			if !slices.Contains(j.Readings, r.ID) {
				j.Readings = append(j.Readings, r.ID)
			}
			if len(j.Readings) == 1 {
				j.Jobs, j.Result, j.spelling = got.Jobs, got.Result, got.spelling
				j.checked, j.absent = got.checked, got.absent
				j.Refused = x.Status >= 400
			}
		}
	}
	if !statusFits {
		j.found.answerf("status %d is the outcome of no reading", x.Status)
		j.Problems = append(j.Problems, j.found[len(j.found)-1].String())
	}
	if len(j.Readings) > 0 {
		j.Problems, j.found = nil, nil
	}
	return j
}

// statusMatches applies the outcome's statuses, or the status its other keys imply: a
// code's documented status is checked with the code, an envelope is an error status, and a
// result is a 200.
func statusMatches(o catalog.Outcome, status int) bool {
	switch {
	case len(o.Statuses) > 0:
		return slices.Contains(o.Statuses, status)
	case o.Gateway:
		return status == catalog.GatewayStatus
	case len(o.Codes) > 0:
		return status >= 400
	case o.Envelope:
		return status >= 400
	case o.Success || o.ResourceIn != "" || o.Repeats != "":
		return status == 200
	}
	return true
}

// checkOutcome adds what is wrong with an answer that has the outcome's status, and
// returns what it parsed.
func (e *Env) checkOutcome(x *Exchange, api specfacts.API, o catalog.Outcome, probe Probe, p *problems) Judgement {
	var got Judgement
	if !o.JudgesBody() {
		// A status alone: the transport's answer, not the API's (413); only a server error
		// would be wrong.
		if x.Status >= 500 {
			p.answerf("a client mistake was answered with server error %d", x.Status)
		}
		return got
	}
	switch {
	case o.Gateway:
		// The gateway's answer, not the API's: its contract does not apply, the gateway's
		// body form does.
		checkGatewayBody(x, p)
	case len(o.Codes) > 0:
		if p.answered(x) {
			_, got.spelling = e.checkKooPhoneCode(x, o.Codes, p)
		}
	case o.Envelope:
		if p.answered(x) {
			checkEnvelope(x, p)
		}
	case api == specfacts.KooPhone:
		requested := distinct(probe.Instances)
		jobs := len(requested)
		if o.Repeats == catalog.RepeatsPerEntry {
			jobs = len(probe.Instances)
		}
		b := e.checkBackup(x, requested, jobs, p)
		got.Jobs, got.checked, got.absent = b.jobs, b.checked, b.absent
		if o.SameJobs {
			checkSameJobs(b.jobs, probe.EarlierJobs, p)
		}
	case api == specfacts.VBS:
		got.Result = e.checkResult(x, o, probe, p)
		got.checked, got.absent = got.Result.checked, got.Result.absent
	}
	return got
}

// gatewayCode is the form of an API gateway's error_code (catalog.GatewayCodePattern).
var gatewayCode = regexp.MustCompile(catalog.GatewayCodePattern)

// checkGatewayBody adds what is wrong with an answer that claims to be an API gateway's
// refusal (register key gateway): a JSON object with an APIGW.NNNN error_code, a string
// error_msg and a string request_id.
func checkGatewayBody(x *Exchange, p *problems) {
	if x.Err != nil {
		p.answered(x)
		return
	}
	obj := x.Object()
	if obj == nil {
		p.readingf("the body is not a JSON object, as an API gateway's error body is")
		return
	}
	if code, ok := obj["error_code"].(string); !ok || !gatewayCode.MatchString(code) {
		p.readingf("error_code %v is not an API gateway code (%s)", obj["error_code"], catalog.GatewayCodePattern)
	}
	for _, m := range []string{"error_msg", "request_id"} {
		if _, ok := obj[m].(string); !ok {
			p.readingf("the API gateway's body has no string %s", m)
		}
	}
}

// checkSameJobs adds a problem for every job of an answer that is not the job an earlier
// call started for its instance (register key same_jobs).
func checkSameJobs(jobs, earlier []CmdJob, p *problems) {
	if len(earlier) == 0 {
		p.readingf("the jobs of the earlier call are unknown, so a repeated answer cannot be told from a new job")
		return
	}
	before := map[string]string{}
	for _, j := range earlier {
		before[j.InstanceID] = j.JobID
	}
	for i, j := range jobs {
		if want, ok := before[j.InstanceID]; !ok || want != j.JobID {
			p.readingf("cmd_jobs[%d] names job %q for instance %q; the earlier call started job %q for it, so this is a new job", i, j.JobID, j.InstanceID, want)
		}
	}
}

// checkResult applies success, resource_in and repeats to a VBS 200.
func (e *Env) checkResult(x *Exchange, o catalog.Outcome, probe Probe, p *problems) AssociateResult {
	var requested []Resource
	entries := map[string]int{}
	for _, r := range probe.Resources {
		if entries[r.ID] == 0 {
			requested = append(requested, r)
		}
		entries[r.ID]++
	}
	perID := map[string]int{}
	if o.Repeats == catalog.RepeatsPerEntry {
		perID = entries
	}
	res := e.checkAssociate(x, requested, perID, p)
	if res.checked == nil {
		return res
	}
	subjects := probe.Subjects
	if len(subjects) == 0 {
		for _, r := range requested {
			subjects = append(subjects, r.ID)
		}
	}
	for _, r := range requested {
		list := catalog.ResourceListSuccess
		if slices.Contains(subjects, r.ID) && o.ResourceIn != "" {
			list = o.ResourceIn
		} else if !o.Success && slices.Contains(subjects, r.ID) {
			continue
		}
		if !res.In(list, r.ID) {
			p.readingf("resource %q is not in %s", r.ID, list)
		}
	}
	return res
}

// observeShape records the readings of the register entries of api whose readings differ in
// what the answer may leave out (may_omit): an entry is observed when the answer could show
// one of its members, and takes the reading that omits what was absent — or, when nothing
// it names was absent, the reading that omits nothing.
func (e *Env) observeShape(api specfacts.API, checked, absent []string) {
	GinkgoHelper()
	for _, a := range e.Catalog.Ambiguities {
		if specfacts.API(a.API) != api {
			continue
		}
		var full, omitting string
		applies := false
		for _, r := range a.Readings {
			for _, o := range r.Outcome {
				if len(o.MayOmit) == 0 {
					continue
				}
				for _, m := range o.MayOmit {
					if slices.Contains(checked, m) {
						applies = true
					}
					if slices.Contains(absent, m) && omitting == "" {
						omitting = r.ID
					}
				}
			}
		}
		if !applies {
			continue
		}
		for _, r := range a.Readings {
			if len(r.Outcome) > 0 && len(r.Outcome[0].MayOmit) == 0 && full == "" {
				full = r.ID
			}
		}
		switch {
		case omitting != "":
			e.Observe(a.ID, omitting)
		case full != "":
			e.Observe(a.ID, full)
		}
	}
}

func distinct(ids []string) []string {
	var out []string
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// readingAnswers are the statuses and codes the tolerated readings of an entry answer
// with, where their outcome names them: what a failure says was expected.
func (e *Env) readingAnswers(a catalog.Ambiguity) []runrecord.Answer {
	k := e.Contract.Constraints().KooPhone
	var out []runrecord.Answer
	add := func(ans runrecord.Answer) {
		if !slices.Contains(out, ans) {
			out = append(out, ans)
		}
	}
	for _, r := range a.Readings {
		if !a.Tolerates(r.ID) {
			continue
		}
		for _, o := range r.Outcome {
			switch {
			case len(o.Codes) > 0:
				for _, name := range o.Codes {
					c := k.Code(specfacts.ErrorCodeName(name))
					if len(o.Statuses) == 0 {
						add(runrecord.Answer{Status: c.Status, Code: c.Code})
					}
					for _, st := range o.Statuses {
						add(runrecord.Answer{Status: st, Code: c.Code})
					}
				}
			case len(o.Statuses) > 0:
				for _, st := range o.Statuses {
					add(runrecord.Answer{Status: st})
				}
			case o.Gateway:
				add(runrecord.Answer{Status: catalog.GatewayStatus})
			case o.Success || o.ResourceIn != "" || o.Repeats != "":
				add(runrecord.Answer{Status: http.StatusOK})
			}
		}
	}
	return out
}
