package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

// Ride-along labels, as the suites' errorSpec and backupSpec helpers add them.
var (
	errorRiders  = []specfacts.RequirementID{specfacts.ReqKooPhoneErrorEnvelopeShape, specfacts.ReqKooPhoneClientErrorsAre400, specfacts.ReqKooPhoneDocumentedStatus}
	backupRiders = []specfacts.RequirementID{specfacts.ReqKooPhoneBackupOperation, specfacts.ReqKooPhoneResponse200Shape, specfacts.ReqKooPhoneCmdJobsCoverRequest,
		specfacts.ReqKooPhoneJobIDsDistinct, specfacts.ReqKooPhoneDocumentedStatus}
)

func labels(own specfacts.RequirementID, riders []specfacts.RequirementID) []string {
	out := []string{runrecord.ConformanceLabel, runrecord.APILabelPrefix + "koophone", runrecord.RequirementLabelPrefix + string(own)}
	for _, r := range riders {
		out = append(out, runrecord.RequirementLabelPrefix+string(r))
	}
	return out
}

// failed is a failed spec whose check emitted rec; its message leads with rec's summary.
func failed(text string, lbls []string, recs ...runrecord.Expectation) runrecord.Spec {
	msg := "the spec failed"
	if len(recs) > 0 {
		msg = recs[0].Summary + "\nproblems: …"
	}
	return runrecord.Spec{Text: text, Node: ginkgotypes.NodeTypeIt, State: ginkgotypes.SpecStateFailed, Labels: lbls,
		Failure: &runrecord.Failure{Message: msg, Location: "suite_test.go:1"}, Expectations: recs,
		Evidence: []runrecord.Evidence{{Request: runrecord.Message{Method: "POST", URL: "http://x/v1/instances/backup"}}}}
}

func passed(text string, lbls []string) runrecord.Spec {
	return runrecord.Spec{Text: text, Node: ginkgotypes.NodeTypeIt, State: ginkgotypes.SpecStatePassed, Labels: lbls,
		Evidence: []runrecord.Evidence{{Request: runrecord.Message{Method: "POST", URL: "http://x/v1/instances/backup"}}}}
}

