//go:build !race

package ledger_test

// Whole runs of the suites against a reference mock served from this test process: the
// race detector would make them several times as slow (make test runs them in its job
// without it) and see nothing the stale-pool tests beside them do not show it.

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/ledger"
	"github.com/koobackup/conformance/internal/mock"
)

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
