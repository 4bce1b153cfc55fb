package explore

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
)

// serveMock serves a fresh reference mock in-process and returns its target, read-only as a
// cautious user would write it.
func serveMock(t *testing.T, opts ...mock.Option) *target.Target {
	t.Helper()
	m := mock.New(nil, opts...)
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	tg := m.Target(srv.URL)
	tg.AllowMutating = false
	return tg
}

func explore(t *testing.T, tg *target.Target, seed uint64, apis ...specfacts.API) *Result {
	t.Helper()
	res, err := Run(context.Background(), Options{Target: tg, Seed: seed, APIs: apis})
	if err != nil {
		t.Fatalf("explore: %v", err)
	}
	for _, a := range res.APIs {
		if a.Stopped != "" {
			t.Fatalf("explore %s stopped: %s", a.API, a.Stopped)
		}
	}
	return res
}

// Minimal cases: a two-fault deviation shrinks to two faults, a one-id list and the shortest
// ids; the consistency deviation to a list of at most two ids.
func TestFindingsAreMinimal(t *testing.T) {
	res := explore(t, serveMock(t, mock.WithFault(mock.FaultKooPhoneTwoFaults500)), 3, specfacts.KooPhone)
	fs := res.Findings()
	if len(fs) != 1 {
		t.Fatalf("%d findings, want 1", len(fs))
	}
	f := fs[0]
	if f.Kind != FindingServerError || len(f.Faults) != 2 || f.Size > 1 || f.Length != minIDLength {
		t.Errorf("not minimal: %s", f)
	}
	res = explore(t, serveMock(t, mock.WithFault(mock.FaultKooPhoneUnknownCodeBySize)), 3, specfacts.KooPhone)
	if fs = res.Findings(); len(fs) != 1 || fs[0].Kind != FindingInconsistent || fs[0].Size > 2 || len(fs[0].Faults) != 0 {
		t.Errorf("want one minimal inconsistency, got %v", fs)
	}
}

// The same seed reproduces the same finding.
func TestSeedReproduces(t *testing.T) {
	a := explore(t, serveMock(t, mock.WithFault(mock.FaultVBSTwoFaults500)), 42).Findings()
	b := explore(t, serveMock(t, mock.WithFault(mock.FaultVBSTwoFaults500)), 42).Findings()
	if len(a) != 1 || len(b) != 1 || fmt.Sprint(a[0].Faults) != fmt.Sprint(b[0].Faults) || a[0].Kind != b[0].Kind {
		t.Errorf("seed 42 gave %v, then %v", a, b)
	}
}
