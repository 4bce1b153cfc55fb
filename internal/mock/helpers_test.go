package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
)

// fixture is a fresh mock over a fresh default world, with the world's description.
type fixture struct {
	m *Mock
	t *target.Target
}

func newFixture(t testing.TB, opts ...Option) fixture {
	t.Helper()
	w, err := DefaultWorld()
	if err != nil {
		t.Fatal(err)
	}
	m := New(w, opts...)
	return fixture{m: m, t: m.Target("http://mock.test")}
}

// exchange is one request and the mock's answer.
type exchange struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

// code returns error_code (KooPhone) or error.code (VBS) of an error body.
func (e exchange) code() string {
	if c, ok := e.json["error_code"].(string); ok {
		return c
	}
	if env, ok := e.json["error"].(map[string]any); ok {
		c, _ := env["code"].(string)
		return c
	}
	return ""
}

// message returns error_msg (KooPhone) or error.message (VBS).
func (e exchange) message() string {
	if c, ok := e.json["error_msg"].(string); ok {
		return c
	}
	if env, ok := e.json["error"].(map[string]any); ok {
		c, _ := env["message"].(string)
		return c
	}
	return ""
}

type req struct {
	method string
	path   string
	header map[string]string
	body   []byte
}

func (r req) build() *http.Request {
	method := r.method
	if method == "" {
		method = http.MethodPost
	}
	hr := httptest.NewRequest(method, r.path, bytes.NewReader(r.body))
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	return hr
}

// do sends the request through the mock and asserts the answer validates against the
// contract with zero violations, so every test exchange also checks the mock's shapes.
func (f fixture) do(t testing.TB, r req) exchange {
	t.Helper()
	ex := f.doUnchecked(t, r)
	if vs := f.violations(r, ex); len(vs) > 0 {
		t.Fatalf("%s %s answered %d %s: contract violations: %v", r.method, r.path, ex.status, ex.body, vs)
	}
	return ex
}

// violations validates a response; an unknown path has no operation to validate against.
func (f fixture) violations(r req, ex exchange) contract.Violations {
	c := contract.Default()
	hr := r.build()
	if _, _, err := c.Route(hr.Method, hr.URL.Path); err != nil && !errors.Is(err, contract.ErrMethodNotAllowed) {
		return nil
	}
	return c.ValidateResponse(hr, ex.status, ex.header, ex.body)
}

func (f fixture) doUnchecked(t testing.TB, r req) exchange {
	t.Helper()
	rec := httptest.NewRecorder()
	f.m.ServeHTTP(rec, r.build())
	ex := exchange{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") && !slices.Contains(f.m.faults, FaultVBSWrongContentType) {
		t.Fatalf("Content-Type %q, want application/json; body %s", ct, ex.body)
	}
	_ = json.Unmarshal(ex.body, &ex.json)
	return ex
}

// koo builds a KooPhone request with valid headers and the given body.
func (f fixture) koo(body any) req {
	return req{
		path: contract.Default().Constraints().KooPhone.Path,
		header: map[string]string{
			"Content-Type": "application/json",
			"x-auth-token": f.t.KooPhone.AuthToken,
			"x-request-id": "req-1",
		},
		body: mustJSON(body),
	}
}

// vbs builds a VBS request for the world's project with a valid token and the given body.
func (f fixture) vbs(body any) req {
	return req{
		path: contract.Default().Constraints().VBS.Path(f.t.VBS.ProjectID),
		header: map[string]string{
			"Content-Type": "application/json",
			"X-Auth-Token": f.t.VBS.AuthToken,
		},
		body: mustJSON(body),
	}
}

func (r req) with(k, v string) req {
	h := map[string]string{}
	for a, b := range r.header {
		h[a] = b
	}
	if v == "\x00delete" {
		delete(h, k)
	} else {
		h[k] = v
	}
	r.header = h
	return r
}

func (r req) without(k string) req { return r.with(k, "\x00delete") }

func mustJSON(v any) []byte {
	if b, ok := v.([]byte); ok {
		return b
	}
	if s, ok := v.(string); ok {
		return []byte(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func ids(list ...string) map[string]any {
	if list == nil {
		list = []string{}
	}
	return map[string]any{"instance_ids": list}
}

func resources(policy string, vols ...string) map[string]any {
	rs := make([]map[string]any, len(vols))
	for i, v := range vols {
		rs[i] = map[string]any{"resource_id": v, "resource_type": contract.Default().Constraints().VBS.ResourceTypes[0]}
	}
	return map[string]any{"backup_policy_id": policy, "resources": rs}
}

func codeOf(name specfacts.ErrorCodeName) string {
	return contract.Default().Constraints().KooPhone.Code(name).Code
}

func wantKooError(t *testing.T, ex exchange, status int, name specfacts.ErrorCodeName, msgPart string) {
	t.Helper()
	if ex.status != status || ex.code() != codeOf(name) || !strings.Contains(ex.message(), msgPart) {
		t.Fatalf("got %d %s, want %d %s with message containing %q", ex.status, ex.body, status, codeOf(name), msgPart)
	}
}

func wantVBSError(t *testing.T, ex exchange, status int, code, msgPart string) {
	t.Helper()
	if ex.status != status || ex.code() != code || !strings.Contains(ex.message(), msgPart) {
		t.Fatalf("got %d %s, want %d %s with message containing %q", ex.status, ex.body, status, code, msgPart)
	}
}

// releasedAny reports the first of ids the world has released.
func releasedAny(w *World, list ...string) string {
	for _, id := range list {
		if w.Released(id) {
			return id
		}
	}
	return ""
}

// withAfterServe runs f when the mock has finished with a request (journal and access log
// written), so that a test waits for the server instead of polling it.
func withAfterServe(f func(*http.Request)) Option { return func(m *Mock) { m.afterServe = f } }

// withWait replaces how the mock holds back an injected latency.
func withWait(f func(ctx context.Context, d time.Duration) bool) Option {
	return func(m *Mock) { m.wait = f }
}
