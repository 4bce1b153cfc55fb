//go:build !race

package explore

// The tests of this file explore the reference mock over and over: every reading of the
// register and ten seeds for each planted fault, some hundred explorations. The race
// detector makes them four times as slow and would see nothing new in them, so they are
// left out of its build: make test runs them in its job without it, and its race job
// watches the same exploration, shrinking included, in the tests beside them.

import (
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/specfacts"
)

// No false alarm: the reference mock under the strict readings, both lenient sets, and each
// tolerated reading of every register entry taken alone passes exploration.
func TestNoFalseAlarm(t *testing.T) {
	configs := []struct {
		name  string
		opts  []mock.Option
		seeds []uint64
		api   specfacts.API
	}{
		{"strict", nil, falseAlarmSeeds(1, 3), ""},
		{"lenient", []mock.Option{mock.WithLenient()}, falseAlarmSeeds(11, 3), ""},
		{"lenient-last", []mock.Option{mock.WithReadings(mock.LastLenientReadings())}, falseAlarmSeeds(21, 3), ""},
	}
	seed := uint64(100)
	for _, a := range catalog.Default().Ambiguities {
		for _, rd := range a.Default {
			if rd == a.Strict {
				continue
			}
			seed += 10
			configs = append(configs, struct {
				name  string
				opts  []mock.Option
				seeds []uint64
				api   specfacts.API
			}{a.ID + "=" + rd, []mock.Option{mock.WithReading(a.ID, rd)}, falseAlarmSeeds(seed, 1), specfacts.API(a.API)})
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
