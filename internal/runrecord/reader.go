package runrecord

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/koobackup/conformance/internal/specfacts"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

// Run is one Ginkgo JSON report (what --json-report writes): one Suite per suite package.
type Run struct {
	Suites []Suite
}

// Suite is one suite package of a run.
type Suite struct {
	Description string
	Path        string
	Labels      []string
	Succeeded   bool
	StartTime   time.Time
	EndTime     time.Time
	// SpecialFailures are suite-level failure reasons Ginkgo gives besides failed nodes
	// (interrupted, timed out, programmatic focus).
	SpecialFailures []string
	// Specs holds every node Ginkgo reported, setup nodes included, in report order.
	Specs []Spec
}

// Spec is one node of a suite's report with its records decoded.
type Spec struct {
	// Text is the full text (containers and leaf), trimmed.
	Text string
	// Node is Ginkgo's leaf node type ("It", "BeforeSuite", "ReportAfterSuite", …).
	Node  ginkgotypes.NodeType
	State ginkgotypes.SpecState
	// File and Line locate the leaf node: the It or the Entry.
	File    string
	Line    int
	Labels  []string
	RunTime time.Duration
	// StartTime is when the spec started; specs of one process run one after another.
	StartTime time.Time
	// Failure is set for failed, panicked, interrupted and timed-out nodes.
	Failure *Failure
	// SkipMessage is Ginkgo's message for a skipped spec (the Skip argument).
	SkipMessage string

	Evidence     []Evidence
	Observations []Observation
	SkipReasons  []SkipReason
	Verdicts     []Verdict
	Targets      []Target
	Unreachable  []Unreachable
	Expectations []Expectation
	Consumed     []Consumed
	Pools        []PoolState
}

// Failure is why a node failed and where.
type Failure struct {
	Message  string
	Location string
}

// IsSpec reports whether the node is a spec (an It, or an Entry of a table), as opposed to
// a setup or reporting node.
func (s Spec) IsSpec() bool { return s.Node == ginkgotypes.NodeTypeIt }

// Passed, Failed, Skipped and Pending classify the state.
func (s Spec) Passed() bool  { return s.State == ginkgotypes.SpecStatePassed }
func (s Spec) Failed() bool  { return s.State.Is(ginkgotypes.SpecStateFailureStates) }
func (s Spec) Skipped() bool { return s.State == ginkgotypes.SpecStateSkipped }
func (s Spec) Pending() bool { return s.State == ginkgotypes.SpecStatePending }

// Requirements are the ids of the spec's req: labels.
func (s Spec) Requirements() []specfacts.RequirementID { return RequirementsOf(s.Labels) }

// Owner is the spec's owning requirement (OwningRequirement of its labels).
func (s Spec) Owner() specfacts.RequirementID { return OwningRequirement(s.Requirements()) }

// API is the spec's api: label's value.
func (s Spec) API() string { return APIOf(s.Labels) }

// Mutating reports whether the spec carries the mutating label.
func (s Spec) Mutating() bool { return slices.Contains(s.Labels, MutatingLabel) }

// Explore reports whether the spec carries ExploreLabel: its requests are generated, not
// hand-picked.
func (s Spec) Explore() bool { return slices.Contains(s.Labels, ExploreLabel) }

// Inconclusive returns the reasons of the spec's inconclusive verdicts; none means the
// spec's outcome stands as Ginkgo reports it.
func (s Spec) Inconclusive() []string { return s.verdictReasons(OutcomeInconclusive) }

// NotApplicable returns the reasons of the spec's not-applicable verdicts.
func (s Spec) NotApplicable() []string { return s.verdictReasons(OutcomeNotApplicable) }

func (s Spec) verdictReasons(outcome string) []string {
	var out []string
	for _, v := range s.Verdicts {
		if v.Outcome == outcome && !slices.Contains(out, v.Reason) {
			out = append(out, v.Reason)
		}
	}
	return out
}

