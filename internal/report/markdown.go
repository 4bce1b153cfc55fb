package report

import (
	"fmt"
	"io"
	"strings"
)

// maxMarkdownFailures keeps summary.md short enough for a pull-request comment; the HTML
// has the rest.
const maxMarkdownFailures = 15

var statusIcon = map[string]string{
	StatusPass: "✅", StatusFail: "❌", StatusWaived: "⚠️", StatusPartiallyEvaluated: "🔷", StatusInconclusive: "❔", StatusNotEvaluated: "➖",
}

// RenderMarkdown writes the short summary for pull-request comments and
// $GITHUB_STEP_SUMMARY. With several reports it writes one line per implementation and the
// requirements on which they differ.
func RenderMarkdown(w io.Writer, reports ...*Report) error {
	if len(reports) == 0 {
		return fmt.Errorf("render markdown: no report")
	}
	var b strings.Builder
	if len(reports) > 1 {
		markdownComparison(&b, reports)
	} else {
		markdownSingle(&b, reports[0])
	}
	_, err := io.WriteString(w, reports[0].redactor.String(b.String()))
	if err != nil {
		return fmt.Errorf("write markdown: %w", err)
	}
	return nil
}

func markdownSingle(b *strings.Builder, r *Report) {
	fmt.Fprintf(b, "## Conformance: %s %s\n\n", statusIcon[r.Verdict], strings.ToUpper(r.Verdict))
	fmt.Fprintf(b, "Target **%s** (profile %s) — %s.\n\n", orDash(r.Target.Name), orDash(r.Target.Profile), mdEscape(r.VerdictReason))
	fmt.Fprintf(b, "**%d of %d requirements evaluated**; specs: %d passed, %d failed, %d skipped, %d pending (%d inconclusive).\n\n",
		r.Totals.Evaluated, r.Totals.Requirements, r.Totals.Specs.Passed, r.Totals.Specs.Failed, r.Totals.Specs.Skipped, r.Totals.Specs.Pending, r.Totals.Specs.Inconclusive)
	for _, u := range r.Unreachable {
		fmt.Fprintf(b, "❌ **%s target unreachable**: %s — every %s requirement is not evaluated.\n\n", u.API, mdEscape(u.Reason), u.API)
	}
	markdownCauses(b, r)
	b.WriteString("| API | evaluated | pass | fail | waived | partially evaluated | inconclusive | not evaluated |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, a := range r.APIs {
		fmt.Fprintf(b, "| %s | %d / %d | %d | %d | %d | %d | %d | %d |\n", a.API, a.Evaluated, a.Requirements, a.Pass, a.Fail, a.Waived,
			a.PartiallyEvaluated, a.Inconclusive, a.NotEvaluated)
	}
	b.WriteString("\n")
	failed := 0
	for _, q := range r.Requirements {
		if q.Status != StatusFail {
			continue
		}
		if failed == 0 {
			b.WriteString("### Failures by requirement\n\n")
		}
		failed++
		if failed > maxMarkdownFailures {
			continue
		}
		fmt.Fprintf(b, "- ❌ `%s` — %s\n", q.ID, mdEscape(r.Explanation(q)))
	}
	if failed > maxMarkdownFailures {
		fmt.Fprintf(b, "- … and %d more (see conformance.html)\n", failed-maxMarkdownFailures)
	}
	for _, f := range r.SuiteFailures {
		fmt.Fprintf(b, "- ❌ %s %s: %s\n", mdEscape(f.Suite), f.Node, mdEscape(firstLine(f.Message)))
	}
	if failed > 0 || len(r.SuiteFailures) > 0 {
		b.WriteString("\n")
	}
	open := 0
	for _, q := range r.Requirements {
		if q.Status != StatusPartiallyEvaluated && q.Status != StatusInconclusive {
			continue
		}
		if open == 0 {
			b.WriteString("### Not conclusive\n\n")
		}
		open++
		if open <= maxMarkdownFailures {
			fmt.Fprintf(b, "- %s `%s` %s — %s\n", statusIcon[q.Status], q.ID, q.Status, mdEscape(firstLine(q.Reason)))
		}
	}
	if open > maxMarkdownFailures {
		fmt.Fprintf(b, "- … and %d more (see conformance.html)\n", open-maxMarkdownFailures)
	}
	if open > 0 {
		b.WriteString("\n")
	}
	var notes []string
	for _, wv := range r.Waivers {
		switch wv.State {
		case WaiverApplied:
			notes = append(notes, fmt.Sprintf("- ⚠️ `%s` waived until %s: %s", wv.Requirement, wv.Expires, mdEscape(wv.Reason)))
		case WaiverExpired:
			notes = append(notes, fmt.Sprintf("- ❌ waiver for `%s` expired on %s", wv.Requirement, wv.Expires))
		case WaiverStale:
			notes = append(notes, fmt.Sprintf("- 🧹 waiver for `%s` is stale: the requirement passes", wv.Requirement))
		}
	}
	if len(notes) > 0 {
		b.WriteString("### Waivers\n\n" + strings.Join(notes, "\n") + "\n\n")
	}
	if d := r.DetectionPower; d != nil {
		markdownDetectionPower(b, d)
	}
	b.WriteString("Full report: `conformance.html` (traceability matrix, evidence, ambiguity readings).\n")
}

