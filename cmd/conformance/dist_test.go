package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/ledger"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
)

// The distribution is tested as users get it: built by `make dist` into a temporary
// directory, copied elsewhere, and run with no Go toolchain on PATH, no GOROOT, GOPATH or
// HOME, from a directory outside the source tree, against mocks started by the dist binary
// itself.

var (
	distOnce sync.Once
	distDir  string
	distErr  string
)

// builtDist runs `make dist` once per test binary and returns a copy of dist/ in a directory
// of its own, away from the module.
func builtDist(t *testing.T) string {
	t.Helper()
	distOnce.Do(func() {
		root, err := filepath.Abs("../..")
		if err != nil {
			distErr = err.Error()
			return
		}
		tmp, err := os.MkdirTemp("", "conformance-dist-")
		if err != nil {
			distErr = err.Error()
			return
		}
		goBin, err := exec.LookPath("go")
		if err != nil {
			goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		built := filepath.Join(tmp, "built")
		cmd := exec.Command("make", "--no-print-directory", "dist", "DIST="+built, "GO="+goBin)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			distErr = "make dist: " + err.Error() + "\n" + string(out)
			return
		}
		// The copy is what a user unpacks: nothing but dist/'s files, elsewhere.
		distDir = filepath.Join(tmp, "copy", "dist")
		if err := os.MkdirAll(filepath.Dir(distDir), 0o755); err != nil {
			distErr = err.Error()
			return
		}
		if out, err := exec.Command("cp", "-R", built, distDir).CombinedOutput(); err != nil {
			distErr = "copy dist: " + err.Error() + "\n" + string(out)
			return
		}
	})
	if distErr != "" {
		t.Fatal(distErr)
	}
	return distDir
}

// TestMain removes the dist shared by the tests of this binary. Run with testRoleEnv set,
// the binary plays a role in a test instead (mock_lifecycle_test.go).
func TestMain(m *testing.M) {
	if role := os.Getenv(testRoleEnv); role != "" {
		os.Exit(playRole(role, os.Args[1:]))
	}
	// Runs record the ids they consume in a ledger; the tests' ledgers stay out of the
	// developer's state directory.
	ledgers, err := os.MkdirTemp("", "ledgers-")
	if err == nil {
		os.Setenv(ledger.EnvVar, ledgers)
	}
	code := m.Run()
	if ledgers != "" {
		_ = os.RemoveAll(ledgers)
	}
	if distDir != "" {
		_ = os.RemoveAll(filepath.Dir(filepath.Dir(distDir)))
	}
	os.Exit(code)
}

// toolchainFreeEnv is an environment in which no Go toolchain can be found: PATH holds only
// an empty directory, and the variables that locate Go or a module cache are unset.
func toolchainFreeEnv(t *testing.T) []string {
	t.Helper()
	return []string{"PATH=" + t.TempDir(), "TMPDIR=" + os.TempDir()}
}

// distRun runs the dist's conformance binary in dir with a toolchain-free environment and
// returns its exit status and combined output.
func distRun(t *testing.T, dist, dir string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dist, "conformance"), args...)
	cmd.Dir = dir
	cmd.Env = toolchainFreeEnv(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		}
		t.Fatalf("run %v: %v\n%s", args, err, out)
	}
	return 0, string(out)
}

// startDistMock starts `conformance mock` from the dist (with extra flags, e.g. a planted
// fault) and returns the target file it wrote; the mock is stopped when the test ends.
func startDistMock(t *testing.T, dist, targetFile string, flags ...string) *target.Target {
	t.Helper()
	args := append([]string{"mock", "--listen", "127.0.0.1:0", "--write-target", targetFile}, flags...)
	cmd := exec.Command(filepath.Join(dist, "conformance"), args...)
	cmd.Dir = t.TempDir()
	cmd.Env = toolchainFreeEnv(t)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		_ = cmd.Wait()
	})
	// The mock logs "listening" after it has written the target file.
	sc := bufio.NewScanner(stderr)
	var seen strings.Builder
	for sc.Scan() {
		seen.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "listening") {
			go func() { // keep draining so the mock never blocks on a full pipe
				for sc.Scan() {
				}
			}()
			tgt, err := target.Load(targetFile)
			if err != nil {
				t.Fatal(err)
			}
			return tgt
		}
	}
	t.Fatalf("dist mock did not start:\n%s", seen.String())
	return nil
}

