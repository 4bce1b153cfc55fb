package mutation

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/koobackup/conformance/internal/runrecord"
)

// Report file names inside the output directory.
const (
	JSONFile     = "mutation.json"
	MarkdownFile = "mutation.md"
)

// WriteJSON writes the result as indented JSON.
func WriteJSON(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("mutation json: %w", err)
	}
	return nil
}

// WriteReports writes mutation.json and mutation.md into dir, creating it.
func WriteReports(dir string, r *Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("mutation reports: %w", err)
	}
	for name, write := range map[string]func(io.Writer, *Result) error{JSONFile: WriteJSON, MarkdownFile: WriteMarkdown} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("mutation reports: %w", err)
		}
		werr := write(f, r)
		if cerr := f.Close(); werr == nil && cerr != nil {
			werr = fmt.Errorf("mutation reports: %w", cerr)
		}
		if werr != nil {
			return werr
		}
	}
	return nil
}

// WriteMarkdown writes the full report: verdict, the fault × configuration matrix with its
// totals and the reason of every honest non-kill, the strict mock's score table, coverage
// per kind, fairness.
func WriteMarkdown(w io.Writer, r *Result) error {
	var b strings.Builder
	b.WriteString("# Mutation testing\n\n")
	fmt.Fprintf(&b, "%s\n\n", verdict(r))
	b.WriteString("## Fault × configuration matrix\n\n")
	b.WriteString(MatrixMarkdown(r.Configurations))
	b.WriteString("\n## Mutants on the strict mock\n\n")
	b.WriteString(ScoreTable(r))
	b.WriteString("\n## Coverage per requirement kind\n\n")
	b.WriteString("A requirement is *proven* when a killed fault violates it: its checks are shown able to fail.\n\n")
	b.WriteString("| kind | requirements | proven | faults | killed | unproven |\n| --- | ---: | ---: | ---: | ---: | --- |\n")
	for _, k := range r.Kinds {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %s |\n", k.Kind, k.Requirements, k.Proven, k.Faults, k.Killed, cell(strings.Join(k.Unproven, ", ")))
	}
	fmt.Fprintf(&b, "\nWeakest coverage: %s.\n", strings.Join(r.Weakest, ", "))
	b.WriteString("\n## Fairness\n\n")
	b.WriteString(fairnessText(r.Fairness))
	if r.Duration != "" {
		fmt.Fprintf(&b, "\nRun time: %s.\n", r.Duration)
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("mutation markdown: %w", err)
	}
	return nil
}

// MatrixMarkdown is the fault × configuration matrix (rows sorted by fault name, columns
// in the configurations' order), the totals per configuration, the reason of every honest
// non-kill, the survivors and the baselines that failed.
func MatrixMarkdown(configs []ConfigurationResult) string {
	var b strings.Builder
	b.WriteString("| configuration | readings | target | baseline | killed | killed by hand-picked / explore / both | inconclusive | not evaluated | error | survived | honest |\n" +
		"| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, c := range configs {
		t := c.Totals
		mode := "mutating allowed"
		if c.ReadOnly {
			mode = "read-only"
		}
		if c.Profile == runrecord.ProfileStrict {
			mode += ", strict profile"
		}
		baseline := "passed"
		if !c.Baseline.Passed {
			baseline = "**failed**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %d / %d / %d | %d | %d | %d | %d | %d/%d (%s) |\n", c.Name, cell(readingSummary(c.Readings)), mode, baseline,
			t.Killed, t.KilledByHandPicked, t.KilledByExplore, t.KilledByBoth, t.Inconclusive, t.NotEvaluated, t.Error, t.Survived, t.Honest(), t.Total, percent(t.Honest(), t.Total))
	}
	b.WriteString("\n| fault | API | requirements |")
	for _, c := range configs {
		fmt.Fprintf(&b, " %s |", c.Name)
	}
	b.WriteString("\n| --- | --- | --- |" + strings.Repeat(" --- |", len(configs)) + "\n")
	for _, fault := range faultNames(configs) {
		first, _ := firstMutant(configs, fault)
		fmt.Fprintf(&b, "| %s | %s | %s |", fault, first.API, strings.Join(first.Requirements, ", "))
		for _, c := range configs {
			m, ok := c.Mutant(fault)
			if !ok {
				b.WriteString(" — |")
				continue
			}
			fmt.Fprintf(&b, " %s |", matrixCell(m))
		}
		b.WriteString("\n")
	}
	var honest, bad []string
	for _, c := range configs {
		for _, m := range sortedMutants(c.Mutants) {
			line := fmt.Sprintf("- %s, %s: %s — %s", c.Name, m.Fault, m.Outcome, cell(orText(m.Reason, m.Error)))
			switch {
			case m.Outcome == OutcomeInconclusive || m.Outcome == OutcomeNotEvaluated:
				honest = append(honest, line)
			case !m.Outcome.Honest():
				bad = append(bad, line)
			}
		}
	}
	if len(bad) > 0 {
		b.WriteString("\n### Survivors and errors\n\nA survivor is a fault whose violated requirement the report calls a pass: the suites would vouch for a deviating implementation.\n\n")
		b.WriteString(strings.Join(bad, "\n") + "\n")
	}
	if len(honest) > 0 {
		b.WriteString("\n### Honest non-kills\n\nNo spec failed, and the report does not call any requirement the fault violates a pass; each status with its reason:\n\n")
		b.WriteString(strings.Join(honest, "\n") + "\n")
	}
	for _, c := range configs {
		if c.Baseline.Passed {
			continue
		}
		fmt.Fprintf(&b, "\n### Baseline failures of %s\n\nWithout any fault the suites failed, so no kill on this configuration proves anything.\n\n", c.Name)
		if c.Baseline.Error != "" {
			fmt.Fprintf(&b, "- error: %s\n", cell(c.Baseline.Error))
		}
		for _, run := range c.Baseline.Runs {
			for _, f := range run.Failures {
				fmt.Fprintf(&b, "- %s: %s\n", cell(f.Text), cell(firstLine(f.Message)))
			}
		}
	}
	return b.String()
}

