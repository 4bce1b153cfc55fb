package mock

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
)

func lists(t *testing.T, ex exchange) (success, fail []map[string]any) {
	t.Helper()
	for key, dst := range map[string]*[]map[string]any{"success_resources": &success, "fail_resources": &fail} {
		raw, ok := ex.json[key].([]any)
		if !ok {
			t.Fatalf("%s missing or not a list: %s", key, ex.body)
		}
		for _, item := range raw {
			*dst = append(*dst, item.(map[string]any))
		}
	}
	return success, fail
}

// Free volumes are bound and reported with type, AZ and POD; the binding is in the world.
func TestVBSAssociateBinds(t *testing.T) {
	f := newFixture(t)
	v := f.t.VBS
	ex := f.do(t, f.vbs(resources(v.BackupPolicyID, v.VolumeIDs[0], v.VolumeIDs[1])))
	if ex.status != http.StatusOK {
		t.Fatalf("got %d %s", ex.status, ex.body)
	}
	success, fail := lists(t, ex)
	if len(success) != 2 || len(fail) != 0 {
		t.Fatalf("lists %s", ex.body)
	}
	for i, s := range success {
		az, pod := Placement(v.VolumeIDs[i])
		if s["resource_id"] != v.VolumeIDs[i] || s["resource_type"] != contract.Default().Constraints().VBS.ResourceTypes[0] ||
			s["availability_zone"] != az || s["os_vol_host_attr"] != pod {
			t.Fatalf("item %d: %v", i, s)
		}
		if f.m.World().BoundPolicy(v.VolumeIDs[i]) != v.BackupPolicyID {
			t.Fatalf("%s not bound", v.VolumeIDs[i])
		}
	}
}

// Per-resource outcomes: unknown volume, unsupported type, already bound to this policy,
// bound to another policy all go to fail_resources with a code; the free volume of the same
// request is bound; every resource appears exactly once.
func TestVBSPerResourceFailures(t *testing.T) {
	f := newFixture(t)
	v := f.t.VBS
	other := f.m.World().OtherPolicyID()
	if ex := f.do(t, f.vbs(resources(v.BackupPolicyID, v.VolumeIDs[0]))); ex.status != http.StatusOK {
		t.Fatal(string(ex.body))
	}
	if ex := f.do(t, f.vbs(resources(other, v.VolumeIDs[1]))); ex.status != http.StatusOK {
		t.Fatal(string(ex.body))
	}
	body := resources(v.BackupPolicyID, v.VolumeIDs[0], v.VolumeIDs[1], v.UnknownVolumeIDs[0], v.VolumeIDs[2], v.VolumeIDs[3])
	body["resources"].([]map[string]any)[4]["resource_type"] = "disk"
	ex := f.do(t, f.vbs(body))
	success, fail := lists(t, ex)
	if len(success) != 1 || success[0]["resource_id"] != v.VolumeIDs[2] {
		t.Fatalf("success %v", success)
	}
	want := map[string]string{
		v.VolumeIDs[0]:        VBSCodeAlreadyAssociated,
		v.VolumeIDs[1]:        VBSCodeBoundElsewhere,
		v.UnknownVolumeIDs[0]: VBSCodeVolumeNotFound,
		v.VolumeIDs[3]:        VBSCodeUnsupportedType,
	}
	if len(fail) != len(want) {
		t.Fatalf("fail %v", fail)
	}
	for _, item := range fail {
		id := item["resource_id"].(string)
		if item["code"] != want[id] || !strings.Contains(item["message"].(string), "resources[") {
			t.Fatalf("fail item %v, want code %s", item, want[id])
		}
		_, hasAZ := item["availability_zone"]
		if hasAZ == (id == v.UnknownVolumeIDs[0]) {
			t.Fatalf("fail item %v: AZ present only when the volume exists", item)
		}
	}
	if f.m.World().BoundPolicy(v.VolumeIDs[3]) != "" || f.m.World().BoundPolicy(v.VolumeIDs[1]) != other {
		t.Fatal("a failed resource changed its binding")
	}
}

