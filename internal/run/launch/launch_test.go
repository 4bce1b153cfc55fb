package launch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/preflight"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/target"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

func write(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// Find lists only executable regular files ending in .test, sorted, and says how to get them
// when there are none.
func TestFindListsExecutableSuites(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "vbs.test"), "#!/bin/sh\n", 0o755)
	write(t, filepath.Join(dir, "koophone.test"), "#!/bin/sh\n", 0o755)
	write(t, filepath.Join(dir, "notes.test"), "not executable", 0o644)
	write(t, filepath.Join(dir, "readme.txt"), "", 0o755)
	if err := os.Mkdir(filepath.Join(dir, "dir.test"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := Find(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range got {
		names = append(names, s.Name)
		if !filepath.IsAbs(s.Path) {
			t.Errorf("suite %s: path %q is not absolute", s.Name, s.Path)
		}
	}
	if !slices.Equal(names, []string{"koophone", "vbs"}) {
		t.Errorf("suites %v, want [koophone vbs]", names)
	}
	_, err = Find(t.TempDir())
	var none *NoSuitesError
	if !errors.As(err, &none) || !strings.Contains(err.Error(), "make dist") {
		t.Errorf("empty directory: %v, want a NoSuitesError naming make dist", err)
	}
}

// fakeSuite is a shell script standing in for a compiled suite: it writes a Ginkgo JSON and
// a JUnit report holding the secret, and prints the variables the suites read.
const fakeSuite = `#!/bin/sh
for a in "$@"; do
  case "$a" in
    --ginkgo.json-report=*) j="${a#*=}" ;;
    --ginkgo.junit-report=*) x="${a#*=}" ;;
    --ginkgo.label-filter=*) echo "filter=${a#*=}" ;;
  esac
done
echo "target=$CONFORMANCE_TARGET profile=$CONFORMANCE_PROFILE cwd=$(pwd)"
echo "preflight=$CONFORMANCE_PREFLIGHT;"
echo "leaked s3cr3t-token-value in output"
printf '[{"SuiteDescription":"NAME","SuiteSucceeded":true,"SpecReports":[{"LeafNodeText":"s3cr3t-token-value"}]}]' > "$j"
printf '<?xml version="1.0"?><testsuites tests="1"><testsuite name="NAME" tests="1"><testcase name="s3cr3t-token-value"></testcase></testsuite></testsuites>' > "$x"
exit EXIT
`

func fakeSuites(t *testing.T, exits map[string]string) []Suite {
	t.Helper()
	dir := t.TempDir()
	for name, exit := range exits {
		script := strings.NewReplacer("NAME", name, "EXIT", exit).Replace(fakeSuite)
		write(t, filepath.Join(dir, name+SuiteSuffix), script, 0o755)
	}
	suites, err := Find(dir)
	if err != nil {
		t.Fatal(err)
	}
	return suites
}

// Run passes the target, profile and label filter to every suite, merges their reports into
// one ginkgo.json and one junit.xml (replacing the previous one), and redacts the
// secrets from everything it writes and from the progress it shows.
func TestRunMergesReportsAndRedacts(t *testing.T) {
	const secret = "s3cr3t-token-value"
	out := t.TempDir()
	write(t, filepath.Join(out, GinkgoReportFile), `[]`, 0o644)
	targetFile := filepath.Join(t.TempDir(), "t.yaml")
	write(t, targetFile, "", 0o600)
	var progress bytes.Buffer
	res, err := Run(context.Background(), Job{
		Suites: fakeSuites(t, map[string]string{"koophone": "0", "vbs": "1"}), TargetFile: targetFile,
		Profile: "strict", LabelFilter: "kind:limit", Out: out, Secrets: []string{secret}, Progress: &progress,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Suites) != 2 || res.Suites[0].ExitCode != 0 || res.Suites[1].ExitCode != 1 {
		t.Errorf("suite runs %+v, want koophone exit 0 and vbs exit 1", res.Suites)
	}
	raw, err := os.ReadFile(res.GinkgoReport)
	if err != nil {
		t.Fatal(err)
	}
	var merged []ginkgotypes.Report
	if err := json.Unmarshal(raw, &merged); err != nil {
		t.Fatal(err)
	}
	if len(merged) != 2 || merged[0].SuiteDescription != "koophone" || merged[1].SuiteDescription != "vbs" {
		t.Errorf("merged Ginkgo report holds %d suites, want koophone and vbs", len(merged))
	}
	junit, err := os.ReadFile(res.JUnitReport)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(junit), "<testsuite ") != 2 {
		t.Errorf("merged junit.xml does not hold two suites:\n%s", junit)
	}
	log, err := os.ReadFile(res.Suites[0].Log)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"target=" + targetFile, "profile=strict", "filter=kind:limit", "cwd=" + out} {
		if !strings.Contains(string(log), want) {
			t.Errorf("suite output lacks %q:\n%s", want, log)
		}
	}
	for _, f := range []string{res.GinkgoReport, res.JUnitReport, res.Suites[0].Log, res.Suites[1].Log} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), secret) || !strings.Contains(string(b), redact.Mask) {
			t.Errorf("%s: secret not replaced by %s", f, redact.Mask)
		}
	}
	for _, want := range []string{"koophone: target=" + targetFile, "vbs: leaked " + redact.Mask + " in output"} {
		if !strings.Contains(progress.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, progress.String())
		}
	}
	if strings.Contains(progress.String(), secret) {
		t.Errorf("progress shows the secret:\n%s", progress.String())
	}
	leftovers, _ := filepath.Glob(filepath.Join(out, ".*"))
	if len(leftovers) > 0 {
		t.Errorf("per-suite reports left behind: %v", leftovers)
	}
}

