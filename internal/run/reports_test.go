package run

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/koobackup/conformance/fixtures"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/target"
)

// The reports of a failing run are written and its terminal output leads with the verdict
// line and then the causes, numbered, each with its fix: what `conformance run` and
// `conformance report build` both print, since both end in BuildReports.
func TestBuildReportsPrintsVerdictThenCauses(t *testing.T) {
	rec, err := runrecord.ReadFile(filepath.Join("..", "report", "testdata", "run-fail", "ginkgo.json"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := fixtures.DefaultWorld()
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := target.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var stdout bytes.Buffer
	code, err := BuildReports(rec, out, ReportOptions{Target: tgt, Source: "the default world"}, &stdout)
	if code != 1 || err != nil {
		t.Fatalf("exit %d, error %v, want 1 for a failing run\n%s", code, err, stdout.String())
	}
	r, err := report.Load(filepath.Join(out, report.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Causes) == 0 {
		t.Fatal("the failing run's report has no cause, so the fixture cannot show them printed")
	}
	lines := strings.Split(stdout.String(), "\n")
	if !strings.HasPrefix(lines[0], "conformance: FAIL") || !strings.Contains(lines[0], "from the default world") {
		t.Errorf("first line %q, want the verdict line naming the target's source", lines[0])
	}
	if len(lines) < 2 || !regexp.MustCompile(`^\d+ causes? \(`).MatchString(lines[1]) {
		t.Errorf("second line %q, want the causes heading\n%s", lines[1], stdout.String())
	}
	for _, c := range r.Causes {
		if !strings.Contains(stdout.String(), c.Fix) {
			t.Errorf("cause #%d's fix %q is not printed\n%s", c.ID, c.Fix, stdout.String())
		}
	}
}
