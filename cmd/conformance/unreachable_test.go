package main

import (
	"context"
	"fmt"
	"github.com/koobackup/conformance/internal/run/launch"
	"net"
	"os"
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

// suiteBuild compiles the suites and the Ginkgo command line once (cached across the test
// packages of one run).
func suiteBuild(t *testing.T) *launch.Build {
	t.Helper()
	root, err := mutation.FindModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	b, err := launch.Compile(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	return b
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

// listening serves handle on loopback and returns its URL and its count of accepted
// connections.
func listening(handle hostile.Handler) func(t *testing.T) (string, func() int32) {
	return func(t *testing.T) (string, func() int32) {
		s := hostile.Listen(t, handle)
		return s.URL, s.Accepted.Load
	}
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

// runSuites runs the compiled suites as `make conformance` does (ginkgo -p, randomized,
// keep going), without the run's own preflight, and returns the launch, the output and the
// report.
func runSuites(t *testing.T, b *launch.Build, suites []launch.Suite, targetFile string) (*launch.Result, string, *report.Report) {
	t.Helper()
	// The default profile named, so that an inherited $CONFORMANCE_PROFILE cannot change the run.
	res, err := launch.Run(context.Background(), launch.Job{Suites: suites, TargetFile: targetFile, RandomizeAll: true,
		Procs: 2, Ginkgo: b.Ginkgo, Timeout: 5 * time.Minute, Out: t.TempDir(), Profile: runrecord.ProfileDefault})
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(res.Suites[0].Log)
	if err != nil {
		t.Fatal(err)
	}
	g, err := runrecord.ReadFile(res.GinkgoReport)
	if err != nil {
		t.Fatalf("no ginkgo report: %v\n%s", err, out)
	}
	r, err := report.Build(g, catalog.Default(), report.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res, string(out), r
}

// A dead, hung or non-HTTP target, or one lost mid-run, stops the conformance run fast with
// one clear line and not-evaluated requirements. The suites are compiled once for all cases,
// which run in parallel: each waits out its target's timeouts.
func TestHostileTargets(t *testing.T) {
	t.Parallel()
	b := suiteBuild(t)
	t.Run("unreachable", func(t *testing.T) { t.Parallel(); unreachableStopsTheRunFast(t, b) })
	t.Run("lost-mid-run", func(t *testing.T) { t.Parallel(); lostMidRunStopsTheRun(t, b) })
	t.Run("handoff", func(t *testing.T) { t.Parallel(); suiteHonoursThePreflight(t, filepath.Dir(b.Suites[0].Path)) })
}

// Against a target that hangs, refuses connections or does not speak HTTP, both suites stop
// after their own preflight (a direct ginkgo run has no handoff): one line per API naming the
// base URL and what happened, one connection per suite and no other, and every requirement
// not-evaluated (target unreachable), none failed. That the hung target's line says "within
// 2s" shows the probe ended on its timeout, and the connection count that no spec waited out
// another one.
func unreachableStopsTheRunFast(t *testing.T, b *launch.Build) {
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
			res, out, r := runSuites(t, b, b.Suites, writeTarget(t, url))
			if res.Suites[0].ExitCode == 0 {
				t.Fatalf("exit status 0 against an unreachable target\n%s", out)
			}
			if accepted != nil {
				if n := accepted(); n != 2 {
					t.Errorf("%d connections, want one preflight per suite and nothing after it", n)
				}
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
// answer fail their requirements (the API did answer, so that is a deviation), the rest are
// not-evaluated (target unreachable), and nothing passes.
func lostMidRunStopsTheRun(t *testing.T, b *launch.Build) {
	url := hostile.Listen(t, answerFirst).URL
	res, out, r := runSuites(t, b, b.Suites[:1], writeTarget(t, url))
	if res.Suites[0].ExitCode == 0 {
		t.Fatalf("exit status 0 against a target that stopped answering\n%s", out)
	}
	want := fmt.Sprintf("koophone: no answer from %s within 2s, 3 requests in a row", url)
	if !strings.Contains(out, want) {
		t.Errorf("output lacks %q\n%s", want, out)
	}
	unreachable, failed := 0, 0
	for _, q := range r.Requirements {
		if q.API != "koophone" {
			continue
		}
		if q.Status == report.StatusFail {
			failed++
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
	if failed == 0 {
		t.Errorf("no koophone requirement failed, though the target answered the preflight and then left requests unanswered; verdict %q", r.VerdictReason)
	}
}
