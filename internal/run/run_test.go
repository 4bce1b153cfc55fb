package run

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koobackup/conformance/fixtures"
	"github.com/koobackup/conformance/internal/hostile"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/run/launch"
)

func hungTarget(t *testing.T, url string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "target.yaml")
	if err := os.WriteFile(p, fixtures.ReadOnlyTarget(url, url, "1s"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// A run whose target answers on no API ends after the preflight: no suite is started (none
// is even given), the reports are built from the record of suites that did not start, every
// requirement not-evaluated because the target was unreachable, none failed, exit 1; no
// Ginkgo report stands in for suites that never ran, and no token is written.
func TestRunWithoutAnswerBuildsReportsWithoutSuites(t *testing.T) {
	hung := hostile.Listen(t, hostile.Hang)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code, err := Run(context.Background(), Options{TargetFile: hungTarget(t, hung.URL), Out: out, Stdout: &stdout, Stderr: &stderr})
	if code != 1 || err != nil {
		t.Fatalf("exit %d, error %v, want 1 and no error\n%s%s", code, err, stdout.String(), stderr.String())
	}
	if n := hung.Accepted.Load(); n != 2 {
		t.Errorf("%d connections, want the preflight's two", n)
	}
	r, err := report.Load(filepath.Join(out, report.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	want := report.NotEvaluatedUnreachable + ": no answer from " + hung.URL + " within 1s"
	if r.Totals.Requirements == 0 || r.Totals.NotEvaluated != r.Totals.Requirements || r.Totals.Fail != 0 || r.Verdict != report.StatusFail {
		t.Errorf("totals %+v verdict %s, want every requirement not evaluated, none failed, verdict fail", r.Totals, r.Verdict)
	}
	for _, q := range r.Requirements {
		if q.Reason != want {
			t.Errorf("%s: %s %q, want %q", q.ID, q.Status, q.Reason, want)
		}
	}
	if _, err := os.Stat(filepath.Join(out, launch.GinkgoReportFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a Ginkgo report was written for suites that never ran: %v", err)
	}
	for _, f := range []string{report.JSONFile, report.HTMLFile, report.MarkdownFile} {
		raw, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), "SECRET") {
			t.Errorf("%s carries a token", f)
		}
	}
}

// A profile that is not one is a configuration error, found before anything is sent.
func TestRunRefusesAnUnknownProfile(t *testing.T) {
	hung := hostile.Listen(t, hostile.Hang)
	code, err := Run(context.Background(), Options{TargetFile: hungTarget(t, hung.URL), Profile: "lenient", Out: t.TempDir()})
	if code != 2 || err == nil || !strings.Contains(err.Error(), "lenient") {
		t.Fatalf("exit %d, error %v, want 2 naming the profile", code, err)
	}
	if n := hung.Accepted.Load(); n != 0 {
		t.Errorf("%d connections, want none", n)
	}
}
