package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/target"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

const targetYAML = `
name: %NAME%
allow_mutating: true
koophone:
  base_url: "http://127.0.0.1:18080"
  auth_token: "secret-koophone-token"
  unknown_tenant_token: "no-tenant"
  owned_instance_ids: ["i1", "i2", "i3"]
  foreign_instance_ids: ["f1"]
vbs:
  base_url: "http://127.0.0.1:18081/"
  auth_token: "secret-vbs-token"
  project_id: "p1"
  backup_policy_id: "pol"
  unknown_backup_policy_id: "nopol"
  volume_ids: ["v1", "v2"]
  unknown_volume_ids: ["nv1"]
`

func parse(t *testing.T, name string, edit func(string) string) *target.Target {
	t.Helper()
	src := strings.Replace(targetYAML, "%NAME%", name, 1)
	if edit != nil {
		src = edit(src)
	}
	tg, err := target.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// The key names the target, not the file: tokens and pools do not change it, the base
// URLs, the project and the name do; a trailing slash does not. It never holds a token.
func TestKeyIsTheTargetsIdentity(t *testing.T) {
	base := Key(parse(t, "svc", nil))
	same := []func(string) string{
		func(s string) string { return strings.Replace(s, "secret-koophone-token", "rotated", 1) },
		func(s string) string { return strings.Replace(s, `["i1", "i2", "i3"]`, `["i9"]`, 1) },
		func(s string) string { return strings.Replace(s, "18081/", "18081", 1) },
	}
	for i, edit := range same {
		if got := Key(parse(t, "svc", edit)); got != base {
			t.Errorf("edit %d changed the key: %s != %s", i, got, base)
		}
	}
	other := []func(string) string{
		func(s string) string { return strings.Replace(s, "18080", "18082", 1) },
		func(s string) string { return strings.Replace(s, `project_id: "p1"`, `project_id: "p2"`, 1) },
	}
	for i, edit := range other {
		if got := Key(parse(t, "svc", edit)); got == base {
			t.Errorf("edit %d kept the key %s", i, got)
		}
	}
	if Key(parse(t, "other", nil)) == base {
		t.Error("another name kept the key")
	}
	if !strings.HasPrefix(base, "svc-") || strings.Contains(base, "secret") {
		t.Errorf("key %q", base)
	}
}

// The ledger lives under $CONFORMANCE_LEDGER, else $XDG_STATE_HOME, else ~/.local/state;
// "off" keeps none.
func TestWhereTheLedgerLives(t *testing.T) {
	tg := parse(t, "svc", nil)
	t.Setenv(EnvVar, "")
	t.Setenv("XDG_STATE_HOME", "/state")
	if p, _ := PathFor(tg); p != filepath.Join("/state", "koobackup-conformance", "ledger", Key(tg)+".json") {
		t.Errorf("XDG: %s", p)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if p, _ := PathFor(tg); p != filepath.Join("/home/u", ".local", "state", "koobackup-conformance", "ledger", Key(tg)+".json") {
		t.Errorf("home: %s", p)
	}
	t.Setenv(EnvVar, "/ci/cache")
	if p, _ := PathFor(tg); p != filepath.Join("/ci/cache", Key(tg)+".json") {
		t.Errorf("env: %s", p)
	}
	t.Setenv(EnvVar, Off)
	if p, err := PathFor(tg); p != "" || err != nil {
		t.Errorf("off: %q %v", p, err)
	}
	// A bare container has neither: no ledger, no error (the run says so).
	t.Setenv(EnvVar, "")
	t.Setenv("HOME", "")
	if p, err := PathFor(tg); p != "" || err != nil {
		t.Errorf("no home: %q %v", p, err)
	}
}

// ginkgoReport is a run in which one spec consumed i1 and v2 and another consumed i1 again
// (the ledger keeps its first consumer).
func ginkgoReport(t *testing.T, dir string, ids ...[2]string) string {
	t.Helper()
	var entries []ginkgotypes.ReportEntry
	for _, id := range ids {
		raw, _ := json.Marshal(runrecord.Consumed{API: "koophone", Pool: id[0], ID: id[1], Spec: "spec " + id[1], Reason: runrecord.ConsumedCarriedOut, Status: 200})
		entries = append(entries, ginkgotypes.ReportEntry{Name: runrecord.EntryConsumed, Value: ginkgotypes.WrapEntryValue(json.RawMessage(raw))})
	}
	rep := []ginkgotypes.Report{{SuiteDescription: "s", SpecReports: ginkgotypes.SpecReports{{
		LeafNodeType: ginkgotypes.NodeTypeIt, LeafNodeText: "consumes", State: ginkgotypes.SpecStatePassed, ReportEntries: entries}}}}
	raw, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ginkgo.json")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Record writes consumed.json beside the reports and adds the run's ids to the target's
// ledger; a second run's ids are added, the first run's kept, and the fresh counts fall.
func TestRecordWritesConsumedAndLedger(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvVar, filepath.Join(dir, "ledgers"))
	targetFile := filepath.Join(dir, "target.yaml")
	if err := os.WriteFile(targetFile, []byte(strings.Replace(targetYAML, "%NAME%", "svc", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	reports := filepath.Join(dir, "reports")
	s, err := Record(ginkgoReport(t, dir, [2]string{OwnedInstances, "i1"}, [2]string{FreeVolumes, "v2"}), reports, targetFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Consumed) != 2 || s.Pools[0].Fresh != 2 || s.Pools[1].Fresh != 1 {
		t.Fatalf("first run: %+v", s)
	}
	s, err = Record(ginkgoReport(t, dir, [2]string{OwnedInstances, "i1"}, [2]string{OwnedInstances, "i3"}), reports, targetFile)
	if err != nil {
		t.Fatal(err)
	}
	if s.Pools[0].Consumed != 2 || s.Pools[0].ConsumedThisRun != 2 || s.Pools[0].Fresh != 1 {
		t.Fatalf("second run: %+v", s.Pools)
	}
	var onDisk Summary
	raw, err := os.ReadFile(filepath.Join(reports, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &onDisk); err != nil || len(onDisk.Consumed) != 2 || onDisk.Ledger != s.Ledger {
		t.Fatalf("consumed.json: %v %s", err, raw)
	}
	if strings.Contains(string(raw), "secret") {
		t.Fatalf("consumed.json holds a token: %s", raw)
	}
	tg, _ := target.Load(targetFile)
	earlier, err := ConsumedFor(tg)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(earlier.Consumed[OwnedInstances], ",") != "i1,i3" || strings.Join(earlier.Consumed[FreeVolumes], ",") != "v2" || earlier.Path != s.Ledger {
		t.Fatalf("earlier: %+v", earlier)
	}
	l, _ := Load(s.Ledger)
	if l.Consumed[0].Spec != "spec i1" || l.Target.VBSBaseURL != "http://127.0.0.1:18081" {
		t.Fatalf("ledger: %+v", l)
	}
}

// Without a target file (the built-in mock) Record writes consumed.json and no ledger.
func TestRecordWithoutTargetKeepsNoLedger(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvVar, filepath.Join(dir, "ledgers"))
	s, err := Record(ginkgoReport(t, dir, [2]string{OwnedInstances, "i1"}), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if s.Ledger != "" || len(s.Consumed) != 1 {
		t.Fatalf("%+v", s)
	}
	if _, err := os.Stat(filepath.Join(dir, "ledgers")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a ledger directory was made: %v", err)
	}
}

// A ledger that is not JSON is refused with its path and what to do, never taken as empty.
func TestCorruptLedgerIsRefused(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvVar, dir)
	tg := parse(t, "svc", nil)
	path, _ := PathFor(tg)
	if err := os.WriteFile(path, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ConsumedFor(tg)
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "remove it") {
		t.Fatalf("got %v", err)
	}
}

// Prepare resets a reference mock through its admin API and forgets its ledger; any other
// target is left alone, and a mock that refuses the reset is an error naming its URL.
func TestPrepareResetsTheReferenceMock(t *testing.T) {
	if adminResetPath != mock.AdminResetPath {
		t.Fatalf("adminResetPath %q, mock serves %q", adminResetPath, mock.AdminResetPath)
	}
	dir := t.TempDir()
	t.Setenv(EnvVar, dir)
	resets := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == adminResetPath {
			resets++
			w.WriteHeader(http.StatusOK)
			return
		}
		http.Error(w, "no", http.StatusNotFound)
	}))
	defer srv.Close()

	plain := parse(t, "svc", nil)
	if reset, err := Prepare(context.Background(), plain); reset || err != nil {
		t.Fatalf("a target that is not the mock: %v %v", reset, err)
	}
	tg := parse(t, "svc", func(s string) string { return s + "reference_mock:\n  admin_url: \"" + srv.URL + "\"\n" })
	path, _ := PathFor(tg)
	if err := os.WriteFile(path, []byte(`{"consumed":[{"pool":"koophone.owned_instance_ids","id":"i1"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if reset, err := Prepare(context.Background(), tg); !reset || err != nil || resets != 1 {
		t.Fatalf("reset %v err %v resets %d", reset, err, resets)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the ledger of the reset mock is still there: %v", err)
	}
	tg.ReferenceMock.AdminURL = srv.URL + "/elsewhere"
	_, err := Prepare(context.Background(), tg)
	var re *ResetError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "404") {
		t.Fatalf("got %v", err)
	}
}

// Note adds what a run without a Ginkgo report consumed to the target's ledger, once per id,
// and ConsumedFor then names it; with no ledger kept it writes nothing.
func TestNoteAddsToTheLedger(t *testing.T) {
	t.Setenv(EnvVar, t.TempDir())
	tg := parse(t, "note", nil)
	used := []runrecord.Consumed{{API: "koophone", Pool: OwnedInstances, ID: "i2", Spec: "conformance explore (seed 7)", Reason: runrecord.ConsumedCarriedOut, Status: 200}}
	s, err := Note(tg, used)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Note(tg, used); err != nil {
		t.Fatal(err)
	}
	l, err := Load(s.Ledger)
	if err != nil || len(l.Consumed) != 1 || l.Consumed[0].ID != "i2" {
		t.Fatalf("ledger %s: %v %+v", s.Ledger, err, l)
	}
	earlier, err := ConsumedFor(tg)
	if err != nil || len(earlier.Consumed[OwnedInstances]) != 1 || earlier.Consumed[OwnedInstances][0] != "i2" {
		t.Fatalf("ConsumedFor: %v %+v", err, earlier)
	}
	if s.Pools[0].Fresh != 2 {
		t.Errorf("pools %+v, want 2 fresh owned instances", s.Pools)
	}
	t.Setenv(EnvVar, Off)
	if s, err := Note(tg, used); err != nil || s.Ledger != "" {
		t.Errorf("no ledger kept: %v, %+v", err, s)
	}
}
