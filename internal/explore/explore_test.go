package explore

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
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

// fullRunEnv is the variable internal/mutation reads (MatrixEnvVar): make test-mutation sets
// it to "full", and the no-false-alarm tests then try ten seeds of every configuration and
// every reading, where make test tries a few.
const fullRunEnv = "MUTATION_MATRIX"

// falseAlarmSeeds are the seeds a no-false-alarm test tries on one configuration: ten from
// first in the full run, else the first n.
func falseAlarmSeeds(first uint64, n int) []uint64 {
	if os.Getenv(fullRunEnv) == "full" {
		n = 10
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = first + uint64(i)
	}
	return out
}
