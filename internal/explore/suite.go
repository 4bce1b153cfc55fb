package explore

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
)

// Environment variables the suites' kind:explore specs read.
const (
	// SeedEnv overrides the seed (a positive integer); without it each run draws one and
	// prints it.
	SeedEnv = "CONFORMANCE_EXPLORE_SEED"
	// BudgetEnv overrides the number of generated requests per API.
	BudgetEnv = "CONFORMANCE_EXPLORE_BUDGET"
	// RateEnv bounds the requests per second (default unbounded, as the other specs).
	RateEnv = "CONFORMANCE_EXPLORE_RATE"
)

// SuiteBudget is the suites' default budget per API: against the mock it adds well under a
// second; `conformance explore` is for long runs.
const SuiteBudget = DefaultBudget

// ReportEntry is the name of the report entry a kind:explore spec records what it covered
// under (a Coverage record with the seed, budget and requests sent).
const ReportEntry = "explore"

// CoverageRecord is the value of the ReportEntry entry.
type CoverageRecord struct {
	API      specfacts.API `json:"api"`
	Seed     uint64        `json:"seed"`
	Budget   int           `json:"budget"`
	Sent     int           `json:"sent"`
	Stopped  string        `json:"stopped,omitempty"`
	Coverage Coverage      `json:"coverage"`
	// Sequences is what the call sequences covered, when the spec sent them.
	Sequences *SequenceCoverage `json:"sequences,omitempty"`
	Finding   *Finding          `json:"finding,omitempty"`
}

// Record is what a spec records of an API's exploration.
func (r *Result) Record(a *APIResult) CoverageRecord {
	return CoverageRecord{API: a.API, Seed: r.Seed, Budget: r.Budget, Sent: a.Sent, Stopped: a.Stopped, Coverage: a.Coverage, Sequences: a.Sequences, Finding: a.Finding}
}

// SuiteOptions are the options of a suite's exploration of one API: the suite's target and
// client, the default suite budget, and the seed and budget of the environment.
func SuiteOptions(api specfacts.API, t *target.Target, c *http.Client, lookup func(string) (string, bool)) (Options, error) {
	o := Options{Target: t, APIs: []specfacts.API{api}, Budget: SuiteBudget, Client: c}
	if v, ok := lookup(SeedEnv); ok && v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil || s == 0 {
			return o, fmt.Errorf("%s=%q: want a positive integer (the seed a finding reports)", SeedEnv, v)
		}
		o.Seed = s
	}
	if v, ok := lookup(BudgetEnv); ok && v != "" {
		b, err := strconv.Atoi(v)
		if err != nil || b <= 0 {
			return o, fmt.Errorf("%s=%q: want a positive number of requests", BudgetEnv, v)
		}
		o.Budget = b
	}
	if v, ok := lookup(RateEnv); ok && v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r < 0 {
			return o, fmt.Errorf("%s=%q: want a number of requests per second (0: unbounded)", RateEnv, v)
		}
		o.Rate = r
	}
	return o, nil
}

// Evidence is the finding's minimal exchange in the record every conformance spec keeps.
func (f *Finding) Evidence() runrecord.Evidence {
	return f.exchange
}
