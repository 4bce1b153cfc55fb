package conformance

import (
	"net/http"
	"testing"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
)

// firstLineOf is what a failed KooPhone error check records and leads its message with.
func firstLineOf(t *testing.T, x *Exchange, names ...specfacts.ErrorCodeName) runrecord.Expectation {
	t.Helper()
	e := envWith(catalog.Default())
	e.Redactor = redact.New()
	x.Request.API = specfacts.KooPhone
	var p problems
	var answers []runrecord.Answer
	var codeNames []string
	for _, n := range names {
		c := e.Contract.Constraints().KooPhone.Code(n)
		answers = append(answers, runrecord.Answer{Status: c.Status, Code: c.Code})
		codeNames = append(codeNames, string(n))
	}
	if p.answered(x) {
		e.checkKooPhoneCode(x, codeNames, &p)
	}
	if len(p) == 0 {
		t.Fatal("no problem with the answer")
	}
	return e.expectation(x, want{text: "the code", answers: answers}, p)
}

// A failure's first line says exactly what differed: the status and the code, also when
// the status matched and only the code did not; a right code under a wrong status, an
// undocumented code and another success status are rules at a pointer, whatever the request.
func TestFirstLineSaysWhatDiffered(t *testing.T) {
	k := envWith(catalog.Default()).Contract.Constraints().KooPhone
	wrongCode := firstLineOf(t, answer(http.StatusBadRequest, map[string]any{"error_code": k.Code(specfacts.CodeParameterIncorrect).Code, "error_msg": "m"}), specfacts.CodeInstancePermissions)
	if want := "expected 400 " + k.Code(specfacts.CodeInstancePermissions).Code + ", got 400 " + k.Code(specfacts.CodeParameterIncorrect).Code; wrongCode.Summary != want || wrongCode.Rule != "" {
		t.Errorf("wrong code: %+v, want summary %q", wrongCode, want)
	}
	wrongStatus := firstLineOf(t, answer(http.StatusInternalServerError, map[string]any{"error_code": k.Code(specfacts.CodeParameterIncorrect).Code, "error_msg": "m"}), specfacts.CodeParameterIncorrect)
	if wrongStatus.Rule != string(specfacts.ReqKooPhoneClientErrorsAre400) || wrongStatus.Pointer != "/status" || wrongStatus.Summary != "expected 400 "+k.Code(specfacts.CodeParameterIncorrect).Code+", got 500 "+k.Code(specfacts.CodeParameterIncorrect).Code {
		t.Errorf("wrong status: %+v", wrongStatus)
	}
	undocumented := firstLineOf(t, answer(http.StatusBadRequest, map[string]any{"error_code": "1000", "error_msg": "m"}), specfacts.CodeParameterIncorrect)
	if undocumented.Rule != string(specfacts.ReqKooPhoneErrorEnvelopeShape) || undocumented.Pointer != "/error_code" {
		t.Errorf("undocumented code: %+v", undocumented)
	}
	accepted := firstLineOf(t, answer(http.StatusOK, map[string]any{"error_code": "0", "error_msg": "", "data": map[string]any{"task_id": "t", "cmd_jobs": []any{}}}), specfacts.CodeParameterIncorrect)
	if accepted.Rule != "" || accepted.Summary != "expected 400 "+k.Code(specfacts.CodeParameterIncorrect).Code+", got 200" {
		t.Errorf("accepted: %+v", accepted)
	}
}

// Another success status where 200 is due is the rule on documented statuses at /status.
func TestOtherSuccessStatusIsOneRule(t *testing.T) {
	e := envWith(catalog.Default())
	e.Redactor = redact.New()
	x := answer(http.StatusCreated, map[string]any{})
	x.Request.API = specfacts.KooPhone
	var p problems
	e.checkBackup(x, []string{"i"}, 1, &p)
	rec := e.expectation(x, want{text: "200", answers: []runrecord.Answer{{Status: http.StatusOK}}}, p)
	if rec.Rule != string(specfacts.ReqKooPhoneDocumentedStatus) || rec.Pointer != "/status" || rec.Summary != "expected 200, got 201" {
		t.Errorf("%+v", rec)
	}
}
