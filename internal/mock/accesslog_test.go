package mock

import (
	"bytes"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/specfacts"
)

// Each log mode keeps exactly its records: none nothing, errors only server errors, requests every request; no token is ever logged.
func TestLogModes(t *testing.T) {
	for _, c := range []struct {
		mode                      LogMode
		want200, want400, want500 bool
	}{
		{LogNone, false, false, false},
		{LogErrors, false, false, true},
		{LogRequests, true, true, true},
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
		if got := count() == 1; got != c.want500 {
			t.Errorf("%s: 500 logged=%v\n%s", c.mode, got, out)
		}
		if c.want500 && (!strings.Contains(out, "level=ERROR") || !strings.Contains(out, "status=500") || !strings.Contains(out, "path=/v1/instances/backup")) {
			t.Errorf("%s: server error record lacks level, status or path: %s", c.mode, out)
		}
		if strings.Contains(out, tok) {
			t.Errorf("%s: token in the log", c.mode)
		}
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
