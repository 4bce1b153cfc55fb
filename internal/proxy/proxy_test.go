package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/proxy"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
	"github.com/koobackup/conformance/internal/traffic"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// syncBuffer is a log sink the proxy's goroutines may write to concurrently.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// recorded collects exchanges in memory.
type recorded struct {
	mu  sync.Mutex
	exs []traffic.Exchange
}

func (r *recorded) Write(ex traffic.Exchange) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.exs = append(r.exs, ex)
	return nil
}

func (r *recorded) all() []traffic.Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]traffic.Exchange(nil), r.exs...)
}

type fixture struct {
	proxyURL string
	proxy    *proxy.Proxy
	logs     *syncBuffer
	rec      *recorded
	client   *http.Client
}

// start runs a proxy in front of upstream and stops everything at the end of the test.
func start(t *testing.T, upstream string, opts ...proxy.Option) *fixture {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{logs: &syncBuffer{}, rec: &recorded{}}
	opts = append([]proxy.Option{
		proxy.WithLogger(slog.New(slog.NewJSONHandler(f.logs, nil))),
		proxy.WithRecorder(f.rec),
	}, opts...)
	f.proxy = proxy.New(u, opts...)
	srv := httptest.NewServer(f.proxy)
	tr := &http.Transport{}
	f.client = &http.Client{Transport: tr, Timeout: 10 * time.Second}
	f.proxyURL = srv.URL
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		srv.Close()
		f.proxy.Close()
	})
	return f
}

func startMock(t *testing.T) (*mock.Server, *target.Target) {
	t.Helper()
	srv, err := mock.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, srv.Target()
}

func (f *fixture) post(t *testing.T, path string, headers map[string]string, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.proxyURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	// Validation, logging and recording happen after the answer, on the proxy's workers.
	f.proxy.Flush()
	return resp, b
}

func koophoneHeaders(tg *target.Target) map[string]string {
	k := contract.Default().Constraints().KooPhone
	return map[string]string{k.TokenHeader: tg.KooPhone.AuthToken, k.RequestIDHeader: "req-1"}
}

func koophonePath() string { return contract.Default().Constraints().KooPhone.Path }

// A conforming request to the mock passes through unchanged, with no violation and one recorded exchange.
func TestConformingExchangePassesThrough(t *testing.T) {
	_, tg := startMock(t)
	f := start(t, tg.KooPhone.BaseURL)
	body := fmt.Sprintf(`{"instance_ids":[%q]}`, tg.KooPhone.OwnedInstanceIDs[0])
	resp, b := f.post(t, koophonePath(), koophoneHeaders(tg), body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get(proxy.HeaderProxyAnswer) != "" {
		t.Fatalf("status %d, proxy header %q, body %s", resp.StatusCode, resp.Header.Get(proxy.HeaderProxyAnswer), b)
	}
	if !strings.Contains(string(b), tg.KooPhone.OwnedInstanceIDs[0]) {
		t.Fatalf("body not forwarded: %s", b)
	}
	if f.proxy.Tally().Violating() != 0 {
		t.Fatalf("violations logged: %s", f.logs.String())
	}
	exs := f.rec.all()
	if len(exs) != 1 || exs[0].Response == nil || exs[0].Response.Status != http.StatusOK {
		t.Fatalf("recorded %+v", exs)
	}
}

// The seed's own example request is forwarded, and the proxy logs the violation with its requirement id and location.
func TestSeedExampleRequestIsNamed(t *testing.T) {
	_, tg := startMock(t)
	f := start(t, tg.KooPhone.BaseURL)
	resp, _ := f.post(t, koophonePath(), koophoneHeaders(tg), `{"user_id":"1008600000104285462","instance_id":"iRJEVP9"}`)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("mock answered %d", resp.StatusCode)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, string(specfacts.ReqKooPhoneInstanceIDsRequired)) || !strings.Contains(logs, `"location":"/request/body`) {
		t.Fatalf("violation not logged with requirement and location:\n%s", logs)
	}
	if strings.Contains(logs, tg.KooPhone.AuthToken) {
		t.Fatal("token in logs")
	}
	if f.proxy.Tally().Violating() != 1 || !f.proxy.Tally().Failed() {
		t.Fatal("tally does not count the violating exchange")
	}
}

