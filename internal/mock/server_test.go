package mock

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func post(t *testing.T, url string, header map[string]string, body string) (*http.Response, error) {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	c := &http.Client{Timeout: 5 * time.Second}
	return c.Do(r)
}

// Over a real listener the mock answers, logs one line per request with method, path,
// status and latency and no token, honours latency and drop-connection, and stops with its
// context.
func TestServerOverTCP(t *testing.T) {
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The injected latency is seen, not spent: the handler parks until the test releases it.
	waited := make(chan time.Duration, 1)
	release := make(chan struct{})
	srv, err := Start(ctx, "127.0.0.1:0", WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
		withWait(func(ctx context.Context, d time.Duration) bool {
			waited <- d
			select {
			case <-release:
				return true
			case <-ctx.Done():
				return false
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	tg := srv.Target()
	h := map[string]string{"Content-Type": "application/json", "x-auth-token": tg.KooPhone.AuthToken, "x-request-id": "r1"}
	body := `{"instance_ids":["` + tg.KooPhone.OwnedInstanceIDs[0] + `"]}`

	h[InjectedFailureHeader] = "latency=150ms"
	type answer struct {
		resp *http.Response
		err  error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := post(t, tg.KooPhone.BaseURL+"/v1/instances/backup", h, body)
		answered <- answer{resp, err}
	}()
	if d := <-waited; d != 150*time.Millisecond {
		t.Errorf("the mock held the answer back by %v, want 150ms", d)
	}
	select {
	case a := <-answered:
		t.Fatalf("answered while the injected latency was still holding it back: %v %v", a.resp, a.err)
	default:
	}
	close(release)
	a := <-answered
	if a.err != nil {
		t.Fatal(a.err)
	}
	_, _ = io.Copy(io.Discard, a.resp.Body)
	a.resp.Body.Close()
	if a.resp.StatusCode != 200 {
		t.Fatalf("status %d after the latency", a.resp.StatusCode)
	}

	h[InjectedFailureHeader] = "drop-connection"
	if resp, err := post(t, tg.KooPhone.BaseURL+"/v1/instances/backup", h, body); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped connection answered %d", resp.StatusCode)
	}

	out := logs.String()
	if !strings.Contains(out, "method=POST") || !strings.Contains(out, "path=/v1/instances/backup") || !strings.Contains(out, "status=200") || !strings.Contains(out, "latency=") {
		t.Fatalf("log lacks fields:\n%s", out)
	}
	if strings.Contains(out, tg.KooPhone.AuthToken) {
		t.Fatal("token in the log")
	}

	cancel()
	<-srv.done
	if resp, err := post(t, tg.KooPhone.BaseURL+"/v1/instances/backup", nil, ""); err == nil {
		resp.Body.Close()
		t.Fatalf("server still answering (%d) after its context ended", resp.StatusCode)
	}
}

// WithInjectedFailures applies to every request as the header does for one.
func TestInjectedFailuresOption(t *testing.T) {
	f := newFixture(t, WithInjectedFailures(InjectInternalError()))
	ex := f.do(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])))
	wantKooError(t, ex, 500, kooInternalError, "internal error")
	if _, err := ParseInjectedFailures("latency=1h"); err == nil {
		t.Fatal("latency over the bound accepted")
	}
	got, err := ParseInjectedFailures(" internal-error , latency=5ms,drop-connection")
	if err != nil || len(got) != 3 || got[1].String() != "latency=5ms" {
		t.Fatalf("parsed %v, %v", got, err)
	}
}
