package mock

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/specfacts"
)

// Each log mode keeps exactly its records: none nothing, errors only server errors, requests
// every request; a failure the client injected is never an error; no token is ever logged.
func TestLogModes(t *testing.T) {
	for _, c := range []struct {
		mode                                          LogMode
		want200, want400, wantInjected, wantServerErr bool
	}{
		{LogNone, false, false, false, false},
		{LogErrors, false, false, false, true},
		{LogRequests, true, true, true, true},
	} {
		var buf bytes.Buffer
		f := newFixture(t, WithLogger(NewAccessLogger(&buf, c.mode)))
		tok := f.t.KooPhone.AuthToken
		count := func() int { return strings.Count(buf.String(), "msg=request") }

		if ex := f.do(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0]))); ex.status != 200 {
			t.Fatalf("%s: valid backup answered %d", c.mode, ex.status)
		}
		if got := count() == 1; got != c.want200 {
			t.Errorf("%s: 200 logged=%v\n%s", c.mode, got, buf.String())
		}
		buf.Reset()
		if ex := f.do(t, f.koo(ids(f.t.KooPhone.ForeignInstanceIDs[0]))); ex.status != 400 {
			t.Fatalf("%s: foreign instance answered %d", c.mode, ex.status)
		}
		if got := count() == 1; got != c.want400 {
			t.Errorf("%s: 400 logged=%v\n%s", c.mode, got, buf.String())
		}
		buf.Reset()
		if ex := f.do(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[1])).with(InjectedFailureHeader, string(specfacts.CodeInternalError))); ex.status != 500 {
			t.Fatalf("%s: injected error answered %d", c.mode, ex.status)
		}
		out := buf.String()
		if got := count() == 1; got != c.wantInjected {
			t.Errorf("%s: injected 500 logged=%v\n%s", c.mode, got, out)
		}
		if strings.Contains(out, "level=ERROR") {
			t.Errorf("%s: an injected failure logged as an error: %s", c.mode, out)
		}
		if c.wantInjected && (!strings.Contains(out, "level=INJECTED") || !strings.Contains(out, "injected=internal-error") || !strings.Contains(out, "status=500")) {
			t.Errorf("%s: injected failure record lacks its level, the failure or the status: %s", c.mode, out)
		}
		if strings.Contains(out, tok) {
			t.Errorf("%s: token in the log", c.mode)
		}

		buf.Reset()
		f.m.beforeServe = func(*http.Request) { panic("bug") }
		if ex := f.do(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[2]))); ex.status != 500 {
			t.Fatalf("%s: a panic answered %d", c.mode, ex.status)
		}
		f.m.beforeServe = nil
		out = buf.String()
		if got := count() == 1; got != c.wantServerErr {
			t.Errorf("%s: server error logged=%v\n%s", c.mode, got, out)
		}
		if c.wantServerErr && (!strings.Contains(out, "level=ERROR") || !strings.Contains(out, "status=500") || !strings.Contains(out, "path=/v1/instances/backup")) {
			t.Errorf("%s: server error record lacks level, status or path: %s", c.mode, out)
		}
	}
}

// A dropped connection the client asked for is logged at its own level, naming the failure;
// one the mock drops on its own (a planted fault) stays an error.
func TestInjectedDropIsNotAnError(t *testing.T) {
	var buf bytes.Buffer
	f := newFixture(t, WithLogger(NewAccessLogger(&buf, LogRequests)))
	rec := httptest.NewRecorder()
	func() {
		defer func() {
			if p := recover(); p != http.ErrAbortHandler {
				t.Errorf("drop-connection on a recorder: recovered %v, want http.ErrAbortHandler", p)
			}
		}()
		f.m.ServeHTTP(rec, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])).with(InjectedFailureHeader, "drop-connection").build())
	}()
	out := buf.String()
	if !strings.Contains(out, "level=INJECTED") || !strings.Contains(out, "injected=drop-connection") || strings.Contains(out, "level=ERROR") {
		t.Errorf("injected drop record: %s", out)
	}

	buf.Reset()
	planted := newFixture(t, WithLogger(NewAccessLogger(&buf, LogErrors)), WithFault(FaultKooPhoneOversizedDropped))
	func() {
		defer func() { _ = recover() }()
		big := planted.koo(ids(planted.t.KooPhone.OwnedInstanceIDs[0]))
		big.body = []byte(`{"instance_ids":["` + strings.Repeat("a", MaxBodyBytes) + `"]}`)
		planted.m.ServeHTTP(httptest.NewRecorder(), big.build())
	}()
	if out := buf.String(); !strings.Contains(out, "level=ERROR") || strings.Contains(out, "injected=") {
		t.Errorf("a drop nobody asked for: %s", out)
	}
}

// ParseLogMode takes the three modes in any case and names the choices otherwise.
func TestParseLogMode(t *testing.T) {
	for _, s := range []string{"none", "ERRORS", "Requests"} {
		if _, err := ParseLogMode(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	if _, err := ParseLogMode("verbose"); err == nil || !strings.Contains(err.Error(), "none, errors, requests") {
		t.Fatalf("err = %v", err)
	}
}
