package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"sort"
	"strings"

	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

//go:embed report.html.tmpl
var htmlTemplateText string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"upper":         strings.ToUpper,
	"join":          strings.Join,
	"seconds":       func(f float64) string { return fmt.Sprintf("%.1f s", f) },
	"ms":            func(f float64) string { return fmt.Sprintf("%.0f ms", f*1000) },
	"add":           func(a, b int) int { return a + b },
	"causesHeading": causesHeading,
	// Long spec lists fold after the first few so a matrix row stays readable.
	"firstSpecs": func(s []Spec) []Spec { return s[:min(len(s), specsShownPerRow)] },
	"moreSpecs":  func(s []Spec) []Spec { return s[min(len(s), specsShownPerRow):] },
	"sortedHeaders": func(h map[string]string) []string {
		keys := make([]string, 0, len(h))
		for k := range h {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]string, len(keys))
		for i, k := range keys {
			out[i] = k + ": " + h[k]
		}
		return out
	},
	"stateClass": func(s Spec) string {
		switch {
		case len(s.Inconclusive) > 0:
			return StatusInconclusive
		case len(s.NotApplicable) > 0:
			return "not-applicable"
		case isFailureState(s.State):
			return StatusFail
		case s.State == ginkgotypes.SpecStatePassed.String():
			return StatusPass
		}
		return StatusNotEvaluated
	},
}).Parse(htmlTemplateText))

// specsShownPerRow is how many specs a matrix row lists before folding the rest (failures
// are sorted first, so they are always shown).
const specsShownPerRow = 4

// chartBar is one API's stacked bar in the summary chart.
type chartBar struct {
	API      string
	Y        int
	Segments []chartSegment
	Label    string
}

type chartSegment struct {
	Status string
	X, W   float64
	Count  int
}

// Geometry of the summary chart, in SVG user units.
const (
	chartLabelWidth = 110
	chartBarWidth   = 520
	chartBarHeight  = 26
	chartRowHeight  = 40
)

type htmlView struct {
	Title       string
	Single      *Report
	Reports     []*Report
	Names       []string
	Charts      []chartView
	Failures    []Requirement
	Riders      []Requirement
	Comparison  []comparisonRow
	APIs, Kinds []string
	Statuses    []string
}

type chartView struct {
	Name       string
	Bars       []chartBar
	Height     int
	Width      int
	LabelWidth int
	BarHeight  int
}

// RenderHTML writes one self-contained page: with one report its full audit view, with
// several a comparison of the implementations per requirement.
func RenderHTML(w io.Writer, reports ...*Report) error {
	if len(reports) == 0 {
		return fmt.Errorf("render html: no report")
	}
	v := htmlView{Reports: reports, Names: implementationNames(reports),
		Statuses: []string{StatusFail, StatusWaived, StatusPass, StatusPartiallyEvaluated, StatusInconclusive, StatusNotEvaluated}}
	for i, r := range reports {
		v.Charts = append(v.Charts, chart(v.Names[i], r))
		for _, q := range r.Requirements {
			if !slices.Contains(v.APIs, q.API) {
				v.APIs = append(v.APIs, q.API)
			}
			if !slices.Contains(v.Kinds, q.Kind) {
				v.Kinds = append(v.Kinds, q.Kind)
			}
		}
	}
	sort.Strings(v.Kinds)
	if len(reports) == 1 {
		r := reports[0]
		v.Single = r
		v.Title = "Conformance report — " + orDash(r.Target.Name)
		for _, q := range r.Requirements {
			if q.Status != StatusFail {
				continue
			}
			// A requirement that fails only because of another requirement's cause is not a
			// problem of its own: it is listed, not given a card.
			if _, own := r.OwnCause(q); own || len(q.CausedBy) == 0 {
				v.Failures = append(v.Failures, q)
			} else {
				v.Riders = append(v.Riders, q)
			}
		}
	} else {
		v.Title = fmt.Sprintf("Conformance comparison — %d implementations", len(reports))
		v.Comparison = comparisonRows(reports)
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, v); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	if _, err := w.Write(reports[0].redactor.Bytes(buf.Bytes())); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return nil
}

func chart(name string, r *Report) chartView {
	cv := chartView{Name: name, Width: chartLabelWidth + chartBarWidth + 150, LabelWidth: chartLabelWidth, BarHeight: chartBarHeight}
	for i, a := range r.APIs {
		bar := chartBar{API: a.API, Y: i * chartRowHeight,
			Label: fmt.Sprintf("%d/%d evaluated", a.Evaluated, a.Requirements)}
		x := float64(chartLabelWidth)
		for _, seg := range []struct {
			status string
			n      int
		}{{StatusPass, a.Pass}, {StatusFail, a.Fail}, {StatusWaived, a.Waived}, {StatusPartiallyEvaluated, a.PartiallyEvaluated},
			{StatusInconclusive, a.Inconclusive}, {StatusNotEvaluated, a.NotEvaluated}} {
			if seg.n == 0 || a.Requirements == 0 {
				continue
			}
			w := float64(chartBarWidth) * float64(seg.n) / float64(a.Requirements)
			bar.Segments = append(bar.Segments, chartSegment{Status: seg.status, X: x, W: w, Count: seg.n})
			x += w
		}
		cv.Bars = append(cv.Bars, bar)
	}
	cv.Height = len(cv.Bars)*chartRowHeight + 4
	return cv
}
