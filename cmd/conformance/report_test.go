package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/specfacts"
)

const reportTestdata = "../../internal/report/testdata"

// report build exits 1 on a failing run, printing its causes with their fixes, and 0 on a
// passing one; report diff exits 1 on a regression and 0 otherwise; bad usage exits 2.
func TestReportExitCodes(t *testing.T) {
	t.Setenv("CONFORMANCE_TARGET", "")
	dir := t.TempDir()
	run := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := runReport(args, &out, &errOut)
		return code, out.String() + errOut.String()
	}
	failDir, fixedDir := filepath.Join(dir, "fail"), filepath.Join(dir, "fixed")
	if code, out := run("build", "--ginkgo", filepath.Join(reportTestdata, "run-fail", "ginkgo.json"), "--out", failDir); code != 1 || !strings.Contains(out, "FAIL") || !strings.Contains(out, "fix: ") {
		t.Fatalf("build of a failing run: exit %d\n%s", code, out)
	}
	if code, out := run("build", "--ginkgo", filepath.Join(reportTestdata, "run-fixed", "ginkgo.json"), "--out", fixedDir); code != 0 {
		t.Fatalf("build of a passing run: exit %d\n%s", code, out)
	}
	for _, f := range []string{"conformance.json", "conformance.html", "summary.md"} {
		if _, err := os.Stat(filepath.Join(failDir, f)); err != nil {
			t.Errorf("build did not write %s: %v", f, err)
		}
	}
	if code, out := run("diff", filepath.Join(fixedDir, "conformance.json"), filepath.Join(failDir, "conformance.json")); code != 1 || !strings.Contains(out, "regressions (1)") {
		t.Fatalf("diff with a regression: exit %d\n%s", code, out)
	}
	if code, out := run("diff", filepath.Join(failDir, "conformance.json"), filepath.Join(fixedDir, "conformance.json")); code != 0 || !strings.Contains(out, "fixes (1)") {
		t.Fatalf("diff with a fix: exit %d\n%s", code, out)
	}
	if code, out := run("render", filepath.Join(failDir, "conformance.json"), filepath.Join(fixedDir, "conformance.json"), "--out", filepath.Join(dir, "cmp")); code != 0 {
		t.Fatalf("render of two reports: exit %d\n%s", code, out)
	}
	waivers := filepath.Join(dir, "waivers.yaml")
	if err := os.WriteFile(waivers, []byte("waivers: [{requirement: nope, target: '*', reason: r, expires: 2030-01-01}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{}, {"frobnicate"}, {"diff", "only-one.json"}, {"render"},
		{"build", "--ginkgo", filepath.Join(dir, "missing.json"), "--out", dir},
		{"build", "--ginkgo", filepath.Join(reportTestdata, "run-fail", "ginkgo.json"), "--out", dir, "--waivers", waivers},
	} {
		if code, out := run(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, out)
		}
	}
}

// report build --require-conclusive exits 1 on a run that passes by default but leaves
// requirements open, and names them.
func TestReportRequireConclusive(t *testing.T) {
	t.Setenv("CONFORMANCE_TARGET", "")
	var out, errOut bytes.Buffer
	ginkgo := filepath.Join(reportTestdata, "run-fixed", "ginkgo.json")
	if code := runReport([]string{"build", "--ginkgo", ginkgo, "--out", t.TempDir(), "--require-conclusive"}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "--require-conclusive") || !strings.Contains(out.String(), ("inconclusive "+string(specfacts.ReqVBSEmptyResources)+":")) {
		t.Fatalf("output does not say why:\n%s", out.String())
	}
}
