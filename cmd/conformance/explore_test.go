package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/explore"
	"github.com/koobackup/conformance/internal/ledger"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/target"
	"go.yaml.in/yaml/v3"
)

// writeMockTarget serves an in-process mock (with the given options) and writes its target file.
func writeMockTarget(t *testing.T, opts ...mock.Option) string {
	t.Helper()
	m := mock.New(nil, opts...)
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	raw, err := yaml.Marshal(m.Target(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "target.yaml")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Usage errors exit 2 and name what was wrong; nothing found exits 0; a finding exits 1 and
// prints the minimal case and the seed; --json writes the result.
func TestExploreCommand(t *testing.T) {
	t.Setenv(ledger.EnvVar, t.TempDir())
	var out, errOut bytes.Buffer
	t.Setenv("CONFORMANCE_TARGET", "")
	if code := runExplore(context.Background(), nil, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "no target") {
		t.Errorf("no target: exit %d, %q", code, errOut.String())
	}
	clean := writeMockTarget(t)
	errOut.Reset()
	if code := runExplore(context.Background(), []string{"--target", clean, "--api", "kooophone"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "kooophone") {
		t.Errorf("misspelt api: exit %d, %q", code, errOut.String())
	}
	out.Reset()
	if code := runExplore(context.Background(), []string{"--target", clean, "--rate", "0", "--budget", "50", "--seed", "3"}, &out, &errOut); code != 0 {
		t.Errorf("strict mock: exit %d\n%s", code, out.String())
	}
	faulty := writeMockTarget(t, mock.WithFault(mock.FaultVBSTwoFaults500))
	out.Reset()
	js := filepath.Join(t.TempDir(), "explore.json")
	if code := runExplore(context.Background(), []string{"--target", faulty, "--api", "vbs", "--rate", "0", "--seed", "3", "--json", js}, &out, &errOut); code != 1 {
		t.Fatalf("two-fault 500: exit %d\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "minimal case: curl") || !strings.Contains(out.String(), "--seed 3") || strings.Contains(out.String(), "mock-vbs") {
		t.Errorf("the finding lacks the minimal case or the seed, or shows a token:\n%s", out.String())
	}
	var res struct {
		Seed uint64
		APIs []struct{ Finding *struct{ Kind string } }
	}
	raw, err := os.ReadFile(js)
	if err != nil || json.Unmarshal(raw, &res) != nil || res.Seed != 3 || len(res.APIs) != 1 || res.APIs[0].Finding == nil {
		t.Errorf("--json: %v %s", err, raw)
	}
}

// On a target file that allows mutating and states an explore budget, the call sequences
// run, their consumed ids go to the target's ledger, and a rerun names none of them again;
// --phase picks one phase and is refused when misspelt; a planted refused batch that changes
// state is reported as a sequence of curl commands with the rerun line.
func TestExploreCommandSequences(t *testing.T) {
	t.Setenv(ledger.EnvVar, t.TempDir())
	var out, errOut bytes.Buffer
	clean := writeMockTarget(t)
	if code := runExplore(context.Background(), []string{"--target", clean, "--phase", "sequence"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "--phase") {
		t.Errorf("misspelt phase: exit %d, %q", code, errOut.String())
	}
	if code := runExplore(context.Background(), []string{"--target", clean, "--api", "koophone", "--phase", "sequences", "--rate", "0", "--budget", "60", "--seed", "3"}, &out, &errOut); code != 0 {
		t.Fatalf("strict mock: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "call sequences:") || !strings.Contains(out.String(), "consumed by this run; ledger") {
		t.Errorf("no sequences or no ledger line:\n%s", out.String())
	}
	tg, err := target.Load(clean)
	if err != nil {
		t.Fatal(err)
	}
	earlier, err := ledger.ConsumedFor(tg)
	spent := earlier.Consumed[ledger.OwnedInstances]
	if err != nil || len(spent) == 0 {
		t.Fatalf("ledger after the run: %v %+v", err, earlier)
	}
	for _, id := range explore.FreshPools(tg, earlier.Consumed).OwnedInstances {
		if slices.Contains(spent, id) {
			t.Errorf("a rerun would name %s, which the ledger lists as consumed", id)
		}
	}
	faulty := writeMockTarget(t, mock.WithFault(mock.FaultKooPhoneRefusedBatchReleasesFirst))
	out.Reset()
	if code := runExplore(context.Background(), []string{"--target", faulty, "--api", "koophone", "--phase", "sequences", "--rate", "0", "--seed", "3"}, &out, &errOut); code != 1 {
		t.Fatalf("planted fault: exit %d\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "minimal case: a sequence of 2 requests") || !strings.Contains(out.String(), "--phase sequences --seed 3") || strings.Contains(out.String(), "mock-koophone") {
		t.Errorf("the finding lacks the sequence or the rerun line, or shows a token:\n%s", out.String())
	}
}
