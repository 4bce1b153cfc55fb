package prove

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/mutation"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
)

// What the mock reads for register entries the run never observed.
const (
	// UnobservedWorst runs the faults on the strict reading and on both lenient extremes of
	// every unobserved entry and keeps each fault's worst outcome: the target may read them
	// any legitimate way, and a claim about its run must hold for all of them.
	UnobservedWorst = "worst"
	// UnobservedStrict takes the strict reading: cheaper, and optimistic.
	UnobservedStrict = "strict"
)

// ErrNoTarget is wrapped when the run record holds no target entry: without it the mode
// the run was made in is unknown.
var ErrNoTarget = errors.New("the run record has no target entry (did the suites get past their set-up?)")

// ErrNothingReached is wrapped when the run reached no API's target.
var ErrNothingReached = errors.New("the run reached no API's target: there is nothing to prove")

// Plan is what a finished run says about its target: its mode and the readings it took.
type Plan struct {
	AllowMutating bool
	Profile       string
	// APIs are the APIs the run described and reached.
	APIs []string
	// Observed are the legitimate readings the run observed, one per entry.
	Observed mock.Readings
	// Readings are the observed non-strict readings, sorted by entry, with notes.
	Readings []report.DetectionReading
	// Notes are what the plan could not follow (illegitimate or unknown readings).
	Notes []string
}

// PlanOf reads the target's mode and observed readings from the run record. An entry the
// run saw read several ways takes its first non-strict legitimate reading (noted); a
// reading the register does not allow is noted and left strict — the run failed on it.
func PlanOf(run *runrecord.Run) (*Plan, error) {
	t := run.Target()
	if t == nil {
		return nil, fmt.Errorf("prove: %w", ErrNoTarget)
	}
	p := &Plan{AllowMutating: t.AllowMutating, Profile: t.Profile, Observed: mock.Readings{}, Readings: []report.DetectionReading{}, Notes: []string{}}
	unreachable := map[string]bool{}
	for _, u := range run.Unreachable() {
		unreachable[u.API] = true
	}
	for _, api := range specfacts.APIs() {
		url := t.KooPhoneURL
		if api == specfacts.VBS {
			url = t.VBSURL
		}
		if url != "" && !unreachable[string(api)] {
			p.APIs = append(p.APIs, string(api))
		}
	}
	if len(p.APIs) == 0 {
		return nil, fmt.Errorf("prove: %w", ErrNothingReached)
	}
	seen := map[string][]string{}
	var order []string
	for _, s := range run.Suites {
		for _, sp := range s.Specs {
			for _, o := range sp.Observations {
				id := string(o.ID)
				if id == "" || o.Reading == "" {
					continue
				}
				if _, ok := seen[id]; !ok {
					order = append(order, id)
				}
				if !slices.Contains(seen[id], o.Reading) {
					seen[id] = append(seen[id], o.Reading)
				}
			}
		}
	}
	cat := catalog.Default()
	for _, entry := range order {
		a, ok := cat.Ambiguity(entry)
		if !ok {
			p.Notes = append(p.Notes, fmt.Sprintf("the run observed register entry %s, which the register does not have; ignored", entry))
			continue
		}
		var legit, other []string
		for _, r := range seen[entry] {
			if mock.CheckReading(entry, r) == nil {
				legit = append(legit, r)
			} else {
				other = append(other, r)
			}
		}
		if len(other) > 0 {
			p.Notes = append(p.Notes, fmt.Sprintf("the run observed %s=%s, which the register does not allow (the run fails on it); the mock cannot take it",
				entry, strings.Join(other, ",")))
		}
		if len(legit) == 0 {
			continue
		}
		chosen := legit[0]
		for _, r := range legit {
			if r != a.Strict {
				chosen = r
				break
			}
		}
		p.Observed[entry] = chosen
		note := ""
		if len(legit) > 1 {
			note = fmt.Sprintf("observed %s; the mock takes %s", strings.Join(legit, ", "), chosen)
		}
		if chosen != a.Strict || note != "" {
			p.Readings = append(p.Readings, report.DetectionReading{Entry: entry, Reading: chosen, Note: note})
		}
	}
	sort.Slice(p.Readings, func(i, j int) bool { return p.Readings[i].Entry < p.Readings[j].Entry })
	return p, nil
}

// Configurations are the mutation configurations of the plan, in the run's mode and
// profile: the observed readings over the strict reading of every unobserved entry, and
// with UnobservedWorst also over each lenient extreme; configurations whose readings come
// out the same are run once.
func (p *Plan) Configurations(unobserved string) ([]mutation.Configuration, error) {
	type base struct {
		name     string
		readings mock.Readings
	}
	var bases []base
	switch unobserved {
	case UnobservedStrict:
		bases = []base{{"as-observed", mock.StrictReadings()}}
	case UnobservedWorst:
		bases = []base{
			{"as-observed", mock.StrictReadings()},
			{"as-observed-lenient", mock.LenientReadings()},
			{"as-observed-lenient-last", mock.LastLenientReadings()},
		}
	default:
		return nil, fmt.Errorf("prove: unobserved readings %q: want %s or %s", unobserved, UnobservedWorst, UnobservedStrict)
	}
	var out []mutation.Configuration
	for _, b := range bases {
		rs := maps.Clone(b.readings)
		maps.Copy(rs, p.Observed)
		if slices.ContainsFunc(out, func(c mutation.Configuration) bool { return maps.Equal(c.Readings, rs) }) {
			continue
		}
		out = append(out, mutation.Configuration{Name: b.name, Readings: rs, ReadOnly: !p.AllowMutating,
			StrictProfile: p.Profile == runrecord.ProfileStrict})
	}
	return out, nil
}