// markdownDetectionPower is the section `conformance prove` adds.
func markdownDetectionPower(b *strings.Builder, d *DetectionPower) {
	b.WriteString("### Detection power\n\n")
	fmt.Fprintf(b, "%s\n\n", mdEscape(d.Summary))
	for _, p := range d.Problems {
		fmt.Fprintf(b, "- ⚠️ %s\n", mdEscape(p))
	}
	if len(d.Problems) > 0 {
		b.WriteString("\n")
	}
	list := func(title string, faults []UndetectedFault) {
		if len(faults) == 0 {
			return
		}
		fmt.Fprintf(b, "%s (%d):\n\n", title, len(faults))
		for _, f := range faults {
			var reqs []string
			for _, q := range f.Requirements {
				reqs = append(reqs, fmt.Sprintf("`%s` %s%s", q.ID, q.Status, mdReason(q.Reason)))
			}
			fmt.Fprintf(b, "- `%s` (%s on %s): %s\n", f.Fault, f.Outcome, f.Configuration, strings.Join(reqs, "; "))
		}
		b.WriteString("\n")
	}
	list("Would pass unnoticed — a requirement they violate is reported as pass", d.Survivors)
	list("Not distinguishable", d.NotDistinguishable)
}

func mdReason(reason string) string {
	if reason == "" {
		return ""
	}
	return " — " + mdEscape(firstLine(reason))
}

func markdownComparison(b *strings.Builder, reports []*Report) {
	b.WriteString("## Conformance comparison\n\n| implementation | verdict | evaluated | pass | fail | waived | partially evaluated | inconclusive |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
	names := implementationNames(reports)
	for i, r := range reports {
		fmt.Fprintf(b, "| %s | %s %s | %d / %d | %d | %d | %d | %d | %d |\n", mdEscape(names[i]), statusIcon[r.Verdict], r.Verdict,
			r.Totals.Evaluated, r.Totals.Requirements, r.Totals.Pass, r.Totals.Fail, r.Totals.Waived, r.Totals.PartiallyEvaluated, r.Totals.Inconclusive)
	}
	rows := comparisonRows(reports)
	var differing []comparisonRow
	for _, row := range rows {
		if row.Differs {
			differing = append(differing, row)
		}
	}
	if len(differing) == 0 {
		b.WriteString("\nEvery requirement has the same status on every implementation.\n")
		return
	}
	fmt.Fprintf(b, "\n### Requirements with different outcomes (%d)\n\n| requirement |", len(differing))
	for _, n := range names {
		fmt.Fprintf(b, " %s |", mdEscape(n))
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(names)) + "\n")
	for _, row := range differing {
		fmt.Fprintf(b, "| `%s` |", row.ID)
		for _, st := range row.Statuses {
			fmt.Fprintf(b, " %s %s |", statusIcon[st], st)
		}
		b.WriteString("\n")
	}
}

