package clientcheck

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud"
	"github.com/gophercloud/gophercloud/openstack"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
)

// adminCall is the recipe of docs/client-gating.md in Go: the admin API is plain HTTP on the
// mock's own address.
func adminCall(t *testing.T, method, url string, out any) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d", method, url, resp.StatusCode)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

// iamClient authenticates as gophercloud users do — openstack.Authenticate against the
// mock's IAM, what openstack.AuthenticatedClient runs — with a transport the test closes.
func iamClient(t *testing.T, srv *mock.Server, password string) *gophercloud.ProviderClient {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	pc, err := openstack.NewClient(srv.URL() + "/v3")
	if err != nil {
		t.Fatal(err)
	}
	pc.HTTPClient = http.Client{Transport: tr}
	err = openstack.Authenticate(pc, gophercloud.AuthOptions{
		IdentityEndpoint: srv.URL() + "/v3", Username: mock.IAMUser, Password: password, DomainName: mock.IAMDomain,
		Scope: &gophercloud.AuthScope{ProjectName: srv.Target().VBS.ProjectID, DomainName: mock.IAMDomain},
	})
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	return pc
}

// clientSuite is a client team's test suite in miniature: it backs up two instances and
// associates two volumes, the calls that change the mock's world.
func clientSuite(t *testing.T, tg *target.Target, token string) error {
	t.Helper()
	k := serviceClient(t, token, tg.KooPhone.BaseURL+"/v1/")
	if _, err := koophonePost(t, k, map[string]any{"instance_ids": tg.KooPhone.OwnedInstanceIDs[:2]}, "client-run"); err != nil {
		return err
	}
	v := serviceClient(t, token, tg.VBS.BaseURL+"/v2/"+tg.VBS.ProjectID+"/")
	res, err := associate(v, associateOpts{PolicyID: tg.VBS.BackupPolicyID, Resources: volumes(tg.VBS.VolumeIDs[:2]...)})
	if err != nil {
		return err
	}
	if len(res.SuccessResources) != 2 {
		return &gophercloud.ErrUnexpectedResponseCode{Actual: 200, Body: []byte("volumes not associated")}
	}
	return nil
}

// A client suite run twice against one mock fails the second time; with POST /__mock/reset between the runs it passes both, and the journal lists each run's calls without violations.
func TestClientSuiteRunResetRunAgain(t *testing.T) {
	const password = "clientcheck-iam-password"
	srv, err := mock.Start(context.Background(), "127.0.0.1:0", mock.WithIAMUser(mock.IAMCredentials{Password: password}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tg := srv.Target()
	token := iamClient(t, srv, password).Token()
	if token == "" || token == tg.KooPhone.AuthToken {
		t.Fatalf("no IAM token: %q", token)
	}

	if err := clientSuite(t, tg, token); err != nil {
		t.Fatalf("first run: %v", err)
	}
	var st mock.State
	adminCall(t, http.MethodGet, srv.URL()+mock.AdminStatePath, &st)
	if len(st.KooPhone.ReleasedInstances) != 2 || len(st.VBS.Associations) != 2 {
		t.Fatalf("state after the first run: %+v", st)
	}
	// Without a reset the same suite fails: its instances are released.
	if err := clientSuite(t, tg, token); err == nil {
		t.Fatal("the second run without a reset passed; the world keeps no state?")
	}

	adminCall(t, http.MethodPost, srv.URL()+mock.AdminResetPath, &st)
	if len(st.KooPhone.ReleasedInstances) != 0 || len(st.VBS.Associations) != 0 {
		t.Fatalf("state after reset: %+v", st)
	}
	var before mock.Journal
	adminCall(t, http.MethodGet, srv.URL()+mock.AdminRequestsPath, &before)
	if len(before.Requests) != 0 {
		t.Fatalf("journal after reset holds %d entries", len(before.Requests))
	}
	// The IAM token outlives the reset: the client does not authenticate again.
	if err := clientSuite(t, tg, token); err != nil {
		t.Fatalf("run after reset: %v", err)
	}
	var j mock.Journal
	adminCall(t, http.MethodGet, srv.URL()+mock.AdminRequestsPath+"?since="+strconv.FormatInt(before.LastSeq, 10), &j)
	if len(j.Requests) != 2 {
		t.Fatalf("journal of the run holds %d entries, want 2", len(j.Requests))
	}
	for _, e := range j.Requests {
		if e.Response == nil || e.Response.Status != 200 || len(e.Violations) != 0 {
			t.Fatalf("journal entry %+v", e)
		}
		if got := e.Request.Headers.Get("X-Auth-Token"); got != "[REDACTED]" {
			t.Fatalf("journal shows the token header as %q", got)
		}
	}
	if !strings.HasPrefix(j.Requests[0].Request.URL, "/v1/instances/backup") || !strings.Contains(j.Requests[1].Request.URL, "/backuppolicyresources") {
		t.Fatalf("journal URLs %s, %s", j.Requests[0].Request.URL, j.Requests[1].Request.URL)
	}

	// A broken call shows up in the journal with the violated requirement, which is how a client test asserts on its own calls.
	k := serviceClient(t, token, tg.KooPhone.BaseURL+"/v1/")
	_, _ = koophonePost(t, k, map[string]any{"instance_ids": tg.KooPhone.OwnedInstanceIDs[2:3]}, "")
	var bad mock.Journal
	adminCall(t, http.MethodGet, srv.URL()+mock.AdminRequestsPath+"?violating=true", &bad)
	if len(bad.Requests) != 1 || bad.Requests[0].Violations[0].RequirementID != specfacts.ReqKooPhoneRequestIDRequired {
		t.Fatalf("violating calls: %+v", bad.Requests)
	}
}
