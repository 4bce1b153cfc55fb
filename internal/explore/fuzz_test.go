package explore

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
	"pgregory.net/rapid"
)

// Bounds of one FuzzExplore input. The request timeout is short so that an answer the
// fuzzer leaves unfinished costs little (three of them stop an exploration); the budget is
// small because every request gets the same answer, so more requests judge nothing new;
// the duration bounds exploring and shrinking together.
const (
	fuzzTimeout  = 200 * time.Millisecond
	fuzzBudget   = 6
	fuzzDuration = 2 * time.Second
	// fuzzGuard is how long one exploration may run before it counts as a hang: a
	// generous multiple of what its own bounds allow (the duration, plus one request that
	// started just before it ran out), so that only an exploration that ignores them trips
	// it, not a slow machine.
	fuzzGuard = 5 * (fuzzDuration + fuzzTimeout)
)

// FuzzExplore explores one API of a raw TCP server that answers every request with the
// same fuzzed bytes (a status line, a header block and a body) and then closes the
// connection or holds it open. Whatever comes back, explore.Run must return within its own
// bounds without an error or a panic, keep to its request budget, and end in a finding or
// a stopped run — unless an independent reading of the same bytes shows a documented
// status below 500, a JSON media type and a complete, well-formed UTF-8 JSON body, the only
// answer a generated request may get without a finding. A finding must read back from
// JSON and never carry the target's token.
func FuzzExplore(f *testing.F) {
	tmpl := mock.New(nil)
	con := contract.Default()
	f.Fuzz(func(t *testing.T, vbs bool, statusLine, header string, body []byte, hold bool) {
		api := specfacts.KooPhone
		if vbs {
			api = specfacts.VBS
		}
		raw := []byte(statusLine + "\r\n" + header + "\r\n\r\n")
		raw = append(raw, body...)
		tg := tmpl.Target("http://" + serveRawAnswers(t, raw, hold))
		tg.Timeout = target.Duration(fuzzTimeout)
		client := &http.Client{Timeout: fuzzTimeout}
		defer client.CloseIdleConnections()
		res := exploreGuarded(t, Options{Target: tg, APIs: []specfacts.API{api}, Budget: fuzzBudget, Seed: 1, Duration: fuzzDuration, Client: client}, raw)
		if len(res.APIs) != 1 {
			t.Fatalf("%d API results for one API", len(res.APIs))
		}
		a := res.APIs[0]
		if limit := fuzzBudget * (1 + shrinkFactor); a.Sent > limit || a.Sent == 0 {
			t.Fatalf("sent %d requests; the budget allows 1 to %d", a.Sent, limit)
		}
		if a.Finding != nil {
			t.Logf("finding %s after %d requests", a.Finding.Kind, a.Sent)
			checkFinding(t, tg, a.Finding)
			return
		}
		if a.Stopped != "" {
			t.Logf("stopped after %d requests: %s", a.Sent, a.Stopped)
			return
		}
		t.Logf("no finding in %d requests", a.Sent)
		// A valid base request was among them: the contract or a reading of the base entry
		// must allow the answer, and every such reading states a JSON body.
		if a.Coverage.ByFaultCount[0] == 0 {
			t.Fatalf("explored %d requests without a valid base request: seed and budget cannot judge the answer", a.Sent)
		}
		if why := notAcceptable(con, api, raw); why != "" {
			t.Fatalf("explored %d requests without a finding, but the answer %s\nraw answer: %q", a.Sent, why, raw)
		}
	})
}

// Answers that carry the status and code a register reading names but break the contract in
// a way no such reading allows: each is a finding, since a reading that names a code reads
// the body as JSON.
func contractBreakingAnswers() map[string]string {
	code := contract.Default().Constraints().KooPhone.Code(specfacts.CodeParameterIncorrect).Code
	body := `{"error_code":"` + code + `","error_msg":"parameter incorrect"}`
	answer := func(headers, b string) string {
		return fmt.Sprintf("HTTP/1.1 400 Bad Request\r\n%sContent-Length: %d\r\n\r\n%s", headers, len(b), b)
	}
	const json = "Content-Type: application/json\r\n"
	return map[string]string{
		"no Content-Type":             answer("", body),
		"a body that is not UTF-8":    answer(json, `{"error_code":"`+code+`","error_msg":"`+"\xff\xfe\xc3"+`"}`),
		"bytes after the JSON object": answer(json, body+" garbage"),
	}
}

// A reading excuses the status and code it names, never a body that is not JSON: an answer
// with a reading's code and a broken body is a finding, for the first request of the run.
func TestReadingsNeverExcuseABrokenBody(t *testing.T) {
	con := contract.Default()
	for name, answer := range contractBreakingAnswers() {
		t.Run(name, func(t *testing.T) {
			raw := []byte(answer)
			if why := notAcceptable(con, specfacts.KooPhone, raw); why == "" {
				t.Fatalf("the contract accepts the answer")
			}
			tg := mock.New(nil).Target("http://" + serveRawAnswers(t, raw, false))
			tg.Timeout = target.Duration(fuzzTimeout)
			res := exploreGuarded(t, Options{Target: tg, APIs: []specfacts.API{specfacts.KooPhone}, Budget: fuzzBudget, Seed: 1, Duration: fuzzDuration}, raw)
			a := res.APIs[0]
			if a.Finding == nil || a.Finding.Kind != FindingUndocumented {
				t.Fatalf("explore let an answer with %s through (stopped: %q)", name, a.Stopped)
			}
			if a.Sent-a.Shrinking != 1 {
				t.Errorf("the finding came after %d requests, want the first", a.Sent-a.Shrinking)
			}
		})
	}
}

