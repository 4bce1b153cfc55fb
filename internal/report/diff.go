package report

import (
	"fmt"
	"io"
	"strings"
)

// Change is one requirement whose status moved between two reports.
type Change struct {
	ID   string `json:"id"`
	API  string `json:"api"`
	From string `json:"from"`
	To   string `json:"to"`
	// Detail is the new report's reason or failure summary.
	Detail string `json:"detail,omitempty"`
}

// DiffResult compares an old report (the baseline) with a new one.
type DiffResult struct {
	// Regressions went to fail from any status but not-evaluated (pass, waived, partially
	// evaluated, inconclusive): the run used to show no failure there.
	Regressions []Change `json:"regressions"`
	// LostCoverage went to not-evaluated, or to weaker evidence (pass → partially-evaluated
	// or inconclusive, partially-evaluated → inconclusive): not a failure of the target,
	// but the run no longer proves what it used to.
	LostCoverage []Change `json:"lost_coverage"`
	// Fixes went from fail to pass.
	Fixes []Change `json:"fixes"`
	// NewlyEvaluated were not evaluated (or absent) before and are now.
	NewlyEvaluated []Change `json:"newly_evaluated"`
	// Other holds the remaining moves (pass → waived, fail → waived, inconclusive → pass, …).
	Other []Change `json:"other"`
	// NewCauses are causes of the new report the old one does not have, GoneCauses the
	// reverse, matched by cause key; both empty when either report predates causes.
	NewCauses  []CauseChange `json:"new_causes"`
	GoneCauses []CauseChange `json:"gone_causes"`
	// VerdictFrom and VerdictTo are the two headline verdicts.
	VerdictFrom string `json:"verdict_from"`
	VerdictTo   string `json:"verdict_to"`
}

// CauseChange is a cause only one of two reports has.
type CauseChange struct {
	Key   string `json:"key"`
	Title string `json:"title"`
	Specs int    `json:"specs"`
}

// diffCauses lists the causes only one side has; nothing when a side predates causes.
func diffCauses(old, new *Report) (added, gone []CauseChange) {
	added, gone = []CauseChange{}, []CauseChange{}
	if old.Causes == nil || new.Causes == nil {
		return added, gone
	}
	keys := func(cs []Cause) map[string]bool {
		m := map[string]bool{}
		for _, c := range cs {
			m[c.Key] = true
		}
		return m
	}
	before, after := keys(old.Causes), keys(new.Causes)
	for _, c := range new.Causes {
		if !before[c.Key] {
			added = append(added, CauseChange{Key: c.Key, Title: c.Title, Specs: len(c.Specs)})
		}
	}
	for _, c := range old.Causes {
		if !after[c.Key] {
			gone = append(gone, CauseChange{Key: c.Key, Title: c.Title, Specs: len(c.Specs)})
		}
	}
	return added, gone
}

// HasRegressions says whether CI should fail.
func (d DiffResult) HasRegressions() bool { return len(d.Regressions) > 0 }

// Diff compares two reports requirement by requirement; requirements only in the new report
// count as not-evaluated before.
func Diff(old, new *Report) DiffResult {
	d := DiffResult{VerdictFrom: old.Verdict, VerdictTo: new.Verdict,
		Regressions: []Change{}, LostCoverage: []Change{}, Fixes: []Change{}, NewlyEvaluated: []Change{}, Other: []Change{}}
	d.NewCauses, d.GoneCauses = diffCauses(old, new)
	before := map[string]string{}
	for _, q := range old.Requirements {
		before[q.ID] = q.Status
	}
	for _, q := range new.Requirements {
		from, ok := before[q.ID]
		if !ok {
			from = StatusNotEvaluated
		}
		to := q.Status
		if from == to {
			continue
		}
		c := Change{ID: q.ID, API: q.API, From: from, To: to, Detail: firstLine(changeDetail(q))}
		switch {
		case to == StatusFail && from != StatusNotEvaluated:
			d.Regressions = append(d.Regressions, c)
		case to == StatusNotEvaluated || evidenceRank(to) < evidenceRank(from):
			d.LostCoverage = append(d.LostCoverage, c)
		case from == StatusNotEvaluated:
			d.NewlyEvaluated = append(d.NewlyEvaluated, c)
		case from == StatusFail && to == StatusPass:
			d.Fixes = append(d.Fixes, c)
		default:
			d.Other = append(d.Other, c)
		}
	}
	return d
}

// evidenceRank orders the statuses of a requirement that did not fail by how much the run
// proved; the failing statuses rank lowest, so a move away from them is never lost coverage.
func evidenceRank(status string) int {
	switch status {
	case StatusPass:
		return 3
	case StatusPartiallyEvaluated:
		return 2
	case StatusInconclusive:
		return 1
	}
	return 0
}

func changeDetail(q Requirement) string {
	if q.Status == StatusFail {
		return failureSummary(q)
	}
	return q.Reason
}

// WriteText prints the diff for a terminal or a CI log.
func (d DiffResult) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "verdict: %s -> %s\n", d.VerdictFrom, d.VerdictTo)
	section := func(title string, cs []Change) {
		fmt.Fprintf(&b, "%s (%d)\n", title, len(cs))
		for _, c := range cs {
			fmt.Fprintf(&b, "  %s  %s -> %s", c.ID, c.From, c.To)
			if c.Detail != "" {
				fmt.Fprintf(&b, "  %s", c.Detail)
			}
			b.WriteString("\n")
		}
	}
	section("regressions", d.Regressions)
	section("lost coverage", d.LostCoverage)
	section("fixes", d.Fixes)
	section("newly evaluated", d.NewlyEvaluated)
	if len(d.Other) > 0 {
		section("other changes", d.Other)
	}
	causes := func(title string, cs []CauseChange) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s (%d)\n", title, len(cs))
		for _, c := range cs {
			fmt.Fprintf(&b, "  %s  (%d spec(s))\n", c.Title, c.Specs)
		}
	}
	causes("new causes", d.NewCauses)
	causes("causes gone", d.GoneCauses)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write diff: %w", err)
	}
	return nil
}

// WriteMarkdown prints the diff for a pull-request comment.
func (d DiffResult) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	icon := "✅"
	if d.HasRegressions() {
		icon = "❌"
	}
	fmt.Fprintf(&b, "## Conformance diff %s\n\nVerdict %s → %s: %d regression(s), %d fix(es), %d newly evaluated, %d lost coverage.\n",
		icon, d.VerdictFrom, d.VerdictTo, len(d.Regressions), len(d.Fixes), len(d.NewlyEvaluated), len(d.LostCoverage))
	section := func(title string, cs []Change) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n### %s\n\n| requirement | before | after | detail |\n|---|---|---|---|\n", title)
		for _, c := range cs {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", c.ID, c.From, c.To, mdEscape(c.Detail))
		}
	}
	section("Regressions", d.Regressions)
	section("Lost coverage", d.LostCoverage)
	section("Fixes", d.Fixes)
	section("Newly evaluated", d.NewlyEvaluated)
	section("Other changes", d.Other)
	causes := func(title string, cs []CauseChange) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n### %s\n\n", title)
		for _, c := range cs {
			fmt.Fprintf(&b, "- %s (%d spec(s))\n", mdEscape(c.Title), c.Specs)
		}
	}
	causes("New causes", d.NewCauses)
	causes("Causes gone", d.GoneCauses)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write diff: %w", err)
	}
	return nil
}
