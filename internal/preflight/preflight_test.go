package preflight

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/koobackup/conformance/fixtures"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/hostile"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
)

func testTarget(t *testing.T, kooURL, vbsURL string, timeout time.Duration) *target.Target {
	t.Helper()
	tgt, err := target.Parse(fixtures.ReadOnlyTarget(kooURL, vbsURL, timeout.String()))
	if err != nil {
		t.Fatal(err)
	}
	return tgt
}

func probeAll(t *testing.T, tgt *target.Target) []Result {
	t.Helper()
	c := NewClient(tgt)
	defer c.CloseIdleConnections()
	return All(context.Background(), c, tgt, contract.Default(), redact.New(tgt.Tokens()...))
}

// Any HTTP answer, even a 5xx, makes an API reachable; the request carries no token and
// names only ids no target can hold, so it cannot change state.
func TestProbeIsHarmlessAndAcceptsAnyHTTPAnswer(t *testing.T) {
	type seen struct {
		method, path, token string
		body                map[string]any
	}
	var mu sync.Mutex
	got := map[string]seen{}
	k := contract.Default().Constraints()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		api := "koophone"
		if strings.HasPrefix(r.URL.Path, "/v2/") {
			api = "vbs"
		}
		mu.Lock()
		got[api] = seen{r.Method, r.URL.Path, r.Header.Get(k.KooPhone.TokenHeader) + r.Header.Get(k.VBS.TokenHeader), body}
		mu.Unlock()
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	tgt := testTarget(t, srv.URL, srv.URL+"/", 5*time.Second)
	for _, r := range probeAll(t, tgt) {
		if r.Unreachable != nil || r.Status != http.StatusServiceUnavailable {
			t.Errorf("%s: %+v, want reachable with the 503 it got", r.API, r)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	kp := got["koophone"]
	if kp.method != k.KooPhone.Method || kp.path != k.KooPhone.Path || kp.token != "" {
		t.Errorf("koophone probe: %s %s token %q", kp.method, kp.path, kp.token)
	}
	if ids, _ := kp.body["instance_ids"].([]any); len(ids) != 1 || !strings.HasPrefix(ids[0].(string), "cfxnone0") {
		t.Errorf("koophone probe names %v, want one synthetic id", kp.body["instance_ids"])
	}
	v := got["vbs"]
	if v.method != k.VBS.Method || v.path != k.VBS.Path(tgt.VBS.ProjectID) || v.token != "" {
		t.Errorf("vbs probe: %s %s token %q", v.method, v.path, v.token)
	}
	if v.body["backup_policy_id"] != tgt.VBS.UnknownBackupPolicyID {
		t.Errorf("vbs probe names policy %v, want the unknown one", v.body["backup_policy_id"])
	}
	res, _ := v.body["resources"].([]any)
	if len(res) != 1 || res[0].(map[string]any)["resource_id"] == tgt.VBS.VolumeIDs[0] {
		t.Errorf("vbs probe resources %v, want one synthetic resource", v.body["resources"])
	}
}

// A hung, refused or non-HTTP API is unreachable with one line naming the API, the base URL
// and what happened.
func TestProbeNamesWhatMadeTheTargetUnreachable(t *testing.T) {
	hung := hostile.Listen(t, hostile.Hang).URL
	junk := hostile.Listen(t, hostile.Garbage).URL
	refused := hostile.RefusedURL(t)
	cases := map[string]struct{ url, want string }{
		"hang":    {hung, "no answer from " + hung + " within 300ms"},
		"refused": {refused, "no answer from " + refused + " (connection refused)"},
		"garbage": {junk, "no answer from " + junk + " (the answer is not HTTP: "},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			for _, r := range probeAll(t, testTarget(t, tc.url, tc.url, 300*time.Millisecond)) {
				u := r.Unreachable
				if u == nil {
					t.Fatalf("%s: unreachable target reported reachable (%d)", r.API, r.Status)
				}
				if u.API != string(r.API) || u.URL != tc.url || !strings.HasPrefix(u.String(), string(r.API)+": "+tc.want) {
					t.Errorf("got %+v (%q), want a line starting %q", *u, u.String(), string(r.API)+": "+tc.want)
				}
			}
		})
	}
}

// The APIs are probed at once: both requests are in flight before either has timed out, so
// two dead APIs cost one timeout, not two.
func TestAllProbesTheAPIsAtOnce(t *testing.T) {
	both := make(chan struct{})
	var once sync.Once
	var n atomic.Int32
	url := hostile.Listen(t, func(int, net.Conn) {
		if n.Add(1) == 2 {
			once.Do(func() { close(both) })
		}
	}).URL
	tgt := testTarget(t, url, url, time.Minute)
	done := make(chan []Result, 1)
	go func() {
		c := NewClient(tgt)
		done <- All(context.Background(), c, tgt, contract.Default(), redact.New())
	}()
	select {
	case <-both:
	case <-done:
		t.Fatal("the probes ended before both were in flight")
	case <-time.After(30 * time.Second):
		t.Fatal("the second probe did not start while the first was waiting for its answer")
	}
}

// A target file that describes one API is probed for that API only.
func TestAllProbesOnlyTheDescribedAPIs(t *testing.T) {
	srv := hostile.Listen(t, hostile.Hang)
	url, n := srv.URL, &srv.Accepted
	tgt := testTarget(t, url, url, 200*time.Millisecond)
	tgt.VBS = nil
	res := probeAll(t, tgt)
	if len(res) != 1 || res[0].API != specfacts.KooPhone || n.Load() != 1 {
		t.Fatalf("results %+v after %d connections, want koophone alone", res, n.Load())
	}
}

// The handoff names an unreachable API to the suites of the same run, and only for the base
// URL it was probed at, so a stale file of another target stops nothing.
func TestRecordedMatchesAPIAndURL(t *testing.T) {
	path := filepath.Join(t.TempDir(), HandoffFile)
	u := runrecord.Unreachable{API: "vbs", URL: "http://h:1", Reason: "no answer from http://h:1 within 10s"}
	h := NewHandoff([]Result{{API: specfacts.KooPhone, URL: "http://h:2", Status: 400}, {API: specfacts.VBS, URL: u.URL, Unreachable: &u}})
	if err := h.Write(path); err != nil {
		t.Fatal(err)
	}
	t.Setenv(HandoffEnvVar, path)
	cases := []struct {
		api  specfacts.API
		url  string
		want bool
	}{{specfacts.VBS, "http://h:1", true}, {specfacts.VBS, "http://other:1", false}, {specfacts.KooPhone, "http://h:2", false}}
	for _, c := range cases {
		got, err := Recorded(c.api, c.url)
		if err != nil {
			t.Fatal(err)
		}
		if (got != nil) != c.want || (got != nil && *got != u) {
			t.Errorf("Recorded(%s, %s) = %v, want found=%v", c.api, c.url, got, c.want)
		}
	}
	t.Setenv(HandoffEnvVar, filepath.Join(t.TempDir(), "missing.json"))
	if _, err := Recorded(specfacts.VBS, u.URL); err == nil || !strings.Contains(err.Error(), HandoffEnvVar) {
		t.Errorf("missing handoff file: error %v, want one naming $%s", err, HandoffEnvVar)
	}
	t.Setenv(HandoffEnvVar, "")
	if got, err := Recorded(specfacts.VBS, u.URL); got != nil || err != nil {
		t.Errorf("no handoff: %v %v, want nothing", got, err)
	}
}
