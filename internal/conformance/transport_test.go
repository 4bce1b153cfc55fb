package conformance

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koobackup/conformance/fixtures"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/hostile"
	"github.com/koobackup/conformance/internal/specfacts"
)

// testTarget is a valid target file whose two APIs live at the given base URLs.
func testTarget(kooURL, vbsURL string, timeout time.Duration) []byte {
	return fixtures.ReadOnlyTarget(kooURL, vbsURL, timeout.String())
}

func testEnv(t *testing.T, baseURL string, timeout time.Duration) *Env {
	t.Helper()
	env, err := newEnv(testTarget(baseURL, baseURL, timeout))
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// kooRequest is a valid KooPhone request for instance a1, built from the contract alone so
// that these tests do not depend on the spec helpers.
func kooRequest(env *Env) Request {
	k := env.Contract.Constraints().KooPhone
	h := http.Header{}
	h.Set(k.TokenHeader, env.Target.KooPhone.AuthToken)
	h.Set(k.RequestIDHeader, newUUID())
	h.Set("Content-Type", "application/json")
	return Request{API: specfacts.KooPhone, Method: k.Method, Path: k.Path, Header: h, Body: []byte(`{"instance_ids":["a1"]}`)}
}

// vbsRequest is a valid VBS request for the target's policy and first volume.
func vbsRequest(env *Env) Request {
	v := env.Contract.Constraints().VBS
	h := http.Header{}
	h.Set(v.TokenHeader, env.Target.VBS.AuthToken)
	h.Set("Content-Type", "application/json")
	body := fmt.Sprintf((`{"backup_policy_id":%q,"resources":[{"resource_id":%q,"resource_type":"` + string(specfacts.ResourceTypeVolume) + `"}]}`),
		env.Target.VBS.BackupPolicyID, env.Target.VBS.VolumeIDs[0])
	return Request{API: specfacts.VBS, Method: v.Method, Path: v.Path(env.Target.VBS.ProjectID), Header: h, Body: []byte(body)}
}

const kooOK = `{"error_code":"0","error_msg":"ok","data":{"task_id":"RM_1","cmd_jobs":[{"instance_id":"a1","job_id":"j1"}]}}`

// A body that drips one byte at a time, each byte well within the timeout, is cut off by
// the deadline on the whole exchange. A per-read deadline would let it finish as a clean
// 200, so the assertion is on the outcome, not on how long it took.
func TestDrippingBodyIsBoundedByTheExchangeDeadline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		// 200 bytes at 40 ms each is 8 s in all: 40 times the 200 ms timeout.
		body := kooOK + strings.Repeat(" ", 200-len(kooOK))
		for i := range len(body) {
			if _, err := io.WriteString(w, body[i:i+1]); err != nil || rc.Flush() != nil {
				return
			}
			select {
			case <-r.Context().Done():
				return
			case <-time.After(40 * time.Millisecond):
			}
		}
	}))
	defer srv.Close()
	env := testEnv(t, srv.URL, 200*time.Millisecond)
	x := env.roundTrip(context.Background(), kooRequest(env))
	var na *NoAnswerError
	if !errors.As(x.Err, &na) || na.Kind != NoAnswerTimeout || na.Stage != "body" {
		t.Fatalf("want a body timeout, got status %d err %v body %q", x.Status, x.Err, x.Body)
	}
	if !strings.Contains(x.Err.Error(), "reading the response body: no complete answer within the 200ms request timeout") {
		t.Fatalf("unclear error: %v", x.Err)
	}
}

// A redirect is the answer under test and is never followed, so the token never reaches
// the host it points to, for any redirect status.
func TestRedirectIsNeverFollowed(t *testing.T) {
	var mu sync.Mutex
	var leaked []string
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		leaked = append(leaked, r.Method+" token="+r.Header.Get("X-Auth-Token"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, kooOK)
	}))
	defer elsewhere.Close()
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, elsewhere.URL+r.URL.Path, status)
			}))
			defer target.Close()
			env := testEnv(t, target.URL, 5*time.Second)
			x := env.roundTrip(context.Background(), kooRequest(env))
			if x.Err != nil || x.Status != status {
				t.Fatalf("want the %d itself, got status %d err %v", status, x.Status, x.Err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(leaked) > 0 {
				t.Fatalf("the redirect was followed; the other host received %v", leaked)
			}
		})
	}
}

