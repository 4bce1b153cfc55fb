package conformance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/koobackup/conformance/internal/specfacts"
)

// fuzzTimeout is the target's per-request timeout in FuzzExchange. It is short so that an
// answer the fuzzer leaves unfinished costs little; a spurious timeout under load is still
// a classified outcome, so it cannot make the fuzzer report a false crash.
const fuzzTimeout = 250 * time.Millisecond

// fuzzGuard is how long FuzzExchange lets one exchange run before calling it a hang. The
// exchange is bounded by its own deadline of fuzzTimeout; the guard is a generous multiple
// of it so that only an exchange that ignores its deadline trips it, not a slow machine.
const fuzzGuard = 40 * fuzzTimeout

// FuzzExchange sends a valid KooPhone request to a raw TCP server that answers with fuzzed
// bytes (a status line, a header block and a body) and then either closes the connection
// or holds it open. Whatever comes back, the exchange and its contract check must return
// within the exchange's own deadline, and the outcome must be a classified finding (an
// error or a violation) unless an independent reading of the same bytes shows a documented
// status, a JSON media type and a complete, well-formed UTF-8 JSON body.
func FuzzExchange(f *testing.F) {
	env := fuzzEnv(f)
	f.Fuzz(func(t *testing.T, statusLine, header string, body []byte, hold bool) {
		raw := []byte(statusLine + "\r\n" + header + "\r\n\r\n")
		raw = append(raw, body...)
		x := exchangeWithRawAnswer(t, env, raw, hold)
		checkEvidence(t, env, x)
		checkExpectations(t, env, x)
		if x.Err != nil {
			if x.Err.Error() == "" {
				t.Fatalf("error without a message: %#v", x.Err)
			}
			var na *NoAnswerError
			if errors.As(x.Err, &na) && !knownNoAnswer(na.Kind) {
				t.Fatalf("unclassified missing answer %q: %v", na.Kind, x.Err)
			}
			return
		}
		if x.Status == 0 {
			t.Fatalf("no error and no status: %+v", x)
		}
		for _, v := range x.Violations {
			if v.Rule == "" || v.Message == "" {
				t.Fatalf("violation without a rule or a message: %+v", v)
			}
		}
		if len(x.Violations) > 0 {
			return
		}
		// A pass: the same bytes, read independently, must make a conformant answer.
		if why := notAPassableAnswer(env, raw, x); why != "" {
			t.Fatalf("silent pass of an answer that %s\nraw answer: %q", why, raw)
		}
	})
}

func knownNoAnswer(k NoAnswerKind) bool {
	switch k {
	case NoAnswerTimeout, NoAnswerRefused, NoAnswerNotHTTP, NoAnswerConnection:
		return true
	}
	return false
}

// fuzzEnv is one environment for the whole fuzz run (loading the contract is costly); each
// input points it at its own listener.
func fuzzEnv(f *testing.F) *Env {
	f.Helper()
	env, err := newEnv(testTarget("http://127.0.0.1:1", "http://127.0.0.1:1", fuzzTimeout))
	if err != nil {
		f.Fatal(err)
	}
	if env.Target.RequestTimeout() != fuzzTimeout {
		f.Fatalf("the target file's timeout is %v, want %v", env.Target.RequestTimeout(), fuzzTimeout)
	}
	return env
}

// exchangeWithRawAnswer runs one exchange against a server that reads the request and
// writes raw; it fails t when the exchange outlives fuzzGuard.
func exchangeWithRawAnswer(t *testing.T, env *Env, raw []byte, hold bool) *Exchange {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	served := make(chan struct{})
	go func() {
		defer close(served)
		serveRaw(ln, raw, hold, released)
	}()
	defer func() {
		close(released)
		ln.Close()
		<-served
		env.Client.CloseIdleConnections()
	}()
	env.Target.KooPhone.BaseURL = "http://" + ln.Addr().String()
	req := kooRequest(env)
	done := make(chan *Exchange, 1)
	go func() {
		x := env.roundTrip(context.Background(), req)
		if x.Err == nil {
			x.Violations = env.validate(x)
		}
		done <- x
	}()
	guard, cancel := context.WithTimeout(context.Background(), fuzzGuard)
	defer cancel()
	select {
	case x := <-done:
		return x
	case <-guard.Done():
		t.Fatalf("the exchange ignored its %v deadline: still running after %v\nraw answer: %q", fuzzTimeout, fuzzGuard, raw)
		return nil
	}
}