func buildSpecs(t *testing.T, specs ...runrecord.Spec) *Report {
	t.Helper()
	run := &runrecord.Run{Suites: []runrecord.Suite{{Description: "KooPhone", Labels: []string{runrecord.APILabelPrefix + "koophone"}, Specs: append([]runrecord.Spec{{
		Node: ginkgotypes.NodeTypeBeforeSuite, State: ginkgotypes.SpecStatePassed,
		Targets: []runrecord.Target{{Name: "vendor", Profile: runrecord.ProfileDefault, KooPhoneURL: "http://x", VBSURL: "http://y"}}}}, specs...)}}}
	r, err := Build(run, catalog.Default(), BuildOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The wire codes, read through the contract.
var (
	c1000 = code(specfacts.CodeParameterIncorrect).Code
	c1001 = code(specfacts.CodeInstancePermissions).Code
	c0000 = code(specfacts.CodeTenantNotFound).Code
)

func code(name specfacts.ErrorCodeName) runrecord.Answer {
	c := contract.Default().Constraints().KooPhone.Code(name)
	return runrecord.Answer{Status: c.Status, Code: c.Code}
}

// jobIDRule is the record of a 200 whose job ids repeat, at the given item.
func jobIDRule(item string) runrecord.Expectation {
	return runrecord.Expectation{RequestClass: specfacts.ReqKooPhoneInstanceIDsMinItems, Requirement: specfacts.ReqKooPhoneJobIDsDistinct,
		Expected: []runrecord.Answer{{Status: 200}}, Got: &runrecord.Answer{Status: 200}, Rule: string(specfacts.ReqKooPhoneJobIDsDistinct),
		Pointer: "/data/cmd_jobs/" + item + "/job_id", Summary: string(specfacts.ReqKooPhoneJobIDsDistinct) + " at /data/cmd_jobs/*/job_id: cmd_jobs[" + item + "].job_id is shared with another job"}
}

// Several specs, one deviation: a deviation in the 200 body, seen by three specs about
// three different requirements (at different items), is one cause, owned by the
// requirement the rule checks, explaining every requirement of those specs.
func TestOneDeviationSeveralSpecsIsOneCause(t *testing.T) {
	r := buildSpecs(t,
		failed("accepts a single id", labels(specfacts.ReqKooPhoneInstanceIDsMinItems, backupRiders), jobIDRule("0")),
		failed("accepts the maximum number of ids", labels(specfacts.ReqKooPhoneInstanceIDsMaxItems, backupRiders), jobIDRule("1")),
		failed("accepts application/json;charset=UTF-8", labels(specfacts.ReqKooPhoneJSONCharsetAccepted, backupRiders), jobIDRule("7")),
	)
	if len(r.Causes) != 1 {
		t.Fatalf("%d causes, want 1: %+v", len(r.Causes), r.Causes)
	}
	c := r.Causes[0]
	if c.ID != 1 || c.Kind != CauseRule || len(c.Specs) != 3 || c.Requirement != string(specfacts.ReqKooPhoneJobIDsDistinct) || c.Pointer != "/data/cmd_jobs/*/job_id" {
		t.Fatalf("cause %+v", c)
	}
	for _, id := range []specfacts.RequirementID{specfacts.ReqKooPhoneInstanceIDsMinItems, specfacts.ReqKooPhoneInstanceIDsMaxItems, specfacts.ReqKooPhoneJSONCharsetAccepted,
		specfacts.ReqKooPhoneDocumentedStatus, specfacts.ReqKooPhoneJobIDsDistinct} {
		q := requirement(t, r, id)
		if q.Status != StatusFail || len(q.CausedBy) != 1 || q.CausedBy[0] != 1 {
			t.Errorf("%s: status %s caused by %v", id, q.Status, q.CausedBy)
		}
	}
	if q, ok := catalog.Default().Requirement(c.Requirement); !ok || c.Source.Clause != q.Source.Clause || c.Fix == "" {
		t.Errorf("cause without the owning requirement's clause or a fix: %+v", c)
	}
	if !strings.HasPrefix(r.VerdictReason, "1 cause: ") {
		t.Errorf("verdict reason %q does not lead with the causes", r.VerdictReason)
	}
}

// Two deviations are two causes, most specs explained first; a register entry probed by
// specs of two requirements and answered the same wrong way is one of them.
func TestTwoDeviationsAreTwoCauses(t *testing.T) {
	unknown := runrecord.Expectation{RequestClass: specfacts.ReqKooPhoneInstancePermissions, Requirement: specfacts.ReqKooPhoneInstancePermissions,
		Expected: []runrecord.Answer{code(specfacts.CodeInstancePermissions)}, Got: &runrecord.Answer{Status: 400, Code: code(specfacts.CodeParameterIncorrect).Code},
		Summary: "expected 400 " + c1001 + ", got 400 " + c1000}
	token := func(class specfacts.RequirementID) runrecord.Expectation {
		return runrecord.Expectation{RequestClass: class, Requirement: class, RegisterEntry: specfacts.AmbKooPhoneMissingTokenCode,
			Expected: []runrecord.Answer{code(specfacts.CodeParameterIncorrect), code(specfacts.CodeTenantNotFound)}, Got: &runrecord.Answer{Status: 200},
			Summary: "register entry koophone-missing-token-code: expected 400 " + c1000 + " or 400 " + c0000 + ", got 200"}
	}
	r := buildSpecs(t,
		failed("rejects instances of another tenant", labels(specfacts.ReqKooPhoneInstancePermissions, errorRiders), unknown),
		failed("rejects a request without x-auth-token", labels(specfacts.ReqKooPhoneAuthTokenRequired, errorRiders), token(specfacts.ReqKooPhoneAuthTokenRequired)),
		failed("refuses two faults", labels(specfacts.ReqKooPhoneSeveralFaultsRefused, errorRiders), token(specfacts.ReqKooPhoneSeveralFaultsRefused)),
	)
	if len(r.Causes) != 2 {
		t.Fatalf("%d causes, want 2: %+v", len(r.Causes), r.Causes)
	}
	if c := r.Causes[0]; c.Kind != CauseRegister || len(c.Specs) != 2 || c.RegisterEntry != string(specfacts.AmbKooPhoneMissingTokenCode) {
		t.Errorf("first cause %+v, want the register entry explaining two specs", c)
	}
	c := r.Causes[1]
	if c.Kind != CauseAnswer || c.Requirement != string(specfacts.ReqKooPhoneInstancePermissions) ||
		c.Title != string(specfacts.ReqKooPhoneInstancePermissions)+" → expected 400 "+c1001+", got 400 "+c1000 ||
		!strings.Contains(c.Fix, "answer 400 "+c1001+", not 400 "+c1000) {
		t.Errorf("second cause %+v", c)
	}
	// The generic requirements ride along on every negative spec: both causes explain them.
	if q := requirement(t, r, specfacts.ReqKooPhoneDocumentedStatus); len(q.CausedBy) != 2 {
		t.Errorf("documented-status caused by %v, want both causes", q.CausedBy)
	}
}

// A generic requirement riding along on a failing spec is attributed to the specific
// requirement's cause: it fails because of that cause, and summary.md says so instead of
// listing it as a problem of its own; every failing requirement is paired with its own
// first failure, never another requirement's text.
func TestRidingRequirementFailsBecauseOfTheSpecificCause(t *testing.T) {
	rec := runrecord.Expectation{RequestClass: specfacts.ReqKooPhoneRequestIDRequired, Requirement: specfacts.ReqKooPhoneRequestIDRequired,
		Expected: []runrecord.Answer{code(specfacts.CodeParameterIncorrect)}, Got: &runrecord.Answer{Status: 200},
		Summary: "expected 400 " + c1000 + ", got 200"}
	release := runrecord.Expectation{RequestClass: specfacts.ReqKooPhoneRejectedRequestChangesNothing, Requirement: specfacts.ReqKooPhoneRejectedRequestChangesNothing,
		Expected: []runrecord.Answer{{Status: 200}}, Got: &runrecord.Answer{Status: 400, Code: code(specfacts.CodeParameterIncorrect).Code},
		Summary: "expected 200, got 400 " + c1000}
	r := buildSpecs(t,
		failed("rejects a request without x-request-id", labels(specfacts.ReqKooPhoneRequestIDRequired, errorRiders), rec),
		failed("still backs up the instance", labels(specfacts.ReqKooPhoneRejectedRequestChangesNothing, backupRiders), release),
		passed("accepts a single id", labels(specfacts.ReqKooPhoneInstanceIDsMinItems, backupRiders)),
	)
	if len(r.Causes) != 2 {
		t.Fatalf("%d causes: %+v", len(r.Causes), r.Causes)
	}
	own := requirement(t, r, specfacts.ReqKooPhoneRequestIDRequired)
	if got := r.Explanation(own); !strings.HasPrefix(got, "cause #") || !strings.Contains(got, "expected 400 "+c1000+", got 200") {
		t.Errorf("own requirement explained as %q", got)
	}
	riding := requirement(t, r, specfacts.ReqKooPhoneClientErrorsAre400)
	if got := r.Explanation(riding); !strings.HasPrefix(got, "fails because of cause #") || !strings.Contains(got, string(specfacts.ReqKooPhoneRequestIDRequired)) {
		t.Errorf("riding requirement explained as %q", got)
	}
	backup := requirement(t, r, specfacts.ReqKooPhoneBackupOperation)
	if got := r.Explanation(backup); !strings.Contains(got, "fails because of cause #") || !strings.Contains(got, string(specfacts.ReqKooPhoneRejectedRequestChangesNothing)) {
		t.Errorf("backup-operation explained as %q", got)
	}
	var md bytes.Buffer
	if err := RenderMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	causes, matrix := strings.Index(out, "### 2 causes"), strings.Index(out, "| API |")
	if causes < 0 || matrix < 0 || causes > matrix {
		t.Fatalf("summary.md does not lead with the causes:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "- ❌ `") {
			continue
		}
		id := strings.SplitN(strings.TrimPrefix(line, "- ❌ `"), "`", 2)[0]
		if strings.Contains(line, "requirement ") && !strings.Contains(line, id) {
			t.Errorf("line of %s names another requirement's text: %s", id, line)
		}
		switch id {
		case string(specfacts.ReqKooPhoneRequestIDRequired):
			if !strings.Contains(line, "expected 400 "+c1000+", got 200") {
				t.Errorf("own failure missing: %s", line)
			}
		case string(specfacts.ReqKooPhoneBackupOperation), string(specfacts.ReqKooPhoneClientErrorsAre400):
			if !strings.Contains(line, "fails because of cause #") {
				t.Errorf("riding requirement shown as a problem of its own: %s", line)
			}
		}
	}
	var html bytes.Buffer
	if err := RenderHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), `id="cause-1"`) || !strings.Contains(html.String(), "fails because of cause #") {
		t.Error("conformance.html lacks the causes or the attribution")
	}
	rider := `data-requirement="` + string(specfacts.ReqKooPhoneClientErrorsAre400) + `"`
	if strings.Contains(html.String(), `<div class="failure" `+rider) || !strings.Contains(html.String(), `<li `+rider) {
		t.Error("conformance.html gives a riding requirement a failure card of its own")
	}
	if !strings.Contains(html.String(), `<div class="failure" data-requirement="`+string(specfacts.ReqKooPhoneRequestIDRequired)+`"`) {
		t.Error("conformance.html lacks the card of the requirement that owns a cause")
	}
	if _, err := writeValidated(t, r); err != nil {
		t.Fatal(err)
	}
}

// Failures of an API whose target went away are no causes of their own: the unreachable
// target is the one cause, and its requirements are not evaluated.
func TestUnreachableTargetIsOneCause(t *testing.T) {
	spec := failed("rejects instances of another tenant", labels(specfacts.ReqKooPhoneInstancePermissions, errorRiders), runrecord.Expectation{
		RequestClass: specfacts.ReqKooPhoneInstancePermissions, Expected: []runrecord.Answer{code(specfacts.CodeInstancePermissions)},
		Got: &runrecord.Answer{Error: "timeout"}, Summary: "expected 400 " + c1001 + ", got no answer (timeout)"})
	spec.Unreachable = []runrecord.Unreachable{{API: "koophone", Reason: "no answer from http://x within 2s, 3 requests in a row"}}
	r := buildSpecs(t, spec)
	if len(r.Causes) != 1 || r.Causes[0].Kind != CauseUnreachable || len(r.Causes[0].Specs) != 1 {
		t.Fatalf("causes %+v", r.Causes)
	}
	if q := requirement(t, r, specfacts.ReqKooPhoneInstancePermissions); q.Status != StatusNotEvaluated {
		t.Errorf("status %s", q.Status)
	}
}

// An API that answered its preflight and then hangs on some requests deviates: the specs it
// left unanswered fail their requirement, under the one unreachable cause, which owns it;
// its other requirements, whose specs never ran, stay not evaluated.
func TestStoppedAnsweringFailsTheUnansweredRequirement(t *testing.T) {
	hung := failed("rejects instances of another tenant", labels(specfacts.ReqKooPhoneInstancePermissions, errorRiders), runrecord.Expectation{
		RequestClass: specfacts.ReqKooPhoneInstancePermissions, Requirement: specfacts.ReqKooPhoneInstancePermissions,
		Expected: []runrecord.Answer{code(specfacts.CodeInstancePermissions)},
		Got:      &runrecord.Answer{Error: "timeout"}, Summary: "expected 400 " + c1001 + ", got no answer (timeout)"})
	// The spec whose request ended the suite failed through AbortSuite, with no expectation.
	gone := runrecord.Unreachable{API: "koophone", Reason: "no answer from http://x within 2s, 3 requests in a row", Answered: true}
	aborted := failed("accepts a single id", labels(specfacts.ReqKooPhoneBackupOperation, backupRiders))
	aborted.Failure.Message = gone.String()
	aborted.Unreachable = []runrecord.Unreachable{gone}
	r := buildSpecs(t, hung, aborted)
	if len(r.Causes) != 1 || r.Causes[0].Kind != CauseUnreachable || len(r.Causes[0].Specs) != 2 {
		t.Fatalf("want the one unreachable cause, got %+v", r.Causes)
	}
	if c := r.Causes[0]; c.Requirement != string(specfacts.ReqKooPhoneInstancePermissions) && c.Requirement != string(specfacts.ReqKooPhoneBackupOperation) {
		t.Errorf("the unreachable cause is owned by %q, want an unanswered spec's requirement", c.Requirement)
	}
	for _, id := range []specfacts.RequirementID{specfacts.ReqKooPhoneInstancePermissions, specfacts.ReqKooPhoneBackupOperation} {
		q := requirement(t, r, id)
		if q.Status != StatusFail || len(q.CausedBy) != 1 || q.CausedBy[0] != r.Causes[0].ID {
			t.Errorf("unanswered %s: status %s caused by %v, want fail by cause %d", id, q.Status, q.CausedBy, r.Causes[0].ID)
		}
	}
	if q := requirement(t, r, specfacts.ReqKooPhoneRequestIDRequired); q.Status != StatusNotEvaluated || !strings.HasPrefix(q.Reason, NotEvaluatedUnreachable) {
		t.Errorf("a requirement whose specs never ran: %s (%s), want not evaluated, target unreachable", q.Status, q.Reason)
	}
	if r.Verdict != StatusFail {
		t.Errorf("verdict %s", r.Verdict)
	}
}

// report diff lists the causes that appeared and those that went away, by key; a baseline
// written before causes existed gives no cause changes.
func TestDiffComparesCauses(t *testing.T) {
	old := buildSpecs(t, failed("accepts a single id", labels(specfacts.ReqKooPhoneInstanceIDsMinItems, backupRiders), jobIDRule("0")))
	rec := runrecord.Expectation{RequestClass: specfacts.ReqKooPhoneRequestIDRequired, Expected: []runrecord.Answer{code(specfacts.CodeParameterIncorrect)},
		Got: &runrecord.Answer{Status: 200}, Summary: "expected 400 " + c1000 + ", got 200"}
	new := buildSpecs(t, failed("rejects a request without x-request-id", labels(specfacts.ReqKooPhoneRequestIDRequired, errorRiders), rec))
	d := Diff(old, new)
	if len(d.NewCauses) != 1 || len(d.GoneCauses) != 1 || d.GoneCauses[0].Key != old.Causes[0].Key {
		t.Fatalf("new %+v gone %+v", d.NewCauses, d.GoneCauses)
	}
	var text bytes.Buffer
	if err := d.WriteText(&text); err != nil || !strings.Contains(text.String(), "new causes (1)") {
		t.Errorf("text %q (%v)", text.String(), err)
	}
	old.Causes = nil
	if d := Diff(old, new); len(d.NewCauses)+len(d.GoneCauses) != 0 {
		t.Errorf("a baseline without causes gave cause changes: %+v", d)
	}
}

// The owning requirement of a spec is its first label that is not cross-cutting.
func TestOwningRequirementSkipsRidingRequirements(t *testing.T) {
	reqs := runrecord.RequirementsOf([]string{runrecord.RequirementLabelPrefix + string(specfacts.ReqKooPhoneDocumentedStatus),
		runrecord.RequirementLabelPrefix + string(specfacts.ReqKooPhoneUnknownTenant), runrecord.RequirementLabelPrefix + string(specfacts.ReqKooPhoneErrorEnvelopeShape)})
	if got := runrecord.OwningRequirement(reqs); got != specfacts.ReqKooPhoneUnknownTenant {
		t.Errorf("owner %q", got)
	}
	if got := runrecord.OwningRequirement([]specfacts.RequirementID{specfacts.ReqKooPhoneDocumentedStatus}); got != specfacts.ReqKooPhoneDocumentedStatus {
		t.Errorf("owner of a generic-only spec %q", got)
	}
}

// A request the target wrongly carried out consumed the ids a later spec needs: the later
// spec's refused success is the same deviation seen again, one cause told by the request
// that was carried out; a refused success on other ids, or before that request, is not.
func TestCascadeIsTheCauseOfTheRequestCarriedOut(t *testing.T) {
	start := testNow
	over := failed("rejects one id more than the maximum", labels(specfacts.ReqKooPhoneInstanceIDsMaxItems, errorRiders), runrecord.Expectation{
		RequestClass: specfacts.ReqKooPhoneInstanceIDsMaxItems, Requirement: specfacts.ReqKooPhoneInstanceIDsMaxItems,
		Expected: []runrecord.Answer{code(specfacts.CodeParameterIncorrect)}, Got: &runrecord.Answer{Status: 200},
		Summary: "expected 400 " + c1000 + ", got 200", Subjects: []string{"i1", "i2", "i3"}})
	over.StartTime = start
	refused := func(text string, own specfacts.RequirementID, ids []string, at int) runrecord.Spec {
		s := failed(text, labels(own, backupRiders), runrecord.Expectation{RequestClass: own, Requirement: own,
			Expected: []runrecord.Answer{{Status: 200}}, Got: &runrecord.Answer{Status: 400, Code: c1000}, Summary: "expected 200, got 400 " + c1000, Subjects: ids})
		s.StartTime = start.Add(time.Duration(at) * time.Second)
		return s
	}
	r := buildSpecs(t, over,
		refused("accepts the maximum number of ids", specfacts.ReqKooPhoneInstanceIDsMaxItems, []string{"i1", "i2"}, 1),
		refused("accepts a single id", specfacts.ReqKooPhoneInstanceIDsMinItems, []string{"i3"}, 2),
	)
	if len(r.Causes) != 1 || len(r.Causes[0].Specs) != 3 || !strings.HasSuffix(r.Causes[0].Title, "got 200") ||
		r.Causes[0].Requirement != string(specfacts.ReqKooPhoneInstanceIDsMaxItems) {
		t.Fatalf("causes %+v", r.Causes)
	}
	r = buildSpecs(t, over,
		refused("accepts a single id", specfacts.ReqKooPhoneInstanceIDsMinItems, []string{"i9"}, 2),
		refused("backed up before", specfacts.ReqKooPhoneJSONCharsetAccepted, []string{"i1"}, -1),
	)
	if len(r.Causes) != 3 {
		t.Fatalf("%d causes, want 3 (no cascade): %+v", len(r.Causes), r.Causes)
	}
}

// A server error is the server's own failure whatever the request: two probes of different
// requirements that both got a 5xx are one cause. A generated request's failure (kind:explore)
// that got the same answer as a hand-picked probe joins its cause; one that got an answer no
// probe got stays a cause of its own.
func TestServerErrorsAndGeneratedFindingsJoinTheirCause(t *testing.T) {
	internal := code(specfacts.CodeInternalError)
	serverError := func(class specfacts.RequirementID, generated bool) runrecord.Expectation {
		return runrecord.Expectation{RequestClass: class, Requirement: class, ExpectedText: "a 4xx",
			Got: &runrecord.Answer{Status: internal.Status, Code: internal.Code}, Summary: "expected a 4xx, got " + internal.Code, Generated: generated}
	}
	generatedOK := runrecord.Expectation{RequestClass: specfacts.ReqKooPhoneClientErrorsAre400, ExpectedText: "a 4xx",
		Got: &runrecord.Answer{Status: 200}, Summary: "explore koophone: a must-refuse fault accepted", Generated: true}
	r := buildSpecs(t,
		failed("refuses a missing instance_ids", labels(specfacts.ReqKooPhoneInstanceIDsRequired, errorRiders), serverError(specfacts.ReqKooPhoneInstanceIDsRequired, false)),
		failed("refuses an unknown member", labels(specfacts.ReqKooPhoneAuthTokenRequired, errorRiders), serverError(specfacts.ReqKooPhoneAuthTokenRequired, false)),
		failed("answers generated requests", labels(specfacts.ReqKooPhoneClientErrorsAre400, errorRiders), serverError(specfacts.ReqKooPhoneClientErrorsAre400, true)),
	)
	if len(r.Causes) != 1 || len(r.Causes[0].Specs) != 3 {
		t.Fatalf("%d causes, want 1 explaining 3 specs: %+v", len(r.Causes), r.Causes)
	}
	r = buildSpecs(t,
		failed("refuses a missing instance_ids", labels(specfacts.ReqKooPhoneInstanceIDsRequired, errorRiders), serverError(specfacts.ReqKooPhoneInstanceIDsRequired, false)),
		failed("answers generated requests", labels(specfacts.ReqKooPhoneClientErrorsAre400, errorRiders), generatedOK),
	)
	if len(r.Causes) != 2 {
		t.Fatalf("%d causes, want 2 (a generated finding no probe shares is its own): %+v", len(r.Causes), r.Causes)
	}
}

// Two explorations that each found the unknown-instance entry answered two ways, by
// requests that got different codes, are the one deviation of that entry: one cause.
func TestGeneratedInconsistenciesOfOneEntryAreOneCause(t *testing.T) {
	inconsistent := func(text string, got runrecord.Answer) runrecord.Spec {
		return failed(text, labels(specfacts.ReqKooPhoneInstancePermissions, nil), runrecord.Expectation{
			RequestClass: specfacts.ReqKooPhoneInstancePermissions, Requirement: specfacts.ReqKooPhoneInstancePermissions,
			ExpectedText: "one reading for the whole run", Got: &got, Generated: true,
			RegisterEntry: specfacts.AmbKooPhoneUnknownInstanceCode, Summary: text + ": inconsistent-reading"})
	}
	r := buildSpecs(t,
		inconsistent("explore answers generated requests", runrecord.Answer{Status: 400, Code: c1000}),
		inconsistent("explore answers generated call sequences", runrecord.Answer{Status: 400, Code: c1001}))
	if len(r.Causes) != 1 {
		t.Fatalf("%d causes, want 1: %+v", len(r.Causes), r.Causes)
	}
}
