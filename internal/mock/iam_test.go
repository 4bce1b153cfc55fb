package mock

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const iamTestPassword = "iam-test-password-9d1"

// iamBody is the Keystone v3 password request gophercloud sends.
func iamBody(domain, user, password, project string) string {
	return fmt.Sprintf(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":%q,"password":%q,"domain":{"name":%q}}}},"scope":{"project":{"name":%q,"domain":{"name":%q}}}}}`,
		user, password, domain, project, domain)
}

func iamRequest(f fixture, body string) exchange {
	rec := httptest.NewRecorder()
	f.m.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, IAMTokensPath, strings.NewReader(body)))
	ex := exchange{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	_ = json.Unmarshal(ex.body, &ex.json)
	return ex
}

// The IAM endpoint issues a token in X-Subject-Token with expires_at in the body, and both APIs accept it as the world's own token.
func TestIAMTokenAcceptedByBothAPIs(t *testing.T) {
	f := newFixture(t, WithIAMUser(IAMCredentials{Password: iamTestPassword}))
	ex := iamRequest(f, iamBody(IAMDomain, IAMUser, iamTestPassword, f.t.VBS.ProjectID))
	tok := ex.header.Get("X-Subject-Token")
	if ex.status != http.StatusCreated || tok == "" {
		t.Fatalf("got %d %s", ex.status, ex.body)
	}
	var body struct {
		Token struct {
			ExpiresAt time.Time `json:"expires_at"`
		} `json:"token"`
	}
	if err := json.Unmarshal(ex.body, &body); err != nil || time.Until(body.Token.ExpiresAt) < DefaultIAMTokenTTL-time.Minute {
		t.Fatalf("expires_at: %v %s", err, ex.body)
	}
	own := f.t.KooPhone.OwnedInstanceIDs[0]
	if got := f.do(t, f.koo(ids(own)).with("x-auth-token", tok)); got.status != http.StatusOK {
		t.Fatalf("KooPhone refused the IAM token: %d %s", got.status, got.body)
	}
	if got := f.do(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])).with("X-Auth-Token", tok)); got.status != http.StatusOK {
		t.Fatalf("VBS refused the IAM token: %d %s", got.status, got.body)
	}
}

// Wrong credentials, an unknown project or a malformed body are refused, and no token is issued.
func TestIAMRefusals(t *testing.T) {
	f := newFixture(t, WithIAMUser(IAMCredentials{Password: iamTestPassword}))
	p := f.t.VBS.ProjectID
	cases := []struct {
		name, body string
		status     int
		msg        string
	}{
		{"wrong password", iamBody(IAMDomain, IAMUser, "nope", p), 401, "password is wrong"},
		{"wrong user", iamBody(IAMDomain, "mallory", iamTestPassword, p), 401, "password is wrong"},
		{"wrong domain", iamBody("other", IAMUser, iamTestPassword, p), 401, "password is wrong"},
		{"other project", iamBody(IAMDomain, IAMUser, iamTestPassword, "elsewhere"), 401, "auth.scope.project"},
		{"not JSON", "{", 400, "not a JSON auth request"},
		{"no identity", `{"auth":{}}`, 400, "auth.identity: is required"},
		{"token method", `{"auth":{"identity":{"methods":["token"]}}}`, 400, "only the password method"},
	}
	for _, c := range cases {
		ex := iamRequest(f, c.body)
		msg, _ := ex.json["error"].(map[string]any)["message"].(string)
		if ex.status != c.status || !strings.Contains(msg, c.msg) || ex.header.Get("X-Subject-Token") != "" {
			t.Errorf("%s: got %d %s, want %d with %q", c.name, ex.status, ex.body, c.status, c.msg)
		}
		if strings.Contains(string(ex.body), iamTestPassword) {
			t.Errorf("%s: the answer echoes the password", c.name)
		}
	}
	if n := f.m.State().IAMTokens; n != 0 {
		t.Fatalf("%d tokens issued on refusals", n)
	}
}

// Without a configured user the IAM endpoint refuses and says how to enable it.
func TestIAMWithoutUserSaysHowToEnable(t *testing.T) {
	f := newFixture(t)
	ex := iamRequest(f, iamBody(IAMDomain, IAMUser, "", f.t.VBS.ProjectID))
	if ex.status != http.StatusUnauthorized || !strings.Contains(string(ex.body), "--iam-password-env") {
		t.Fatalf("got %d %s", ex.status, ex.body)
	}
}

// An expired IAM token is refused by both APIs, as any unknown token is.
func TestIAMTokenExpires(t *testing.T) {
	f := newFixture(t, WithIAMUser(IAMCredentials{Password: iamTestPassword}), WithIAMTokenTTL(time.Hour))
	now := time.Now()
	f.m.ext.iam.now = func() time.Time { return now }
	tok := iamRequest(f, iamBody(IAMDomain, IAMUser, iamTestPassword, f.t.VBS.ProjectID)).header.Get("X-Subject-Token")
	now = now.Add(time.Hour + time.Second)
	wantKooError(t, f.do(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])).with("x-auth-token", tok)), 400, kooTenantNotFound, "names no tenant")
	wantVBSError(t, f.do(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])).with("X-Auth-Token", tok)), 401, VBSCodeUnauthorized, "not valid")
	if n := f.m.State().IAMTokens; n != 0 {
		t.Fatalf("%d live tokens after expiry", n)
	}
}

// Issued tokens are bounded: past the limit the token expiring first stops working.
func TestIAMTokensBounded(t *testing.T) {
	f := newFixture(t, WithIAMUser(IAMCredentials{Password: iamTestPassword}))
	first := iamRequest(f, iamBody(IAMDomain, IAMUser, iamTestPassword, f.t.VBS.ProjectID)).header.Get("X-Subject-Token")
	for i := 0; i < maxIAMTokens; i++ {
		iamRequest(f, iamBody(IAMDomain, IAMUser, iamTestPassword, f.t.VBS.ProjectID))
	}
	if n := f.m.State().IAMTokens; n != maxIAMTokens {
		t.Fatalf("%d live tokens, want %d", n, maxIAMTokens)
	}
	wantVBSError(t, f.do(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])).with("X-Auth-Token", first)), 401, VBSCodeUnauthorized, "not valid")
}
