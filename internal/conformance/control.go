package conformance

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"

	"github.com/koobackup/conformance/internal/specfacts"
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
	e.unlikeControl(x, control, fault)
}

// ExpectKooPhoneErrorOneOfUnlike is ExpectKooPhoneErrorUnlike for a probe whose answer may
// carry any of the named codes.
func (e *Env) ExpectKooPhoneErrorOneOfUnlike(x *Exchange, control *Request, fault string, names ...specfacts.ErrorCodeName) {
	GinkgoHelper()
	e.ExpectKooPhoneErrorOneOf(x, names...)
	e.unlikeControl(x, control, fault)
}

// ExpectReadingUnlike is ExpectReading for a negative probe with a control request: when
// the control (the same request without the fault) is answered with the same status and
// code, the probe could not have failed and the spec ends inconclusive.
func (e *Env) ExpectReadingUnlike(x *Exchange, entry specfacts.AmbiguityID, probe Probe, control *Request, fault string) Judgement {
	GinkgoHelper()
	j := e.ExpectReading(x, entry, probe)
	e.unlikeControl(x, control, fault)
	return j
}

// unlikeControl sends the control request, if any, and ends the spec inconclusive when it
// is answered like the probe x.
func (e *Env) unlikeControl(x *Exchange, control *Request, fault string) {
	GinkgoHelper()
	if control == nil {
		return
	}
	By("sending the same request without the fault, to learn whether the answer can tell")
	c := e.Send(*control)
	if c.Err != nil || c.Status != x.Status {
		return
	}
	if code := e.wireCode(c); code != "" && code == e.wireCode(x) {
		Inconclusive(fmt.Sprintf("the target answers the same request without %s with the same %d %s, so this answer cannot tell a server that checks for it from one that does not; a target file with allow_mutating: true and owned ids decides",
			fault, c.Status, code))
	}
}

// wireCode is the error_code of an answer, "" when it has none.
func (e *Env) wireCode(x *Exchange) string {
	if obj := x.Object(); obj != nil {
		if s, ok := obj["error_code"].(string); ok {
			return s
		}
	}
	return ""
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

// ExpectKooPhoneAnsweredAlike expects probe x, which differs from control only in a way the
// documents say must not matter, to be answered as control is: the same status and
// error_code, never a 5xx. When both carry the code of an incorrect parameter, the probe
// cannot show that the difference was accepted and the spec ends inconclusive.
func (e *Env) ExpectKooPhoneAnsweredAlike(x *Exchange, control Request, difference string, codeNames ...specfacts.ErrorCodeName) {
	GinkgoHelper()
	e.ExpectKooPhoneErrorOneOf(x, codeNames...)
	By("sending the same request without " + difference + ", which must be answered alike")
	c := e.Send(control)
	var p problems
	if p.answered(c) && (c.Status != x.Status || e.wireCode(c) != e.wireCode(x)) {
		p.addf("the request with %s was answered %d %s, the same request without it %d %s", difference, x.Status, e.wireCode(x), c.Status, e.wireCode(c))
	}
	e.judge(x, "the same answer as the request without "+difference, p)
	if name, _ := e.codeName(e.wireCode(x)); name == string(specfacts.CodeParameterIncorrect) {
		Inconclusive(fmt.Sprintf("the target answers the request with and without %s alike with %s, the code it would also refuse %s with; a target file with allow_mutating: true and owned ids decides", difference, e.wireCode(x), difference))
	}
}