// failureSummary is the most telling line about why a requirement failed.
func failureSummary(q Requirement) string {
	for _, s := range q.Specs {
		if s.Failure != nil && s.Failure.Message != "" {
			return s.Failure.Message
		}
	}
	for _, ev := range q.Evidence {
		if len(ev.Violations) > 0 {
			return ev.Violations[0]
		}
		if ev.Error != "" {
			return ev.Error
		}
	}
	return q.Reason
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	const max = 200
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// mdEscape keeps free text from breaking tables or starting Markdown constructs.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;", "`", "'").Replace(s)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// maxMarkdownCauses bounds the causes summary.md details; the HTML has every one.
const maxMarkdownCauses = 10

// markdownCauses leads the summary with the causes, most specs explained first.
func markdownCauses(b *strings.Builder, r *Report) {
	if len(r.Causes) == 0 {
		return
	}
	fmt.Fprintf(b, "### %s\n\n", causesHeading(r))
	for i, c := range r.Causes {
		if i == maxMarkdownCauses {
			fmt.Fprintf(b, "%d. … and %d more (see conformance.html)\n", i+1, len(r.Causes)-i)
			break
		}
		waived := ""
		if c.Waived(r) {
			waived = " (waived)"
		}
		fmt.Fprintf(b, "%d. **%s**%s — %s, owned by `%s`; explains %s.\n", c.ID, mdEscape(c.Title), waived, plural(len(c.Specs), "spec"),
			c.Requirement, mdList(c.Requirements))
		fmt.Fprintf(b, "   - Fix: %s\n", mdEscape(c.Fix))
		if c.Source.Clause != "" {
			fmt.Fprintf(b, "   - Seed (%s): “%s”\n", mdEscape(c.Source.Seed), mdEscape(firstLine(c.Source.Clause)))
		}
	}
	b.WriteString("\n")
}

// causesHeading is "1 cause" or "N causes", with how many failed specs they explain.
func causesHeading(r *Report) string {
	specs := map[string]bool{}
	for _, c := range r.Causes {
		for _, s := range c.Specs {
			specs[s] = true
		}
	}
	return fmt.Sprintf("%s (%s explained)", plural(len(r.Causes), "cause"), plural(len(specs), "failed spec"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// mdList names ids as code spans, the first few and a count of the rest.
func mdList(ids []string) string {
	const shown = 6
	var parts []string
	for i, id := range ids {
		if i == shown {
			parts = append(parts, fmt.Sprintf("%d more", len(ids)-shown))
			break
		}
		parts = append(parts, "`"+id+"`")
	}
	return strings.Join(parts, ", ")
}

// WriteCauses prints the causes of a report for a terminal: one numbered line each, most
// specs explained first, with the fix; at most limit causes (all when limit < 1).
func WriteCauses(w io.Writer, r *Report, limit int) error {
	if len(r.Causes) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n", causesHeading(r))
	for i, c := range r.Causes {
		if limit > 0 && i == limit {
			fmt.Fprintf(&b, "  … and %d more (summary.md, conformance.html)\n", len(r.Causes)-i)
			break
		}
		fmt.Fprintf(&b, "  #%d %s\n     %s; owned by %s; explains %s\n     fix: %s\n", c.ID, c.Title, plural(len(c.Specs), "spec"),
			c.Requirement, strings.Join(c.Requirements, ", "), c.Fix)
	}
	if _, err := io.WriteString(w, r.redactor.String(b.String())); err != nil {
		return fmt.Errorf("write causes: %w", err)
	}
	return nil
}
