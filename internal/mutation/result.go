package mutation

// Result is one mutation run: the pristine baseline, every mutant, the score, the coverage
// per requirement kind, the fairness check and the fault × configuration matrix.
type Result struct {
	// Valid is false when the pristine mock failed a spec: then a kill proves nothing.
	Valid    bool     `json:"valid"`
	Pristine Baseline `json:"pristine"`
	// Mutants are the faults planted on the strict mock: they make the score. They are
	// the strict column of Configurations, so the JSON carries them once, there.
	Mutants []Mutant       `json:"-"`
	Killed  int            `json:"killed"`
	Total   int            `json:"total"`
	Score   float64        `json:"score"`
	Kinds   []KindCoverage `json:"kinds"`
	// Weakest names the kinds with the lowest coverage (there may be ties).
	Weakest  []string `json:"weakest_kinds"`
	Fairness Fairness `json:"fairness"`
	Duration string   `json:"duration,omitempty"`
	// Configurations are the columns of the fault × configuration matrix: every fault
	// planted on the strict mock (first), on mocks taking other readings and on read-only
	// targets (run.go).
	Configurations []ConfigurationResult `json:"configurations"`
	// ExploreOnly names the faults killed on the strict mock by the kind:explore specs
	// alone: what generated requests add to the hand-picked probes.
	ExploreOnly []string `json:"explore_only"`
}

// OK reports whether the run proves the suites: a valid baseline, every mutant killed on
// the strict mock, a fair strict profile, and every other configuration honest (each fault
// killed there, or its requirements reported as not settled — never as passing).
func (r *Result) OK() bool {
	if !r.Valid || r.Total == 0 || r.Killed != r.Total || !r.Fairness.Holds {
		return false
	}
	for _, c := range r.Configurations {
		if !c.Honest() {
			return false
		}
	}
	return true
}

// Survivors lists the mutants that were not killed.
func (r *Result) Survivors() []Mutant {
	var out []Mutant
	for _, m := range r.Mutants {
		if !m.Killed() {
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

// Outcome is what became of one fault on one configuration.
type Outcome string

// Outcomes of a mutant, from best to worst for the suites.
const (
	// OutcomeKilled: a spec (or a suite-level node) failed.
	OutcomeKilled Outcome = "killed"
	// OutcomeInconclusive: no spec failed, and each requirement the fault violates came out
	// inconclusive or partially evaluated (at least one of them), the rest not evaluated:
	// the report says it could not tell, an honest non-kill.
	OutcomeInconclusive Outcome = "inconclusive"
	// OutcomeNotEvaluated: no spec failed, and no requirement the fault violates was
	// evaluated (its specs were skipped, e.g. mutating specs on a read-only target): an
	// honest non-kill.
	OutcomeNotEvaluated Outcome = "not-evaluated"
	// OutcomeError: no spec failed and the run could not be made or read (timeout, crash,
	// no report); nothing is known.
	OutcomeError Outcome = "error"
	// OutcomeSurvived: no spec failed, and a requirement the fault violates came out as
	// pass — the report would vouch for a deviating implementation.
	OutcomeSurvived Outcome = "survived"
)

// Honest reports whether the outcome leaves no false pass: killed, or reported as not
// settled.
func (o Outcome) Honest() bool {
	return o == OutcomeKilled || o == OutcomeInconclusive || o == OutcomeNotEvaluated
}

// rank orders outcomes from best (killed) to worst (survived) for the suites.
func (o Outcome) rank() int {
	switch o {
	case OutcomeKilled:
		return 0
	case OutcomeInconclusive:
		return 1
	case OutcomeNotEvaluated:
		return 2
	case OutcomeError:
		return 3
	}
	return 4
}

// Worse reports whether o is worse for the suites than other.
func (o Outcome) Worse(other Outcome) bool { return o.rank() > other.rank() }

// Mutant is the suites against the mock with one fault switched on.
type Mutant struct {
	Fault        string   `json:"fault"`
	API          string   `json:"api"`
	Description  string   `json:"description"`
	Requirements []string `json:"requirements"`
	Outcome      Outcome  `json:"outcome"`
	// RightReason is true when a killing spec is labelled with one of the fault's own
	// requirements, so the kill is not an accident of some unrelated check.
	RightReason bool `json:"right_reason"`
	// KilledBy says which specs killed the fault: the hand-picked probes, the kind:explore
	// spec, or both; empty when it was not killed.
	KilledBy KilledBy     `json:"killed_by,omitempty"`
	Killers  []FailedSpec `json:"killers,omitempty"`
	// Causes are the titles of the causes the report built from the run groups its
	// failures into (internal/report): one planted deviation should be one cause.
	Causes []string `json:"causes,omitempty"`
	// Statuses are the report's statuses (internal/report, from the run's evidence) of the
	// requirements the fault violates, in the fault's order.
	Statuses []RequirementStatus `json:"requirement_statuses"`
	// Reason says why a fault that was not killed is honest (or is a survivor): each
	// requirement's status and its reason.
	Reason string     `json:"reason,omitempty"`
	Runs   []SuiteRun `json:"runs"`
	Error  string     `json:"error,omitempty"`
}

// Killed reports whether a spec failed on the mutant.
func (m Mutant) Killed() bool { return m.Outcome == OutcomeKilled }

// KilledBy is which kind of spec killed a fault.
type KilledBy string

// Who killed a fault. A suite-level node that failed (a BeforeSuite) counts on the
// hand-picked side: it is not the exploration.
const (
	KilledByHandPicked KilledBy = "hand-picked"
	KilledByExplore    KilledBy = "explore"
	KilledByBoth       KilledBy = "both"
)

// killedBy tells the killers apart by the kind:explore label their spec carries.
func killedBy(killers []FailedSpec) KilledBy {
	var hand, explore bool
	for _, k := range killers {
		if k.Explore {
			explore = true
		} else {
			hand = true
		}
	}
	switch {
	case hand && explore:
		return KilledByBoth
	case explore:
		return KilledByExplore
	case hand:
		return KilledByHandPicked
	}
	return ""
}

// RequirementStatus is one requirement's status in the report built from a mutant's run.
type RequirementStatus struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
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
	// Explore is set on the suite's kind:explore spec: its requests were generated.
	Explore bool `json:"explore,omitempty"`
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