// Every request error answers its status, the envelope, the mock's code and a message naming
// the field, and binds nothing.
func TestVBSRefusals(t *testing.T) {
	base := newFixture(t)
	v := base.t.VBS
	vol := v.VolumeIDs[0]
	cases := []struct {
		name   string
		build  func(f fixture) req
		status int
		code   string
		msg    string
	}{
		{"missing token", func(f fixture) req { return f.vbs(resources(v.BackupPolicyID, vol)).without("X-Auth-Token") }, 401, VBSCodeUnauthorized, "X-Auth-Token: header is required"},
		{"unknown token", func(f fixture) req { return f.vbs(resources(v.BackupPolicyID, vol)).with("X-Auth-Token", "nope-nope") }, 401, VBSCodeUnauthorized, "X-Auth-Token: the token is not valid"},
		{"other project", func(f fixture) req {
			r := f.vbs(resources(v.BackupPolicyID, vol))
			r.path = contract.Default().Constraints().VBS.Path("another-project")
			return r
		}, 403, VBSCodeForbidden, `project_id: the token does not grant access to project "another-project"`},
		{"text/plain", func(f fixture) req { return f.vbs(resources(v.BackupPolicyID, vol)).with("Content-Type", "text/plain") }, 400, VBSCodeBadRequest, "Content-Type"},
		{"malformed JSON", func(f fixture) req { return f.vbs(`{"resources":`) }, 400, VBSCodeBadRequest, "body: is not valid JSON"},
		{"not an object", func(f fixture) req { return f.vbs(`"x"`) }, 400, VBSCodeBadRequest, "body: must be a JSON object, got a string"},
		{"missing policy", func(f fixture) req { return f.vbs(`{"resources":[]}`) }, 400, VBSCodeBadRequest, "backup_policy_id: is required"},
		{"policy not string", func(f fixture) req { return f.vbs(`{"backup_policy_id":5,"resources":[]}`) }, 400, VBSCodeBadRequest, "backup_policy_id: must be a string, got a number"},
		{"missing resources", func(f fixture) req { return f.vbs(map[string]any{"backup_policy_id": v.BackupPolicyID}) }, 400, VBSCodeBadRequest, "resources: is required"},
		{"null resources", func(f fixture) req {
			return f.vbs(map[string]any{"backup_policy_id": v.BackupPolicyID, "resources": nil})
		}, 400, VBSCodeBadRequest, "resources: must be an array of objects, got null"},
		{"resource not object", func(f fixture) req {
			return f.vbs(map[string]any{"backup_policy_id": v.BackupPolicyID, "resources": []any{"x"}})
		}, 400, VBSCodeBadRequest, "resources[0]: must be an object, got a string"},
		{"resource id missing", func(f fixture) req {
			return f.vbs(map[string]any{"backup_policy_id": v.BackupPolicyID, "resources": []any{map[string]any{"resource_type": string(specfacts.ResourceTypeVolume)}}})
		}, 400, VBSCodeBadRequest, "resources[0].resource_id: is required"},
		{"resource type null", func(f fixture) req {
			return f.vbs(map[string]any{"backup_policy_id": v.BackupPolicyID, "resources": []any{map[string]any{"resource_id": vol, "resource_type": nil}}})
		}, 400, VBSCodeBadRequest, "resources[0].resource_type: must be a string, got null"},
		{"empty resources", func(f fixture) req { return f.vbs(resources(v.BackupPolicyID)) }, 400, VBSCodeBadRequest, "resources: is empty"},
		{"duplicate", func(f fixture) req { return f.vbs(resources(v.BackupPolicyID, vol, v.VolumeIDs[1], vol)) }, 400, VBSCodeBadRequest, fmt.Sprintf("resources[2].resource_id: %q repeats resources[0]", vol)},
		{"unknown policy", func(f fixture) req { return f.vbs(resources(v.UnknownBackupPolicyID, vol)) }, 404, VBSCodePolicyNotFound, fmt.Sprintf("backup_policy_id: policy %q does not exist", v.UnknownBackupPolicyID)},
		{"oversized", func(f fixture) req { return f.vbs(`{"x":"` + strings.Repeat("a", MaxBodyBytes) + `"}`) }, 400, VBSCodeBodyTooLarge, "body: larger than"},
		{"injected internal error", func(f fixture) req {
			return f.vbs(resources(v.BackupPolicyID, vol)).with(InjectedFailureHeader, string(specfacts.CodeInternalError))
		}, 500, VBSCodeInternal, "internal error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			ex := f.do(t, c.build(f))
			wantVBSError(t, ex, c.status, c.code, c.msg)
			if p := f.m.World().BoundPolicy(vol); p != "" {
				t.Fatalf("refused request bound %s to %s", vol, p)
			}
		})
	}
}

