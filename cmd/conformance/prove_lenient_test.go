//go:build !race

package main

// The test of this file records a whole run and proves it on three plants, each a run
// against a mock served from this test process: the race detector would make it several
// times as slow and see nothing new in it, since the runs go through the mutation runner,
// which internal/mutation's parallel_test.go watches under the detector.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/mutation"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/specfacts"
)

// On a finished run against the lenient mock behind a read-only target file, prove plants
// three faults on the mock read the way that run observed (unobserved entries at their
// worst): it catches the one a read-only run still sees (every answer labelled
// text/plain), and names the two it cannot tell — a duplicate job id, which only mutating
// specs can see, and a 33-character id accepted, whose refusal the observed
// unknown-instance reading imitates — with the requirement each violates and its status.
// report build --prove then carries that sentence into summary.md, conformance.json and
// conformance.html, and refuses the result for another run.
func TestProveOnALenientReadOnlyRun(t *testing.T) {
	t.Setenv("CONFORMANCE_TARGET", "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	raw, err := mutation.RecordRun(ctx, mutation.Options{}, mutation.LenientReadOnlyConfiguration)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ginkgo := filepath.Join(dir, "ginkgo.json")
	if err := os.WriteFile(ginkgo, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := proveCmd(ctx, []string{"--ginkgo", ginkgo, "--out", dir,
		"--fault", mock.FaultKooPhoneWrongContentType, "--fault", mock.FaultKooPhoneDuplicateJobIDs, "--fault", mock.FaultKooPhoneIDLength33Accepted}, &out, &errOut)
	if code != 0 {
		t.Fatalf("prove: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	wantSummary := []string{
		"On an implementation that reads the documents as this target does (read-only;",
		"this run would catch 1 of 3 planted deviations",
		"not distinguishable: " + mock.FaultKooPhoneDuplicateJobIDs + " (" + string(specfacts.ReqKooPhoneJobIDsDistinct) + " not-evaluated); " +
			mock.FaultKooPhoneIDLength33Accepted + " (" + string(specfacts.ReqKooPhoneInstanceIDMaxLength) + " partially-evaluated)",
	}
	for _, want := range wantSummary {
		if !strings.Contains(out.String(), want) {
			t.Errorf("prove output lacks %q:\n%s", want, out.String())
		}
	}
	var rep, repErr bytes.Buffer
	if code := runReport([]string{"build", "--ginkgo", ginkgo, "--out", dir, "--prove", filepath.Join(dir, report.DetectionPowerFile)}, &rep, &repErr); code != 0 {
		t.Fatalf("report build --prove: exit %d\n%s%s", code, rep.String(), repErr.String())
	}
	md, err := os.ReadFile(filepath.Join(dir, report.MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range append(wantSummary, "### Detection power", "Not distinguishable (2):",
		"- `"+mock.FaultKooPhoneIDLength33Accepted+"` (inconclusive on ") {
		if !strings.Contains(string(md), want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	var built struct {
		DetectionPower *report.DetectionPower `json:"detection_power"`
	}
	js, err := os.ReadFile(filepath.Join(dir, report.JSONFile))
	if err == nil {
		err = json.Unmarshal(js, &built)
	}
	if err != nil {
		t.Fatal(err)
	}
	if d := built.DetectionPower; d == nil || d.Caught != 1 || d.Total != 3 || d.AllowMutating || len(d.NotDistinguishable) != 2 || len(d.Survivors) != 0 || !d.Valid {
		t.Errorf("conformance.json detection_power: %+v", built.DetectionPower)
	}
	html, _ := os.ReadFile(filepath.Join(dir, report.HTMLFile))
	if !strings.Contains(string(html), `data-caught="1" data-total="3"`) {
		t.Error("conformance.html lacks the detection-power section")
	}
	// Another run (here: the same bytes and one more newline) must not get this result.
	if err := os.WriteFile(ginkgo, append(raw, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	rep.Reset()
	repErr.Reset()
	if code := runReport([]string{"build", "--ginkgo", ginkgo, "--out", dir, "--prove", filepath.Join(dir, report.DetectionPowerFile)}, &rep, &repErr); code != 2 ||
		!strings.Contains(repErr.String(), "another run") {
		t.Errorf("report build with another run's prove result: exit %d\n%s", code, repErr.String())
	}
}
