package clientcheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/gophercloud/gophercloud"
	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/proxy"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
	"github.com/koobackup/conformance/internal/traffic"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The request and result types below copy the public field sets of golangsdk's
// openstack/vbs/v2/policies (AssociateOpts, AssociateResource, ResultAssociate and its
// Resource): what that SDK can send and what it can give its caller back.
type associateOpts struct {
	PolicyID  string              `json:"backup_policy_id"`
	Resources []associateResource `json:"resources"`
}

type associateResource struct {
	ResourceID   string `json:"resource_id"`
	ResourceType string `json:"resource_type"`
}

type resultAssociate struct {
	SuccessResources []sdkResource `json:"success_resources"`
	FailResources    []sdkResource `json:"fail_resources"`
}

type sdkResource struct {
	ResourceID       string `json:"resource_id"`
	ResourceType     string `json:"resource_type"`
	AvailabilityZone string `json:"availability_zone"`
	OsVolHostAttr    string `json:"os_vol_host_attr"`
}

// recorder keeps the exchanges the proxy saw, to compare what went over the wire with what
// the client kept.
type recorder struct {
	mu  sync.Mutex
	exs []traffic.Exchange
}

func (r *recorder) Write(ex traffic.Exchange) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.exs = append(r.exs, ex)
	return nil
}

func (r *recorder) last(t *testing.T) traffic.Exchange {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.exs) == 0 {
		t.Fatal("the proxy recorded nothing")
	}
	return r.exs[len(r.exs)-1]
}

type gate struct {
	url   string
	proxy *proxy.Proxy
	rec   *recorder
}

// startGate runs the proxy in front of upstream for the test.
// last is the exchange the proxy recorded last. The proxy records after it answers (off
// the request path), so the exchanges answered so far are flushed first.
func (g *gate) last(t *testing.T) traffic.Exchange {
	t.Helper()
	g.proxy.Flush()
	return g.rec.last(t)
}

