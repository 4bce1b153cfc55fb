package ledger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/ledger"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/run/launch"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

// These tests run the compiled suites as a run does — Prepare, the suites, Record — against
// reference mocks started here, and read what they recorded. They take the suites from the
// build every test package of one `go test ./...` shares (launch.Compile) and run them
// serially with Ginkgo's randomized order.

var suites = []string{"koophone", "vbs"}

var (
	buildOnce sync.Once
	binaries  map[string]string // suite name → compiled suite
	root      string
	buildErr  error
)

// suiteBinaries finds the compiled suites once per test binary.
func suiteBinaries(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("compiles and runs the suites")
	}
	buildOnce.Do(func() {
		wd, _ := os.Getwd()
		for dir := wd; ; dir = filepath.Dir(dir) {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				root = dir
				break
			}
			if filepath.Dir(dir) == dir {
				buildErr = errors.New("no go.mod above " + wd)
				return
			}
		}
		b, err := launch.Compile(context.Background(), root)
		if err != nil {
			buildErr = err
			return
		}
		binaries = map[string]string{}
		for _, s := range b.Suites {
			binaries[s.Name] = s.Path
		}
		for _, s := range suites {
			if binaries[s] == "" {
				buildErr = fmt.Errorf("the build has no suite %s: %v", s, b.Suites)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
}

// run is one run's outcome: the suites' merged record and what Record wrote.
type run struct {
	record  *runrecord.Run
	summary *ledger.Summary
	exit    map[string]int
	output  string
}

func (r run) failed() []string {
	var out []string
	for _, s := range r.record.Suites {
		for _, sp := range s.Specs {
			if sp.Failed() {
				out = append(out, sp.Text+": "+firstLine(sp.Failure.Message))
			}
		}
	}
	return out
}

func (r run) spec(text string) *runrecord.Spec {
	for _, s := range r.record.Suites {
		for i, sp := range s.Specs {
			if strings.Contains(sp.Text, text) {
				return &s.Specs[i]
			}
		}
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// runSuites does what the run pipeline does around the suites: Prepare the target, run each
// suite against it with the ledger in ledgerDir, and Record the run into reportsDir.
func runSuites(t *testing.T, targetFile, ledgerDir, reportsDir string, seed int, labelFilter string, which ...string) run {
	t.Helper()
	t.Setenv(ledger.EnvVar, ledgerDir)
	tg, err := target.Load(targetFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.Prepare(context.Background(), tg); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(reportsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	res := run{exit: map[string]int{}}
	var merged []ginkgotypes.Report
	var out bytes.Buffer
	for _, s := range which {
		report := filepath.Join(reportsDir, s+".ginkgo.json")
		cmd := exec.Command(binaries[s], "--ginkgo.json-report="+report, "--ginkgo.no-color",
			"--ginkgo.randomize-all", fmt.Sprintf("--ginkgo.seed=%d", seed))
		if labelFilter != "" {
			cmd.Args = append(cmd.Args, "--ginkgo.label-filter="+labelFilter)
		}
		cmd.Dir = filepath.Join(root, "suites", s)
		cmd.Env = append(suiteEnv(), target.EnvVar+"="+targetFile, ledger.EnvVar+"="+ledgerDir)
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			res.exit[s] = ee.ExitCode()
		case err != nil:
			t.Fatal(err)
		}
		raw, err := os.ReadFile(report)
		if err != nil {
			t.Fatalf("suite %s left no report: %v\n%s", s, err, out.String())
		}
		var reps []ginkgotypes.Report
		if err := json.Unmarshal(raw, &reps); err != nil {
			t.Fatal(err)
		}
		merged = append(merged, reps...)
	}
	res.output = out.String()
	raw, err := json.Marshal(merged)
	if err != nil {
		t.Fatal(err)
	}
	ginkgoReport := filepath.Join(reportsDir, "ginkgo.json")
	if err := os.WriteFile(ginkgoReport, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if res.record, err = runrecord.Read(raw); err != nil {
		t.Fatal(err)
	}
	if res.summary, err = ledger.Record(ginkgoReport, reportsDir, targetFile); err != nil {
		t.Fatal(err)
	}
	return res
}

// suiteEnv is the environment without the run's own variables, so a developer's settings
// cannot change what these runs do.
func suiteEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case target.EnvVar, ledger.EnvVar, "CONFORMANCE_PROFILE", "CONFORMANCE_PREFLIGHT", "CONFORMANCE_PLAN":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// startMock starts a reference mock and writes a target file describing it; withReset adds
// reference_mock, as `conformance mock --write-target` does.
func startMock(t *testing.T, withReset bool, opts ...mock.Option) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := mock.Start(ctx, "127.0.0.1:0", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); srv.Close() })
	tg := srv.Target()
	if withReset {
		tg.ReferenceMock = &target.ReferenceMock{AdminURL: srv.URL()}
	}
	raw, err := tg.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "target.yaml")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The spec of an owned instance, by the request it sends: its request body names the id.
func idOf(t *testing.T, r run, text string) string {
	t.Helper()
	sp := r.spec(text)
	if sp == nil || len(sp.Evidence) == 0 {
		t.Fatalf("no evidence of %q", text)
	}
	var body struct {
		IDs []string `json:"instance_ids"`
	}
	if err := json.Unmarshal([]byte(sp.Evidence[0].Request.Body), &body); err != nil || len(body.IDs) != 1 {
		t.Fatalf("request of %q: %v %q", text, err, sp.Evidence[0].Request.Body)
	}
	return body.IDs[0]
}

const charsetSpec = "accepts application/json;charset=UTF-8"

// An owned instance spent before the run, which the ledger does not know, is a stale pool,
// not a failure: the target carries out the same request with a fresh id and refuses its
// repeat as it refused the probe. The id is named and recorded in the ledger.
func TestStalePoolIsNotAFailure(t *testing.T) {
	suiteBinaries(t)
	filter := runrecord.RequirementLabelPrefix + string(specfacts.ReqKooPhoneJSONCharsetAccepted)
	targetFile := startMock(t, false)
	first := runSuites(t, targetFile, t.TempDir(), filepath.Join(t.TempDir(), "reports"), 3, filter, "koophone")
	if f := first.failed(); len(f) > 0 || first.spec(charsetSpec) == nil || !first.spec(charsetSpec).Passed() {
		t.Fatalf("first run: %v", f)
	}
	spent := idOf(t, first, charsetSpec)

	unaware := t.TempDir()
	second := runSuites(t, targetFile, unaware, filepath.Join(t.TempDir(), "reports"), 4, filter, "koophone")
	if f := second.failed(); len(f) > 0 {
		t.Fatalf("a stale pool failed specs:\n%s", strings.Join(f, "\n"))
	}
	sp := second.spec(charsetSpec)
	if sp == nil || !sp.Skipped() || len(sp.SkipReasons) != 1 || !strings.Contains(sp.SkipReasons[0].Reason, "stale pool") ||
		!strings.Contains(sp.SkipReasons[0].Reason, fmt.Sprintf("%q", spent)) {
		t.Fatalf("the spec of the spent id is not a stale pool naming %s: %+v", spent, sp)
	}
	var stale bool
	for _, c := range second.summary.Consumed {
		stale = stale || (c.ID == spent && c.Reason == runrecord.ConsumedStale)
	}
	tg, _ := target.Load(targetFile)
	t.Setenv(ledger.EnvVar, unaware)
	earlier, err := ledger.ConsumedFor(tg)
	if !stale || err != nil || !strings.Contains(strings.Join(earlier.Consumed[ledger.OwnedInstances], " "), spent) {
		t.Fatalf("the stale id is not recorded: stale=%v err=%v ledger=%v", stale, err, earlier.Consumed)
	}
}

// A target that refuses the fresh id too is failed, stale pool or not: the control shows
// the refusal is the target's, not the pool's.
func TestStalePoolDoesNotHideADeviation(t *testing.T) {
	suiteBinaries(t)
	filter := runrecord.RequirementLabelPrefix + string(specfacts.ReqKooPhoneJSONCharsetAccepted)
	targetFile := startMock(t, false, mock.WithFault(mock.FaultKooPhoneCharsetRefused))
	first := runSuites(t, targetFile, t.TempDir(), filepath.Join(t.TempDir(), "reports"), 3, filter, "koophone")
	spent := idOf(t, first, charsetSpec)
	spend(t, targetFile, spent)

	second := runSuites(t, targetFile, t.TempDir(), filepath.Join(t.TempDir(), "reports"), 4, filter, "koophone")
	sp := second.spec(charsetSpec)
	if sp == nil || !sp.Failed() {
		t.Fatalf("a target that refuses fresh ids too was not failed: %+v", sp)
	}
	for _, c := range second.summary.Consumed {
		if c.Reason == runrecord.ConsumedStale {
			t.Fatalf("recorded as stale: %+v", c)
		}
	}
}

// spend backs up one owned instance behind the suites' back, as another tool would.
func spend(t *testing.T, targetFile, id string) {
	t.Helper()
	tg, err := target.Load(targetFile)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"instance_ids": []string{id}})
	k := contract.Default().Constraints().KooPhone
	req, _ := http.NewRequest(k.Method, tg.KooPhone.BaseURL+k.Path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(k.TokenHeader, tg.KooPhone.AuthToken)
	req.Header.Set(k.RequestIDHeader, "spend-"+id)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("backing up %s behind the suites' back: %d", id, resp.StatusCode)
	}
}
