package traffic

import (
	"net/http"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/specfacts"
)

// Every rule this package adds names, on each API, a catalog requirement of that API.
func TestRuleRequirementsExistInCatalog(t *testing.T) {
	cat := catalog.Default()
	c := contract.Default()
	for _, api := range specfacts.APIs() {
		for _, rule := range []specfacts.RuleID{specfacts.RuleRequestBodyOversized, specfacts.RuleResponseBodyOversized, specfacts.RuleResponseMalformed} {
			id := c.RuleRequirement(api, rule)
			if r, ok := cat.Requirement(string(id)); !ok || specfacts.API(r.API) != api {
				t.Errorf("%s %s: x-rule-requirements names %q, not a requirement of the API", api, rule, id)
			}
		}
	}
}

func koophoneExchange(headers http.Header, body string) Exchange {
	return Exchange{Request: Request{
		Method: http.MethodPost, URL: "http://127.0.0.1:8081" + contract.Default().Constraints().KooPhone.Path,
		Header: headers, Body: []byte(body), Size: int64(len(body)),
	}}
}

// A conforming recorded exchange has no violation; a missing request id and a bad response are both named.
func TestCheckBothSides(t *testing.T) {
	c := contract.Default()
	k := c.Constraints().KooPhone
	h := http.Header{"Content-Type": {"application/json"}}
	h.Set(k.TokenHeader, "tok")
	h.Set(k.RequestIDHeader, "r1")
	ok := koophoneExchange(h, `{"instance_ids":["a44uhlf7"]}`)
	ok.Response = &Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: []byte(`{"error_code":"0","error_msg":"ok","data":{"task_id":"t1","cmd_jobs":[{"instance_id":"a44uhlf7","job_id":"j1"}]}}`)}
	if vs := Check(c, ok); len(vs) != 0 {
		t.Fatalf("conforming exchange: %v", vs)
	}
	bad := ok
	bad.Request.Header = h.Clone()
	bad.Request.Header.Del(k.RequestIDHeader)
	bad.Response = &Response{Status: 404, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{}`)}
	vs := Check(c, bad)
	reqs := map[specfacts.RequirementID]bool{}
	for _, v := range vs {
		reqs[v.RequirementID] = true
	}
	if !reqs[specfacts.ReqKooPhoneRequestIDRequired] || !reqs[specfacts.ReqKooPhoneDocumentedStatus] {
		t.Fatalf("violations %v", vs)
	}
}

// Truncated bodies are reported as oversized rather than validated; a recorded malformed answer stays a violation.
func TestCheckOversizedAndMalformed(t *testing.T) {
	c := contract.Default()
	ex := koophoneExchange(http.Header{}, strings.Repeat("x", 11))
	ex.Request.Truncated, ex.Request.Size = true, 5<<20
	vs := CheckRequest(c, ex)
	if len(vs) != 1 || vs[0].Rule != specfacts.RuleRequestBodyOversized || vs[0].RequirementID != specfacts.ReqKooPhoneOversizedBody {
		t.Fatalf("oversized: %v", vs)
	}
	mal := koophoneExchange(http.Header{}, "")
	mal.Error, mal.ErrorKind = "malformed HTTP response", ErrorMalformedResponse
	found := false
	for _, v := range Check(c, mal) {
		found = found || (v.Rule == specfacts.RuleResponseMalformed && v.RequirementID == specfacts.ReqKooPhoneDocumentedStatus)
	}
	if !found {
		t.Fatalf("malformed answer not reported: %v", Check(c, mal))
	}
}

// The tally's report fails the violated requirements with redacted evidence, lists upstream failures, and passes clean traffic.
func TestTallyReport(t *testing.T) {
	c := contract.Default()
	const token = "tok-secret-abcdef"
	tl := NewTally(redact.New(token))
	h := http.Header{"Content-Type": {"application/json"}}
	h.Set(c.Constraints().KooPhone.TokenHeader, token)
	ex := koophoneExchange(h, `{"instance_ids":["`+token+`"]}`)
	tl.Add(c, ex, Check(c, ex))
	down := koophoneExchange(h, `{}`)
	down.Error, down.ErrorKind = "upstream unreachable: connection refused", ErrorUpstreamUnreachable
	tl.Add(c, down, nil)
	rep := tl.Report(catalog.Default(), ReportOptions{Name: "t", Kind: "check"})
	if rep.Verdict != report.StatusFail || !tl.Failed() {
		t.Fatalf("verdict %s", rep.Verdict)
	}
	var failed *report.Requirement
	for i, r := range rep.Requirements {
		if r.ID == string(specfacts.ReqKooPhoneRequestIDRequired) {
			failed = &rep.Requirements[i]
		}
	}
	if failed == nil || failed.Status != report.StatusFail || len(failed.Evidence) != 1 {
		t.Fatalf("requirement not failed with evidence: %+v", failed)
	}
	ev := failed.Evidence[0]
	if strings.Contains(ev.Request.Body, token) || strings.Contains(strings.Join(mapValues(ev.Request.Headers), " "), token) {
		t.Fatalf("token in evidence: %+v", ev.Request)
	}
	if len(rep.SuiteFailures) != 1 || rep.SuiteFailures[0].Text != string(ErrorUpstreamUnreachable) {
		t.Fatalf("suite failures %+v", rep.SuiteFailures)
	}

	clean := NewTally(nil)
	clean.Add(c, koophoneExchange(h, `{}`), nil)
	if r := clean.Report(catalog.Default(), ReportOptions{Kind: "check"}); r.Verdict != report.StatusPass || clean.Failed() {
		t.Fatalf("clean traffic: %s %s", r.Verdict, r.VerdictReason)
	}
	if r := NewTally(nil).Report(catalog.Default(), ReportOptions{Kind: "check"}); r.Verdict != report.StatusFail {
		t.Fatal("an empty recording must not pass")
	}
}

// Evidence per requirement is bounded however many exchanges violate it.
func TestTallyEvidenceIsBounded(t *testing.T) {
	c := contract.Default()
	tl := NewTally(nil)
	ex := koophoneExchange(http.Header{}, `{}`)
	vs := Check(c, ex)
	for i := 0; i < 3*MaxEvidencePerRequirement; i++ {
		tl.Add(c, ex, vs)
	}
	for _, r := range tl.Report(catalog.Default(), ReportOptions{Kind: "check"}).Requirements {
		if len(r.Evidence) > MaxEvidencePerRequirement {
			t.Fatalf("%s keeps %d evidence entries", r.ID, len(r.Evidence))
		}
	}
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// An exchange on a path neither contract knows is reported once, on the request side.
func TestUnknownRouteReportedOnce(t *testing.T) {
	c := contract.Default()
	ex := Exchange{
		Request:  Request{Method: http.MethodGet, URL: "http://127.0.0.1:8081/healthz", Header: http.Header{}},
		Response: &Response{Status: 200, Header: http.Header{}, Body: []byte("ok")},
	}
	vs := Check(c, ex)
	if len(vs) != 1 || vs[0].Rule != specfacts.RuleRouteNotFound {
		t.Fatalf("violations %v", vs)
	}
}
