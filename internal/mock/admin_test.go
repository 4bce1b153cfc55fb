package mock

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/specfacts"
)

func adminDo(t *testing.T, f fixture, method, path, remote string) exchange {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	r.RemoteAddr = remote
	rec := httptest.NewRecorder()
	f.m.ServeHTTP(rec, r)
	ex := exchange{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	_ = json.Unmarshal(ex.body, &ex.json)
	return ex
}

const loopback = "127.0.0.1:50000"

// Reset puts every instance and volume back as the world started, and the state endpoint shows the change and its undoing.
func TestAdminResetRestoresWorld(t *testing.T) {
	f := newFixture(t)
	own, vol := f.t.KooPhone.OwnedInstanceIDs[0], f.t.VBS.VolumeIDs[0]
	f.do(t, f.koo(ids(own)))
	f.do(t, f.vbs(resources(f.t.VBS.BackupPolicyID, vol)))

	var st State
	if err := json.Unmarshal(adminDo(t, f, http.MethodGet, AdminStatePath, loopback).body, &st); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st.KooPhone.ReleasedInstances, []string{own}) || len(st.VBS.Associations) != 1 ||
		st.VBS.Associations[0] != (Association{ProjectID: f.t.VBS.ProjectID, VolumeID: vol, BackupPolicyID: f.t.VBS.BackupPolicyID}) {
		t.Fatalf("state %+v", st)
	}
	// The second run of a client's tests is refused before the reset...
	wantKooError(t, f.do(t, f.koo(ids(own))), 400, kooParameterIncorrect, "already backed up")
	ex := adminDo(t, f, http.MethodPost, AdminResetPath, loopback)
	if ex.status != http.StatusOK {
		t.Fatalf("reset: %d %s", ex.status, ex.body)
	}
	// ...and accepted after it.
	if got := f.do(t, f.koo(ids(own))); got.status != http.StatusOK {
		t.Fatalf("after reset: %d %s", got.status, got.body)
	}
	if got := f.do(t, f.vbs(resources(f.t.VBS.BackupPolicyID, vol))); got.status != http.StatusOK {
		t.Fatalf("after reset: %d %s", got.status, got.body)
	}
}

// After a reset the world equals a freshly loaded one in every field, so state added to World later cannot survive a reset unnoticed.
func TestResetEqualsFreshWorld(t *testing.T) {
	f := newFixture(t)
	f.do(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[:3]...)))
	f.do(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[:2]...)))
	if err := f.m.Reset(); err != nil {
		t.Fatal(err)
	}
	fresh, err := DefaultWorld()
	if err != nil {
		t.Fatal(err)
	}
	got, want := reflect.ValueOf(f.m.World()).Elem(), reflect.ValueOf(fresh).Elem()
	for i := 0; i < got.NumField(); i++ {
		name := got.Type().Field(i).Name
		if name == "mu" {
			continue
		}
		if !reflect.DeepEqual(field(got, i), field(want, i)) {
			t.Errorf("World.%s differs from a fresh world after reset", name)
		}
	}
}

// field reads a field, exported or not (reflect refuses Interface() on unexported ones).
func field(v reflect.Value, i int) any {
	f := v.Field(i)
	return reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem().Interface()
}

// The admin API refuses clients that are not on loopback, unless WithAdminRemote allows them.
func TestAdminRefusesRemoteClients(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{AdminStatePath, AdminRequestsPath} {
		if ex := adminDo(t, f, http.MethodGet, path, "192.0.2.7:4000"); ex.status != http.StatusForbidden || !strings.Contains(string(ex.body), "--admin-remote") {
			t.Fatalf("%s from a remote client: %d %s", path, ex.status, ex.body)
		}
	}
	if ex := adminDo(t, f, http.MethodPost, AdminResetPath, "192.0.2.7:4000"); ex.status != http.StatusForbidden {
		t.Fatalf("reset from a remote client: %d", ex.status)
	}
	if ex := adminDo(t, f, http.MethodGet, AdminStatePath, "[::1]:4000"); ex.status != http.StatusOK {
		t.Fatalf("from ::1: %d %s", ex.status, ex.body)
	}
	open := newFixture(t, WithAdminRemote())
	if ex := adminDo(t, open, http.MethodGet, AdminStatePath, "192.0.2.7:4000"); ex.status != http.StatusOK {
		t.Fatalf("with WithAdminRemote: %d %s", ex.status, ex.body)
	}
}

// Wrong methods, unknown admin paths and bad query parameters get a clear error, never a world change.
func TestAdminBadRequests(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		method, path string
		status       int
		msg          string
	}{
		{http.MethodGet, AdminResetPath, 405, "use POST"},
		{http.MethodPost, AdminStatePath, 405, "use GET"},
		{http.MethodGet, AdminPrefix + "nope", 404, "no admin operation"},
		{http.MethodGet, AdminRequestsPath + "?since=x", 400, "since:"},
		{http.MethodGet, AdminRequestsPath + "?violating=maybe", 400, "violating:"},
	}
	for _, c := range cases {
		ex := adminDo(t, f, c.method, c.path, loopback)
		if ex.status != c.status || !strings.Contains(string(ex.body), c.msg) {
			t.Errorf("%s %s: got %d %s", c.method, c.path, ex.status, ex.body)
		}
	}
}

