package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
)

// proxyRun is one `conformance proxy` in the background.
type proxyRun struct {
	addr   string
	cancel context.CancelFunc
	done   chan int
	stdout *bytes.Buffer
	stderr *bytes.Buffer
}

func startProxyCommand(t *testing.T, args ...string) *proxyRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr := &proxyRun{cancel: cancel, done: make(chan int, 1), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	ready := make(chan string, 1)
	go func() { pr.done <- runProxy(ctx, args, pr.stdout, pr.stderr, func(a string) { ready <- a }) }()
	select {
	case pr.addr = <-ready:
	case code := <-pr.done:
		t.Fatalf("proxy exited %d before listening: %s", code, pr.stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("proxy did not start")
	}
	t.Cleanup(cancel)
	return pr
}

func (pr *proxyRun) stop(t *testing.T) int {
	t.Helper()
	pr.cancel()
	select {
	case code := <-pr.done:
		return code
	case <-time.After(15 * time.Second):
		t.Fatal("proxy did not stop")
		return -1
	}
}

func startMockTarget(t *testing.T) *target.Target {
	t.Helper()
	srv, err := mock.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv.Target()
}

func backup(t *testing.T, base string, tg *target.Target, body string, withRequestID bool) int {
	t.Helper()
	k := contract.Default().Constraints().KooPhone
	req, _ := http.NewRequest(http.MethodPost, base+k.Path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(k.TokenHeader, tg.KooPhone.AuthToken)
	if withRequestID {
		req.Header.Set(k.RequestIDHeader, "req-cmd-1")
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func loadReport(t *testing.T, dir string) *report.Report {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, report.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var r report.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{report.HTMLFile, report.MarkdownFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("report file missing: %v", err)
		}
	}
	return &r
}

func failedRequirements(r *report.Report) []string {
	var out []string
	for _, req := range r.Requirements {
		if req.Status == report.StatusFail {
			out = append(out, req.ID)
		}
	}
	return out
}

// A violating client makes the proxy exit 1 with a report naming the requirement; the recording checks offline to the same verdict.
func TestProxyAndCheckCommandsFailOnViolations(t *testing.T) {
	tg := startMockTarget(t)
	dir := t.TempDir()
	rec := filepath.Join(dir, "traffic.ndjson")
	pr := startProxyCommand(t, "--listen", "127.0.0.1:0", "--upstream", tg.KooPhone.BaseURL, "--record", rec, "--report-dir", filepath.Join(dir, "proxy"))
	seed := string(contract.Default().Constraints().KooPhone.SeedExample)
	if code := backup(t, "http://"+pr.addr, tg, seed, true); code != http.StatusBadRequest {
		t.Fatalf("mock answered %d", code)
	}
	if code := pr.stop(t); code != 1 {
		t.Fatalf("proxy exit %d, want 1; stdout %s stderr %s", code, pr.stdout, pr.stderr)
	}
	live := failedRequirements(loadReport(t, filepath.Join(dir, "proxy")))
	if !slices.Equal(live, []string{string(specfacts.ReqKooPhoneInstanceIDsRequired)}) {
		t.Fatalf("proxy failed %v", live)
	}
	raw, _ := os.ReadFile(rec)
	for _, secret := range []string{tg.KooPhone.AuthToken} {
		if bytes.Contains(raw, []byte(secret)) || strings.Contains(pr.stderr.String(), secret) {
			t.Fatal("token in the recording or the log")
		}
	}
	var out, errOut bytes.Buffer
	if code := runCheck([]string{rec, "--report-dir", filepath.Join(dir, "check")}, &out, &errOut); code != 1 {
		t.Fatalf("check exit %d: %s %s", code, out.String(), errOut.String())
	}
	if offline := failedRequirements(loadReport(t, filepath.Join(dir, "check"))); fmt.Sprint(offline) != fmt.Sprint(live) {
		t.Fatalf("check failed %v, proxy %v", offline, live)
	}
	if !strings.Contains(out.String(), string(specfacts.ReqKooPhoneInstanceIDsRequired)) {
		t.Fatalf("check output does not name the requirement: %s", out.String())
	}
}

// Clean traffic exits 0 from the proxy, and its HAR recording checks clean offline.
func TestProxyAndCheckCommandsPassCleanTraffic(t *testing.T) {
	tg := startMockTarget(t)
	dir := t.TempDir()
	rec := filepath.Join(dir, "traffic.har")
	pr := startProxyCommand(t, "--listen", "127.0.0.1:0", "--upstream", tg.KooPhone.BaseURL, "--record", rec, "--report-dir", dir)
	if code := backup(t, "http://"+pr.addr, tg, fmt.Sprintf(`{"instance_ids":[%q]}`, tg.KooPhone.OwnedInstanceIDs[0]), true); code != http.StatusOK {
		t.Fatalf("mock answered %d", code)
	}
	if code := pr.stop(t); code != 0 {
		t.Fatalf("proxy exit %d: %s %s", code, pr.stdout, pr.stderr)
	}
	if r := loadReport(t, dir); r.Verdict != report.StatusPass {
		t.Fatalf("verdict %s: %s", r.Verdict, r.VerdictReason)
	}
	var out, errOut bytes.Buffer
	if code := runCheck([]string{"--report-dir", filepath.Join(dir, "check"), rec}, &out, &errOut); code != 0 {
		t.Fatalf("check exit %d: %s %s", code, out.String(), errOut.String())
	}
}

// Usage errors of both commands exit 2 and name the problem.
func TestProxyAndCheckUsageErrors(t *testing.T) {
	garbage := filepath.Join(t.TempDir(), "garbage.har")
	if err := os.WriteFile(garbage, []byte("not a recording\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	proxyCases := map[string]struct {
		args []string
		want string
	}{
		"no upstream":  {[]string{}, "--upstream: is required"},
		"bad scheme":   {[]string{"--upstream", "ftp://x"}, `scheme "ftp"`},
		"stray arg":    {[]string{"--upstream", "http://x", "extra"}, `unexpected argument "extra"`},
		"bad listen":   {[]string{"--upstream", "http://x", "--listen", "256.0.0.1:x"}, "--listen"},
		"bad timeout":  {[]string{"--upstream", "http://x", "--timeout", "0s"}, "must be positive"},
		"unknown flag": {[]string{"--nope"}, "flag provided but not defined"},
	}
	for name, c := range proxyCases {
		var stdout, stderr bytes.Buffer
		if code := runProxy(context.Background(), c.args, &stdout, &stderr, nil); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("proxy %s: exit %d, stderr %q", name, code, stderr.String())
		}
	}
	checkCases := map[string]struct {
		args []string
		want string
	}{
		"no file":      {[]string{}, "usage"},
		"missing file": {[]string{"/nonexistent/rec.ndjson"}, "no such file"},
		"garbage":      {[]string{garbage}, "line 1"},
		"two files":    {[]string{garbage, garbage}, "usage"},
	}
	for name, c := range checkCases {
		var stdout, stderr bytes.Buffer
		if code := runCheck(c.args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("check %s: exit %d, stderr %q", name, code, stderr.String())
		}
	}
}

// proxy and check write conformance.json, conformance.html and summary.md like a conformance
// run; by default they use a folder of their own, and they refuse one holding another run's
// reports instead of mixing two runs in it.
func TestReportDirOfItsOwn(t *testing.T) {
	rec := filepath.Join(t.TempDir(), "empty.har")
	if err := os.WriteFile(rec, []byte(`{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	run := t.TempDir()
	for _, name := range []string{"ginkgo.json", report.JSONFile} {
		if err := os.WriteFile(filepath.Join(run, name), []byte(`{"kind":""}`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var out, errOut bytes.Buffer
	if code := runCheck([]string{rec, "--report-dir", run}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "holds a conformance run") {
		t.Fatalf("check into a conformance run's folder: exit %d, stderr %q", code, errOut.String())
	}
	if raw, _ := os.ReadFile(filepath.Join(run, report.JSONFile)); string(raw) != `{"kind":""}` {
		t.Fatalf("the conformance run's report was overwritten: %s", raw)
	}
	errOut.Reset()
	if code := runProxy(context.Background(), []string{"--upstream", "http://127.0.0.1:1", "--report-dir", run}, &out, &errOut, nil); code != 2 || !strings.Contains(errOut.String(), filepath.Join(run, "proxy")) {
		t.Fatalf("proxy into a conformance run's folder: exit %d, stderr %q", code, errOut.String())
	}
	// A check report may be refreshed in place.
	own := filepath.Join(t.TempDir(), "check")
	for i := range 2 {
		// An empty recording evaluates nothing (exit 1); what matters is that it is written.
		if code := runCheck([]string{rec, "--report-dir", own}, &out, &errOut); code == 2 {
			t.Fatalf("check run %d into its own folder: exit %d, stderr %q", i+1, code, errOut.String())
		}
		if _, err := os.Stat(filepath.Join(own, report.JSONFile)); err != nil {
			t.Fatalf("check run %d wrote no report: %v", i+1, err)
		}
	}
	// The defaults are folders of their own under reports/.
	for cmd, want := range map[string]string{"check": filepath.Join("reports", "check"), "proxy": filepath.Join("reports", "proxy")} {
		code, stdout, _ := runAsMain(t, cmd, "--help")
		if code != 0 || !strings.Contains(stdout, `(default "`+want+`")`) {
			t.Errorf("%s --help does not give %s as the default report folder:\n%s", cmd, want, stdout)
		}
	}
}
