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

// Twice against one reference mock: the run resets it first, so both runs pass in full.
func TestRepeatRunsAgainstTheReferenceMockPass(t *testing.T) {
	suiteBinaries(t)
	targetFile := startMock(t, true)
	ledgerDir := t.TempDir()
	for i := 1; i <= 2; i++ {
		r := runSuites(t, targetFile, ledgerDir, filepath.Join(t.TempDir(), "reports"), 1000+i, "", suites...)
		if f := r.failed(); len(f) > 0 || r.exit["koophone"] != 0 || r.exit["vbs"] != 0 {
			t.Fatalf("run %d against the reference mock: exits %v, failed specs:\n%s", i, r.exit, strings.Join(f, "\n"))
		}
		if len(r.summary.Consumed) == 0 {
			t.Fatalf("run %d recorded no consumed id", i)
		}
		for _, p := range r.record.Pools() {
			if p.ConsumedEarlier != 0 {
				t.Errorf("run %d: %s: the reset mock's pool still counts %d ids as consumed", i, p.Pool, p.ConsumedEarlier)
			}
		}
	}
}

// Twice against one target whose server keeps state (the mock without its reset): the
// second run fails nothing, reserves only ids the first did not consume, and says where
// the ledger is and how many fresh ids are left. A third run without the ledger shows what
// the ledger prevents: the server is blamed for ids the earlier runs consumed.
func TestRepeatRunsAgainstAStatefulTargetNeverBlameIt(t *testing.T) {
	suiteBinaries(t)
	targetFile := startMock(t, false)
	ledgerDir := t.TempDir()
	first := runSuites(t, targetFile, ledgerDir, filepath.Join(t.TempDir(), "reports"), 7, "", suites...)
	if f := first.failed(); len(f) > 0 {
		t.Fatalf("first run failed:\n%s", strings.Join(f, "\n"))
	}
	second := runSuites(t, targetFile, ledgerDir, filepath.Join(t.TempDir(), "reports"), 8, "", suites...)
	if f := second.failed(); len(f) > 0 || second.exit["koophone"] != 0 || second.exit["vbs"] != 0 {
		t.Fatalf("second run against a stateful target: exits %v, failed specs:\n%s", second.exit, strings.Join(f, "\n"))
	}
	used := map[string]bool{}
	for _, c := range first.summary.Consumed {
		used[c.Pool+" "+c.ID] = true
	}
	for _, c := range second.summary.Consumed {
		if used[c.Pool+" "+c.ID] {
			t.Errorf("the second run used %s %s, which the first consumed", c.Pool, c.ID)
		}
	}
	ledgerPath := second.summary.Ledger
	if ledgerPath == "" || !strings.HasPrefix(ledgerPath, ledgerDir) {
		t.Fatalf("ledger %q", ledgerPath)
	}
	states := second.record.Pools()
	if len(states) != 2 {
		t.Fatalf("pool states %+v", states)
	}
	for _, p := range states {
		if p.ConsumedEarlier == 0 || p.Ledger != ledgerPath || p.Fresh != p.Listed-p.ConsumedEarlier {
			t.Errorf("pool state of the second run: %+v", p)
		}
	}
	for _, p := range second.summary.Pools {
		if p.Fresh <= 0 || p.Fresh >= p.Listed || !strings.Contains(strings.Join(second.summary.Lines(), "\n"), fmt.Sprintf("%s: %d fresh", p.Pool, p.Fresh)) {
			t.Errorf("fresh ids left: %+v\n%s", p, strings.Join(second.summary.Lines(), "\n"))
		}
	}
	var named bool
	for _, s := range second.record.Suites {
		for _, sp := range s.Specs {
			for _, r := range sp.SkipReasons {
				named = named || strings.Contains(r.Reason, "consumed by earlier runs (ledger "+ledgerPath+")")
			}
		}
	}
	if !named {
		t.Error("no spec skipped for want of fresh ids names the ledger")
	}

	blind := runSuites(t, targetFile, t.TempDir(), filepath.Join(t.TempDir(), "reports"), 9, "", "koophone")
	if len(blind.failed()) == 0 {
		t.Fatal("a run that does not know what earlier runs consumed passed too: this test cannot tell the ledger works")
	}
}

// A server that wrongly carries out one negative request fails exactly that spec, whatever
// the order. With a backup without x-request-id, the instance it released was that spec's
// alone, and the spec that re-checks the refused requests' instances backs up the others.
// With a list one id over the maximum, the instances it released were shared on purpose with
// the specs after it, which are then inconclusive, naming the spec whose request consumed
// them, instead of failing.
func TestOneWronglyAcceptedRequestFailsOneSpec(t *testing.T) {
	suiteBinaries(t)
	cases := []struct {
		fault, fails string
		passes       []string
		inconclusive []string
	}{
		{fault: mock.FaultKooPhoneMissingRequestIDAccepted, fails: "rejects a request without x-request-id as an incorrect parameter",
			passes: []string{"still backs up the instances the rejected requests named", "refuses to back up the released instance again"}},
		{fault: mock.FaultKooPhoneAccepts101IDs, fails: "rejects one id more than the maximum as an incorrect parameter",
			inconclusive: []string{"accepts the maximum number of ids with one job each", "accepts a single id"}},
	}
	for _, c := range cases {
		for _, seed := range []int{1, 2, 3, 4, 5} {
			targetFile := startMock(t, false, mock.WithFault(c.fault))
			// Generated call sequences may find the same deviation on ids of their own; what
			// is asked here is how the hand-picked specs, which share ids, fail.
			r := runSuites(t, targetFile, ledger.Off, filepath.Join(t.TempDir(), "reports"), seed, "!kind:explore", "koophone")
			f := r.failed()
			if len(f) != 1 || !strings.Contains(f[0], c.fails) {
				t.Errorf("%s, seed %d: want only %q failed, got %d:\n%s", c.fault, seed, c.fails, len(f), strings.Join(f, "\n"))
				continue
			}
			for _, text := range c.passes {
				if sp := r.spec(text); sp == nil || !sp.Passed() {
					t.Errorf("%s, seed %d: %q did not pass: %+v", c.fault, seed, text, sp)
				}
			}
			for _, text := range c.inconclusive {
				sp := r.spec(text)
				if sp == nil || len(sp.Inconclusive()) != 1 || !strings.Contains(sp.Inconclusive()[0], c.fails) {
					t.Errorf("%s, seed %d: %q is not inconclusive naming the spec that consumed its ids: %+v", c.fault, seed, text, sp)
				}
			}
		}
	}
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