// The journal records each API exchange with its contract violations, masks tokens, filters by since and violating, and empties on reset.
func TestJournalRecordsExchangesWithViolations(t *testing.T) {
	f := newFixture(t)
	f.do(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])))
	f.doUnchecked(t, f.koo(ids("a")).without("x-request-id")) // a client mistake: the request violates the contract

	var j Journal
	if err := json.Unmarshal(adminDo(t, f, http.MethodGet, AdminRequestsPath, loopback).body, &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Requests) != 2 || j.LastSeq != 2 {
		t.Fatalf("journal %+v", j)
	}
	ok, bad := j.Requests[0], j.Requests[1]
	if ok.Response == nil || ok.Response.Status != 200 || len(ok.Violations) != 0 || !strings.Contains(ok.Request.Body, f.t.KooPhone.OwnedInstanceIDs[0]) {
		t.Fatalf("first entry %+v", ok)
	}
	if len(bad.Violations) == 0 || bad.Violations[0].RequirementID != specfacts.ReqKooPhoneRequestIDRequired {
		t.Fatalf("second entry's violations %+v", bad.Violations)
	}
	raw := string(adminDo(t, f, http.MethodGet, AdminRequestsPath, loopback).body)
	if strings.Contains(raw, f.t.KooPhone.AuthToken) {
		t.Fatal("the journal shows the token")
	}
	var only Journal
	_ = json.Unmarshal(adminDo(t, f, http.MethodGet, AdminRequestsPath+"?violating=true", loopback).body, &only)
	var since Journal
	_ = json.Unmarshal(adminDo(t, f, http.MethodGet, AdminRequestsPath+"?since=1", loopback).body, &since)
	if len(only.Requests) != 1 || only.Requests[0].Seq != 2 || len(since.Requests) != 1 || since.Requests[0].Seq != 2 {
		t.Fatalf("filters: violating %+v since %+v", only.Requests, since.Requests)
	}
	adminDo(t, f, http.MethodPost, AdminResetPath, loopback)
	var after Journal
	_ = json.Unmarshal(adminDo(t, f, http.MethodGet, AdminRequestsPath, loopback).body, &after)
	if len(after.Requests) != 0 || after.LastSeq != 2 {
		t.Fatalf("after reset %+v", after)
	}
}

// The journal keeps a bounded number of entries and counts what it dropped; bodies are bounded too.
func TestJournalIsBounded(t *testing.T) {
	f := newFixture(t, WithJournalSize(3))
	for i := 0; i < 5; i++ {
		f.doUnchecked(t, f.koo(ids("x")))
	}
	big := strings.Repeat("a", 2*journalBodyLimit)
	f.doUnchecked(t, f.koo([]byte(`{"instance_ids":["`+big+`"]}`)))
	j := f.m.Journal(0, false)
	if len(j.Requests) != 3 || j.Dropped != 3 || j.Requests[0].Seq != 4 || j.LastSeq != 6 {
		t.Fatalf("journal seqs %d..%d of %d, dropped %d", j.Requests[0].Seq, j.LastSeq, len(j.Requests), j.Dropped)
	}
	last := j.Requests[2]
	if !last.Request.Truncated || len(last.Request.Body) != journalBodyLimit || last.Request.Size != int64(len(big)+21) {
		t.Fatalf("big body recorded as %d bytes of %d, truncated %v", len(last.Request.Body), last.Request.Size, last.Request.Truncated)
	}
	off := newFixture(t, WithJournalSize(0))
	off.do(t, off.koo(ids(off.t.KooPhone.OwnedInstanceIDs[0])))
	if n := len(off.m.Journal(0, false).Requests); n != 0 {
		t.Fatalf("a switched-off journal holds %d entries", n)
	}
}

// Over TCP, a dropped connection (the fault header) is journaled as an exchange without a response, and IAM tokens are masked in the journal.
func TestJournalOverTCPWithIAMToken(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Each request to the API tells the test when the mock has journaled it.
	journaled := make(chan struct{}, 2)
	srv, err := Start(ctx, "127.0.0.1:0", WithIAMUser(IAMCredentials{Password: iamTestPassword}),
		withAfterServe(func(r *http.Request) {
			if r.URL.Path == "/v1/instances/backup" {
				journaled <- struct{}{}
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tg := srv.Target()
	resp, err := post(t, srv.URL()+IAMTokensPath, nil, iamBody(IAMDomain, IAMUser, iamTestPassword, tg.VBS.ProjectID))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	tok := resp.Header.Get("X-Subject-Token")
	if tok == "" {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	// The server echoes the token in no body, so prove masking with a request that carries it in the body too.
	h := map[string]string{"Content-Type": "application/json", "x-auth-token": tok, "x-request-id": "r1"}
	if resp, err := post(t, srv.URL()+"/v1/instances/backup", h, `{"instance_ids":["`+tok+`"]}`); err == nil {
		resp.Body.Close()
	}
	h[InjectedFailureHeader] = "drop-connection"
	if _, err := post(t, srv.URL()+"/v1/instances/backup", h, `{"instance_ids":["x"]}`); err == nil {
		t.Fatal("the dropped connection answered")
	}
	// The client may see the dropped connection before the server has recorded it: wait
	// until the mock has finished with both exchanges.
	<-journaled
	<-journaled
	c := &http.Client{Timeout: 5 * time.Second}
	r, err := c.Get(srv.URL() + AdminRequestsPath)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if strings.Contains(string(raw), tok) || strings.Contains(string(raw), iamTestPassword) {
		t.Fatalf("the journal shows a secret: %s", raw)
	}
	var j Journal
	if err := json.Unmarshal(raw, &j); err != nil || len(j.Requests) != 2 {
		t.Fatalf("journal: %v %s", err, raw)
	}
	if d := j.Requests[1]; d.Response != nil || d.Error == "" {
		t.Fatalf("dropped connection recorded as %+v", d)
	}
}
