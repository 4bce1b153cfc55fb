package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/koobackup/conformance/fixtures"
	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/hostile"
	"github.com/koobackup/conformance/internal/mutation"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
)

// The request timeout written into the target files of these tests.
const hostileTimeout = 2 * time.Second

// runBound is how long a whole run of both suites against an unreachable target may take.
// Elapsed time is the property under test here, not performance: without the preflight
// and the streak abort, every one of the ~84 specs waits out its own 2 s timeout (well over
// a minute on 2 processes), and a hung target would hold a CI job for as long as its
// request count allows. The expected run is two preflight timeouts (about 5 s); the bound
// leaves a wide margin for a loaded machine while still telling the two apart.
const runBound = 45 * time.Second

// suiteBinaries compiles the ginkgo CLI and both suites once, outside any timing.
func suiteBinaries(t *testing.T) (root, ginkgo string, suites []string) {
	t.Helper()
	root, err := mutation.FindModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// One folder per suite: ginkgo keys a precompiled suite's report by its folder, and two
	// binaries in one folder would leave only the last suite in the JSON report.
	kp, vbs := filepath.Join(dir, "koophone", "koophone.test"), filepath.Join(dir, "vbs", "vbs.test")
	builds := [][]string{
		{"build", "-o", filepath.Join(dir, "ginkgo"), "github.com/onsi/ginkgo/v2/ginkgo"},
		{"test", "-c", "-o", kp, "./suites/koophone"},
		{"test", "-c", "-o", vbs, "./suites/vbs"},
	}
	for _, args := range builds {
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return root, filepath.Join(dir, "ginkgo"), []string{kp, vbs}
}

// writeTarget writes a target file pointing both APIs at baseURL, with the tests' short
// request timeout.
func writeTarget(t *testing.T, baseURL string) string {
	t.Helper()
	return hostileTarget(t, baseURL, baseURL, hostileTimeout.String())
}

// hostileTarget writes a target file with the two base URLs and the request timeout, ""
// for the default one.
func hostileTarget(t *testing.T, kooURL, vbsURL, timeout string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "target.yaml")
	if err := os.WriteFile(path, fixtures.ReadOnlyTarget(kooURL, vbsURL, timeout), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// suiteEnvironment is the test's environment minus what would change the suites' run:
// an inherited target or profile, and the make variables of an enclosing `make test`.
func suiteEnvironment(targetFile string) []string {
	var env []string
	for _, kv := range os.Environ() {
		switch name, _, _ := strings.Cut(kv, "="); name {
		case "CONFORMANCE_TARGET", "CONFORMANCE_PROFILE", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "REPORTS":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "CONFORMANCE_TARGET="+targetFile)
}

// answerFirst answers the first connection with a documented KooPhone error (so the
// KooPhone preflight passes) and hangs every later one: a target lost mid-run.
func answerFirst(n int, c net.Conn) {
	if n > 1 {
		return
	}
	_, _ = c.Read(make([]byte, 4096))
	body := (`{"error_code":"` + contract.Default().Constraints().KooPhone.Code(specfacts.CodeParameterIncorrect).Code + `","error_msg":"bad request"}`)
	_, _ = fmt.Fprintf(c, "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	hostile.CloseGently(c)
}

// runSuites runs both compiled suites as `make conformance` does (ginkgo -p, randomized,
// keep going) and returns the exit error, the output, the elapsed time and the report.
func runSuites(t *testing.T, ginkgo string, suites []string, targetFile string) (error, string, time.Duration, *report.Report) {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append([]string{"-p", "--procs=2", "--randomize-all", "--keep-going", "--no-color",
		"--json-report=" + filepath.Join(dir, "ginkgo.json")}, suites...)
	cmd := exec.CommandContext(ctx, ginkgo, args...)
	cmd.Dir = dir
	cmd.Env = suiteEnvironment(targetFile)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	g, lerr := runrecord.ReadFile(filepath.Join(dir, "ginkgo.json"))
	if lerr != nil {
		t.Fatalf("no ginkgo report: %v\n%s", lerr, out.String())
	}
	r, berr := report.Build(g, catalog.Default(), report.BuildOptions{})
	if berr != nil {
		t.Fatal(berr)
	}
	return err, out.String(), elapsed, r
}

// A dead, hung or non-HTTP target, or one lost mid-run, stops the conformance run fast with
// one clear line and not-evaluated requirements. The suites are compiled once for all cases.
func TestHostileTargets(t *testing.T) {
	_, ginkgo, suites := suiteBinaries(t)
	t.Run("unreachable", func(t *testing.T) { unreachableStopsTheRunFast(t, ginkgo, suites) })
	t.Run("lost-mid-run", func(t *testing.T) { lostMidRunStopsTheRun(t, ginkgo, suites) })
	t.Run("conformance-run", func(t *testing.T) { conformanceRunStopsBeforeTheSuites(t, filepath.Dir(suites[0])) })
	t.Run("handoff", func(t *testing.T) { suiteHonoursThePreflight(t, filepath.Dir(suites[0])) })
}

// Against a target that hangs, refuses connections or does not speak HTTP, both suites stop
// after their preflight: the run fails fast with one line per API naming the base URL and
// what happened, and every requirement is not-evaluated (target unreachable), none failed.
func unreachableStopsTheRunFast(t *testing.T, ginkgo string, suites []string) {
	cases := map[string]struct {
		url  func(t *testing.T) string
		line string
	}{
		"hang":    {func(t *testing.T) string { return hostile.Listen(t, hostile.Hang).URL }, "no answer from %s within 2s"},
		"refused": {func(t *testing.T) string { return hostile.RefusedURL(t) }, "no answer from %s (connection refused)"},
		"garbage": {func(t *testing.T) string { return hostile.Listen(t, hostile.Garbage).URL }, "no answer from %s (the answer is not HTTP: "},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			url := tc.url(t)
			err, out, elapsed, r := runSuites(t, ginkgo, suites, writeTarget(t, url))
			t.Logf("%s: exit %v after %s", name, err, elapsed.Round(time.Millisecond))
			if err == nil {
				t.Fatalf("exit status 0 against an unreachable target\n%s", out)
			}
			if elapsed > runBound {
				t.Errorf("the run took %s; an unreachable target must stop it within %s", elapsed, runBound)
			}
			line := fmt.Sprintf(tc.line, url)
			for _, api := range []string{"koophone", "vbs"} {
				if !strings.Contains(out, api+": "+line) {
					t.Errorf("output lacks %q\n%s", api+": "+line, out)
				}
			}
			if r.Totals.Fail != 0 || r.Totals.NotEvaluated != r.Totals.Requirements || r.Verdict != report.StatusFail {
				t.Errorf("totals %+v verdict %s; want every requirement not evaluated, none failed, verdict fail", r.Totals, r.Verdict)
			}
			for _, q := range r.Requirements {
				if !strings.HasPrefix(q.Reason, report.NotEvaluatedUnreachable+": "+line) {
					t.Errorf("%s: %s %q, want not-evaluated because the target was unreachable", q.ID, q.Status, q.Reason)
				}
			}
		})
	}
}

// A target that answers the preflight and then stops answering is abandoned after a few
// unanswered requests in a row, not after one timeout per spec: the specs that got no
// answer fail, the rest are not-evaluated (target unreachable), and nothing passes.
func lostMidRunStopsTheRun(t *testing.T, ginkgo string, suites []string) {
	url := hostile.Listen(t, answerFirst).URL
	err, out, elapsed, r := runSuites(t, ginkgo, suites[:1], writeTarget(t, url))
	t.Logf("exit %v after %s", err, elapsed.Round(time.Millisecond))
	if err == nil {
		t.Fatalf("exit status 0 against a target that stopped answering\n%s", out)
	}
	if elapsed > runBound {
		t.Errorf("the run took %s; a lost target must stop it within %s", elapsed, runBound)
	}
	want := fmt.Sprintf("koophone: no answer from %s within 2s, 3 requests in a row", url)
	if !strings.Contains(out, want) {
		t.Errorf("output lacks %q\n%s", want, out)
	}
	unreachable := 0
	for _, q := range r.Requirements {
		if q.API != "koophone" {
			continue
		}
		if q.Status == report.StatusPass {
			t.Errorf("%s passed against a target that answered nothing after the preflight", q.ID)
		}
		if q.Status == report.StatusNotEvaluated && strings.HasPrefix(q.Reason, report.NotEvaluatedUnreachable) {
			unreachable++
		}
	}
	if unreachable == 0 {
		t.Errorf("no koophone requirement is not-evaluated (target unreachable); verdict %q", r.VerdictReason)
	}
}