// A server or gateway that compresses although the request asked for identity is decoded,
// and the decoded body is what the contract judges.
func TestCompressedAnswerIsJudgedDecoded(t *testing.T) {
	compress := map[string]func(io.Writer) io.WriteCloser{
		"gzip":    func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
		"x-gzip":  func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
		"deflate": func(w io.Writer) io.WriteCloser { return zlib.NewWriter(w) },
	}
	for coding, newWriter := range compress {
		t.Run(coding, func(t *testing.T) {
			asked := make(chan string, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				asked <- r.Header.Get("Accept-Encoding")
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Encoding", coding)
				zw := newWriter(w)
				_, _ = io.WriteString(zw, kooOK)
				_ = zw.Close()
			}))
			defer srv.Close()
			env := testEnv(t, srv.URL, 5*time.Second)
			x := env.roundTrip(context.Background(), kooRequest(env))
			if got := <-asked; got != "identity" {
				t.Errorf("Accept-Encoding sent %q, want identity", got)
			}
			if x.Err != nil || string(x.Body) != kooOK {
				t.Fatalf("want the decoded body, got err %v body %q", x.Err, x.Body)
			}
			if x.Header.Get("Content-Encoding") != "" {
				t.Errorf("Content-Encoding %q left on a decoded body", x.Header.Get("Content-Encoding"))
			}
			if vs := env.validate(x); len(vs) != 0 {
				t.Fatalf("decoded conformant body judged non-conformant: %v", vs)
			}
		})
	}
}

// A content coding the suite cannot undo, or a compressed body that expands past the read
// bound, is a clear error rather than a body judged as garbage or an exhausted suite.
func TestUndecodableAnswerIsAClearError(t *testing.T) {
	var big bytes.Buffer
	zw := gzip.NewWriter(&big)
	_, _ = zw.Write(make([]byte, 2<<20))
	_ = zw.Close()
	cases := map[string]struct {
		coding string
		body   []byte
		want   any
	}{
		"brotli":    {"br", []byte("not decodable here"), new(*UnsupportedCodingError)},
		"gzip bomb": {"gzip", big.Bytes(), new(*BodyTooLargeError)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Encoding", tc.coding)
				_, _ = w.Write(tc.body)
			}))
			defer srv.Close()
			env := testEnv(t, srv.URL, 5*time.Second)
			x := env.roundTrip(context.Background(), kooRequest(env))
			if !errors.As(x.Err, tc.want) {
				t.Fatalf("want %T, got %v", tc.want, x.Err)
			}
		})
	}
}

// What HTTP lets a conformant server send passes: charset parameters on the media type, a
// chunked body, any key order and members the documents do not name.
func TestHTTPFreedomsPassTheContract(t *testing.T) {
	vbsOK := (`{"fail_resources":[],"success_resources":[{"resource_type":"` + string(specfacts.ResourceTypeVolume) + `","os_vol_host_attr":"pod01","availability_zone":"az1","resource_id":"0f187b65-8d0e-4fc0-9096-3b55d330531e","extra":1}],"request_id":"r1"}`)
	cases := []struct {
		name, contentType, body string
		status                  int
		chunked                 bool
		vbs                     bool
	}{
		{name: "charset utf-8", contentType: "application/json; charset=utf-8", body: kooOK, status: 200},
		{name: "charset UTF-8 without space", contentType: "application/json;charset=UTF-8", body: kooOK, status: 200},
		{name: "chunked", contentType: "application/json", body: kooOK, status: 200, chunked: true},
		{name: "keys in another order", contentType: "application/json",
			body: `{"data":{"cmd_jobs":[{"job_id":"j1","instance_id":"a1"}],"task_id":"RM_1"},"error_msg":"ok","error_code":"0"}`, status: 200},
		{name: "extra members", contentType: "application/json",
			body: `{"error_code":"0","error_msg":"ok","request_id":"r1","data":{"task_id":"RM_1","status":"RUNNING","cmd_jobs":[{"instance_id":"a1","job_id":"j1","progress":0}]}}`, status: 200},
		{name: "error with charset, reordered, extra member", contentType: "application/json; charset=UTF-8",
			body: (`{"request_id":"r1","error_msg":"bad","error_code":"` + contract.Default().Constraints().KooPhone.Code(specfacts.CodeParameterIncorrect).Code + `"}`), status: 400},
		{name: "vbs reordered with extra members, chunked", contentType: "application/json;charset=utf-8", body: vbsOK, status: 200, chunked: true, vbs: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				if !tc.chunked {
					w.Header().Set("Content-Length", fmt.Sprint(len(tc.body)))
				}
				w.WriteHeader(tc.status)
				if !tc.chunked {
					_, _ = io.WriteString(w, tc.body)
					return
				}
				// Flushing before the end forces Transfer-Encoding: chunked.
				half := len(tc.body) / 2
				_, _ = io.WriteString(w, tc.body[:half])
				_ = http.NewResponseController(w).Flush()
				_, _ = io.WriteString(w, tc.body[half:])
			}))
			defer srv.Close()
			env := testEnv(t, srv.URL, 5*time.Second)
			req := kooRequest(env)
			if tc.vbs {
				req = vbsRequest(env)
			}
			x := env.roundTrip(context.Background(), req)
			if x.Err != nil || x.Status != tc.status || string(x.Body) != tc.body {
				t.Fatalf("status %d err %v body %q", x.Status, x.Err, x.Body)
			}
			if tc.chunked && x.Header.Get("Content-Length") != "" {
				t.Fatalf("the answer was not chunked (Content-Length %s); the case tests nothing", x.Header.Get("Content-Length"))
			}
			if x.Object() == nil {
				t.Fatalf("not recognised as a JSON object: Content-Type %q", x.Header.Get("Content-Type"))
			}
			if vs := env.validate(x); len(vs) != 0 {
				t.Fatalf("conformant answer judged non-conformant: %v", vs)
			}
		})
	}
}

