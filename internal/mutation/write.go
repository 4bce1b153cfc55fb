package mutation

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
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

// WriteMarkdown writes the full report: verdict, score table, coverage per kind, fairness.
func WriteMarkdown(w io.Writer, r *Result) error {
	var b strings.Builder
	b.WriteString("# Mutation testing\n\n")
	fmt.Fprintf(&b, "%s\n\n", verdict(r))
	b.WriteString("## Mutants\n\n")
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
	for _, c := range r.Configurations {
		fmt.Fprintf(&b, "\n## Faults planted on the %s mock\n\n", c.Name)
		fmt.Fprintf(&b, "The mock takes these non-strict readings: %s. %d of %d faults killed.\n\n", cell(readingList(c.Readings)), c.Killed, c.Total)
		if s := c.Survivors(); len(s) > 0 {
			b.WriteString("Survivors — on a conformant implementation that reads the register this way, the suites cannot see these deviations:\n\n")
			for _, m := range s {
				fmt.Fprintf(&b, "- %s (%s)\n", m.Fault, cell(m.Description))
			}
		}
	}
	if !r.Pristine.Passed {
		b.WriteString("\n## Pristine failures\n\n")
		if r.Pristine.Error != "" {
			fmt.Fprintf(&b, "- error: %s\n", cell(r.Pristine.Error))
		}
		for _, run := range r.Pristine.Runs {
			for _, f := range run.Failures {
				fmt.Fprintf(&b, "- %s: %s\n", cell(f.Text), cell(firstLine(f.Message)))
			}
		}
	}
	if r.Duration != "" {
		fmt.Fprintf(&b, "\nRun time: %s.\n", r.Duration)
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("mutation markdown: %w", err)
	}
	return nil
}

// maxKillersShown bounds the killing specs listed per fault in the table; a fault that
// fails dozens of specs (a wrong content type) would otherwise drown the rest.
const maxKillersShown = 5

// ScoreTable is the Markdown table of mutants followed by the score line; the command prints
// it.
func ScoreTable(r *Result) string {
	var b strings.Builder
	b.WriteString("| fault | API | requirements | result | killing specs |\n| --- | --- | --- | --- | --- |\n")
	for _, m := range r.Mutants {
		result := "survived"
		switch {
		case m.Killed && m.RightReason:
			result = "killed"
		case m.Killed:
			result = "killed (other reason)"
		case m.Error != "":
			result = "error"
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
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", m.Fault, m.API, strings.Join(m.Requirements, ", "), result, cell(detail))
	}
	fmt.Fprintf(&b, "\nMutation score: %d/%d killed (%.1f%%).\n", r.Killed, r.Total, 100*r.Score)
	return b.String()
}

func verdict(r *Result) string {
	switch {
	case !r.Valid:
		return "**Invalid run**: the pristine mock failed the suites, so no kill proves anything."
	case r.OK():
		return fmt.Sprintf("**Pass**: every one of the %d planted faults was killed and the strict profile is fair.", r.Total)
	}
	var why []string
	if n := len(r.Survivors()); n > 0 {
		why = append(why, fmt.Sprintf("%d fault(s) survived", n))
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
