package bench

import (
	"fmt"
	"math"
)

// Direction says which way a ratio must go to meet its goal.
type Direction string

const (
	// AtMost: subject/baseline must not exceed the goal (time, growth).
	AtMost Direction = "at-most"
	// AtLeast: subject/baseline must reach the goal (throughput).
	AtLeast Direction = "at-least"
	// Info: the ratio is reported with no goal.
	Info Direction = "info"
)

// Comparison names a subject benchmark, its in-run baseline, the metric and the goal.
type Comparison struct {
	Group    string    `json:"group"`
	Name     string    `json:"name"`
	Subject  string    `json:"subject"`
	Baseline string    `json:"baseline"`
	Metric   string    `json:"metric"`
	Goal     float64   `json:"goal,omitempty"`
	Dir      Direction `json:"direction"`
	// GoalText says the goal in words, e.g. "≤ 3× the decode floor".
	GoalText string `json:"goal_text"`
}

// Figure is a comparison measured: both values, the ratio and the verdict.
type Figure struct {
	Comparison
	SubjectValue  float64 `json:"subject_value"`
	BaselineValue float64 `json:"baseline_value"`
	Ratio         float64 `json:"ratio"`
	// Status is "met", "missed", "info" or "not measured".
	Status string `json:"status"`
	// Verdict says in words whether the goal is met, or by how much it is missed.
	Verdict string `json:"verdict"`
	// Limits says what limits the figure now (from the run's profiles).
	Limits string `json:"limits,omitempty"`
}

// Compare measures each comparison against results (keyed by benchmark name). A missing or
// failed benchmark gives a figure "not measured" with the reason, never a silent gap.
func Compare(results map[string]*Result, comps []Comparison) []Figure {
	byName := map[string]*Result{}
	for _, r := range results {
		byName[r.Name] = r
	}
	out := make([]Figure, 0, len(comps))
	for _, c := range comps {
		f := Figure{Comparison: c}
		s, b := byName[c.Subject], byName[c.Baseline]
		switch {
		case s == nil || b == nil:
			f.Status, f.Verdict = "not measured", "benchmark did not run: "+missing(c, s, b)
		case s.Failed || b.Failed:
			f.Status, f.Verdict = "not measured", "benchmark failed: see the go test output"
		default:
			sv, sok := s.Metrics[c.Metric]
			bv, bok := b.Metrics[c.Metric]
			if !sok || !bok || bv == 0 {
				f.Status, f.Verdict = "not measured", fmt.Sprintf("no %s figure for both benchmarks", c.Metric)
				break
			}
			f.SubjectValue, f.BaselineValue, f.Ratio = sv, bv, sv/bv
			f.Status, f.Verdict = verdict(f.Ratio, c)
		}
		out = append(out, f)
	}
	return out
}

func missing(c Comparison, s, b *Result) string {
	switch {
	case s == nil && b == nil:
		return c.Subject + " and " + c.Baseline
	case s == nil:
		return c.Subject
	default:
		return c.Baseline
	}
}

// verdict decides a ratio against its goal; a miss says by what factor.
func verdict(ratio float64, c Comparison) (string, string) {
	switch c.Dir {
	case AtMost:
		if ratio <= c.Goal {
			return "met", fmt.Sprintf("met: %.2f× ≤ %.2f×", ratio, c.Goal)
		}
		return "missed", fmt.Sprintf("missed by %.2f× (%.2f× against a goal of ≤ %.2f×)", ratio/c.Goal, ratio, c.Goal)
	case AtLeast:
		if ratio >= c.Goal {
			return "met", fmt.Sprintf("met: %.2f× ≥ %.2f×", ratio, c.Goal)
		}
		by := math.Inf(1)
		if ratio > 0 {
			by = c.Goal / ratio
		}
		return "missed", fmt.Sprintf("missed by %.2f× (%.2f× against a goal of ≥ %.2f×)", by, ratio, c.Goal)
	default:
		return "info", fmt.Sprintf("%.2f×", ratio)
	}
}