// Unknown members are ignored (vbs-unknown-fields: ignore).
func TestVBSUnknownMembersIgnored(t *testing.T) {
	f := newFixture(t)
	body := resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])
	body["extra"] = true
	body["resources"].([]map[string]any)[0]["size"] = 10
	if ex := f.do(t, f.vbs(body)); ex.status != http.StatusOK {
		t.Fatalf("got %d %s", ex.status, ex.body)
	}
}

// Parallel associations of the same volume: exactly one binds it; the others report it in
// fail_resources.
func TestVBSConcurrentDoubleSubmit(t *testing.T) {
	f := newFixture(t)
	vol := f.t.VBS.VolumeIDs[9]
	const n = 16
	var wg sync.WaitGroup
	out := make(chan exchange, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out <- f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, vol)))
		}()
	}
	wg.Wait()
	close(out)
	bound := 0
	for ex := range out {
		success, fail := lists(t, ex)
		bound += len(success)
		if len(success)+len(fail) != 1 {
			t.Errorf("resource reported %d times: %s", len(success)+len(fail), ex.body)
		}
	}
	if bound != 1 {
		t.Fatalf("%d of %d submits bound the volume, want exactly 1", bound, n)
	}
}

// A wrong method on the VBS path is 405 with Allow and the VBS envelope; an unknown path is a
// JSON 404.
func TestVBSWrongMethodAndUnknownPath(t *testing.T) {
	f := newFixture(t)
	r := f.vbs(resources(f.t.VBS.BackupPolicyID))
	r.method = http.MethodDelete
	ex := f.doUnchecked(t, r)
	if ex.status != http.StatusMethodNotAllowed || ex.header.Get("Allow") != http.MethodPost || ex.code() != VBSCodeMethodNotAllowed {
		t.Fatalf("got %d Allow=%q %s", ex.status, ex.header.Get("Allow"), ex.body)
	}
	// An empty project_id segment is the VBS path (vbs-empty-project-id, strict: not-found).
	if ex := f.doUnchecked(t, req{path: "/v2//backuppolicyresources"}); ex.status != http.StatusNotFound || ex.code() != VBSCodeNotFound {
		t.Fatalf("empty project_id: got %d %s", ex.status, ex.body)
	}
	for _, path := range []string{"/", "/v2/p/other", "/v1/instances/backup/x"} {
		ex := f.doUnchecked(t, req{path: path})
		if ex.status != http.StatusNotFound || ex.code() != mockCodeNoSuchPath || !strings.Contains(ex.message(), "no operation at "+path) {
			t.Fatalf("%s: got %d %s", path, ex.status, ex.body)
		}
	}
}

// The strict readings of the VBS entries on empty ids, Accept and precedence: an empty backup_policy_id or resource_id
// is malformed (400), Accept without JSON is 406, and with two faults the token wins (401).
func TestVBSStrictEmptyIDsAcceptAndPrecedence(t *testing.T) {
	f := newFixture(t)
	v := f.t.VBS.VolumeIDs[0]
	wantVBSError(t, f.do(t, f.vbs(resources("", v))), 400, VBSCodeBadRequest, "backup_policy_id: is empty")
	wantVBSError(t, f.do(t, f.vbs(resources(f.t.VBS.BackupPolicyID, ""))), 400, VBSCodeBadRequest, "resource_id: is empty")
	wantVBSError(t, f.do(t, f.vbs(resources(f.t.VBS.BackupPolicyID, v)).with("Accept", "application/xml")), 406, VBSCodeNotAcceptable, "Accept")
	noToken := f.vbs(map[string]any{"backup_policy_id": f.t.VBS.BackupPolicyID}).with(contract.Default().Constraints().VBS.TokenHeader, "")
	wantVBSError(t, f.doUnchecked(t, noToken), 401, VBSCodeUnauthorized, "required")
	if f.m.World().BoundPolicy(v) != "" {
		t.Fatal("a refused request bound the volume")
	}
	for _, accept := range []string{"application/json", "*/*", "application/xml, application/json;q=0.5", "text/html, */*;q=0.1"} {
		if !acceptsJSON(accept) {
			t.Errorf("Accept %q admits JSON", accept)
		}
	}
	for _, accept := range []string{"application/xml", "text/html", "application/json;q=0"} {
		if acceptsJSON(accept) {
			t.Errorf("Accept %q admits no JSON", accept)
		}
	}
	// A charset parameter is JSON all the same.
	if ex := f.do(t, f.vbs(resources(f.t.VBS.BackupPolicyID, v)).with("Content-Type", "application/json;charset=UTF-8")); ex.status != 200 {
		t.Fatalf("charset: got %d %s", ex.status, ex.body)
	}
}