// In reject mode a non-conforming request is answered by the proxy with the API's documented 400 and never reaches the upstream.
func TestRejectAnswersWithDocumentedEnvelope(t *testing.T) {
	var calls atomic.Int32
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer up.Close()
	f := start(t, up.URL, proxy.WithReject())
	cons := contract.Default().Constraints()

	resp, b := f.post(t, koophonePath(), map[string]string{cons.KooPhone.TokenHeader: "tok"}, `{"instance_ids":["a"]}`)
	var kp struct {
		Code string `json:"error_code"`
		Msg  string `json:"error_msg"`
	}
	if err := json.Unmarshal(b, &kp); err != nil || resp.StatusCode != http.StatusBadRequest || kp.Code != cons.KooPhone.Code(specfacts.CodeParameterIncorrect).Code {
		t.Fatalf("KooPhone rejection: %d %s (%v)", resp.StatusCode, b, err)
	}
	if !strings.Contains(kp.Msg, cons.KooPhone.RequestIDHeader) || resp.Header.Get(proxy.HeaderProxyAnswer) != "rejected" {
		t.Fatalf("message does not name the missing header: %q", kp.Msg)
	}
	if vs := contract.Default().ValidateResponse(httptest.NewRequest(http.MethodPost, koophonePath(), nil), resp.StatusCode, resp.Header, b); len(vs) != 0 {
		t.Fatalf("the proxy's own rejection violates the contract: %v", vs)
	}

	resp, b = f.post(t, cons.VBS.Path("p1"), map[string]string{cons.VBS.TokenHeader: "tok"}, `{"resources":[]}`)
	var vbs struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(b, &vbs); err != nil || resp.StatusCode != http.StatusBadRequest || vbs.Error.Code == "" || !strings.Contains(vbs.Error.Message, "backup_policy_id") {
		t.Fatalf("VBS rejection: %d %s (%v)", resp.StatusCode, b, err)
	}
	if calls.Load() != 0 {
		t.Fatalf("upstream called %d times", calls.Load())
	}
}

// An unreachable upstream gives 502 in the envelope of the API the path belongs to, and a plain envelope elsewhere.
func TestUpstreamDownIs502InEnvelope(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	f := start(t, dead)
	cons := contract.Default().Constraints()

	resp, b := f.post(t, koophonePath(), nil, `{}`)
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(b), cons.KooPhone.Code(specfacts.CodeInternalError).Code) {
		t.Fatalf("KooPhone: %d %s", resp.StatusCode, b)
	}
	resp, b = f.post(t, cons.VBS.Path("p"), nil, `{}`)
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(b), `"error":{`) || !strings.Contains(string(b), proxy.CodeUpstreamUnreachable) {
		t.Fatalf("VBS: %d %s", resp.StatusCode, b)
	}
	resp, b = f.post(t, "/nowhere", nil, `{}`)
	if resp.StatusCode != http.StatusBadGateway || !json.Valid(b) || !strings.Contains(string(b), proxy.CodeUpstreamUnreachable) {
		t.Fatalf("unknown path: %d %s", resp.StatusCode, b)
	}
	if !strings.Contains(f.logs.String(), "upstream unreachable") || !f.proxy.Tally().Failed() {
		t.Fatalf("not logged or not failed:\n%s", f.logs.String())
	}
}

// An upstream that never answers gives 504 after the configured timeout, and its handler is released.
func TestUpstreamHangIs504(t *testing.T) {
	released := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The server notices a closed connection only once the body has been read.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
		close(released)
	}))
	defer up.Close()
	f := start(t, up.URL, proxy.WithTimeout(100*time.Millisecond))
	resp, b := f.post(t, contract.Default().Constraints().VBS.Path("p"), nil, `{}`)
	if resp.StatusCode != http.StatusGatewayTimeout || !strings.Contains(string(b), proxy.CodeUpstreamTimeout) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	// A request the proxy did not cancel would hold the upstream's handler until the test
	// binary's own timeout.
	<-released
	if exs := f.rec.all(); len(exs) != 1 || exs[0].ErrorKind != traffic.ErrorUpstreamTimeout {
		t.Fatalf("recorded %+v", exs)
	}
}

// An upstream answering garbage gives 502 and a logged response-malformed violation.
func TestMalformedUpstreamResponse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			_, _ = c.Read(buf)
			_, _ = c.Write([]byte("this is not HTTP\r\n\r\n"))
			c.Close()
		}
	}()
	defer func() { ln.Close(); wg.Wait() }()
	f := start(t, "http://"+ln.Addr().String())
	resp, b := f.post(t, koophonePath(), nil, `{}`)
	if resp.StatusCode != http.StatusBadGateway || !json.Valid(b) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, string(specfacts.RuleResponseMalformed)) || !strings.Contains(logs, string(specfacts.ReqKooPhoneDocumentedStatus)) {
		t.Fatalf("violation not logged:\n%s", logs)
	}
}