// Target is the first target record of the suite, or nil when none was emitted (a run
// that failed before its set-up).
func (s Suite) Target() *Target {
	for _, sp := range s.Specs {
		if len(sp.Targets) > 0 {
			t := sp.Targets[0]
			return &t
		}
	}
	return nil
}

// Unreachable returns every unreachable record of the suite, from whichever node emitted it.
func (s Suite) Unreachable() []Unreachable {
	var out []Unreachable
	for _, sp := range s.Specs {
		for _, u := range sp.Unreachable {
			if !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	return out
}

// Consumed returns every consumed record of the run, in report order, one per pool and id
// (the first spec that consumed it).
func (r *Run) Consumed() []Consumed {
	var out []Consumed
	seen := map[[2]string]bool{}
	for _, s := range r.Suites {
		for _, sp := range s.Specs {
			for _, c := range sp.Consumed {
				k := [2]string{c.Pool, c.ID}
				if !seen[k] {
					seen[k] = true
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// Pools returns the pool states the suites recorded, one per pool (the first).
func (r *Run) Pools() []PoolState {
	var out []PoolState
	seen := map[string]bool{}
	for _, s := range r.Suites {
		for _, sp := range s.Specs {
			for _, p := range sp.Pools {
				if !seen[p.Pool] {
					seen[p.Pool] = true
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// Target is the first target record of the run.
func (r *Run) Target() *Target {
	for _, s := range r.Suites {
		if t := s.Target(); t != nil {
			return t
		}
	}
	return nil
}

// Unreachable returns the unreachable records of every suite of the run.
func (r *Run) Unreachable() []Unreachable {
	var out []Unreachable
	for _, s := range r.Suites {
		for _, u := range s.Unreachable() {
			if !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	return out
}

// ReportError says a Ginkgo JSON report could not be read; Path is empty when the bytes
// did not come from a file.
type ReportError struct {
	Path string
	Err  error
}

func (e *ReportError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("ginkgo json report: %v", e.Err)
	}
	return fmt.Sprintf("ginkgo json report %s: %v", e.Path, e.Err)
}

func (e *ReportError) Unwrap() error { return e.Err }

// EntryError says a report entry of a known name does not hold its documented record.
type EntryError struct {
	Spec  string
	Entry string
	Err   error
}

func (e *EntryError) Error() string {
	return fmt.Sprintf("spec %q: report entry %q: value is not the documented JSON: %v", e.Spec, e.Entry, e.Err)
}

func (e *EntryError) Unwrap() error { return e.Err }

// ErrNoSuite is wrapped when a report holds no suite at all.
var ErrNoSuite = errors.New("no suite in the report")

// ReadFile reads the file `ginkgo --json-report` (or `--ginkgo.json-report`) writes.
func ReadFile(path string) (*Run, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, &ReportError{Path: path, Err: err}
	}
	run, err := Read(raw)
	if err != nil {
		var re *ReportError
		if errors.As(err, &re) && re.Path == "" {
			re.Path = path
		}
		return nil, err
	}
	return run, nil
}

// Read decodes a Ginkgo JSON report: the array of suite reports Ginkgo writes.
func Read(raw []byte) (*Run, error) {
	var reports []ginkgotypes.Report
	if err := json.Unmarshal(raw, &reports); err != nil {
		return nil, &ReportError{Err: fmt.Errorf("not the array of suite reports --json-report writes: %w", err)}
	}
	if len(reports) == 0 {
		return nil, &ReportError{Err: ErrNoSuite}
	}
	run := &Run{}
	for _, r := range reports {
		s := Suite{Description: r.SuiteDescription, Path: r.SuitePath, Labels: r.SuiteLabels, Succeeded: r.SuiteSucceeded,
			StartTime: r.StartTime, EndTime: r.EndTime, SpecialFailures: r.SpecialSuiteFailureReasons}
		for _, sr := range r.SpecReports {
			sp, err := spec(sr)
			if err != nil {
				return nil, &ReportError{Err: err}
			}
			s.Specs = append(s.Specs, sp)
		}
		run.Suites = append(run.Suites, s)
	}
	return run, nil
}

func spec(sr ginkgotypes.SpecReport) (Spec, error) {
	sp := Spec{Text: strings.TrimSpace(sr.FullText()), Node: sr.LeafNodeType, State: sr.State,
		File: sr.LeafNodeLocation.FileName, Line: sr.LeafNodeLocation.LineNumber,
		Labels: sr.Labels(), RunTime: sr.RunTime, StartTime: sr.StartTime}
	if sp.Failed() {
		sp.Failure = &Failure{Message: sr.Failure.Message, Location: sr.Failure.Location.String()}
	}
	if sp.Skipped() {
		sp.SkipMessage = sr.Failure.Message
	}
	for _, e := range sr.ReportEntries {
		var err error
		switch e.Name {
		case EntryEvidence:
			sp.Evidence, err = appendDecoded(sp.Evidence, e)
		case EntryAmbiguity:
			sp.Observations, err = appendDecoded(sp.Observations, e)
		case EntrySkipReason:
			sp.SkipReasons, err = appendDecoded(sp.SkipReasons, e)
		case EntryVerdict:
			sp.Verdicts, err = appendDecoded(sp.Verdicts, e)
			if err == nil {
				err = checkVerdict(sp.Verdicts[len(sp.Verdicts)-1])
			}
		case EntryExpectation:
			sp.Expectations, err = appendDecoded(sp.Expectations, e)
			if err == nil && sp.Expectations[len(sp.Expectations)-1].Summary == "" {
				err = errors.New(`"summary" is empty`)
			}
		case EntryTarget:
			sp.Targets, err = appendDecoded(sp.Targets, e)
		case EntryUnreachable:
			sp.Unreachable, err = appendDecoded(sp.Unreachable, e)
			if err == nil {
				err = checkUnreachable(sp.Unreachable[len(sp.Unreachable)-1])
			}
		case EntryConsumed:
			sp.Consumed, err = appendDecoded(sp.Consumed, e)
			if err == nil && (sp.Consumed[len(sp.Consumed)-1].Pool == "" || sp.Consumed[len(sp.Consumed)-1].ID == "") {
				err = errors.New(`"pool" or "id" is empty`)
			}
		case EntryPool:
			sp.Pools, err = appendDecoded(sp.Pools, e)
		default:
			// Entries of other names (a suite's own notes) carry no record.
			continue
		}
		if err != nil {
			return Spec{}, &EntryError{Spec: sp.Text, Entry: e.Name, Err: err}
		}
	}
	return sp, nil
}

// checkUnreachable refuses a record that could not tell a user which API went away or why.
func checkUnreachable(u Unreachable) error {
	if u.API == "" {
		return errors.New(`"api" is empty`)
	}
	if u.Reason == "" {
		return errors.New(`"reason" is empty`)
	}
	return nil
}

func checkVerdict(v Verdict) error {
	if v.Outcome != OutcomeInconclusive && v.Outcome != OutcomeNotApplicable {
		return fmt.Errorf("outcome %q is not one of [%s %s]", v.Outcome, OutcomeInconclusive, OutcomeNotApplicable)
	}
	if v.Reason == "" {
		return errors.New(`"reason" is empty`)
	}
	return nil
}

// appendDecoded decodes a report entry's value into a T and appends it. Ginkgo keeps a
// struct value as its JSON; a value passed as a string holding JSON is accepted too.
func appendDecoded[T any](list []T, e ginkgotypes.ReportEntry) ([]T, error) {
	raw := []byte(e.Value.AsJSON)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = []byte(s)
	}
	if len(raw) == 0 || string(raw) == "null" {
		return list, errors.New("value is empty")
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return list, err
	}
	return append(list, v), nil
}
