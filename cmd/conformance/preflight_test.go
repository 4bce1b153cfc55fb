package main

import (
	"bytes"
	"context"
	"fmt"
	"github.com/koobackup/conformance/internal/run/launch"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/hostile"
	"github.com/koobackup/conformance/internal/mutation"
	"github.com/koobackup/conformance/internal/report"
)

// `make conformance` is one call of `conformance run`, and its knobs reach it as flags.
func TestMakeConformanceIsOneRun(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatalf("make is required to check the conformance target: %v", err)
	}
	root, err := mutation.FindModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("make", "--no-print-directory", "-n", "conformance", "REPORTS=out", "PROCS=3", "PROVE=1",
		"REQUIRE_CONCLUSIVE=1", "WAIVERS=w.yaml")
	cmd.Dir = root
	cmd.Env = suiteEnvironment("")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n conformance: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "./cmd/conformance run ") {
		t.Fatalf("make conformance runs %q, want one conformance run", out)
	}
	for _, want := range []string{"--from-source", "--procs 3", "--out out", "--waivers w.yaml", "--require-conclusive", "--prove"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("make conformance runs %q, which lacks %q", lines[0], want)
		}
	}
}

// The run against a target whose APIs hang, refuse connections or do not answer HTTP stops
// after its preflight, before any suite: one line per API, exit 1, and reports in which every
// requirement is not-evaluated because the target was unreachable. The hung target's line
// ("within 2s") shows the probe ended on its timeout; its two connections, that nothing was
// sent after it.
func TestRunStopsBeforeTheSuitesOnDeadTargets(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		server func(t *testing.T) (string, func() int32)
		line   string
	}{
		"hang":    {listening(hostile.Hang), "no answer from %s within 2s"},
		"refused": {func(t *testing.T) (string, func() int32) { return hostile.RefusedURL(t), nil }, "no answer from %s (connection refused)"},
		"garbage": {listening(hostile.Garbage), "no answer from %s (the answer is not HTTP: "},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url, accepted := tc.server(t)
			out := t.TempDir()
			var stdout, stderr bytes.Buffer
			code := runRun(context.Background(), []string{"--from-source", "--procs", "2", "--target", writeTarget(t, url), "--out", out}, &stdout, &stderr)
			output := stdout.String() + stderr.String()
			if code != 1 {
				t.Fatalf("exit %d, want 1\n%s", code, output)
			}
			line := fmt.Sprintf(tc.line, url)
			for _, api := range []string{"koophone", "vbs"} {
				if !strings.Contains(output, api+": "+line) {
					t.Errorf("output lacks %q\n%s", api+": "+line, output)
				}
			}
			if accepted != nil {
				if n := accepted(); n != 2 {
					t.Errorf("%d connections, want the preflight's two alone (no suite started)", n)
				}
			}
			if logs, _ := filepath.Glob(filepath.Join(out, launch.LogDir, "*.log")); len(logs) > 0 {
				t.Errorf("suites ran: %v", logs)
			}
			checkUnreachableReports(t, out, line)
		})
	}
}

// checkUnreachableReports asserts the reports in dir: every requirement not-evaluated with
// the reason target unreachable and line, none failed, verdict fail, the rendered reports
// naming why.
func checkUnreachableReports(t *testing.T, dir, line string) {
	t.Helper()
	r, err := report.Load(filepath.Join(dir, report.JSONFile))
	if err != nil {
		t.Fatalf("conformance.json: %v", err)
	}
	if r.Totals.Requirements == 0 || r.Totals.NotEvaluated != r.Totals.Requirements || r.Totals.Fail != 0 || r.Verdict != report.StatusFail {
		t.Errorf("totals %+v verdict %s; want every requirement not evaluated, none failed, verdict fail", r.Totals, r.Verdict)
	}
	for _, q := range r.Requirements {
		if q.Status != report.StatusNotEvaluated || !strings.HasPrefix(q.Reason, report.NotEvaluatedUnreachable+": "+line) {
			t.Errorf("%s: %s %q, want not-evaluated because the target was unreachable", q.ID, q.Status, q.Reason)
		}
	}
	for _, f := range []string{report.HTMLFile, report.MarkdownFile} {
		raw, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if !bytes.Contains(raw, []byte("no answer from")) {
			t.Errorf("%s does not say the target did not answer", f)
		}
		if bytes.Contains(raw, []byte("SECRET")) {
			t.Errorf("%s carries a token", f)
		}
	}
}

// A suite whose API the run's preflight found unreachable stops before its first request,
// with the preflight's line: the target sees no second connection, and every requirement of
// that API is not-evaluated (target unreachable).
func suiteHonoursThePreflight(t *testing.T, suitesDir string) {
	hung := hostile.Listen(t, hostile.Hang)
	hangURL := hung.URL
	answering := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer answering.Close()
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	// Only the koophone suite is in suitesDir; vbs answers, so the suites run.
	code := runRun(context.Background(), []string{"--target", hostileTarget(t, hangURL, answering.URL, hostileTimeout.String()),
		"--suites", suitesDir, "--out", out}, &stdout, &stderr)
	output := stdout.String() + stderr.String()
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, output)
	}
	line := fmt.Sprintf("koophone: no answer from %s within %s", hangURL, hostileTimeout)
	log, err := os.ReadFile(filepath.Join(out, launch.LogDir, "koophone.log"))
	if err != nil {
		t.Fatalf("the koophone suite did not run: %v\n%s", err, output)
	}
	if !bytes.Contains(log, []byte(line)) {
		t.Errorf("the suite's output lacks %q\n%s", line, log)
	}
	if got := hung.Accepted.Load(); got != 1 {
		t.Errorf("%d connections to the hung API, want the preflight's one alone", got)
	}
	r, err := report.Load(filepath.Join(out, report.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range r.Requirements {
		if q.API == "koophone" && (q.Status != report.StatusNotEvaluated || q.Reason != report.NotEvaluatedUnreachable+": "+strings.TrimPrefix(line, "koophone: ")) {
			t.Errorf("%s: %s %q, want not-evaluated because the target was unreachable", q.ID, q.Status, q.Reason)
		}
	}
}