func startGate(t *testing.T, upstream string, opts ...proxy.Option) *gate {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{rec: &recorder{}}
	opts = append([]proxy.Option{proxy.WithRecorder(g.rec), proxy.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	g.proxy = proxy.New(u, opts...)
	srv := httptest.NewServer(g.proxy)
	g.url = srv.URL
	t.Cleanup(func() { srv.Close(); g.proxy.Close() })
	return g
}

func startMock(t *testing.T) *target.Target {
	t.Helper()
	srv, err := mock.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv.Target()
}

// serviceClient builds the client golangsdk users build: a ProviderClient holding the
// token and a ServiceClient whose Endpoint ends with a slash.
func serviceClient(t *testing.T, token, endpoint string) *gophercloud.ServiceClient {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	pc := &gophercloud.ProviderClient{TokenID: token, HTTPClient: http.Client{Transport: tr}}
	return &gophercloud.ServiceClient{ProviderClient: pc, Endpoint: endpoint}
}

// vbsClient points a ServiceClient at the gate as golangsdk's VBS v2 client is configured.
func vbsClient(t *testing.T, g *gate, tg *target.Target) *gophercloud.ServiceClient {
	return serviceClient(t, tg.VBS.AuthToken, g.url+"/v2/"+tg.VBS.ProjectID+"/")
}

// associate does what golangsdk's policies.Associate does.
func associate(c *gophercloud.ServiceClient, opts associateOpts) (resultAssociate, error) {
	var r resultAssociate
	_, err := c.Post(c.ServiceURL("backuppolicyresources"), opts, &r, &gophercloud.RequestOpts{OkCodes: []int{200}})
	return r, err
}

func volumes(ids ...string) []associateResource {
	out := make([]associateResource, len(ids))
	for i, id := range ids {
		out[i] = associateResource{ResourceID: id, ResourceType: contract.Default().Constraints().VBS.ResourceTypes[0]}
	}
	return out
}

// The SDK's association requests conform to the contract, and a full success reaches the caller intact.
func TestSDKAssociateConforms(t *testing.T) {
	tg := startMock(t)
	g := startGate(t, tg.VBS.BaseURL)
	res, err := associate(vbsClient(t, g, tg), associateOpts{PolicyID: tg.VBS.BackupPolicyID, Resources: volumes(tg.VBS.VolumeIDs[0], tg.VBS.VolumeIDs[1])})
	if err != nil {
		t.Fatalf("associate: %v", err)
	}
	if len(res.SuccessResources) != 2 || len(res.FailResources) != 0 || res.SuccessResources[0].AvailabilityZone == "" {
		t.Fatalf("result %+v", res)
	}
	if n := g.proxy.Tally().Violating(); n != 0 {
		t.Fatalf("%d violating exchanges: %v", n, traffic.Check(contract.Default(), g.last(t)))
	}
}

// On a partial failure the SDK reports the failed volume but drops the code and message the contract requires the server to send.
func TestSDKPartialFailureLosesCodeAndMessage(t *testing.T) {
	tg := startMock(t)
	g := startGate(t, tg.VBS.BaseURL)
	free, unknown := tg.VBS.VolumeIDs[2], tg.VBS.UnknownVolumeIDs[0]
	res, err := associate(vbsClient(t, g, tg), associateOpts{PolicyID: tg.VBS.BackupPolicyID, Resources: volumes(free, unknown)})
	if err != nil {
		t.Fatalf("a partial failure is a 200; the SDK returned %v", err)
	}
	if len(res.SuccessResources) != 1 || res.SuccessResources[0].ResourceID != free ||
		len(res.FailResources) != 1 || res.FailResources[0].ResourceID != unknown {
		t.Fatalf("result %+v", res)
	}
	if g.proxy.Tally().Violating() != 0 {
		t.Fatal("the mock's partial-failure answer should conform")
	}
	// What went over the wire: a fail entry with the code and message the contract requires.
	var wire struct {
		FailResources []map[string]any `json:"fail_resources"`
	}
	if err := json.Unmarshal(g.last(t).Response.Body, &wire); err != nil || len(wire.FailResources) != 1 {
		t.Fatalf("wire body: %v", err)
	}
	for _, field := range []string{"code", "message"} {
		if s, _ := wire.FailResources[0][field].(string); s == "" {
			t.Fatalf("the server sent no %s; the finding below would be vacuous", field)
		}
	}
	// What the caller gets: a type with nowhere to put them.
	for _, field := range []string{"code", "message"} {
		if hasJSONField(reflect.TypeOf(sdkResource{}), field) {
			t.Fatalf("the SDK's resource type has %q; the pitfall is gone, update docs/client-gating.md", field)
		}
	}
}

func hasJSONField(typ reflect.Type, name string) bool {
	for i := 0; i < typ.NumField(); i++ {
		if strings.Split(typ.Field(i).Tag.Get("json"), ",")[0] == name {
			return true
		}
	}
	return false
}

// A 200 whose body is the error envelope is success to the SDK (no error, empty lists); the proxy flags the response.
func TestSDKTreatsErrorBodyUnder200AsSuccess(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"error":{"code":"VBS.0001","message":"backup policy is frozen"}}`)
	}))
	defer up.Close()
	tg := startMock(t)
	g := startGate(t, up.URL)
	res, err := associate(vbsClient(t, g, tg), associateOpts{PolicyID: tg.VBS.BackupPolicyID, Resources: volumes(tg.VBS.VolumeIDs[3])})
	if err != nil {
		t.Fatalf("the SDK noticed the error (%v); the pitfall is gone, update docs/client-gating.md", err)
	}
	if len(res.SuccessResources)+len(res.FailResources) != 0 {
		t.Fatalf("result %+v", res)
	}
	vs := traffic.CheckResponse(contract.Default(), g.last(t))
	if len(vs) == 0 {
		t.Fatal("the proxy did not flag a 200 carrying the error envelope")
	}
	if vs[0].RequirementID != specfacts.ReqVBSResponse200Shape {
		t.Fatalf("flagged as %+v", vs)
	}
}

// koophoneClient is the same ServiceClient used generically for KooPhone, with the request id set per call.
func koophonePost(t *testing.T, c *gophercloud.ServiceClient, body any, requestID string) (map[string]any, error) {
	t.Helper()
	cons := contract.Default().Constraints().KooPhone
	opts := &gophercloud.RequestOpts{OkCodes: []int{200}, MoreHeaders: map[string]string{}}
	if requestID != "" {
		opts.MoreHeaders[cons.RequestIDHeader] = requestID
	}
	var out map[string]any
	_, err := c.Post(c.ServiceURL(strings.Split(strings.TrimPrefix(cons.Path, "/v1/"), "/")...), body, &out, opts)
	return out, err
}

// KooPhone requests sent through the generic ServiceClient with x-request-id conform and succeed.
func TestGenericClientKooPhoneConforms(t *testing.T) {
	tg := startMock(t)
	g := startGate(t, tg.KooPhone.BaseURL)
	c := serviceClient(t, tg.KooPhone.AuthToken, g.url+"/v1/")
	out, err := koophonePost(t, c, map[string]any{"instance_ids": tg.KooPhone.OwnedInstanceIDs[:2]}, "req-ok-1")
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if _, ok := out["data"].(map[string]any); !ok {
		t.Fatalf("answer %v", out)
	}
	if n := g.proxy.Tally().Violating(); n != 0 {
		t.Fatalf("%d violating exchanges: %v", n, traffic.Check(contract.Default(), g.last(t)))
	}
}

// brokenCalls are the three mistakes the issue names, each with the requirement the proxy must name.
func brokenCalls(tg *target.Target) []struct {
	name, requestID string
	requirement     specfacts.RequirementID
	body            any
} {
	max := contract.Default().Constraints().KooPhone.InstanceIDsMaxItems
	ids := make([]string, max+1)
	for i := range ids {
		ids[i] = fmt.Sprintf("inst%04d", i)
	}
	return []struct {
		name, requestID string
		requirement     specfacts.RequirementID
		body            any
	}{
		{"seed example request", "req-b-1", specfacts.ReqKooPhoneInstanceIDsRequired, json.RawMessage(contract.Default().Constraints().KooPhone.SeedExample)},
		{"no x-request-id", "", specfacts.ReqKooPhoneRequestIDRequired, map[string]any{"instance_ids": tg.KooPhone.OwnedInstanceIDs[:1]}},
		{"101 ids", "req-b-3", specfacts.ReqKooPhoneInstanceIDsMaxItems, map[string]any{"instance_ids": ids}},
	}
}

// A broken client's requests through the proxy make its verdict non-conforming, naming each violated requirement.
func TestBrokenClientIsCaught(t *testing.T) {
	tg := startMock(t)
	g := startGate(t, tg.KooPhone.BaseURL)
	c := serviceClient(t, tg.KooPhone.AuthToken, g.url+"/v1/")
	calls := brokenCalls(tg)
	for _, call := range calls {
		if _, err := koophonePost(t, c, call.body, call.requestID); err == nil {
			t.Errorf("%s: the mock accepted it", call.name)
		}
	}
	tally := g.proxy.Tally()
	if !tally.Failed() || tally.Violating() != len(calls) {
		t.Fatalf("%d violating exchanges of %d", tally.Violating(), len(calls))
	}
	rep := tally.Report(catalog.Default(), traffic.ReportOptions{Name: "broken client", Kind: "proxy"})
	if rep.Verdict != report.StatusFail {
		t.Fatalf("verdict %s", rep.Verdict)
	}
	failed := map[string]bool{}
	for _, r := range rep.Requirements {
		if r.Status == report.StatusFail {
			failed[r.ID] = true
			if len(r.Evidence) == 0 {
				t.Errorf("%s failed without evidence", r.ID)
			}
		}
	}
	for _, call := range calls {
		if !failed[string(call.requirement)] {
			t.Errorf("%s: requirement %s not named; failed: %v", call.name, call.requirement, failed)
		}
	}
}

// Through a rejecting proxy the broken client receives the documented KooPhone 400 with the
// parameter-incorrect code.
func TestBrokenClientGetsDocumentedErrorWhenRejected(t *testing.T) {
	tg := startMock(t)
	g := startGate(t, tg.KooPhone.BaseURL, proxy.WithReject())
	c := serviceClient(t, tg.KooPhone.AuthToken, g.url+"/v1/")
	want := contract.Default().Constraints().KooPhone.Code(specfacts.CodeParameterIncorrect).Code
	for _, call := range brokenCalls(tg) {
		_, err := koophonePost(t, c, call.body, call.requestID)
		var e400 gophercloud.ErrDefault400
		if !errors.As(err, &e400) {
			t.Fatalf("%s: want a 400, got %v", call.name, err)
		}
		var env struct {
			Code string `json:"error_code"`
			Msg  string `json:"error_msg"`
		}
		if err := json.Unmarshal(e400.Body, &env); err != nil || env.Code != want || env.Msg == "" {
			t.Fatalf("%s: body %s", call.name, e400.Body)
		}
		if e400.ResponseHeader.Get(proxy.HeaderProxyAnswer) != "rejected" {
			t.Fatalf("%s: the answer did not come from the proxy", call.name)
		}
	}
}
