package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/traffic"
)

func init() {
	register("check", "validate recorded traffic (HAR or NDJSON) against the specs", func(args []string) int {
		return runCheck(args, os.Stdout, os.Stderr)
	})
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	reportDir := fs.String("report-dir", "reports", "directory for the violations report")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: conformance check FILE [--report-dir DIR]")
		fs.PrintDefaults()
	}
	// The file may come before or after the flags: `check rec.har --report-dir out`.
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	rest := fs.Args()
	if file == "" && len(rest) > 0 {
		file, rest = rest[0], rest[1:]
	}
	if file == "" || len(rest) > 0 {
		fs.Usage()
		return 2
	}
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(stderr, "conformance check: %v\n", err)
		return 2
	}
	defer f.Close()
	c := contract.Default()
	red := redact.New()
	tally := traffic.NewTally(red)
	format, err := traffic.Read(f, func(ex traffic.Exchange) error {
		tally.Add(c, ex, traffic.Check(c, ex))
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "conformance check: %s: %v\n", file, err)
		return 2
	}
	rep := tally.Report(catalog.Default(), traffic.ReportOptions{Name: filepath.Base(file) + " (" + string(format) + ")", Kind: "check"})
	return finishReport(rep, tally.Failed(), *reportDir, red, stdout, stderr)
}

// finishReport writes the report and turns the verdict into the exit status.
func finishReport(rep *report.Report, failed bool, dir string, red *redact.Redactor, stdout, stderr io.Writer) int {
	if err := writeViolationsReport(rep, dir, red); err != nil {
		fmt.Fprintf(stderr, "conformance: write report: %v\n", err)
		return 2
	}
	fmt.Fprintf(stdout, "%s: %s (report in %s)\n", rep.Verdict, rep.VerdictReason, dir)
	for _, r := range rep.Requirements {
		if r.Status == report.StatusFail {
			fmt.Fprintf(stdout, "  FAIL %s: %s\n", r.ID, r.Reason)
		}
	}
	for _, sf := range rep.SuiteFailures {
		fmt.Fprintf(stdout, "  FAIL %s: %s\n", sf.Text, sf.Message)
	}
	if failed {
		return 1
	}
	return 0
}

// writeViolationsReport writes conformance.json and summary.md. It stands in for
// report.WriteAll, which was not available when this command was written; the JSON is the
// report package's model, so consumers read both the same way.
func writeViolationsReport(rep *report.Report, dir string, red *redact.Redactor) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create report directory: %w", err)
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	b = red.Bytes(b)
	var errs []error
	errs = append(errs, os.WriteFile(filepath.Join(dir, "conformance.json"), append(b, '\n'), 0o644))
	errs = append(errs, os.WriteFile(filepath.Join(dir, "summary.md"), []byte(red.String(markdownSummary(rep))), 0o644))
	return errors.Join(errs...)
}

func markdownSummary(rep *report.Report) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "# Traffic check: %s\n\n**Verdict: %s** — %s\n\n", rep.Target.Name, rep.Verdict, rep.VerdictReason)
	fails := 0
	for _, r := range rep.Requirements {
		if r.Status != report.StatusFail {
			continue
		}
		if fails == 0 {
			sb.WriteString("| requirement | violations |\n| --- | --- |\n")
		}
		fails++
		fmt.Fprintf(&sb, "| `%s` | %s |\n", r.ID, mdCell(r.Reason))
	}
	if len(rep.SuiteFailures) > 0 {
		sb.WriteString("\n## Other failures\n\n")
		for _, sf := range rep.SuiteFailures {
			fmt.Fprintf(&sb, "- `%s`: %s\n", sf.Text, mdCell(sf.Message))
		}
	}
	for _, r := range rep.Requirements {
		if r.Status != report.StatusFail {
			continue
		}
		fmt.Fprintf(&sb, "\n## %s\n\n%s\n", r.ID, r.Statement)
		for _, ev := range r.Evidence {
			fmt.Fprintf(&sb, "\n- %s\n", mdCell(ev.Spec))
			for _, v := range ev.Violations {
				fmt.Fprintf(&sb, "  - %s\n", mdCell(v))
			}
		}
	}
	return sb.String()
}

func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
