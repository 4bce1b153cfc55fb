package conformance

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/hostile"
	"github.com/koobackup/conformance/internal/specfacts"
)

// A target that answers anything over HTTP, even an error, is reachable; the preflight
// request carries no token and names only ids no target can hold, so it cannot change state.
func TestPreflightIsHarmlessAndAcceptsAnyHTTPAnswer(t *testing.T) {
	type seen struct {
		method, path, token string
		body                map[string]any
	}
	var mu sync.Mutex
	got := map[specfacts.API]seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		api := specfacts.KooPhone
		if strings.HasPrefix(r.URL.Path, "/v2/") {
			api = specfacts.VBS
		}
		mu.Lock()
		got[api] = seen{r.Method, r.URL.Path, r.Header.Get("X-Auth-Token"), body}
		mu.Unlock()
		w.WriteHeader(http.StatusServiceUnavailable) // a 5xx is still an HTTP answer
	}))
	defer srv.Close()
	env := testEnv(t, srv.URL, 5*time.Second)
	for _, api := range []specfacts.API{specfacts.KooPhone, specfacts.VBS} {
		if u := env.Preflight(context.Background(), api); u != nil {
			t.Fatalf("%s: reachable target reported unreachable: %v", api, u)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	k := got[specfacts.KooPhone]
	if k.method != http.MethodPost || k.path != "/v1/instances/backup" || k.token != "" {
		t.Errorf("koophone preflight: %s %s token %q", k.method, k.path, k.token)
	}
	ids, _ := k.body["instance_ids"].([]any)
	if len(ids) != 1 || !strings.HasPrefix(ids[0].(string), "cfxnone0") {
		t.Errorf("koophone preflight names %v, want one synthetic id", k.body["instance_ids"])
	}
	v := got[specfacts.VBS]
	if v.method != http.MethodPost || v.path != "/v2/0123456789abcdef0123456789abcdef/backuppolicyresources" || v.token != "" {
		t.Errorf("vbs preflight: %s %s token %q", v.method, v.path, v.token)
	}
	if v.body["backup_policy_id"] != env.Target.VBS.UnknownBackupPolicyID {
		t.Errorf("vbs preflight names policy %v, want the unknown one", v.body["backup_policy_id"])
	}
	res, _ := v.body["resources"].([]any)
	if len(res) != 1 {
		t.Fatalf("vbs preflight resources %v", v.body["resources"])
	}
	if id := res[0].(map[string]any)["resource_id"]; id == env.Target.VBS.VolumeIDs[0] {
		t.Errorf("vbs preflight names a configured volume %v", id)
	}
}

// A dead, hung or non-HTTP target is unreachable, with one line naming the API, the base
// URL and what happened.
func TestPreflightNamesWhatMadeTheTargetUnreachable(t *testing.T) {
	hang := hostile.Listen(t, hostile.Hang).URL
	garbage := hostile.Listen(t, hostile.Garbage).URL
	refused := hostile.RefusedURL(t)
	cases := map[string]struct{ url, want string }{
		"hang":    {hang, "koophone: no answer from " + hang + " within 300ms"},
		"refused": {refused, "koophone: no answer from " + refused + " (connection refused)"},
		"garbage": {garbage, "koophone: no answer from " + garbage + " (the answer is not HTTP: "},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env := testEnv(t, tc.url, 300*time.Millisecond)
			u := env.Preflight(context.Background(), specfacts.KooPhone)
			if u == nil {
				t.Fatal("unreachable target reported reachable")
			}
			if !strings.HasPrefix(u.String(), tc.want) || u.API != "koophone" || u.URL != tc.url {
				t.Fatalf("got %+v (%q), want a line starting %q", *u, u.String(), tc.want)
			}
		})
	}
}