// Bodies over the limit are streamed through whole, not buffered, and reported as oversized.
func TestOversizedBodiesStreamAndAreReported(t *testing.T) {
	const limit = 1024
	big := strings.Repeat("x", 64*limit)
	var gotLen atomic.Int64
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		gotLen.Store(n)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `"`+big+`"`)
	}))
	defer up.Close()
	f := start(t, up.URL, proxy.WithBodyLimit(limit))
	resp, b := f.post(t, contract.Default().Constraints().VBS.Path("p"), nil, big)
	if gotLen.Load() != int64(len(big)) {
		t.Fatalf("upstream got %d bytes, client sent %d", gotLen.Load(), len(big))
	}
	if resp.StatusCode != http.StatusOK || len(b) != len(big)+2 {
		t.Fatalf("client got %d bytes with status %d", len(b), resp.StatusCode)
	}
	logs := f.logs.String()
	for _, want := range []string{string(specfacts.RuleRequestBodyOversized), string(specfacts.RuleResponseBodyOversized), string(specfacts.ReqVBSOversizedBody)} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	ex := f.rec.all()[0]
	if !ex.Request.Truncated || len(ex.Request.Body) > limit+1 || !ex.Response.Truncated {
		t.Fatalf("recording holds %d request bytes, truncated=%v", len(ex.Request.Body), ex.Request.Truncated)
	}
}

// A client that disconnects mid-exchange cancels the upstream request; nothing is left running (goleak checks at exit).
func TestClientDisconnectCancelsUpstream(t *testing.T) {
	entered, released := make(chan struct{}), make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		close(entered)
		<-r.Context().Done()
		close(released)
	}))
	defer up.Close()
	got := make(chanRecorder, 1)
	f := start(t, up.URL, proxy.WithRecorder(got))
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.proxyURL+koophonePath(), strings.NewReader(`{}`))
	errc := make(chan error, 1)
	go func() {
		resp, err := f.client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-entered
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("the request succeeded although the client cancelled it")
	}
	// An upstream request outliving the client would hold the handler until the test
	// binary's own timeout.
	<-released
	// The exchange is recorded once the proxy's handler has returned.
	if ex := <-got; ex.ErrorKind != traffic.ErrorClientGone {
		t.Fatalf("recorded %+v", ex)
	}
}

// chanRecorder hands every recorded exchange to the test as it is written.
type chanRecorder chan traffic.Exchange

func (c chanRecorder) Write(ex traffic.Exchange) error {
	c <- ex
	return nil
}

// Consecutive requests reuse one kept-alive upstream connection.
func TestUpstreamKeepAlive(t *testing.T) {
	var conns atomic.Int32
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"success_resources":[],"fail_resources":[]}`)
	}))
	up.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	up.Start()
	defer up.Close()
	f := start(t, up.URL)
	for i := 0; i < 5; i++ {
		resp, _ := f.post(t, contract.Default().Constraints().VBS.Path("p"), nil, `{}`)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("%d upstream connections for 5 sequential requests", n)
	}
}

// Under concurrent load every exchange is counted exactly once, and Close drains the exchanges still queued without Flush.
func TestEveryExchangeCountedAndDrainedOnClose(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"success_resources":[],"fail_resources":[]}`)
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	rec := &recorded{}
	p := proxy.New(u, proxy.WithRecorder(rec))
	front := httptest.NewServer(p)
	tr := &http.Transport{MaxIdleConnsPerHost: 8}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	cons := contract.Default().Constraints()
	const clients, each = 8, 50
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				// Odd requests lack the token: exactly one violation each.
				req, _ := http.NewRequest(http.MethodPost, front.URL+cons.VBS.Path("p"), strings.NewReader((`{"backup_policy_id":"x","resources":[{"resource_id":"v","resource_type":"` + string(specfacts.ResourceTypeVolume) + `"}]}`)))
				req.Header.Set("Content-Type", "application/json")
				if (c*each+i)%2 == 0 {
					req.Header.Set(cons.VBS.TokenHeader, "tok")
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	tr.CloseIdleConnections()
	front.Close()
	p.Close()
	tally := p.Tally()
	if tally.Exchanges() != clients*each || tally.Violating() != clients*each/2 {
		t.Fatalf("tally saw %d exchanges, %d violating; want %d and %d", tally.Exchanges(), tally.Violating(), clients*each, clients*each/2)
	}
	if n := len(rec.all()); n != clients*each {
		t.Fatalf("%d exchanges recorded, want %d", n, clients*each)
	}
	// Once closed, an exchange is checked on the request path.
	srv := httptest.NewServer(p)
	defer srv.Close()
	resp, err := http.Post(srv.URL+cons.VBS.Path("p"), "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if p.Tally().Exchanges() != clients*each+1 {
		t.Fatalf("exchange after Close not counted: %d", p.Tally().Exchanges())
	}
}