// Without a target file the suites get no CONFORMANCE_TARGET, even one inherited from the
// caller's environment, so they fall back to their built-in mock as asked.
func TestRunWithoutTargetDropsInheritedTarget(t *testing.T) {
	t.Setenv(target.EnvVar, "/somewhere/else.yaml")
	out := t.TempDir()
	res, err := Run(context.Background(), Job{Suites: fakeSuites(t, map[string]string{"koophone": "0"}), Out: out})
	if err != nil {
		t.Fatal(err)
	}
	log, err := os.ReadFile(res.Suites[0].Log)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "target= ") {
		t.Errorf("the suite saw an inherited target:\n%s", log)
	}
}

// The run's preflight verdict reaches every suite as an absolute path, whatever directory the
// suite runs in; without one, an inherited handoff is dropped, so a stale verdict of another
// run cannot stop a suite.
func TestRunPassesThePreflightHandoff(t *testing.T) {
	t.Setenv(preflight.HandoffEnvVar, "/stale/preflight.json")
	t.Chdir(t.TempDir())
	for _, tc := range []struct{ given, want string }{
		{filepath.Join("out", preflight.HandoffFile), filepath.Join(mustAbs(t, "out"), preflight.HandoffFile)},
		{"", ""},
	} {
		res, err := Run(context.Background(), Job{Suites: fakeSuites(t, map[string]string{"vbs": "0"}), Out: t.TempDir(), Handoff: tc.given})
		if err != nil {
			t.Fatal(err)
		}
		log, err := os.ReadFile(res.Suites[0].Log)
		if err != nil {
			t.Fatal(err)
		}
		if want := "preflight=" + tc.want + ";"; !strings.Contains(string(log), want) {
			t.Errorf("handoff %q: the suite's output lacks %q:\n%s", tc.given, want, log)
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// A suite that exits without a report is a NoReportError quoting its (redacted) output, not
// a run with that API silently missing.
func TestRunSuiteWithoutReportIsAnError(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "koophone.test"), "#!/bin/sh\necho 'panic: boom with s3cr3t-token-value'\nexit 3\n", 0o755)
	suites, err := Find(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), Job{Suites: suites, Out: t.TempDir(), Secrets: []string{"s3cr3t-token-value"}})
	var nr *NoReportError
	if !errors.As(err, &nr) {
		t.Fatalf("error %v, want a NoReportError", err)
	}
	if nr.Suite != "koophone" || nr.ExitCode != 3 || !strings.Contains(nr.Excerpt, "panic: boom") || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("NoReportError %+v: want suite koophone, exit 3, the output quoted and redacted", nr)
	}
}

// A secret split across two writes of the suite's output is still redacted in the progress.
func TestRedactedLinesJoinsSplitSecrets(t *testing.T) {
	var out bytes.Buffer
	l := &redactedLines{red: redact.New("s3cr3t-token-value"), w: &out, prefix: "vbs: "}
	for _, chunk := range []string{"first s3cr", "3t-token-value line\nsecond ", "line without end"} {
		if _, err := l.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	l.Flush()
	want := "vbs: first " + redact.Mask + " line\nvbs: second line without end\n"
	if out.String() != want {
		t.Errorf("progress %q, want %q", out.String(), want)
	}
}

// Without the Ginkgo command line, Procs suites run side by side: each fake suite below
// finishes only once the other has started (they meet on a named pipe), so one after the
// other the first would wait until it is killed.
func TestRunSuitesSideBySide(t *testing.T) {
	dir, meet := t.TempDir(), filepath.Join(t.TempDir(), "meet")
	if err := syscall.Mkfifo(meet, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, rendezvous := range map[string]string{"koophone": `echo here > "` + meet + `"`, "vbs": `read line < "` + meet + `"`} {
		script := strings.NewReplacer("NAME", name, "exit EXIT", rendezvous+"\nexit 0").Replace(fakeSuite)
		write(t, filepath.Join(dir, name+SuiteSuffix), script, 0o755)
	}
	suites, err := Find(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Job{Suites: suites, Out: t.TempDir(), Procs: 2, KillAfter: time.Minute})
	if err != nil {
		t.Fatalf("side by side: %v", err)
	}
	for _, s := range res.Suites {
		if s.ExitCode != 0 || s.Killed {
			t.Errorf("suite %s: exit %d, killed %v", s.Name, s.ExitCode, s.Killed)
		}
	}
}
