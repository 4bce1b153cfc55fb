package mutation

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	ginkgotypes "github.com/onsi/ginkgo/v2/types"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/mock"
)

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
	Runs        []SuiteRun   `json:"runs"`
	Error       string       `json:"error,omitempty"`
}

// SuiteRun is one suite binary against one mock.
type SuiteRun struct {
	Suite    string       `json:"suite"`
	Specs    int          `json:"specs"`
	Passed   int          `json:"passed"`
	Failed   int          `json:"failed"`
	Failures []FailedSpec `json:"failures,omitempty"`
	Duration string       `json:"duration,omitempty"`
	// Error says the run produced no usable report (timeout, crash, unreadable JSON).
	Error string `json:"error,omitempty"`
}

// FailedSpec is one failed spec of a Ginkgo report.
type FailedSpec struct {
	Suite        string   `json:"suite,omitempty"`
	Text         string   `json:"text"`
	Requirements []string `json:"requirements,omitempty"`
	Message      string   `json:"message,omitempty"`
	// StrictEntries are the register entries the failure names as strict-profile
	// deviations, read from the whole message before it is shortened.
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

// ParsedReport is what mutation testing needs from one suite's Ginkgo JSON report.
type ParsedReport struct {
	Specs    int
	Passed   int
	Failures []FailedSpec
}

// ReportError says a Ginkgo JSON report could not be read.
type ReportError struct{ Err error }

func (e *ReportError) Error() string { return fmt.Sprintf("ginkgo json report: %v", e.Err) }
func (e *ReportError) Unwrap() error { return e.Err }

// reqLabel is the label prefix naming a requirement (docs/architecture.md, "Ginkgo labels").
const reqLabel = "req:"

// maxMessage bounds a failure message kept in the reports; the first lines say what failed.
const maxMessage = 600

// ParseGinkgoReport reads the file --ginkgo.json-report writes (an array of suite
// reports) and returns the spec counts and every failed node: specs, and suite-level nodes
// such as a failing BeforeSuite, which fail the run just the same.
func ParseGinkgoReport(raw []byte) (ParsedReport, error) {
	var suites []ginkgotypes.Report
	if err := json.Unmarshal(raw, &suites); err != nil {
		return ParsedReport{}, &ReportError{Err: err}
	}
	if len(suites) == 0 {
		return ParsedReport{}, &ReportError{Err: fmt.Errorf("no suite in the report")}
	}
	var p ParsedReport
	for _, s := range suites {
		for _, sr := range s.SpecReports {
			isSpec := sr.LeafNodeType == ginkgotypes.NodeTypeIt
			if isSpec && sr.State != ginkgotypes.SpecStateSkipped && sr.State != ginkgotypes.SpecStatePending {
				p.Specs++
				if sr.State == ginkgotypes.SpecStatePassed {
					p.Passed++
				}
			}
			if !sr.State.Is(ginkgotypes.SpecStateFailureStates) {
				continue
			}
			text := sr.FullText()
			if text == "" {
				text = "[" + sr.LeafNodeType.String() + "]"
			}
			p.Failures = append(p.Failures, FailedSpec{
				Suite:         s.SuiteDescription,
				Text:          text,
				Requirements:  requirementsOf(sr.Labels()),
				Message:       excerptHead(sr.Failure.Message, maxMessage),
				StrictEntries: strictEntries(sr.Failure.Message),
			})
		}
	}
	return p, nil
}

func requirementsOf(labels []string) []string {
	var out []string
	for _, l := range labels {
		if id, ok := strings.CutPrefix(l, reqLabel); ok {
			out = append(out, id)
		}
	}
	return sortedUnique(out)
}

func excerptHead(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// strictFlag is how the suites name a register entry the target deviates on under the
// strict profile.
var strictFlag = regexp.MustCompile(`strict profile: register entry (\S+)`)

func strictEntries(message string) []string {
	var out []string
	for _, m := range strictFlag.FindAllStringSubmatch(message, -1) {
		out = append(out, m[1])
	}
	return sortedUnique(out)
}

// StrictFlags returns the register entries the failures name as strict deviations, sorted.
func StrictFlags(failures []FailedSpec) []string {
	var out []string
	for _, f := range failures {
		out = append(out, f.StrictEntries...)
	}
	return sortedUnique(out)
}

func failuresOf(runs []SuiteRun) []FailedSpec {
	var out []FailedSpec
	for _, r := range runs {
		out = append(out, r.Failures...)
	}
	return out
}

func runErrors(runs []SuiteRun) string {
	var errs []string
	for _, r := range runs {
		if r.Error != "" {
			errs = append(errs, r.Suite+": "+r.Error)
		}
	}
	return strings.Join(errs, "; ")
}

func pristineOf(o outcome) Baseline {
	b := Baseline{Runs: o.runs}
	if o.err != nil {
		b.Error = o.err.Error()
		return b
	}
	b.Error = runErrors(o.runs)
	b.Passed = b.Error == "" && len(failuresOf(o.runs)) == 0 && len(o.runs) == len(Suites)
	return b
}

func mutantOf(f mock.Fault, o outcome) Mutant {
	m := Mutant{Fault: f.Name, API: f.API, Description: f.Description, Requirements: slices.Clone(f.Requirements), Runs: slices.Clone(o.runs)}
	if o.err != nil {
		m.Error = o.err.Error()
		return m
	}
	m.Error = runErrors(o.runs)
	m.Killers = failuresOf(o.runs)
	m.Killed = len(m.Killers) > 0
	for _, k := range m.Killers {
		for _, id := range k.Requirements {
			if slices.Contains(f.Requirements, id) {
				m.RightReason = true
			}
		}
	}
	// Drop the per-run failure lists: the killers already hold them, once.
	for i := range m.Runs {
		m.Runs[i].Failures = nil
	}
	return m
}

// fairnessOf compares what the strict profile flagged on the lenient mock with the register
// entries that have more than one reading.
func fairnessOf(lenientDefault, lenientStrict outcome, cat *catalog.Catalog) Fairness {
	var f Fairness
	for _, a := range cat.Ambiguities {
		if len(a.Readings) > 1 {
			f.Expected = append(f.Expected, a.ID)
		}
	}
	f.Expected = sortedUnique(f.Expected)
	var errs []string
	for _, o := range []outcome{lenientDefault, lenientStrict} {
		if o.err != nil {
			errs = append(errs, o.err.Error())
		} else if e := runErrors(o.runs); e != "" {
			errs = append(errs, e)
		}
	}
	f.Error = strings.Join(errs, "; ")
	f.DefaultFailures = failuresOf(lenientDefault.runs)
	f.DefaultPassed = lenientDefault.err == nil && runErrors(lenientDefault.runs) == "" && len(f.DefaultFailures) == 0
	strictFailures := failuresOf(lenientStrict.runs)
	f.StrictFailed = len(strictFailures) > 0
	f.Flagged = StrictFlags(strictFailures)
	f.Missing = difference(f.Expected, f.Flagged)
	f.Extra = difference(f.Flagged, f.Expected)
	f.Holds = f.Error == "" && f.DefaultPassed && f.StrictFailed && len(f.Missing) == 0 && len(f.Extra) == 0
	return f
}

func difference(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// finish computes the score and the coverage per kind.
func (r *Result) finish(cat *catalog.Catalog) {
	r.Valid = r.Pristine.Passed
	r.Total = len(r.Mutants)
	r.Killed = 0
	proven := map[string]bool{}
	type tally struct{ faults, killed int }
	perKind := map[string]*tally{}
	for _, k := range catalog.Kinds {
		perKind[k] = &tally{}
	}
	for _, m := range r.Mutants {
		if m.Killed {
			r.Killed++
		}
		kinds := map[string]bool{}
		for _, id := range m.Requirements {
			if req, ok := cat.Requirement(id); ok {
				kinds[req.Kind] = true
			}
			if m.Killed {
				proven[id] = true
			}
		}
		for k := range kinds {
			if t := perKind[k]; t != nil {
				t.faults++
				if m.Killed {
					t.killed++
				}
			}
		}
	}
	if r.Total > 0 {
		r.Score = float64(r.Killed) / float64(r.Total)
	}
	r.Kinds = nil
	for _, k := range catalog.Kinds {
		kc := KindCoverage{Kind: k, Faults: perKind[k].faults, Killed: perKind[k].killed}
		for _, req := range cat.Requirements {
			if req.Kind != k {
				continue
			}
			kc.Requirements++
			if proven[req.ID] {
				kc.Proven++
			} else {
				kc.Unproven = append(kc.Unproven, req.ID)
			}
		}
		r.Kinds = append(r.Kinds, kc)
	}
	r.Weakest = weakestKinds(r.Kinds)
}

// weakestKinds returns the kinds with the lowest share of proven requirements, ties broken
// by fewer killed faults; all tied kinds are named.
func weakestKinds(kinds []KindCoverage) []string {
	if len(kinds) == 0 {
		return nil
	}
	sorted := slices.Clone(kinds)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Ratio() != sorted[j].Ratio() {
			return sorted[i].Ratio() < sorted[j].Ratio()
		}
		return sorted[i].Killed < sorted[j].Killed
	})
	first := sorted[0]
	var out []string
	for _, k := range sorted {
		if k.Ratio() == first.Ratio() && k.Killed == first.Killed {
			out = append(out, k.Kind)
		}
	}
	return out
}