// A request built without any header is sent (asking for identity), not a panic.
func TestRequestWithoutHeadersIsSent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()
	env := testEnv(t, srv.URL, 5*time.Second)
	x := env.roundTrip(context.Background(), Request{API: specfacts.KooPhone, Path: "/v1/instances/backup"})
	if x.Err != nil || x.Status != http.StatusTeapot || x.Request.Header.Get("Accept-Encoding") != "identity" {
		t.Fatalf("status %d err %v header %v", x.Status, x.Err, x.Request.Header)
	}
}

// Only exchanges that got no answer count towards the streak, per API, and any answer
// resets it; the bound is reached at exactly MaxNoAnswerStreak in a row.
func TestNoAnswerStreak(t *testing.T) {
	gone := &Exchange{Request: Request{API: specfacts.KooPhone}, Err: &NoAnswerError{Kind: NoAnswerTimeout}}
	answered := &Exchange{Request: Request{API: specfacts.KooPhone}, Status: 400}
	tooBig := &Exchange{Request: Request{API: specfacts.KooPhone}, Status: 200, Err: &BodyTooLargeError{Limit: 1}}
	otherAPI := &Exchange{Request: Request{API: specfacts.VBS}, Err: &NoAnswerError{Kind: NoAnswerRefused}}
	var s noAnswerStreak
	steps := []struct {
		x    *Exchange
		want bool
	}{
		{gone, false}, {gone, false}, {answered, false},
		{gone, false}, {otherAPI, false}, {gone, false}, {tooBig, false},
		{gone, false}, {gone, false}, {otherAPI, false}, {gone, true},
	}
	for i, st := range steps {
		if _, got := s.observe(st.x); got != st.want {
			t.Fatalf("step %d: abort %v, want %v", i, got, st.want)
		}
	}
}

// Transport failures are classified by what happened: nothing listening, no answer in
// time, or an answer that is not HTTP.
func TestTransportFailuresAreClassified(t *testing.T) {
	hang := hostile.Listen(t, hostile.Hang).URL
	garbage := hostile.Listen(t, hostile.Garbage).URL
	cases := map[string]struct {
		url  string
		want NoAnswerKind
	}{
		"refused": {hostile.RefusedURL(t), NoAnswerRefused},
		"hang":    {hang, NoAnswerTimeout},
		"garbage": {garbage, NoAnswerNotHTTP},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env := testEnv(t, tc.url, 300*time.Millisecond)
			x := env.roundTrip(context.Background(), kooRequest(env))
			var na *NoAnswerError
			if !errors.As(x.Err, &na) || na.Kind != tc.want {
				t.Fatalf("want %s, got %#v", tc.want, x.Err)
			}
		})
	}
}
