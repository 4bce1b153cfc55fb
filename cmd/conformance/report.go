package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/koobackup/conformance/fixtures"
	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/run"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/target"
)

func init() {
	register("report", "build, render and diff conformance reports", func(args []string) int {
		return runReport(args, os.Stdout, os.Stderr)
	})
}

const reportUsage = `usage:
  conformance report build --ginkgo reports/ginkgo.json --out reports [--waivers FILE] [--target FILE] [--require-conclusive] [--prove reports/prove.json]
  conformance report render conformance.json [more.json ...] --out DIR
  conformance report diff OLD.json NEW.json [--markdown]`

func runReport(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, reportUsage)
		return 2
	}
	switch args[0] {
	case "build":
		return runReportBuild(args[1:], stdout, stderr)
	case "render":
		return runReportRender(args[1:], stdout, stderr)
	case "diff":
		return runReportDiff(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stderr, reportUsage)
		return 0
	}
	fmt.Fprintf(stderr, "conformance report: unknown subcommand %q\n%s\n", args[0], reportUsage)
	return 2
}

// splitPositional separates positional arguments from flags so that files may come before or
// after the flags (`render a.json b.json --out DIR`).
func splitPositional(fs *flag.FlagSet, args []string) ([]string, error) {
	var files []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) > 0 {
			files = append(files, args[0])
			args = args[1:]
		}
	}
	return files, nil
}

func runReportBuild(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ginkgoPath := fs.String("ginkgo", "reports/ginkgo.json", "Ginkgo JSON report of the run (--json-report)")
	out := fs.String("out", "reports", "directory for conformance.json, conformance.html and summary.md")
	waiversPath := fs.String("waivers", "", "waiver file (YAML)")
	requireConclusive := fs.Bool("require-conclusive", false,
		"fail the run when any requirement is partially evaluated, inconclusive or not evaluated (REQUIRE_CONCLUSIVE=1 make conformance)")
	provePath := fs.String("prove", "", "result of `conformance prove` for this run ("+report.DetectionPowerFile+"): adds the detection-power section")
	targetPath := fs.String("target", "", "target file of the run, for its secrets and metadata (default $"+target.EnvVar+", else the reference mock's default world)")
	fs.Usage = func() { fmt.Fprintln(stderr, reportUsage); fs.PrintDefaults() }
	if rest, err := splitPositional(fs, args); err != nil || len(rest) > 0 {
		if err != nil {
			return flagErrorCode(err)
		}
		fmt.Fprintf(stderr, "conformance report build: unexpected argument %q\n", rest[0])
		return 2
	}
	tgt, source, err := runTarget(*targetPath)
	if err != nil {
		fmt.Fprintf(stderr, "conformance report build: %v\n", err)
		return 2
	}
	opts := run.ReportOptions{Target: tgt, Source: source, RequireConclusive: *requireConclusive}
	if *waiversPath != "" {
		if opts.Waivers, err = report.LoadWaivers(*waiversPath, catalog.Default()); err != nil {
			fmt.Fprintf(stderr, "conformance report build: %v\n", err)
			return 2
		}
	}
	rec, err := runrecord.ReadFile(*ginkgoPath)
	if err != nil {
		fmt.Fprintf(stderr, "conformance report build: %v\n", err)
		return 2
	}
	if *provePath != "" {
		raw, err := os.ReadFile(*ginkgoPath)
		if err == nil {
			opts.DetectionPower, err = report.LoadDetectionPower(*provePath, report.RunDigest(raw))
		}
		if err != nil {
			fmt.Fprintf(stderr, "conformance report build: %v\n", err)
			return 2
		}
	}
	code, err := run.BuildReports(rec, *out, opts, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "conformance report build: %v\n", err)
		return 2
	}
	return code
}

// runTarget finds the target file of the run: the flag, else $CONFORMANCE_TARGET, else the
// reference mock's default world (what `make conformance` runs against).
func runTarget(flagPath string) (*target.Target, string, error) {
	path := flagPath
	if path == "" {
		path = os.Getenv(target.EnvVar)
	}
	if path != "" {
		t, err := target.Load(path)
		if err != nil {
			return nil, "", err
		}
		return t, path, nil
	}
	raw, err := fixtures.DefaultWorld()
	if err != nil {
		return nil, "", fmt.Errorf("read the reference mock's default world: %w", err)
	}
	t, err := target.Parse(raw)
	if err != nil {
		return nil, "", fmt.Errorf("parse the reference mock's default world: %w", err)
	}
	return t, "the reference mock's default world", nil
}

func runReportRender(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "reports", "directory for conformance.html and summary.md")
	fs.Usage = func() { fmt.Fprintln(stderr, reportUsage); fs.PrintDefaults() }
	files, err := splitPositional(fs, args)
	if err != nil {
		return flagErrorCode(err)
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "conformance report render: name at least one conformance.json")
		return 2
	}
	reports := make([]*report.Report, 0, len(files))
	for _, f := range files {
		r, err := report.Load(f)
		if err != nil {
			fmt.Fprintf(stderr, "conformance report render: %v\n", err)
			return 2
		}
		reports = append(reports, r)
	}
	if err := report.WriteRendered(*out, reports...); err != nil {
		fmt.Fprintf(stderr, "conformance report render: %v\n", err)
		return 2
	}
	fmt.Fprintf(stdout, "conformance: rendered %d report(s) into %s\n", len(reports), *out)
	return 0
}

func runReportDiff(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	markdown := fs.Bool("markdown", false, "print Markdown (for a pull-request comment) instead of text")
	fs.Usage = func() { fmt.Fprintln(stderr, reportUsage); fs.PrintDefaults() }
	files, err := splitPositional(fs, args)
	if err != nil {
		return flagErrorCode(err)
	}
	if len(files) != 2 {
		fmt.Fprintf(stderr, "conformance report diff: want OLD.json NEW.json, got %d file(s)\n", len(files))
		return 2
	}
	var loaded [2]*report.Report
	for i, f := range files {
		if loaded[i], err = report.Load(f); err != nil {
			fmt.Fprintf(stderr, "conformance report diff: %v\n", err)
			return 2
		}
	}
	d := report.Diff(loaded[0], loaded[1])
	write := d.WriteText
	if *markdown {
		write = d.WriteMarkdown
	}
	if err := write(stdout); err != nil {
		fmt.Fprintf(stderr, "conformance report diff: %v\n", err)
		return 2
	}
	if d.HasRegressions() {
		return 1
	}
	return 0
}