// assertNoSecrets fails when any file under dir (a run's output) holds one of the tokens.
func assertNoSecrets(t *testing.T, dir string, tokens []string) {
	t.Helper()
	if len(tokens) == 0 {
		t.Fatal("the target has no tokens: the check would prove nothing")
	}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, tok := range tokens {
			if bytes.Contains(raw, []byte(tok)) {
				t.Errorf("%s holds a token of the target", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

var fourReports = []string{"junit.xml", report.JSONFile, report.HTMLFile, report.MarkdownFile}

// A copy of dist/ with no Go toolchain runs the full suites against a mock started by the
// dist binary itself and writes the four reports, with a passing verdict and no token in
// anything it wrote.
func TestDistRunsWithoutToolchain(t *testing.T) {
	t.Parallel()
	dist := builtDist(t)
	for _, f := range []string{"conformance", "suites/koophone.test", "suites/vbs.test", "README.md"} {
		if _, err := os.Stat(filepath.Join(dist, f)); err != nil {
			t.Fatalf("dist lacks %s: %v", f, err)
		}
	}
	work := t.TempDir()
	targetFile := filepath.Join(work, "mock.yaml")
	tgt := startDistMock(t, dist, targetFile)

	code, out := distRun(t, dist, work, "run", "--target", targetFile, "--out", "reports")
	if code != 0 {
		t.Fatalf("run against the pristine mock: exit %d, want 0\n%s", code, out)
	}
	dir := filepath.Join(work, "reports")
	for _, f := range fourReports {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("report %s missing or empty: %v", f, err)
		}
	}
	r, err := report.Load(filepath.Join(dir, report.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != report.StatusPass || r.Totals.Evaluated != r.Totals.Requirements || len(r.Run.Suites) != 2 {
		t.Errorf("full run: verdict %s, %d/%d evaluated, %d suites; want pass, all evaluated, 2 suites",
			r.Verdict, r.Totals.Evaluated, r.Totals.Requirements, len(r.Run.Suites))
	}
	junit, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(junit, []byte("<testsuite ")) != 2 {
		t.Errorf("junit.xml does not hold both suites:\n%.400s", junit)
	}
	assertNoSecrets(t, filepath.Join(work, "reports"), tgt.Tokens())
}

// Without a target the dist runs against the built-in mock; a label filter narrows the run,
// and what it left out is reported not evaluated, never passed.
func TestDistRunBuiltInMockWithLabelFilter(t *testing.T) {
	t.Parallel()
	dist := builtDist(t)
	work := t.TempDir()
	code, out := distRun(t, dist, work, "run", "--label-filter", "kind:limit", "--out", "limits")
	if code != 0 {
		t.Fatalf("run with a label filter against the built-in mock: exit %d\n%s", code, out)
	}
	r, err := report.Load(filepath.Join(work, "limits", report.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if r.Totals.Evaluated == 0 || r.Totals.NotEvaluated == 0 {
		t.Errorf("label-filtered run: %d evaluated, %d not evaluated; want some of each", r.Totals.Evaluated, r.Totals.NotEvaluated)
	}
	run, err := runrecord.ReadFile(filepath.Join(work, "limits", "ginkgo.json"))
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, s := range run.Suites {
		for _, sp := range s.Specs {
			if sp.Node.String() != "It" || sp.State.String() == "skipped" {
				continue
			}
			ran++
			if !slices.Contains(sp.Labels, runrecord.KindLabelPrefix+"limit") {
				t.Errorf("spec %q (labels %v) ran although the filter selected only kind:limit", sp.Text, sp.Labels)
			}
		}
	}
	if ran == 0 {
		t.Error("the label-filtered run ran no spec")
	}
}

// --targets runs three targets, one of them deviating, writes three reports and one
// comparison, and exits 1 because one target does not conform.
func TestDistRunManyTargets(t *testing.T) {
	t.Parallel()
	dist := builtDist(t)
	work := t.TempDir()
	targets := filepath.Join(work, "targets")
	if err := os.Mkdir(targets, 0o700); err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for _, m := range []struct{ name, fault string }{{"eu", ""}, {"us", ""}, {"ap", "koophone-accepts-101-ids"}} {
		var flags []string
		if m.fault != "" {
			flags = []string{"--fault", m.fault}
		}
		tgt := startDistMock(t, dist, filepath.Join(targets, m.name+".yaml"), flags...)
		tokens = append(tokens, tgt.Tokens()...)
	}
	if err := os.WriteFile(filepath.Join(targets, "notes.txt"), []byte("not a target"), 0o600); err != nil {
		t.Fatal(err)
	}

	code, out := distRun(t, dist, work, "run", "--targets", targets, "--parallel", "2", "--out", "all")
	if code != 1 {
		t.Fatalf("three targets, one deviating: exit %d, want 1\n%s", code, out)
	}
	all := filepath.Join(work, "all")
	verdicts := map[string]string{}
	for _, name := range []string{"ap", "eu", "us"} {
		for _, f := range fourReports {
			if _, err := os.Stat(filepath.Join(all, name, f)); err != nil {
				t.Errorf("target %s: %s missing: %v", name, f, err)
			}
		}
		r, err := report.Load(filepath.Join(all, name, report.JSONFile))
		if err != nil {
			t.Fatal(err)
		}
		verdicts[name] = r.Verdict
	}
	if verdicts["eu"] != report.StatusPass || verdicts["us"] != report.StatusPass || verdicts["ap"] != report.StatusFail {
		t.Errorf("verdicts %v, want eu and us pass, ap fail", verdicts)
	}
	entries, err := os.ReadDir(all)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 5 { // ap/ eu/ us/ conformance.html summary.md
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("top-level output %v, want the three target directories and one comparison", names)
	}
	summary, err := os.ReadFile(filepath.Join(all, report.MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Conformance comparison", "reference-mock (ap)", "reference-mock (eu)", "reference-mock (us)", string(specfacts.ReqKooPhoneInstanceIDsMaxItems)} {
		if !bytes.Contains(summary, []byte(want)) {
			t.Errorf("comparison summary lacks %q:\n%s", want, summary)
		}
	}
	if _, err := os.Stat(filepath.Join(all, report.HTMLFile)); err != nil {
		t.Errorf("comparison HTML missing: %v", err)
	}
	assertNoSecrets(t, all, tokens)
}

// A malformed target file fails that target alone with a clear message; the other target
// still runs and is compared, and the run exits 2.
func TestDistRunManyTargetsMalformedOne(t *testing.T) {
	t.Parallel()
	dist := builtDist(t)
	work := t.TempDir()
	targets := filepath.Join(work, "targets")
	if err := os.Mkdir(targets, 0o700); err != nil {
		t.Fatal(err)
	}
	startDistMock(t, dist, filepath.Join(targets, "good.yaml"))
	if err := os.WriteFile(filepath.Join(targets, "bad.yaml"), []byte("koophone:\n  base_url: ftp://x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out := distRun(t, dist, work, "run", "--targets", targets, "--label-filter", "kind:limit", "--out", "all")
	if code != 2 {
		t.Fatalf("one malformed target: exit %d, want 2\n%s", code, out)
	}
	if !strings.Contains(out, "[bad]") || !strings.Contains(out, "base_url") {
		t.Errorf("output does not name the malformed target and key:\n%s", out)
	}
	if _, err := report.Load(filepath.Join(work, "all", "good", report.JSONFile)); err != nil {
		t.Errorf("the good target was not reported: %v", err)
	}
	if _, err := os.Stat(filepath.Join(work, "all", report.MarkdownFile)); err != nil {
		t.Errorf("no comparison written: %v", err)
	}
}

// Usage and configuration errors exit 2 before any suite runs.
func TestRunUsageErrors(t *testing.T) {
	t.Parallel()
	dist := builtDist(t)
	work := t.TempDir()
	empty := t.TempDir()
	bad := filepath.Join(work, "bad.yaml")
	if err := os.WriteFile(bad, []byte("vbs: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--target", bad, "--targets", work}, "exclude each other"},
		{[]string{"run", "--profile", "lax"}, "not a profile"},
		{[]string{"run", "--label-filter", "kind:limit &&"}, "--label-filter"},
		{[]string{"run", "--suites", empty}, "no compiled suites"},
		{[]string{"run", "--parallel", "0", "--targets", work}, "--parallel"},
		{[]string{"run", "--target", bad}, "target file"},
		{[]string{"run", "--targets", empty}, "no target file"},
		{[]string{"run", "stray"}, "unexpected argument"},
	} {
		code, out := distRun(t, dist, work, tc.args...)
		if code != 2 || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, want 2 and %q in:\n%s", tc.args, code, tc.want, out)
		}
	}
}

// The verdict comes from the report, but a suite that exits non-zero although its report
// passed (a crash after its last spec) fails the run; with --done-file the Sonobuoy hand-off
// is written either way.
func TestRunSuiteExitOverridesPassingReport(t *testing.T) {
	t.Setenv("CONFORMANCE_TARGET", "")
	passing, err := filepath.Abs(filepath.Join(reportTestdata, "run-fixed", "ginkgo.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		exit string
		want int
	}{{"0", 0}, {"1", 1}} {
		suites, work := t.TempDir(), t.TempDir()
		script := "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in --ginkgo.json-report=*) j=\"${a#*=}\" ;; --ginkgo.junit-report=*) x=\"${a#*=}\" ;; esac; done\n" +
			"cat '" + passing + "' > \"$j\"\nprintf '<testsuites></testsuites>' > \"$x\"\nexit " + tc.exit + "\n"
		if err := os.WriteFile(filepath.Join(suites, "all.test"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		done := filepath.Join(work, "done")
		code := runRun(context.Background(), []string{"--suites", suites, "--out", filepath.Join(work, "out"), "--done-file", done}, &stdout, &stderr)
		if code != tc.want {
			t.Errorf("suite exit %s with a passing report: run exit %d, want %d\n%s%s", tc.exit, code, tc.want, stdout.String(), stderr.String())
		}
		if _, err := os.Stat(done); err != nil {
			t.Errorf("suite exit %s: no done file: %v", tc.exit, err)
		}
	}
}
