package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/hostile"
	"github.com/koobackup/conformance/internal/mutation"
	"github.com/koobackup/conformance/internal/preflight"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/suiterun"
	"github.com/koobackup/conformance/internal/targetcheck"
)

// makeBound is how long `make conformance` may take against a target none of whose APIs
// answers, with the default 10 s request timeout. Elapsed time is the property under test
// here — the liveness bound ("exits non-zero within 30 s"), not a performance
// measurement: the preflight probes both APIs at once before any suite is compiled, so the
// run costs about one timeout (~10-12 s); one probe per suite, or one timeout per spec,
// would not fit. The margin is for a loaded 2-core CI machine.
const makeBound = 30 * time.Second

// `make conformance` against a target that hangs on every request (the default 10 s
// timeout, no override), refuses connections or answers something that is not HTTP exits
// non-zero within the 30 s with one line per API, and its reports give every
// requirement as not-evaluated because the target was unreachable, none failed.
func TestMakeConformanceStopsFastOnDeadTargets(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatalf("make is required to check the conformance target: %v", err)
	}
	root, err := mutation.FindModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	// Off the timed path: build the conformance command the recipe runs with `go run`
	// (cached by the go command from here on), as any earlier make run would have.
	warm := exec.Command("go", "run", "./cmd/conformance", "preflight", "--help")
	warm.Dir, warm.Env = root, suiteEnvironment("")
	if out, err := warm.CombinedOutput(); err != nil {
		t.Fatalf("go run ./cmd/conformance: %v\n%s", err, out)
	}
	cases := map[string]struct {
		url  func(t *testing.T) string
		line string
	}{
		"hang":    {func(t *testing.T) string { return hostile.Listen(t, hostile.Hang).URL }, "no answer from %s within 10s"},
		"refused": {func(t *testing.T) string { return hostile.RefusedURL(t) }, "no answer from %s (connection refused)"},
		"garbage": {func(t *testing.T) string { return hostile.Listen(t, hostile.Garbage).URL }, "no answer from %s (the answer is not HTTP: "},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			url := tc.url(t)
			reports := t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "conformance", "REPORTS="+reports)
			cmd.Dir = root
			cmd.Env = suiteEnvironment(hostileTarget(t, url, url, ""))
			start := time.Now()
			out, err := cmd.CombinedOutput()
			elapsed := time.Since(start)
			t.Logf("make conformance: %v after %s", err, elapsed.Round(time.Millisecond))
			if err == nil {
				t.Fatalf("make conformance exited 0 against an unreachable target\n%s", out)
			}
			if elapsed > makeBound {
				t.Errorf("make conformance took %s; an unreachable target must end it within %s", elapsed, makeBound)
			}
			line := fmt.Sprintf(tc.line, url)
			for _, api := range []string{"koophone", "vbs"} {
				if !bytes.Contains(out, []byte(api+": "+line)) {
					t.Errorf("output lacks %q\n%s", api+": "+line, out)
				}
			}
			if bytes.Contains(out, []byte("Ginkgo ran")) {
				t.Errorf("the suites ran although no API answered\n%s", out)
			}
			checkUnreachableReports(t, reports, line)
		})
	}
}

// checkUnreachableReports asserts the reports in dir: every requirement not-evaluated with
// the reason target unreachable and line, none failed, verdict fail, the JUnit report
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
	for _, f := range []string{report.HTMLFile, report.MarkdownFile, suiterun.JUnitFile} {
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

// `conformance preflight` sends nothing without a target file (the suites start their own
// mock) or in plan mode, and lets the suites run when at least one API answers, naming the
// other in the handoff file; a bad profile is a configuration error.
func TestPreflightCommand(t *testing.T) {
	hung := hostile.Listen(t, hostile.Hang)
	hangURL := hung.URL
	answering := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer answering.Close()
	partial := hostileTarget(t, answering.URL, hangURL, "1s")

	run := func(t *testing.T, args ...string) (int, string, *preflight.Handoff) {
		t.Helper()
		out := t.TempDir()
		var stdout, stderr bytes.Buffer
		code := runPreflight(context.Background(), append([]string{"--out", out}, args...), &stdout, &stderr)
		h, err := preflight.ReadHandoff(filepath.Join(out, preflight.HandoffFile))
		if code != 2 && err != nil {
			t.Fatalf("no handoff: %v", err)
		}
		if _, err := os.Stat(filepath.Join(out, report.JSONFile)); err == nil {
			t.Errorf("reports written although the suites are to run")
		}
		return code, stdout.String() + stderr.String(), h
	}
	t.Run("mock", func(t *testing.T) {
		t.Setenv("CONFORMANCE_TARGET", "")
		code, out, h := run(t)
		if code != 0 || len(h.Unreachable)+len(h.Answered) != 0 || !strings.Contains(out, "nothing to probe") {
			t.Fatalf("exit %d, handoff %+v, output %q; want 0 and nothing probed", code, h, out)
		}
	})
	t.Run("plan", func(t *testing.T) {
		t.Setenv(targetcheck.PlanEnvVar, "1")
		before := hung.Accepted.Load()
		code, out, h := run(t, "--target", partial)
		if code != 0 || hung.Accepted.Load() != before || len(h.Unreachable)+len(h.Answered) != 0 {
			t.Fatalf("exit %d, %d connections, handoff %+v (%s); want 0 and nothing sent", code, hung.Accepted.Load()-before, h, out)
		}
	})
	t.Run("partial", func(t *testing.T) {
		code, out, h := run(t, "--target", partial)
		want := "vbs: no answer from " + hangURL + " within 1s"
		if code != 0 || !strings.Contains(out, want) || !strings.Contains(out, "koophone answered 400") {
			t.Fatalf("exit %d, output %q; want 0, %q and the koophone answer", code, out, want)
		}
		if len(h.Answered) != 1 || h.Answered[0].API != "koophone" || len(h.Unreachable) != 1 || h.Unreachable[0].String() != want {
			t.Fatalf("handoff %+v, want koophone answered and vbs unreachable", h)
		}
	})
	t.Run("bad-profile", func(t *testing.T) {
		code, out, _ := run(t, "--target", partial, "--profile", "lenient")
		if code != 2 || !strings.Contains(out, "lenient") {
			t.Fatalf("exit %d, output %q; want 2 naming the profile", code, out)
		}
	})
}

// `conformance run` shares the preflight: when no API answers, no suite starts, and the run
// fails with the four reports saying why.
func conformanceRunStopsBeforeTheSuites(t *testing.T, suitesDir string) {
	hung := hostile.Listen(t, hostile.Hang)
	url := hung.URL
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := runRun(context.Background(), []string{"--target", writeTarget(t, url), "--suites", suitesDir, "--out", out}, &stdout, &stderr)
	output := stdout.String() + stderr.String()
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, output)
	}
	line := fmt.Sprintf("no answer from %s within %s", url, hostileTimeout)
	for _, api := range []string{"koophone", "vbs"} {
		if !strings.Contains(output, api+": "+line) {
			t.Errorf("output lacks %q\n%s", api+": "+line, output)
		}
	}
	if got := hung.Accepted.Load(); got != 2 {
		t.Errorf("%d connections, want the preflight's two alone (no suite started)", got)
	}
	if logs, _ := filepath.Glob(filepath.Join(out, suiterun.LogDir, "*.log")); len(logs) > 0 {
		t.Errorf("suites ran: %v", logs)
	}
	checkUnreachableReports(t, out, line)
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
	log, err := os.ReadFile(filepath.Join(out, suiterun.LogDir, "koophone.log"))
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
