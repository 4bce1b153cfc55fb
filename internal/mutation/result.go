package mutation

// Result is one mutation run: the pristine baseline, every mutant, the score, the coverage
// per requirement kind and the fairness check.
type Result struct {
	// Valid is false when the pristine mock failed a spec: then a kill proves nothing.
	Valid    bool           `json:"valid"`
	Pristine Baseline       `json:"pristine"`
	Mutants  []Mutant       `json:"mutants"`
	Killed   int            `json:"killed"`
	Total    int            `json:"total"`
	Score    float64        `json:"score"`
	Kinds    []KindCoverage `json:"kinds"`
	// Weakest names the kinds with the lowest coverage (there may be ties).
	Weakest  []string `json:"weakest_kinds"`
	Fairness Fairness `json:"fairness"`
	Duration string   `json:"duration,omitempty"`
	// Configurations are the same faults planted on mocks taking other readings (run.go);
	// their survivors are faults a legitimate reading hides from the suites.
	Configurations []ConfigurationResult `json:"configurations,omitempty"`
}

// OK reports whether the run proves the suites: a valid baseline, every mutant killed and
// a fair strict profile.
func (r *Result) OK() bool {
	return r.Valid && r.Total > 0 && r.Killed == r.Total && r.Fairness.Holds
}

// Survivors lists the mutants that were not killed.
func (r *Result) Survivors() []Mutant {
	var out []Mutant
	for _, m := range r.Mutants {
		if !m.Killed {
			out = append(out, m)
		}
	}
	return out
}

// Baseline is the suites against the pristine mock.
type Baseline struct {
	Passed bool       `json:"passed"`
	Runs   []SuiteRun `json:"runs"`
	Error  string     `json:"error,omitempty"`
}

// Mutant is the suites against the mock with one fault switched on.
type Mutant struct {
	Fault        string   `json:"fault"`
	API          string   `json:"api"`
	Description  string   `json:"description"`
	Requirements []string `json:"requirements"`
	Killed       bool     `json:"killed"`
	// RightReason is true when a killing spec is labelled with one of the fault's own
	// requirements, so the kill is not an accident of some unrelated check.
	RightReason bool         `json:"right_reason"`
	Killers     []FailedSpec `json:"killers,omitempty"`
	// Inconclusive is true when the fault survived but a spec labelled with one of its
	// requirements said its probe could not tell: the survivor is honest, not a pass.
	Inconclusive bool       `json:"inconclusive,omitempty"`
	Runs         []SuiteRun `json:"runs"`
	Error        string     `json:"error,omitempty"`
}

// SuiteRun is one suite binary against one mock.
type SuiteRun struct {
	Suite    string       `json:"suite"`
	Specs    int          `json:"specs"`
	Passed   int          `json:"passed"`
	Failed   int          `json:"failed"`
	Failures []FailedSpec `json:"failures,omitempty"`
	// Inconclusive are the specs that ran but said their answer could not tell.
	Inconclusive []InconclusiveSpec `json:"inconclusive,omitempty"`
	Duration     string             `json:"duration,omitempty"`
	// Error says the run produced no usable report (timeout, crash, unreadable JSON).
	Error string `json:"error,omitempty"`
}

// FailedSpec is one failed spec of a Ginkgo report.
type FailedSpec struct {
	Suite        string   `json:"suite,omitempty"`
	Text         string   `json:"text"`
	Requirements []string `json:"requirements,omitempty"`
	Message      string   `json:"message,omitempty"`
	// StrictEntries are the register entries on which a spec run under the strict profile
	// observed a non-strict reading (its ambiguity records).
	StrictEntries []string `json:"strict_entries,omitempty"`
}

// KindCoverage is how well the faults exercise one requirement kind.
type KindCoverage struct {
	Kind string `json:"kind"`
	// Requirements of this kind in the catalog, and how many of them a killed fault violates.
	Requirements int `json:"requirements"`
	Proven       int `json:"proven"`
	// Unproven names the requirements of this kind no killed fault violates.
	Unproven []string `json:"unproven,omitempty"`
	Faults   int      `json:"faults"`
	Killed   int      `json:"killed"`
}

// Ratio is the share of the kind's requirements proven able to fail (1 when it has none).
func (k KindCoverage) Ratio() float64 {
	if k.Requirements == 0 {
		return 1
	}
	return float64(k.Proven) / float64(k.Requirements)
}

// Fairness is the lenient-but-conformant mock under both profiles.
type Fairness struct {
	// DefaultPassed: the default profile accepted every legitimate reading.
	DefaultPassed bool `json:"default_passed"`
	// StrictFailed: the strict profile failed at least one spec.
	StrictFailed bool `json:"strict_failed"`
	// Flagged are the register entries the strict profile named; Expected those with more
	// than one reading, each of which the lenient mock reads non-strictly.
	Flagged  []string `json:"flagged"`
	Expected []string `json:"expected"`
	Missing  []string `json:"missing,omitempty"`
	Extra    []string `json:"extra,omitempty"`
	Holds    bool     `json:"holds"`
	// DefaultFailures are what the default profile wrongly failed on the lenient mock.
	DefaultFailures []FailedSpec `json:"default_failures,omitempty"`
	Error           string       `json:"error,omitempty"`
}