// matrixCell is a fault's outcome on one configuration; a kill says which specs made it.
func matrixCell(m Mutant) string {
	switch {
	case m.Killed() && m.KilledBy != "":
		return killedText(m) + " · " + string(m.KilledBy)
	case m.Killed():
		return killedText(m)
	case m.Outcome.Honest():
		return string(m.Outcome)
	}
	return "**" + string(m.Outcome) + "**"
}

// faultNames are the faults of every configuration, sorted.
func faultNames(configs []ConfigurationResult) []string {
	var out []string
	for _, c := range configs {
		for _, m := range c.Mutants {
			out = append(out, m.Fault)
		}
	}
	return sortedUnique(out)
}

func firstMutant(configs []ConfigurationResult, fault string) (Mutant, bool) {
	for _, c := range configs {
		if m, ok := c.Mutant(fault); ok {
			return m, true
		}
	}
	return Mutant{}, false
}

func sortedMutants(ms []Mutant) []Mutant {
	out := slices.Clone(ms)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Fault < out[j].Fault })
	return out
}

func percent(n, total int) string {
	if total == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(total))
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// readingSummary names a configuration's non-strict readings briefly: "strict" or the count.
func readingSummary(readings map[string]string) string {
	if len(readings) == 0 {
		return "strict"
	}
	return fmt.Sprintf("%d non-strict: %s", len(readings), readingList(readings))
}

// maxKillersShown bounds the killing specs listed per fault in the table; a fault that
// fails dozens of specs (a wrong content type) would otherwise drown the rest.
const maxKillersShown = 5

