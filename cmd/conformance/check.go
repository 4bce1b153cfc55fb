package main

import (
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
	reportDir := fs.String("report-dir", filepath.Join("reports", "check"), "directory for the violations report (a folder of its own: a conformance run's folder is refused)")
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
		return flagErrorCode(err)
	}
	rest := fs.Args()
	if file == "" && len(rest) > 0 {
		file, rest = rest[0], rest[1:]
	}
	if file == "" || len(rest) > 0 {
		fs.Usage()
		return 2
	}
	if err := ownReportDir(*reportDir, "check"); err != nil {
		fmt.Fprintf(stderr, "conformance check: --report-dir: %v\n", err)
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
	return finishReport(rep, tally.Failed(), *reportDir, stdout, stderr)
}

// conformanceRunFiles are files only a conformance run (make conformance, conformance run)
// writes into its report folder.
var conformanceRunFiles = []string{"ginkgo.json", "junit.xml", "preflight.json", report.DetectionPowerFile}

// ownReportDir refuses a report folder that holds a conformance run: proxy and check write
// the same file names (conformance.json, conformance.html, summary.md), and writing over
// them would leave a folder mixing two runs. Refusing, rather than writing into a
// subfolder, keeps the report where the user said it would be.
func ownReportDir(dir, kind string) error {
	for _, name := range conformanceRunFiles {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return fmt.Errorf("%s holds a conformance run (%s); give %s a folder of its own, e.g. %s", dir, name, kind, filepath.Join(dir, kind))
		}
	}
	return nil
}

// finishReport writes the report (conformance.json, conformance.html, summary.md: the same
// files as a conformance run) and turns the verdict into the exit status. The evidence was
// redacted when it entered the tally.
func finishReport(rep *report.Report, failed bool, dir string, stdout, stderr io.Writer) int {
	if err := report.WriteAll(rep, dir); err != nil {
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
