package conformance

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
	"github.com/koobackup/conformance/specs"
)

// catalogWith loads the embedded catalog with the register text edited by replace, and
// checks it as the embedded one is checked.
func catalogWith(t *testing.T, old, new string) *catalog.Catalog {
	t.Helper()
	reqs, err := specs.Read(specs.RequirementsFile)
	if err != nil {
		t.Fatal(err)
	}
	ambs, err := specs.Read(specs.AmbiguitiesFile)
	if err != nil {
		t.Fatal(err)
	}
	text := string(ambs)
	if !strings.Contains(text, old) {
		t.Fatalf("the register has no %q to edit", old)
	}
	c, err := catalog.Parse(reqs, []byte(strings.Replace(text, old, new, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Check(); err != nil {
		t.Fatalf("edited register does not check: %v", err)
	}
	return c
}

func envWith(c *catalog.Catalog) *Env { return &Env{Catalog: c, Contract: contract.Default()} }

func answer(status int, body any) *Exchange {
	raw, _ := json.Marshal(body)
	return &Exchange{Status: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: raw}
}

func judge(t *testing.T, e *Env, x *Exchange, entry string, p Probe) Judgement {
	t.Helper()
	a, ok := e.Catalog.Ambiguity(entry)
	if !ok {
		t.Fatalf("no entry %s", entry)
	}
	return e.Judge(x, a, p)
}

// A reading added to the register alone — no edit to the engine or a suite — is accepted
// and recorded when an answer shows its outcome, for a KooPhone code and a VBS status.
// paramCode is the wire code of parameter-incorrect, as the register's descriptions spell it.
var paramCode = contract.Default().Constraints().KooPhone.Code(specfacts.CodeParameterIncorrect).Code

func TestSyntheticReadingIsAcceptedWithoutSuiteEdits(t *testing.T) {
	tenant := contract.Default().Constraints().KooPhone.Code(specfacts.CodeTenantNotFound).Code
	koo := answer(400, map[string]string{"error_code": tenant, "error_msg": "no tenant"})
	if j := judge(t, envWith(catalog.Default()), koo, "koophone-unknown-instance-code", Probe{}); len(j.Readings) != 0 {
		t.Fatalf("before the register names it, %s was accepted as %v", tenant, j.Readings)
	}
	c := catalogWith(t, `      - id: parameter-incorrect
        description: 400 `+paramCode+`, the parameter names nothing.
        outcome: {status: 400, code: parameter-incorrect}
    default: [permissions, parameter-incorrect]`, `      - id: parameter-incorrect
        description: 400 `+paramCode+`, the parameter names nothing.
        outcome: {status: 400, code: parameter-incorrect}
      - id: synthetic-no-tenant
        description: A synthetic reading added by a test.
        outcome: {status: 400, code: tenant-not-found}
    default: [permissions, parameter-incorrect, synthetic-no-tenant]`)
	j := judge(t, envWith(c), koo, "koophone-unknown-instance-code", Probe{})
	if j.Reading() != "synthetic-no-tenant" {
		t.Fatalf("synthetic KooPhone reading not observed: %+v", j)
	}

	vbs := answer(422, map[string]any{"error": map[string]string{"code": "X.1", "message": "bound"}})
	c = catalogWith(t, `      - id: conflict
        description: 409 with the envelope.
        outcome: {status: 409, envelope: true}`, `      - id: conflict
        description: 409 with the envelope.
        outcome: {status: 409, envelope: true}
      - id: synthetic-unprocessable
        description: A synthetic reading added by a test.
        outcome: {status: 422, envelope: true}`)
	c = catalogWithDefault(t, c, string(specfacts.ReqVBSReassociate), "synthetic-unprocessable")
	if j := judge(t, envWith(c), vbs, string(specfacts.ReqVBSReassociate), Probe{Resources: []Resource{{ID: "v1", Type: string(specfacts.ResourceTypeVolume)}}}); j.Reading() != "synthetic-unprocessable" {
		t.Fatalf("synthetic VBS reading not observed: %+v", j)
	}
}

// catalogWithDefault adds a reading to an entry's default profile in a parsed catalog.
func catalogWithDefault(t *testing.T, c *catalog.Catalog, entry, reading string) *catalog.Catalog {
	t.Helper()
	for i := range c.Ambiguities {
		if c.Ambiguities[i].ID == entry {
			c.Ambiguities[i].Default = append(c.Ambiguities[i].Default, reading)
		}
	}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	return c
}

// An answer that fits no reading is refused with every reading's outcome named, and an
// answer that fits the per-resource reading of an unknown volume names it.
func TestJudgeNamesTheReadings(t *testing.T) {
	e := envWith(catalog.Default())
	vol := []Resource{{ID: "v-unknown", Type: string(specfacts.ResourceTypeVolume)}}
	j := judge(t, e, answer(500, map[string]any{"error": map[string]string{"code": "X", "message": "m"}}), "vbs-unknown-volume-reporting", Probe{Resources: vol})
	msg := j.Expected + "\n" + strings.Join(j.Problems, "\n")
	if len(j.Readings) != 0 || !strings.Contains(msg, "per-resource, the strict reading") || !strings.Contains(msg, "request-error") || !strings.Contains(msg, "status 500 is the outcome of no reading") {
		t.Fatalf("500 judged %v:\n%s", j.Readings, msg)
	}
	typ := string(specfacts.ResourceTypeVolume)
	ok := answer(200, map[string]any{"success_resources": []any{}, "fail_resources": []any{
		map[string]any{"resource_id": "v-unknown", "resource_type": typ, "code": "X", "message": "gone"}}})
	if j := judge(t, e, ok, "vbs-unknown-volume-reporting", Probe{Resources: vol}); j.Reading() != "per-resource" {
		t.Fatalf("per-resource answer judged %+v", j)
	}
	// Reported as associated: no reading allows it.
	bad := answer(200, map[string]any{"success_resources": []any{
		map[string]any{"resource_id": "v-unknown", "resource_type": typ, "availability_zone": "az", "os_vol_host_attr": "pod"}}, "fail_resources": []any{}})
	if j := judge(t, e, bad, "vbs-unknown-volume-reporting", Probe{Resources: vol}); len(j.Readings) != 0 ||
		!slices.ContainsFunc(j.Problems, func(p string) bool { return strings.Contains(p, `resource "v-unknown" is not in fail_resources`) }) {
		t.Fatalf("associated unknown volume judged %+v", j)
	}
}

// Two readings the probe cannot tell apart are both named, and none is recorded.
func TestJudgeAmbiguousAnswerRecordsNothing(t *testing.T) {
	c := catalogWith(t, `      - id: bytes
        description: Count UTF-8 bytes; a 32-character multi-byte id is too long, 400 `+paramCode+`.
        outcome: {status: 400, code: parameter-incorrect}`, `      - id: bytes
        description: Count UTF-8 bytes; a 32-character multi-byte id is too long, 400 `+paramCode+`.
        outcome: {status: 400, code: [parameter-incorrect, instance-permissions]}`)
	perm := contract.Default().Constraints().KooPhone.Code(specfacts.CodeInstancePermissions).Code
	j := judge(t, envWith(c), answer(400, map[string]string{"error_code": perm, "error_msg": "m"}), "koophone-id-length-unit", Probe{})
	if len(j.Readings) != 2 || j.Reading() != "" {
		t.Fatalf("judged %+v, want both readings and none recorded", j)
	}
}

// An API gateway's 401 refusal is the api-gateway reading of both APIs' token entries; a
// gateway body under another status, or without request_id, fits no reading.
func TestJudgeGatewayRefusal(t *testing.T) {
	e := envWith(catalog.Default())
	gw := map[string]string{"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information", "request_id": "r-1"}
	for _, entry := range []specfacts.AmbiguityID{specfacts.AmbKooPhoneMissingTokenCode, specfacts.AmbVBSAuthHeader} {
		if j := judge(t, e, answer(401, gw), string(entry), Probe{}); j.Reading() != "api-gateway" {
			t.Errorf("%s: gateway 401 judged %+v", entry, j)
		}
		if j := judge(t, e, answer(403, gw), string(entry), Probe{}); len(j.Readings) != 0 {
			t.Errorf("%s: gateway body under 403 accepted as %v", entry, j.Readings)
		}
		noID := map[string]string{"error_code": "APIGW.0301", "error_msg": "m"}
		if j := judge(t, e, answer(401, noID), string(entry), Probe{}); len(j.Readings) != 0 ||
			!slices.ContainsFunc(j.Problems, func(p string) bool { return strings.Contains(p, "request_id") }) {
			t.Errorf("%s: gateway body without request_id judged %+v", entry, j)
		}
		notGW := map[string]string{"error_code": "AUTH.1", "error_msg": "m", "request_id": "r"}
		if j := judge(t, e, answer(401, notGW), string(entry), Probe{}); j.Reading() == "api-gateway" {
			t.Errorf("%s: a 401 with a non-APIGW code judged as the gateway", entry)
		}
	}
}

// A repeated backup of a released instance answered 200 with the job the earlier call
// started is the idempotent reading; 200 with a new job fits no reading.
func TestJudgeIdempotentRebackup(t *testing.T) {
	e := envWith(catalog.Default())
	earlier := []CmdJob{{InstanceID: "i-1", JobID: "job-1"}}
	ok := func(job string) *Exchange {
		return answer(200, map[string]any{"error_code": "0", "error_msg": "ok",
			"data": map[string]any{"task_id": "t-2", "cmd_jobs": []any{map[string]string{"instance_id": "i-1", "job_id": job}}}})
	}
	p := Probe{Instances: []string{"i-1"}, EarlierJobs: earlier}
	if j := judge(t, e, ok("job-1"), string(specfacts.AmbKooPhoneRebackupCode), p); j.Reading() != "idempotent" {
		t.Fatalf("idempotent repeat judged %+v", j)
	}
	if j := judge(t, e, ok("job-2"), string(specfacts.AmbKooPhoneRebackupCode), p); len(j.Readings) != 0 ||
		!slices.ContainsFunc(j.Problems, func(p string) bool { return strings.Contains(p, "new job") }) {
		t.Fatalf("a new job for the released instance judged %+v", j)
	}
	p.EarlierJobs = nil
	if j := judge(t, e, ok("job-1"), string(specfacts.AmbKooPhoneRebackupCode), p); len(j.Readings) != 0 {
		t.Fatalf("without the earlier jobs a 200 was accepted as %v", j.Readings)
	}
}

// A 200 is judged under the judgement principle whatever the reading: both lists are arrays,
// an associated volume carries its AZ and POD, a failed volume the target lists as existing
// carries them too, and only a volume that does not exist may leave them out.
func TestVBSResultShapeUnderTheJudgementPrinciple(t *testing.T) {
	e := envWith(catalog.Default())
	e.Target = &target.Target{VBS: &target.VBS{VolumeIDs: []string{"v-free"}}}
	typ := string(specfacts.ResourceTypeVolume)
	free := []Resource{{ID: "v-free", Type: typ}}
	problemsOf := func(body map[string]any, requested []Resource) string {
		var p problems
		e.checkAssociate(answer(200, body), requested, nil, &p)
		return strings.Join(p.texts(), "\n")
	}
	placed := map[string]any{"resource_id": "v-free", "resource_type": typ, "availability_zone": "az", "os_vol_host_attr": "pod"}
	if msg := problemsOf(map[string]any{"success_resources": []any{placed}, "fail_resources": []any{}}, free); msg != "" {
		t.Fatalf("a complete answer has problems:\n%s", msg)
	}
	if msg := problemsOf(map[string]any{"success_resources": []any{placed}, "fail_resources": nil}, free); !strings.Contains(msg, "fail_resources is absent or null") {
		t.Fatalf("a null list passed:\n%s", msg)
	}
	if msg := problemsOf(map[string]any{"success_resources": []any{placed}}, free); !strings.Contains(msg, "fail_resources is absent or null") {
		t.Fatalf("an absent list passed:\n%s", msg)
	}
	bare := map[string]any{"resource_id": "v-free", "resource_type": typ}
	if msg := problemsOf(map[string]any{"success_resources": []any{bare}, "fail_resources": []any{}}, free); !strings.Contains(msg, "lacks availability_zone") {
		t.Fatalf("an associated volume without AZ passed:\n%s", msg)
	}
	failedFree := map[string]any{"resource_id": "v-free", "resource_type": typ, "code": "X", "message": "bound"}
	if msg := problemsOf(map[string]any{"success_resources": []any{}, "fail_resources": []any{failedFree}}, free); !strings.Contains(msg, "lacks availability_zone") {
		t.Fatalf("a failed volume that exists without AZ passed:\n%s", msg)
	}
	unknown := map[string]any{"resource_id": "v-none", "resource_type": typ, "code": "X", "message": "gone", "availability_zone": nil}
	if msg := problemsOf(map[string]any{"success_resources": []any{}, "fail_resources": []any{unknown}}, []Resource{{ID: "v-none", Type: typ}}); msg != "" {
		t.Fatalf("a volume that does not exist must be allowed no AZ:\n%s", msg)
	}
}

// The control comparison names an answer by its error code, or a 200 by its failure codes.
func TestWireCode(t *testing.T) {
	for _, c := range []struct {
		body any
		want string
	}{
		{map[string]any{"error_code": "K.1", "error_msg": "m"}, "K.1"},
		{map[string]any{"error": map[string]any{"code": "V.1", "message": "m"}}, "V.1"},
		{map[string]any{"success_resources": []any{}, "fail_resources": []any{map[string]any{"code": "A"}, map[string]any{"code": "B"}}}, "A,B"},
		{"not an object", ""},
	} {
		if got := wireCode(answer(400, c.body)); got != c.want {
			t.Errorf("wireCode(%v) = %q, want %q", c.body, got, c.want)
		}
	}
}
