package mock

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/specfacts"
)

// fuzzFixture is shared across iterations: state changes between inputs are fine (the
// property is about status classes), and building a world per input would slow the fuzzer.
func fuzzHeaders(h map[string]string, k, v string) {
	if v == "\x00" {
		delete(h, k)
		return
	}
	h[k] = v
}

// Whatever the body and header values, the KooPhone handler never panics, never answers 5xx,
// and always answers JSON.
func FuzzKooPhoneRequest(f *testing.F) {
	fx := newFixture(f)
	own, foreign := fx.t.KooPhone.OwnedInstanceIDs, fx.t.KooPhone.ForeignInstanceIDs
	token := fx.t.KooPhone.AuthToken
	seeds := []string{
		`{"instance_ids":["a44uhlf7","efjy72gs"]}`,
		`{"user_id":"1008600000104285462","instance_id":"iRJEVP9"}`,
		`{"instance_ids":["` + own[0] + `"]}`,
		`{"instance_ids":["` + foreign[0] + `"]}`,
		`{"instance_ids":[]}`, `{"instance_ids":[""]}`, `{"instance_ids":null}`, `{"instance_ids":[1,{}]}`,
		`{"instance_ids":["` + strings.Repeat("a", 33) + `"]}`, `{"instance_ids":["` + strings.Repeat("é", 32) + `"]}`,
		`{"instance_ids":["a","a"]}`, `[]`, `"x"`, `{`, ``, `null`, `{"instance_ids":["\ud800"]}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), "application/json", token, "req-1")
	}
	f.Add([]byte(seeds[0]), "text/plain", token, "req-1")
	f.Add([]byte(seeds[0]), "application/json; charset=utf-8", "", "")
	f.Add([]byte(seeds[0]), "application/json", "\x00", "\x00")
	f.Add([]byte(seeds[0]), ";;;", fx.t.KooPhone.UnknownTenantToken, " ")
	f.Fuzz(func(t *testing.T, body []byte, contentType, tok, requestID string) {
		h := map[string]string{}
		fuzzHeaders(h, "Content-Type", contentType)
		fuzzHeaders(h, "x-auth-token", tok)
		fuzzHeaders(h, "x-request-id", requestID)
		checkFuzzAnswer(t, fx, req{path: "/v1/instances/backup", header: h, body: body})
	})
}

// Whatever the body, header values and project id, the VBS handler never panics, never
// answers 5xx, and always answers JSON.
func FuzzVBSRequest(f *testing.F) {
	fx := newFixture(f)
	v := fx.t.VBS
	seeds := []string{
		`{"backup_policy_id":"` + v.BackupPolicyID + `","resources":[{"resource_id":"` + v.VolumeIDs[0] + (`","resource_type":"` + string(specfacts.ResourceTypeVolume) + `"}]}`),
		(`{"backup_policy_id":"915d1fd8-63cb-4054-a2b0-2778210e3a75","resources":[{"resource_id":"0f187b65-8d0e-4fc0-9096-3b55d330531e","resource_type":"` + string(specfacts.ResourceTypeVolume) + `"}]}`),
		`{"backup_policy_id":"` + v.BackupPolicyID + `","resources":[{"resource_id":"x","resource_type":"disk"}]}`,
		`{"backup_policy_id":"` + v.BackupPolicyID + `","resources":[]}`, `{"backup_policy_id":null,"resources":null}`,
		`{"backup_policy_id":"p","resources":[null,1,"x",{}]}`, `{}`, `[]`, `{`, ``,
	}
	for _, s := range seeds {
		f.Add([]byte(s), "application/json", v.AuthToken, v.ProjectID)
	}
	f.Add([]byte(seeds[0]), "text/plain", "", v.ProjectID)
	f.Add([]byte(seeds[0]), "application/json", v.AuthToken, "other")
	f.Add([]byte(seeds[0]), "application/json", "\x00", "%2F")
	f.Fuzz(func(t *testing.T, body []byte, contentType, tok, project string) {
		h := map[string]string{}
		fuzzHeaders(h, "Content-Type", contentType)
		fuzzHeaders(h, "X-Auth-Token", tok)
		path := "/v2/" + url.PathEscape(project) + "/backuppolicyresources"
		checkFuzzAnswer(t, fx, req{path: path, header: h, body: body})
	})
}

func checkFuzzAnswer(t *testing.T, fx fixture, r req) {
	hr := r.build()
	for k, vs := range hr.Header {
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				// Not a value net/http would deliver to a handler.
				_ = k
				return
			}
		}
	}
	rec := httptest.NewRecorder()
	fx.m.ServeHTTP(rec, hr)
	if rec.Code >= 500 {
		t.Fatalf("%s with %q: answered %d %s", r.path, r.body, rec.Code, rec.Body.Bytes())
	}
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("answered %q", rec.Header().Get("Content-Type"))
	}
}