// ScoreTable is the Markdown table of the strict mock's mutants followed by the score line;
// the command prints it.
func ScoreTable(r *Result) string {
	var b strings.Builder
	b.WriteString("| fault | API | requirements | result | killed by | causes | killing specs |\n| --- | --- | --- | --- | --- | ---: | --- |\n")
	for _, m := range r.Mutants {
		result := string(m.Outcome)
		if m.Killed() {
			result = killedText(m)
		}
		var killers []string
		for i, k := range m.Killers {
			if i == maxKillersShown {
				killers = append(killers, fmt.Sprintf("… and %d more (see %s)", len(m.Killers)-i, JSONFile))
				break
			}
			killers = append(killers, k.Text)
		}
		detail := strings.Join(killers, "<br>")
		if m.Error != "" {
			detail = strings.TrimPrefix(detail+"<br>error: "+firstLine(m.Error), "<br>")
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %d | %s |\n", m.Fault, m.API, strings.Join(m.Requirements, ", "), result, orText(string(m.KilledBy), "—"), len(m.Causes), cell(detail))
	}
	fmt.Fprintf(&b, "\nMutation score: %d/%d killed (%.1f%%).\n", r.Killed, r.Total, 100*r.Score)
	b.WriteString(exploreSummary(r) + "\n")
	if median, most := mutantCauseCounts(r.Mutants); len(r.Mutants) > 0 {
		fmt.Fprintf(&b, "Causes per fault (the report's findings for one planted deviation): median %g, at most %d.\n", median, most)
	}
	return b.String()
}

// killedText is "killed", or "killed (other reason)" when no killing spec names one of the
// fault's requirements.
func killedText(m Mutant) string {
	if !m.RightReason {
		return "killed (other reason)"
	}
	return "killed"
}

// exploreSummary says what the kind:explore specs add on the strict mock: the faults they
// kill that no hand-picked spec does.
func exploreSummary(r *Result) string {
	var t OutcomeTotals
	for _, m := range r.Mutants {
		t.add(m)
	}
	line := fmt.Sprintf("Killed by hand-picked specs only: %d, by explore only: %d, by both: %d. ", t.KilledByHandPicked, t.KilledByExplore, t.KilledByBoth)
	if len(r.ExploreOnly) == 0 {
		return line + "Explore adds no fault the hand-picked specs miss."
	}
	return line + fmt.Sprintf("Explore adds %d fault(s) the hand-picked specs miss: %s.", len(r.ExploreOnly), strings.Join(r.ExploreOnly, ", "))
}

func verdict(r *Result) string {
	switch {
	case !r.Valid:
		return "**Invalid run**: the pristine mock failed the suites, so no kill proves anything."
	case r.OK():
		return fmt.Sprintf("**Pass**: every one of the %d planted faults was killed on the strict mock, every configuration is honest (each fault killed, or its requirements reported as not settled) and the strict profile is fair.", r.Total)
	}
	var why []string
	if n := len(r.Survivors()); n > 0 {
		why = append(why, fmt.Sprintf("%d fault(s) survived on the strict mock", n))
	}
	for _, c := range r.Configurations {
		if !c.Baseline.Passed {
			why = append(why, fmt.Sprintf("the %s baseline failed", c.Name))
		}
		if n := len(c.Survivors()); n > 0 && c.Name != StrictConfiguration.Name {
			why = append(why, fmt.Sprintf("%d fault(s) survived or errored on %s", n, c.Name))
		}
	}
	if !r.Fairness.Holds {
		why = append(why, "the fairness check failed")
	}
	if r.Total == 0 {
		why = append(why, "no fault was run")
	}
	return "**Fail**: " + strings.Join(why, "; ") + "."
}

func fairnessText(f Fairness) string {
	var b strings.Builder
	mark := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "**no**"
	}
	fmt.Fprintf(&b, "The lenient mock takes a non-strict legitimate reading of every register entry that has more than one.\n\n")
	fmt.Fprintf(&b, "- default profile passes it: %s\n", mark(f.DefaultPassed))
	fmt.Fprintf(&b, "- strict profile fails it: %s\n", mark(f.StrictFailed))
	fmt.Fprintf(&b, "- entries flagged by the strict profile (%d): %s\n", len(f.Flagged), strings.Join(f.Flagged, ", "))
	fmt.Fprintf(&b, "- entries expected (%d): %s\n", len(f.Expected), strings.Join(f.Expected, ", "))
	if len(f.Missing) > 0 {
		fmt.Fprintf(&b, "- expected but not flagged: %s\n", strings.Join(f.Missing, ", "))
	}
	if len(f.Extra) > 0 {
		fmt.Fprintf(&b, "- flagged but not expected: %s\n", strings.Join(f.Extra, ", "))
	}
	for _, d := range f.DefaultFailures {
		fmt.Fprintf(&b, "- default profile wrongly failed: %s: %s\n", cell(d.Text), cell(firstLine(d.Message)))
	}
	if f.Error != "" {
		fmt.Fprintf(&b, "- error: %s\n", cell(f.Error))
	}
	fmt.Fprintf(&b, "- fairness holds: %s\n", mark(f.Holds))
	return b.String()
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// cell keeps text inside one Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

func readingList(readings map[string]string) string {
	var out []string
	for e, r := range readings {
		out = append(out, e+"="+r)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// mutantCauseCounts is CauseCounts over the killed mutants' causes.
func mutantCauseCounts(ms []Mutant) (median float64, most int) {
	var fcs []FaultCauses
	for _, m := range ms {
		if m.Killed() {
			fcs = append(fcs, FaultCauses{Fault: m.Fault, Causes: m.Causes})
		}
	}
	return CauseCounts(fcs)
}
