//go:build !race

package explore

// The call sequences of every reading and ten seeds of the refused-batch plant: they repeat
// one exploration many times, which the race detector makes several times as slow and
// would see nothing new in (the sequence tests beside them run under it). make test runs
// them in its pass without it.

import (
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/specfacts"
)

// No false alarm on a mutating target: the call sequences pass the strict mock, both
// lenient sets and each tolerated reading of the API's register entries taken alone, and
// the model takes from the answers the readings the mock was given.
func TestNoFalseAlarmInSequences(t *testing.T) {
	type config struct {
		name  string
		opts  []mock.Option
		apis  []specfacts.API
		seeds []uint64
	}
	both := []specfacts.API{specfacts.KooPhone, specfacts.VBS}
	configs := []config{
		{"strict", nil, both, falseAlarmSeeds(1, 3)},
		{"lenient", []mock.Option{mock.WithLenient()}, both, falseAlarmSeeds(11, 3)},
		{"lenient-last", []mock.Option{mock.WithReadings(mock.LastLenientReadings())}, both, falseAlarmSeeds(21, 3)},
		// Seed 471 sends a volume that does not exist beside one already bound, refused
		// with 409: vbs-unknown-volume-reporting=request-error (a 404) explains the refusal's
		// class as well as the conflict reading does, and only a later answer tells them
		// apart.
		{"two readings explain one refusal", []mock.Option{mock.WithReading(string(specfacts.AmbVBSReassociate), "conflict")}, []specfacts.API{specfacts.VBS}, []uint64{471}},
	}
	seed := uint64(200)
	for _, a := range catalog.Default().Ambiguities {
		for _, rd := range a.Default {
			if rd != a.Strict {
				seed += 10
				configs = append(configs, config{a.ID + "=" + rd, []mock.Option{mock.WithReading(a.ID, rd)}, []specfacts.API{specfacts.API(a.API)}, falseAlarmSeeds(seed, 1)})
			}
		}
	}
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			for _, s := range c.seeds {
				for _, api := range c.apis {
					passesSequences(t, api, s, c.opts...)
				}
			}
		})
	}
}

// passesSequences runs one API's call sequences against a fresh mock taking opts and fails
// on a finding, on sequences that spent nothing, and on a reading the model took that the
// mock does not take.
func passesSequences(t *testing.T, api specfacts.API, seed uint64, opts ...mock.Option) {
	t.Helper()
	tg := serveMutable(t, opts...)
	a := sequences(t, tg, seed, api)
	if a.Finding != nil {
		t.Errorf("false alarm:\n%s", a.Finding)
		return
	}
	if a.Sequences.Named == 0 || len(a.Consumed) == 0 {
		t.Errorf("%s seed %d: the sequences named %d pooled ids and used up %d: %s", api, seed, a.Sequences.Named, len(a.Consumed), a.SpentLine())
	}
	for entry, reading := range a.Sequences.Learned {
		want := tg.MockReadings[entry]
		if want == "" {
			want = strictReading(t, entry)
		}
		if want != reading {
			t.Errorf("%s seed %d: the model took %s=%s, the mock takes %s", api, seed, entry, reading, want)
		}
	}
}

// The refused batch that still backs up its first instance is caught at the default budget
// with at least 9 seeds of 10, and shrunk to its minimal case: a refused batch of three
// whose first id is an owned instance, then a backup of that instance.
func TestCatchesRefusedBatchThatChangesState(t *testing.T) {
	caught := 0
	var example *Finding
	for seed := uint64(1); seed <= 10; seed++ {
		a := sequences(t, serveMutable(t, mock.WithFault(mock.FaultKooPhoneRefusedBatchReleasesFirst)), seed, specfacts.KooPhone)
		if a.Finding == nil {
			continue
		}
		caught++
		f := a.Finding
		if f.Kind != FindingModel || f.Phase != PhaseSequences || !containsReq(f.Requirements, specfacts.ReqKooPhoneRejectedRequestChangesNothing) {
			t.Errorf("seed %d: want %s naming %s:\n%s", seed, FindingModel, specfacts.ReqKooPhoneRejectedRequestChangesNothing, f)
		}
		if len(f.Sequence) != 2 || strings.Count(f.Sequence[0], ",") != 2 {
			t.Errorf("seed %d: not minimal, want a refused batch of three then one backup:\n%s", seed, f)
		}
		if strings.Contains(strings.Join(f.Sequence, "\n"), "mock-koophone") {
			t.Errorf("seed %d: the sequence carries a token:\n%s", seed, f)
		}
		example = f
	}
	if caught < 9 {
		t.Fatalf("caught with %d seeds of 10, want at least 9", caught)
	}
	t.Logf("caught with %d seeds of 10; last finding:\n%s", caught, example)
}

// strictReading is the register's strict reading of an entry.
func strictReading(t *testing.T, entry string) string {
	t.Helper()
	a, ok := catalog.Default().Ambiguity(entry)
	if !ok {
		t.Fatalf("no register entry %s", entry)
	}
	return a.Strict
}
