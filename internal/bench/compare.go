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
	// ValueAtMost: the subject's own value must not exceed the goal (a cost the goal states
	// in the metric's unit); the ratio to the baseline is reported beside it.
	ValueAtMost Direction = "value-at-most"
)

// Comparison names a subject benchmark, its in-run baseline, the metric and the goal.
type Comparison struct {
	Group    string `json:"group"`
	Name     string `json:"name"`
	Subject  string `json:"subject"`
	Baseline string `json:"baseline"`
	Metric   string `json:"metric"`
	// SubjectMetric and BaselineMetric, when set, name the metrics of a paired benchmark
	// that reports both sides (Subject and Baseline are then the same benchmark).
	SubjectMetric  string    `json:"subject_metric,omitempty"`
	BaselineMetric string    `json:"baseline_metric,omitempty"`
	Goal           float64   `json:"goal,omitempty"`
	Dir            Direction `json:"direction"`
	// GoalText says the goal in words, e.g. "≤ 3× the decode floor".
	GoalText string `json:"goal_text"`
}

// Figure is a comparison measured: both values, the ratio and the verdict.
type Figure struct {
	Comparison
	SubjectValue  float64 `json:"subject_value"`
	BaselineValue float64 `json:"baseline_value"`
	Ratio         float64 `json:"ratio"`
	// Samples is how many samples the medians are of; the Min/Max fields are their spread
	// (for a paired benchmark the ratio's spread is per sample).
	Samples     int     `json:"samples,omitempty"`
	SubjectMin  float64 `json:"subject_min,omitempty"`
	SubjectMax  float64 `json:"subject_max,omitempty"`
	BaselineMin float64 `json:"baseline_min,omitempty"`
	BaselineMax float64 `json:"baseline_max,omitempty"`
	RatioMin    float64 `json:"ratio_min,omitempty"`
	RatioMax    float64 `json:"ratio_max,omitempty"`
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
			sm, bm := c.Metric, c.Metric
			if c.SubjectMetric != "" {
				sm, bm = c.SubjectMetric, c.BaselineMetric
			}
			sv, sok := s.Metrics[sm]
			bv, bok := b.Metrics[bm]
			if !sok || !bok || bv == 0 {
				f.Status, f.Verdict = "not measured", fmt.Sprintf("no %s figure for both benchmarks", c.Metric)
				break
			}
			f.SubjectValue, f.BaselineValue, f.Ratio = sv, bv, sv/bv
			f.Samples = min(s.Samples, b.Samples)
			f.SubjectMin, f.SubjectMax = s.Min[sm], s.Max[sm]
			f.BaselineMin, f.BaselineMax = b.Min[bm], b.Max[bm]
			if s == b {
				f.RatioMin, f.RatioMax = pairedRatios(s, sm, bm)
			} else if f.BaselineMax > 0 && f.BaselineMin > 0 {
				f.RatioMin, f.RatioMax = f.SubjectMin/f.BaselineMax, f.SubjectMax/f.BaselineMin
			}
			f.Status, f.Verdict = verdict(f.SubjectValue, f.Ratio, c)
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

// verdict decides a ratio (or for ValueAtMost the subject's value) against its goal; a miss
// says by what factor.
func verdict(value, ratio float64, c Comparison) (string, string) {
	switch c.Dir {
	case ValueAtMost:
		if value <= c.Goal {
			return "met", fmt.Sprintf("met: %.3g %s ≤ %g %s", value, c.Metric, c.Goal, c.Metric)
		}
		return "missed", fmt.Sprintf("missed by %.2f× (%.3g %s against a goal of ≤ %g %s)", value/c.Goal, value, c.Metric, c.Goal, c.Metric)
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

// pairedRatios is the spread of subject/baseline over the samples of one benchmark that
// reports both.
func pairedRatios(r *Result, sm, bm string) (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, smp := range r.SampleMetrics {
		if smp[bm] == 0 {
			continue
		}
		x := smp[sm] / smp[bm]
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	if math.IsInf(lo, 0) {
		return 0, 0
	}
	return lo, hi
}
