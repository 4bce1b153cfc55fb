package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/specfacts"
)

// detectionFixture is a prove result with one deviation not distinguishable and one that
// would pass unnoticed.
func detectionFixture(digest string) *DetectionPower {
	return &DetectionPower{
		RunDigest: digest, AllowMutating: false, Profile: "default", Unobserved: "worst", APIs: []string{string(specfacts.KooPhone)},
		Readings:       []DetectionReading{{Entry: string(specfacts.AmbKooPhoneUnknownInstanceCode), Reading: "a-non-strict-reading"}},
		Configurations: []string{"as-observed"}, Caught: 1, Total: 3, Valid: true, Problems: []string{},
		Summary: "On an implementation that reads the documents as this target does, this run would catch 1 of 3 planted deviations; not distinguishable: f-hidden.",
		NotDistinguishable: []UndetectedFault{{Fault: "f-hidden", API: string(specfacts.KooPhone), Outcome: "inconclusive", Configuration: "as-observed",
			Requirements: []DetectionRequirement{{ID: string(specfacts.ReqKooPhoneInstanceIDMaxLength), Status: StatusInconclusive, Reason: "answered alike <without> the fault"}}}},
		Survivors: []UndetectedFault{{Fault: "f-unnoticed", API: string(specfacts.KooPhone), Outcome: "survived", Configuration: "as-observed",
			Requirements: []DetectionRequirement{{ID: string(specfacts.ReqKooPhoneAuthTokenRequired), Status: StatusPass}}}},
	}
}

// The detection-power section appears in conformance.json (valid against the schema),
// summary.md and conformance.html, naming every deviation the run could not tell and why;
// it leaves the verdict alone.
func TestDetectionPowerSection(t *testing.T) {
	plain := build(t, loadRun(t, "run-fixed"))
	d := detectionFixture(RunDigest([]byte("run")))
	r := buildWith(t, loadRun(t, "run-fixed"), BuildOptions{Now: testNow, DetectionPower: d})
	if r.Verdict != plain.Verdict || r.VerdictReason != plain.VerdictReason {
		t.Errorf("the section changed the verdict: %s %q, without it %s %q", r.Verdict, r.VerdictReason, plain.Verdict, plain.VerdictReason)
	}
	dir, err := writeValidated(t, r)
	if err != nil {
		t.Errorf("conformance.json with detection_power does not validate: %v", err)
	}
	back, err := Load(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if back.DetectionPower == nil || back.DetectionPower.Caught != 1 || back.DetectionPower.Total != 3 || len(back.DetectionPower.Survivors) != 1 {
		t.Errorf("detection_power read back as %+v", back.DetectionPower)
	}
	md, _ := os.ReadFile(filepath.Join(dir, MarkdownFile))
	for _, want := range []string{"### Detection power", "would catch 1 of 3 planted deviations",
		"Not distinguishable (1):", "- `f-hidden` (inconclusive on as-observed): `" + string(specfacts.ReqKooPhoneInstanceIDMaxLength) + "` inconclusive — answered alike &lt;without&gt; the fault",
		"Would pass unnoticed — a requirement they violate is reported as pass (1):", "- `f-unnoticed` (survived on as-observed): `" + string(specfacts.ReqKooPhoneAuthTokenRequired) + "` pass"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	html, _ := os.ReadFile(filepath.Join(dir, HTMLFile))
	for _, want := range []string{`id="detection-power"`, `data-caught="1" data-total="3"`, `data-fault="f-hidden"`, `data-fault="f-unnoticed"`, "answered alike &lt;without&gt; the fault"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("conformance.html lacks %q", want)
		}
	}
	var without bytes.Buffer
	if err := RenderMarkdown(&without, plain); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(without.String(), "Detection power") {
		t.Error("a report built without a prove result has a detection-power section")
	}
}

// A prove result is read back only for the run it was computed from; another run's, or a
// file that is not a prove result, is a clear error.
func TestLoadDetectionPower(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, DetectionPowerFile)
	digest := RunDigest([]byte("this run"))
	if err := WriteDetectionPower(path, detectionFixture(digest)); err != nil {
		t.Fatal(err)
	}
	d, err := LoadDetectionPower(path, digest)
	if err != nil || d.Caught != 1 || d.NotDistinguishable[0].Fault != "f-hidden" {
		t.Fatalf("load: %+v, %v", d, err)
	}
	if _, err := LoadDetectionPower(path, RunDigest([]byte("another run"))); !errors.Is(err, ErrOtherRun) {
		t.Errorf("another run's digest: err = %v, want ErrOtherRun", err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"caught": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDetectionPower(bad, digest); err == nil || !strings.Contains(err.Error(), "not a prove result") {
		t.Errorf("a file without run_digest: err = %v", err)
	}
	if _, err := LoadDetectionPower(filepath.Join(dir, "missing.json"), digest); err == nil {
		t.Error("a missing file loaded")
	}
	if RunDigest([]byte("a")) == RunDigest([]byte("b")) || !strings.HasPrefix(RunDigest(nil), "sha256:") {
		t.Error("RunDigest does not tell runs apart")
	}
}
