package explore

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/ledger"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
)

// mockModel is the reference mock as the model, as the suites and the command hand it in.
func mockModel(t *target.Target, readings map[string]string) (http.Handler, error) {
	return mock.NewModel(t, mock.Readings(readings))
}

// serveMutable serves a fresh reference mock whose target file allows mutating requests
// and states its explore budget (fixtures/world/default.yaml).
func serveMutable(t *testing.T, opts ...mock.Option) *target.Target {
	t.Helper()
	tg := serveMock(t, opts...)
	tg.AllowMutating = true
	if tg.ExploreBudget == nil {
		t.Fatal("the mock's target file states no explore_budget")
	}
	return tg
}

// sequences runs the call sequences of one API against the target, at the default budget.
func sequences(t *testing.T, tg *target.Target, seed uint64, api specfacts.API) *APIResult {
	t.Helper()
	res, err := Run(context.Background(), Options{Target: tg, Seed: seed, APIs: []specfacts.API{api}, Phases: []Phase{PhaseSequences},
		Pools: FreshPools(tg, nil), Model: mockModel})
	if err != nil {
		t.Fatalf("explore: %v", err)
	}
	a := res.APIs[0]
	if a.Stopped != "" {
		t.Fatalf("explore %s stopped: %s", a.API, a.Stopped)
	}
	if a.Sequences == nil || a.Sequences.Skipped != "" && a.Sequences.Requests == 0 {
		t.Fatalf("explore %s sent no call sequence: %+v", a.API, a.Sequences)
	}
	return a
}

func containsReq(reqs []specfacts.RequirementID, want specfacts.RequirementID) bool {
	for _, r := range reqs {
		if r == want {
			return true
		}
	}
	return false
}

// A read-only target gets no call sequence, whatever pools a caller hands in, and
// FreshPools hands none out for it: no request names an owned instance or a free volume.
func TestReadOnlyTargetSpendsNoPooledID(t *testing.T) {
	m := mock.New(nil)
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	tg := m.Target(srv.URL)
	tg.AllowMutating = false
	if p := FreshPools(tg, nil); len(p.OwnedInstances)+len(p.Volumes) > 0 {
		t.Fatalf("FreshPools on a read-only target: %+v", p)
	}
	mutable := *tg
	mutable.AllowMutating = true
	res, err := Run(context.Background(), Options{Target: tg, Seed: 1, Budget: 50, Pools: FreshPools(&mutable, nil), Model: mockModel})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range res.APIs {
		if a.Sequences == nil || !strings.Contains(a.Sequences.Skipped, "allow_mutating") || a.Sequences.Requests > 0 || len(a.Consumed) > 0 {
			t.Errorf("%s: call sequences on a read-only target: %+v", a.API, a.Sequences)
		}
	}
	for _, id := range tg.KooPhone.OwnedInstanceIDs {
		if m.World().Released(id) {
			t.Errorf("owned instance %s was released", id)
		}
	}
	for _, id := range tg.VBS.VolumeIDs {
		if p := m.World().BoundPolicy(id); p != "" {
			t.Errorf("volume %s was bound to %s", id, p)
		}
	}
}

// FreshPools takes, in the target file's order, only ids the ledger does not list as
// consumed, and no more than the file's explore_budget; without a budget it takes none.
func TestFreshPoolsKeepTheBudgetAndTheLedger(t *testing.T) {
	tg := serveMutable(t)
	tg.ExploreBudget = &target.ExploreBudget{OwnedInstanceIDs: 2, VolumeIDs: 1}
	owned := tg.KooPhone.OwnedInstanceIDs
	p := FreshPools(tg, map[string][]string{ledger.OwnedInstances: {owned[0], owned[2]}})
	if !slices.Equal(p.OwnedInstances, []string{owned[1], owned[3]}) || !slices.Equal(p.Volumes, tg.VBS.VolumeIDs[:1]) {
		t.Errorf("FreshPools: %+v", p)
	}
	tg.ExploreBudget = nil
	if p := FreshPools(tg, nil); len(p.OwnedInstances)+len(p.Volumes) > 0 {
		t.Errorf("FreshPools without a budget: %+v", p)
	}
}

// The same seed against the same fresh target reproduces the same call sequence.
func TestSequenceSeedReproduces(t *testing.T) {
	var seqs [2]string
	for i := range seqs {
		tg := serveMutable(t, mock.WithFault(mock.FaultKooPhoneRefusedBatchReleasesFirst))
		a := sequences(t, tg, 42, specfacts.KooPhone)
		if a.Finding == nil {
			t.Fatal("seed 42 found nothing")
		}
		seqs[i] = strings.ReplaceAll(strings.Join(a.Finding.Sequence, "\n"), tg.KooPhone.BaseURL, "<base>")
	}
	if seqs[0] != seqs[1] {
		t.Errorf("seed 42 gave\n%s\nthen\n%s", seqs[0], seqs[1])
	}
}