// exploreGuarded runs the exploration and fails t when it outlives fuzzGuard or returns an
// error; a panic in it fails the fuzz input as a crash.
func exploreGuarded(t *testing.T, o Options, raw []byte) *Result {
	t.Helper()
	type outcome struct {
		res *Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := Run(context.Background(), o)
		done <- outcome{res, err}
	}()
	guard := time.NewTimer(fuzzGuard)
	defer guard.Stop()
	select {
	case out := <-done:
		if out.err != nil {
			t.Fatalf("explore: %v\nraw answer: %q", out.err, raw)
		}
		return out.res
	case <-guard.C:
		t.Fatalf("explore ignored its bounds (duration %v, request timeout %v): still running after %v\nraw answer: %q", fuzzDuration, fuzzTimeout, fuzzGuard, raw)
		return nil
	}
}

// serveRawAnswers serves raw on loopback until the test ends and returns its address. Each
// request read gets raw, as a keep-alive server would send it, whatever its framing says;
// with hold a connection gets raw for its first request only and is then kept open, unread,
// until the test ends: the server hangs partly.
func serveRawAnswers(t *testing.T, raw []byte, hold bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	var conns sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	accepting := make(chan struct{})
	go func() {
		defer close(accepting)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			open = append(open, conn)
			mu.Unlock()
			conns.Add(1)
			go func() {
				defer conns.Done()
				defer conn.Close()
				br := bufio.NewReader(conn)
				for {
					r, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, r.Body)
					if _, err := conn.Write(raw); err != nil {
						return
					}
					if hold {
						<-released
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		close(released)
		ln.Close()
		<-accepting
		// A keep-alive connection the client left idle would keep its reader waiting.
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		conns.Wait()
	})
	return ln.Addr().String()
}

// checkFinding checks what a report keeps of a finding: it has a message and a curl
// command, its evidence survives JSON, and neither holds a token of the target.
func checkFinding(t *testing.T, tg *target.Target, f *Finding) {
	t.Helper()
	text := f.String()
	if text == "" || f.Curl == "" || f.Kind == "" {
		t.Fatalf("finding without a kind, a message or a curl command: %+v", f)
	}
	ev, err := json.Marshal(f.Evidence())
	if err != nil {
		t.Fatalf("the finding's evidence does not marshal: %v", err)
	}
	if !json.Valid(ev) {
		t.Fatalf("the finding's evidence is not JSON: %s", ev)
	}
	for _, tok := range tg.Tokens() {
		if tok != "" && (strings.Contains(text, tok) || bytes.Contains(ev, []byte(tok))) {
			t.Fatalf("the finding carries a token:\n%s\n%s", text, ev)
		}
	}
}

// notAcceptable reads raw the way a strict client would and says why no generated request
// may get it without a finding, or "" when it is a documented JSON answer.
func notAcceptable(con *contract.Contract, api specfacts.API, raw []byte) string {
	resp, body, ok := readAnswer(con, api, raw)
	switch {
	case !ok:
		return "is not a complete HTTP response"
	case resp.StatusCode >= 500:
		return "is a server error"
	case !slices.Contains(documentedStatuses(con, api), resp.StatusCode):
		return "has an undocumented status"
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return "is not application/json"
	}
	if !utf8.Valid(body) {
		return "has a body that is not UTF-8"
	}
	if !json.Valid(body) {
		return "has a body that is not JSON"
	}
	return ""
}

// readAnswer parses raw as the answer to the API's operation; ok is false when it is not a
// complete HTTP response.
func readAnswer(con *contract.Contract, api specfacts.API, raw []byte) (*http.Response, []byte, bool) {
	method := con.Constraints().KooPhone.Method
	if api == specfacts.VBS {
		method = con.Constraints().VBS.Method
	}
	hr, err := http.NewRequest(method, "http://target.invalid/", nil)
	if err != nil {
		return nil, nil, false
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), hr)
	if err != nil {
		return nil, nil, false
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, false
	}
	return resp, body, true
}

func documentedStatuses(con *contract.Contract, api specfacts.API) []int {
	if api == specfacts.VBS {
		return con.Constraints().VBS.Statuses
	}
	return con.Constraints().KooPhone.Statuses
}

// The oracle itself: a valid request naming ids that cannot exist, answered with the code of
// a reading of the unknown-instance entry in a broken body, is judged undocumented.
func TestOracleJudgesTheBodyOfAReadingsAnswer(t *testing.T) {
	con := contract.Default()
	voc := vocabulary(t, specfacts.KooPhone, con)
	or := newOracle(voc, catalog.Default(), con)
	gen := &generator{voc: voc, cons: con.Constraints(), tgt: mock.New(nil).Target("http://127.0.0.1")}
	for name, answer := range contractBreakingAnswers() {
		resp, body, ok := readAnswer(con, specfacts.KooPhone, []byte(answer))
		if !ok {
			t.Fatalf("%s: unreadable", name)
		}
		a := Answer{Status: resp.StatusCode, Header: resp.Header, Body: body}
		rapid.Check(t, func(rt *rapid.T) {
			r := gen.base(drawer{rt})
			hr, err := r.HTTP(context.Background(), "http://127.0.0.1")
			if err != nil {
				rt.Fatal(err)
			}
			if v := or.judge(r, hr, a); v == nil || v.kind != FindingUndocumented {
				rt.Fatalf("%s: a valid request's answer judged %+v, want %s", name, v, FindingUndocumented)
			}
		})
	}
}