// serveRaw answers the first connection on ln with raw once it has read the request, then
// closes it, or with hold keeps it open until released.
func serveRaw(ln net.Listener, raw []byte, hold bool, released <-chan struct{}) {
	conn, err := ln.Accept()
	if err != nil {
		return
	}
	defer conn.Close()
	if r, err := http.ReadRequest(bufio.NewReader(conn)); err == nil {
		_, _ = io.Copy(io.Discard, r.Body)
	}
	_, _ = conn.Write(raw)
	if hold {
		<-released
	}
}

// notAPassableAnswer reads raw the way a strict client would and says why it is not a
// conformant answer, or "" when it is one.
func notAPassableAnswer(env *Env, raw []byte, x *Exchange) string {
	req := kooRequest(env)
	hr, err := http.NewRequest(req.Method, "http://target.invalid"+req.Path, nil)
	if err != nil {
		return "cannot be compared: " + err.Error()
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), hr)
	if err != nil {
		return "is not an HTTP response: " + err.Error()
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "has an incomplete body: " + err.Error()
	}
	if resp.StatusCode != x.Status {
		return "has another status than the one judged"
	}
	if !kooPhoneDocumentsStatus(env, resp.StatusCode) {
		return "has an undocumented status"
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return "is not application/json"
	}
	if resp.Header.Get("Content-Encoding") == "" && !bytes.Equal(body, x.Body) {
		return "has another body than the one judged"
	}
	if !utf8.Valid(x.Body) {
		return "has a body that is not UTF-8"
	}
	if !json.Valid(x.Body) {
		return "has a body that is not JSON"
	}
	return ""
}

// kooPhoneDocumentsStatus reports whether the KooPhone operation documents status.
func kooPhoneDocumentsStatus(env *Env, status int) bool {
	return slices.Contains(env.Contract.Constraints().KooPhone.Statuses, status)
}

// A status line whose code is under 100 would otherwise look like no answer at all with no
// error to say why; it is an answer that is not HTTP, with the status line in the error.
func TestStatusCodeUnder100IsNotHTTP(t *testing.T) {
	env := testEnv(t, "http://127.0.0.1:1", fuzzTimeout)
	for _, line := range []string{"HTTP/1.1 000 Zero", "HTTP/1.1 099 Low"} {
		x := exchangeWithRawAnswer(t, env, []byte(line+"\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"), false)
		var na *NoAnswerError
		if !errors.As(x.Err, &na) || na.Kind != NoAnswerNotHTTP || !strings.Contains(x.Err.Error(), line) {
			t.Errorf("%s: got status %d, error %v; want a not-HTTP error naming the status line", line, x.Status, x.Err)
		}
	}
}

// checkEvidence checks what a report keeps of x: it survives JSON, keeps the status and
// the error, and never holds the target's token, even when the answer echoes it.
func checkEvidence(t *testing.T, env *Env, x *Exchange) {
	t.Helper()
	raw, err := json.Marshal(env.evidence(x))
	if err != nil {
		t.Fatalf("evidence does not marshal: %v", err)
	}
	var ev Evidence
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("evidence does not read back: %v", err)
	}
	if (ev.Response != nil) != (x.Status != 0) || (ev.Response != nil && ev.Response.Status != x.Status) {
		t.Fatalf("evidence response %+v for status %d", ev.Response, x.Status)
	}
	if (ev.Error != "") != (x.Err != nil) {
		t.Fatalf("evidence error %q for %v", ev.Error, x.Err)
	}
	tok := []byte(env.Target.KooPhone.AuthToken)
	if bytes.Contains(raw, tok) {
		t.Fatalf("evidence holds the token: %s", raw)
	}
	// An echoed token cut by the excerpt bound must not leave its first half behind.
	if bytes.Contains(x.Body, tok) && bytes.Contains(raw, tok[:len(tok)/2]) {
		t.Fatalf("evidence holds a part of the token: %s", raw)
	}
}

// checkExpectations runs the expectations' checks on x: a 200 with the backup of a1, and
// an error answer with any documented code. Neither may accept an answer that was not
// complete and free of contract violations, nor an error code under a success status.
func checkExpectations(t *testing.T, env *Env, x *Exchange) {
	t.Helper()
	clean := x.Err == nil && len(x.Violations) == 0
	var p problems
	env.checkBackup(x, []string{"a1"}, 1, &p)
	if len(p) == 0 && (!clean || x.Status != http.StatusOK) {
		t.Fatalf("the backup expectation accepted status %d, error %v, violations %v", x.Status, x.Err, x.Violations)
	}
	var names []string
	for _, n := range specfacts.ErrorCodeNames() {
		names = append(names, string(n))
	}
	p = nil
	if p.answered(x) {
		env.checkKooPhoneCode(x, names, &p)
	}
	if len(p) == 0 && (!clean || x.Status < 300) {
		t.Fatalf("the error-code expectation accepted status %d, error %v, violations %v", x.Status, x.Err, x.Violations)
	}
}
