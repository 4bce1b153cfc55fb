package conformance

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
)

// ExpectKooPhoneErrorUnlike expects the probe x to be refused with the named code, and
// counts that as evidence only when control — the same request without the one fault
// under test — is answered otherwise. When the target answers the control with the same
// status and code (e.g. it refuses unknown instances as an incorrect parameter, a
// legitimate reading), a server that never checks the fault would answer the probe the
// same way: the spec then ends inconclusive, never pass. A nil control means the probe
// names ids a non-checking server would act on, so the probe alone can fail.
func (e *Env) ExpectKooPhoneErrorUnlike(x *Exchange, name specfacts.ErrorCodeName, control *Request, fault string) {
	GinkgoHelper()
	e.ExpectKooPhoneError(x, name)
	e.inconclusiveIfAlike(x, control, fault, "")
}

// ExpectKooPhoneErrorOneOfUnlike is ExpectKooPhoneErrorUnlike for a probe whose answer may
// carry any of the named codes.
func (e *Env) ExpectKooPhoneErrorOneOfUnlike(x *Exchange, control *Request, fault string, names ...specfacts.ErrorCodeName) {
	GinkgoHelper()
	e.ExpectKooPhoneErrorOneOf(x, names...)
	e.inconclusiveIfAlike(x, control, fault, "")
}

// ExpectVBSErrorUnlike is the VBS counterpart of ExpectKooPhoneErrorUnlike: the probe must
// get status with the envelope, and is evidence only when control is answered otherwise
// (another status, or another error code). A nil control means the probe names free
// volumes a non-checking server would associate, so the probe alone can fail.
func (e *Env) ExpectVBSErrorUnlike(x *Exchange, status int, control *Request, fault string) {
	GinkgoHelper()
	e.ExpectVBSError(x, status)
	e.inconclusiveIfAlike(x, control, fault, "")
}

// ExpectReadingUnlike judges the probe by a register entry (ExpectReading) and, when a
// control is given, ends inconclusive if the control is answered alike; the reason names
// the entry and the reading the answer showed, since that reading is what leaves the probe
// unable to tell.
func (e *Env) ExpectReadingUnlike(x *Exchange, entry specfacts.AmbiguityID, probe Probe, control *Request, fault string) Judgement {
	GinkgoHelper()
	j := e.ExpectReading(x, entry, probe)
	reading := j.Reading()
	if reading == "" {
		reading = strings.Join(j.Readings, " or ")
	}
	e.inconclusiveIfAlike(x, control, fault, fmt.Sprintf(" (register entry %s, reading %s)", entry, reading))
	return j
}

// inconclusiveIfAlike sends control, when there is one, and ends the spec inconclusive when
// the target answers it as it answered the probe: same status and same error code(s).
func (e *Env) inconclusiveIfAlike(x *Exchange, control *Request, fault, register string) {
	GinkgoHelper()
	if control == nil {
		return
	}
	By("sending the same request without the fault, to learn whether the answer can tell")
	c := e.Send(*control)
	if c.Err != nil || c.Status != x.Status {
		return
	}
	code := wireCode(x)
	if wireCode(c) != code {
		return
	}
	Inconclusive(strings.TrimSpace(fmt.Sprintf("the target answers the same request without %s with the same %d %s%s, so this answer cannot tell a server that checks for it from one that does not; %s",
		fault, c.Status, code, register, e.whatDecides(x.Request.API))))
}

// whatDecides ends an inconclusive reason with what would settle it. A read-only target
// can be given state to act on; on a target that already allows it, the probe's own fault
// leaves nothing to act on (an id no instance can have), so only another reading settles it.
func (e *Env) whatDecides(api specfacts.API) string {
	if e.Target == nil || !e.Target.AllowMutating {
		if api == specfacts.VBS {
			return "a target file with allow_mutating: true and free volume_ids decides"
		}
		return "a target file with allow_mutating: true and owned ids decides"
	}
	return "the target allows state-changing requests, but the probe's fault leaves it nothing to act on, so no request can tell on a target that reads the documents this way"
}