// A kept-alive upstream connection the server closed while idle is replaced without failing the request, and an upstream answering with Connection: close and a chunked body is forwarded whole.
func TestUpstreamClosedIdleConnectionAndChunkedClose(t *testing.T) {
	var conns atomic.Int32
	// closeIdle asks the upstream to close its connection once the answer is out; closed
	// is signalled when it has.
	var closeIdle atomic.Bool
	closed := make(chan struct{}, 1)
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("X-Close") != "" {
			w.Header().Set("Connection", "close")
			_, _ = io.WriteString(w, `{"success_resources":[],`)
			w.(http.Flusher).Flush() // forces chunked encoding
			_, _ = io.WriteString(w, `"fail_resources":[]}`)
			return
		}
		_, _ = io.WriteString(w, `{"success_resources":[],"fail_resources":[]}`)
	}))
	up.Config.ConnState = func(c net.Conn, s http.ConnState) {
		switch {
		case s == http.StateNew:
			conns.Add(1)
		case s == http.StateIdle && closeIdle.CompareAndSwap(true, false):
			_ = c.Close()
			closed <- struct{}{}
		}
	}
	up.Start()
	defer up.Close()
	f := start(t, up.URL)
	cons := contract.Default().Constraints()
	path := cons.VBS.Path("p")
	body := (`{"backup_policy_id":"x","resources":[{"resource_id":"v","resource_type":"` + string(specfacts.ResourceTypeVolume) + `"}]}`)
	tok := map[string]string{cons.VBS.TokenHeader: "tok"}
	closeIdle.Store(true)
	for i, h := range []map[string]string{tok, tok, {cons.VBS.TokenHeader: "tok", "X-Close": "1"}, tok} {
		if i == 1 {
			// The upstream has closed the first connection while it sat idle in the
			// proxy's pool; whether or not the proxy has noticed yet, the request goes
			// through on a new one.
			<-closed
		}
		resp, b := f.post(t, path, h, body)
		if resp.StatusCode != http.StatusOK || string(b) != `{"success_resources":[],"fail_resources":[]}` {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, b)
		}
	}
	if n := conns.Load(); n != 3 {
		t.Fatalf("%d upstream connections; want 3 (first, after the idle close, after Connection: close)", n)
	}
	if f.proxy.Tally().Failed() {
		t.Fatal("a replaced connection or a chunked answer was counted as a failure")
	}
}

// The upstream's path prefix is kept in front of the client's path, with escaped segments and the query forwarded as sent.
func TestUpstreamPathPrefixAndEscapes(t *testing.T) {
	got := make(chan string, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		got <- r.URL.EscapedPath() + "?" + r.URL.RawQuery + " host=" + r.Host
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{}`)
	}))
	defer up.Close()
	f := start(t, up.URL+"/gateway/")
	resp, _ := f.post(t, "/v2/a%2Fb/backuppolicyresources?x=1", nil, `{}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	u, _ := url.Parse(up.URL)
	if want := "/gateway/v2/a%2Fb/backuppolicyresources?x=1 host=" + u.Host; <-got != want {
		t.Fatalf("upstream saw something else than %q", want)
	}
}

// End-to-end headers reach the upstream as the client sent them, forwarding headers included; hop-by-hop ones (also those the Connection header names) go no further in either direction.
func TestHopByHopHeadersStayOnTheirHop(t *testing.T) {
	got := make(chan http.Header, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		got <- r.Header.Clone()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Upstream", "kept")
		w.Header().Set("Keep-Alive", "timeout=5")
		w.Header().Set("Connection", "X-Upstream-Hop")
		w.Header().Set("X-Upstream-Hop", "dropped")
		_, _ = io.WriteString(w, `{}`)
	}))
	defer up.Close()
	f := start(t, up.URL)
	resp, _ := f.post(t, contract.Default().Constraints().VBS.Path("p"), map[string]string{
		"X-Client":            "kept",
		"X-Forwarded-For":     "192.0.2.1",
		"Connection":          "X-Client-Hop",
		"X-Client-Hop":        "dropped",
		"Proxy-Authorization": "Basic c2VjcmV0",
		"Accept-Encoding":     "br",
	}, `{}`)
	h := <-got
	if h.Get("X-Client") != "kept" || h.Get("X-Forwarded-For") != "192.0.2.1" {
		t.Errorf("end-to-end headers not forwarded as sent: %v", h)
	}
	for _, name := range []string{"X-Client-Hop", "Proxy-Authorization", "Idempotency-Key"} {
		if v, ok := h[name]; ok {
			t.Errorf("upstream got %s: %v", name, v)
		}
	}
	if v := h.Get("Accept-Encoding"); v == "br" {
		t.Errorf("the client's Accept-Encoding was forwarded: %q", v)
	}
	if resp.Header.Get("X-Upstream") != "kept" || resp.Header.Get("X-Upstream-Hop") != "" || resp.Header.Get("Keep-Alive") != "" {
		t.Errorf("client got the upstream's headers %v", resp.Header)
	}
}
