package explore

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/catalog"
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

// No false alarm: the reference mock under the strict readings, both lenient sets, and each
// tolerated reading of every register entry taken alone passes exploration.
func TestNoFalseAlarm(t *testing.T) {
	configs := []struct {
		name  string
		opts  []mock.Option
		seeds []uint64
		api   specfacts.API
	}{
		{"strict", nil, []uint64{1, 2, 3}, ""},
		{"lenient", []mock.Option{mock.WithLenient()}, []uint64{4, 5, 6}, ""},
		{"lenient-last", []mock.Option{mock.WithReadings(mock.LastLenientReadings())}, []uint64{7, 8, 9}, ""},
	}
	seed := uint64(100)
	for _, a := range catalog.Default().Ambiguities {
		for _, rd := range a.Default {
			if rd == a.Strict {
				continue
			}
			seed++
			configs = append(configs, struct {
				name  string
				opts  []mock.Option
				seeds []uint64
				api   specfacts.API
			}{a.ID + "=" + rd, []mock.Option{mock.WithReading(a.ID, rd)}, []uint64{seed}, specfacts.API(a.API)})
		}
	}
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			for _, s := range c.seeds {
				var apis []specfacts.API
				if c.api != "" {
					apis = append(apis, c.api)
				}
				res := explore(t, serveMock(t, c.opts...), s, apis...)
				for _, f := range res.Findings() {
					t.Errorf("false alarm:\n%s", f)
				}
			}
		})
	}
}

// Each deviation planted for exploration is caught at the default budget with at least 9
// seeds of 10, for the reason it deviates (the finding's kind, where one kind is that
// reason), and reported as a minimal case.
func TestCatchesPlantedFaults(t *testing.T) {
	for _, c := range []struct{ fault, kind string }{
		{mock.FaultKooPhoneTwoFaults500, FindingServerError}, {mock.FaultVBSTwoFaults500, FindingServerError},
		{mock.FaultKooPhoneUnknownCodeBySize, FindingInconsistent},
		// Presentation must not change the answer (the metamorphic relation); the charset
		// is also a dimension of the valid requests, so the consistency of the unknown-id
		// reading may see it first.
		{mock.FaultKooPhoneCharsetRefused, ""}, {mock.FaultVBSJSONCharsetRefused, ""},
		// Nor must the ids' alphabet at one length, nor the members' order; every item of a
		// list longer than any probe's is answered once.
		{mock.FaultKooPhoneMultiByteIDRefused, FindingAlphabet}, {mock.FaultVBSMemberOrder500, FindingServerError},
		{mock.FaultVBSLastOfManyDropped, FindingNotAnsweredOnce},
	} {
		t.Run(c.fault, func(t *testing.T) {
			flt, _ := mock.LookupFault(c.fault)
			caught := 0
			var example *Finding
			for seed := uint64(1); seed <= 10; seed++ {
				res := explore(t, serveMock(t, mock.WithFault(c.fault)), seed, flt.API)
				if fs := res.Findings(); len(fs) > 0 {
					caught++
					example = fs[0]
					if c.kind != "" && fs[0].Kind != c.kind {
						t.Errorf("seed %d: caught as %s, want %s:\n%s", seed, fs[0].Kind, c.kind, fs[0])
					}
				}
			}
			if caught < 9 {
				t.Fatalf("caught with %d seeds of 10, want at least 9", caught)
			}
			t.Logf("caught with %d seeds of 10; last finding:\n%s", caught, example)
			if strings.Contains(example.Curl, "mock-") {
				t.Errorf("the curl command carries a token: %s", example.Curl)
			}
		})
	}
}

// Minimal cases: a two-fault deviation shrinks to two faults, a one-id list and the shortest
// ids; the consistency deviation to a list of at most two ids; the member-order deviation to
// one valid request of one id; the alphabet deviation to a valid request of one id of the
// shortest length that holds a multi-byte character; the lost last resource to a valid
// request one resource longer than the plant's batch.
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
	res = explore(t, serveMock(t, mock.WithFault(mock.FaultVBSMemberOrder500)), 3, specfacts.VBS)
	if fs = res.Findings(); len(fs) != 1 || fs[0].Kind != FindingServerError || len(fs[0].Faults) != 0 || fs[0].Size != 1 {
		t.Errorf("want one valid request of one id answered 500, got %v", fs)
	}
	res = explore(t, serveMock(t, mock.WithFault(mock.FaultKooPhoneMultiByteIDRefused)), 3, specfacts.KooPhone)
	if fs = res.Findings(); len(fs) != 1 || fs[0].Kind != FindingAlphabet || len(fs[0].Faults) != 0 || fs[0].Size != 1 || fs[0].Length != minIDLength+1 || !multiByte(fs[0].Curl) {
		t.Errorf("want one valid request of one multi-byte id of %d characters, got %v", minIDLength+1, fs)
	}
	res = explore(t, serveMock(t, mock.WithFault(mock.FaultVBSLastOfManyDropped)), 3, specfacts.VBS)
	if fs = res.Findings(); len(fs) != 1 || fs[0].Kind != FindingNotAnsweredOnce || len(fs[0].Faults) != 0 || fs[0].Size != mock.LastOfManyBatch+1 {
		t.Errorf("want one valid request of %d resources, got %v", mock.LastOfManyBatch+1, fs)
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