// wireCode is what names an answer beyond its status: the KooPhone error_code, the VBS
// envelope's error.code, or the codes of a VBS 200's fail_resources; "" when it has none.
func wireCode(x *Exchange) string {
	obj := x.Object()
	if obj == nil {
		return ""
	}
	if s, ok := obj["error_code"].(string); ok {
		return s
	}
	if env, ok := obj["error"].(map[string]any); ok {
		s, _ := env["code"].(string)
		return s
	}
	var codes []string
	fail, _ := obj["fail_resources"].([]any)
	for _, item := range fail {
		if it, ok := item.(map[string]any); ok {
			if s, ok := it["code"].(string); ok {
				codes = append(codes, s)
			}
		}
	}
	return strings.Join(codes, ",")
}

// ExpectAnsweredLike is the positive counterpart of the controls above: the probe x differs
// from control only by something the documents say must make no difference (a charset
// parameter), so it must be answered with the same status and error code(s), never a 5xx.
// When the control itself gets the answer a refusal of the variation would get (a VBS 400;
// a KooPhone 400 KOOPHONE.API.1000), the two cannot be told apart: the spec is then
// inconclusive, never passed.
func (e *Env) ExpectAnsweredLike(x *Exchange, control Request, variation string) {
	GinkgoHelper()
	By("sending the same request without " + variation + ", which must be answered alike")
	c := e.Send(control)
	var p problems
	if p.answered(x) {
		switch {
		case c.Err != nil:
			Inconclusive(fmt.Sprintf("the same request without %s got no usable answer (%v), so there is nothing to compare with", variation, c.Err))
		case x.Status != c.Status || wireCode(x) != wireCode(c):
			p.answerf("answered %d %s, but the same request without %s %d %s", x.Status, wireCode(x), variation, c.Status, wireCode(c))
		}
	}
	w := want{text: "the answer the same request without " + variation + " gets"}
	if c.Err == nil {
		w.answers = []runrecord.Answer{{Status: c.Status, Code: wireCode(c)}}
	}
	e.judgeWant(x, w, p)
	if e.refusesLikeAMalformedRequest(c) {
		Inconclusive(fmt.Sprintf("the target refuses the same request without %s with %d %s too, the answer it would give if it refused %s, so this answer cannot show that %s is accepted; %s",
			variation, c.Status, wireCode(c), variation, variation, e.whatDecides(x.Request.API)))
	}
}

// refusesLikeAMalformedRequest reports whether c is the answer a request with an
// unacceptable body gets: a VBS 400, a KooPhone 400 with the incorrect-parameter code.
func (e *Env) refusesLikeAMalformedRequest(c *Exchange) bool {
	if c.Err != nil || c.Status != http.StatusBadRequest {
		return false
	}
	if c.Request.API != specfacts.KooPhone {
		return true
	}
	name, _ := e.codeName(wireCode(c))
	return name == string(specfacts.CodeParameterIncorrect)
}

// ExpectKooPhoneErrorBehindGateway is ExpectKooPhoneError for a request whose token an API
// gateway in front of the service may refuse before the service sees it (a token of no
// tenant may not be a valid IAM token either). A gateway's 401 body is the api-gateway
// reading of koophone-missing-token-code: the default profile accepts the gateway, but the
// service's own check was never reached, so the spec ends inconclusive, never pass; the
// strict profile fails it.
func (e *Env) ExpectKooPhoneErrorBehindGateway(x *Exchange, name specfacts.ErrorCodeName) {
	GinkgoHelper()
	a, _ := e.Catalog.Ambiguity(string(specfacts.AmbKooPhoneMissingTokenCode))
	if x.Err == nil && x.Status != 0 {
		for _, r := range a.Readings {
			for _, o := range r.Outcome {
				if !o.Gateway || !statusMatches(o, x.Status) {
					continue
				}
				var p problems
				checkGatewayBody(x, &p)
				if len(p) > 0 {
					continue
				}
				if e.Observe(a.ID, r.ID) {
					Inconclusive(fmt.Sprintf("an API gateway refused the token with %d before the service saw the request (register %s, reading %s), so the service's own answer was not observed", x.Status, a.ID, r.ID))
				}
				failOnStrictDeviations()
				return
			}
		}
	}
	e.ExpectKooPhoneError(x, name)
}
