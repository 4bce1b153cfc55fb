package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/suiterun"
	"github.com/koobackup/conformance/internal/target"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

func init() {
	register("run", "run the compiled suites (make dist) against one target or many, and write the reports", func(args []string) int {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runRun(ctx, args, os.Stdout, os.Stderr)
	})
}

const runUsage = `usage:
  conformance run [--target FILE] [--label-filter EXPR] [--profile default|strict] [--out DIR] [--waivers FILE]
  conformance run --targets DIR [--parallel N] [same flags]

Runs the compiled suites (suites/*.test beside this binary, or --suites DIR) and builds
junit.xml, conformance.json, conformance.html and summary.md in --out. Without --target and
without $CONFORMANCE_TARGET each suite runs against the built-in reference mock.
With --targets, every *.yaml/*.yml in DIR is a target: each gets --out/<file name>/, and
--out gets the side-by-side comparison. No Go toolchain or source tree is needed.

Exit status: 0 every target conforms; 1 a target does not conform; 2 usage or configuration
error, or a suite that could not run.`

// runConfig is what every target of one invocation shares.
type runConfig struct {
	suites      []suiterun.Suite
	labelFilter string
	profile     string
	waivers     string
	timeout     time.Duration
	// progress receives the suites' output as it comes (redacted); nil with --targets, whose
	// runs interleave.
	progress io.Writer
}

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	targetFile := fs.String("target", "", "target file (default $"+target.EnvVar+"; neither: the built-in reference mock)")
	targetsDir := fs.String("targets", "", "directory of target files (*.yaml, *.yml), run concurrently")
	parallel := fs.Int("parallel", 2, "with --targets: how many targets run at once")
	labelFilter := fs.String("label-filter", "", "Ginkgo label filter selecting specs, e.g. 'kind:limit && !mutating'")
	profile := fs.String("profile", "", "default or strict (default: the target file's, or $"+suiterun.ProfileEnvVar+")")
	out := fs.String("out", "reports", "directory for the reports (with --targets: one subdirectory per target, and the comparison)")
	waivers := fs.String("waivers", "", "waiver file (YAML) applied to every target's report")
	suitesDir := fs.String("suites", "", "directory of the compiled suites (default: suites/ beside this binary)")
	timeout := fs.Duration("timeout", suiterun.DefaultTimeout, "time limit for each suite of each target")
	doneFile := fs.String("done-file", "", "Sonobuoy: pack --out into a tar.gz beside this file, then write the archive's path into it")
	fs.Usage = func() { fmt.Fprintln(stderr, runUsage); fs.PrintDefaults() }
	if code := parseFlags(fs, args, stderr); code >= 0 {
		return code
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "conformance run: "+format+"\n", a...)
		return 2
	}
	if *targetFile != "" && *targetsDir != "" {
		return usageErr("--target and --targets exclude each other")
	}
	if *parallel < 1 {
		return usageErr("--parallel: %d, want at least 1", *parallel)
	}
	if *timeout <= 0 {
		return usageErr("--timeout: %s, want a positive duration", *timeout)
	}
	switch *profile {
	case "", "default", "strict":
	default:
		return usageErr("--profile: %q is not a profile; want \"default\" or \"strict\"", *profile)
	}
	if *labelFilter != "" {
		if _, err := ginkgotypes.ParseLabelFilter(*labelFilter); err != nil {
			return usageErr("--label-filter: %v", err)
		}
	}
	dir := *suitesDir
	if dir == "" {
		var err error
		if dir, err = suiterun.DefaultDir(); err != nil {
			return usageErr("%v", err)
		}
	}
	suites, err := suiterun.Find(dir)
	if err != nil {
		return usageErr("%v", err)
	}
	cfg := runConfig{suites: suites, labelFilter: *labelFilter, profile: *profile, waivers: *waivers, timeout: *timeout}

	var code int
	if *targetsDir != "" {
		code = runTargets(ctx, cfg, *targetsDir, *out, *parallel, stdout, stderr)
	} else {
		path := *targetFile
		if path == "" {
			path = os.Getenv(target.EnvVar)
		}
		cfg.progress = stderr
		code = runOneTarget(ctx, cfg, path, *out, stdout, stderr)
	}
	if *doneFile != "" {
		// Written whatever the verdict: the Sonobuoy worker waits for it.
		if err := suiterun.WriteDone(*out, *doneFile); err != nil {
			fmt.Fprintf(stderr, "conformance run: %v\n", err)
			return 2
		}
	}
	return code
}

// runOneTarget runs the suites against one target (path "" is the built-in reference mock)
// and builds its reports in out through `report build`, so that a run here and
// `make conformance` produce the same reports.
func runOneTarget(ctx context.Context, cfg runConfig, path, out string, stdout, stderr io.Writer) int {
	tgt, source, err := runTarget(path)
	if err != nil {
		fmt.Fprintf(stderr, "conformance run: %v\n", err)
		return 2
	}
	var reportArgs []string
	if cfg.waivers != "" {
		reportArgs = append(reportArgs, "--waivers", cfg.waivers)
	}
	// The same preflight as `make conformance`: every API at once, before any suite; when
	// none answers, it has written the reports and the suites are not started.
	handoff, code, over := preflightStep{path: path, profile: cfg.profile, out: out, reportArgs: reportArgs}.run(ctx, stdout, stderr)
	if over {
		return code
	}
	res, err := suiterun.Run(ctx, suiterun.Options{
		Suites: cfg.suites, TargetFile: path, Profile: cfg.profile, LabelFilter: cfg.labelFilter,
		Timeout: cfg.timeout, Out: out, Secrets: tgt.Tokens(), Progress: cfg.progress, Preflight: handoff,
	})
	if res != nil {
		for _, s := range res.Suites {
			fmt.Fprintf(stderr, "conformance run: suite %s against %s: exit %d in %s (output: %s)\n", s.Name, source, s.ExitCode, s.Duration, s.Log)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "conformance run: %v\n", err)
		return 2
	}
	args := []string{"--ginkgo", res.GinkgoReport, "--out", out}
	if path != "" {
		args = append(args, "--target", path)
	}
	if cfg.waivers != "" {
		args = append(args, "--waivers", cfg.waivers)
	}
	code = runReportBuild(args, stdout, stderr)
	if code == 0 {
		// The report is the verdict, but a suite that failed without the report noticing
		// (a crash after its last spec) must not end in a pass.
		for _, s := range res.Suites {
			if s.ExitCode != 0 {
				fmt.Fprintf(stderr, "conformance run: suite %s exited with status %d although its report passed; see %s\n", s.Name, s.ExitCode, s.Log)
				code = 1
			}
		}
	}
	return code
}

// targetOutcome is one target's result in a --targets run.
type targetOutcome struct {
	code   int // -1: not run (interrupted first)
	output bytes.Buffer
}

// runTargets runs every target file of dir, at most parallel at once, each into
// out/<name>/, then renders the comparison of every report written into out. One target's
// failure does not stop the others.
func runTargets(ctx context.Context, cfg runConfig, dir, out string, parallel int, stdout, stderr io.Writer) int {
	targets, err := suiterun.Targets(dir)
	if err != nil {
		fmt.Fprintf(stderr, "conformance run: %v\n", err)
		return 2
	}
	// A comparison left from an earlier run must not stand for this one if nothing is compared.
	for _, stale := range []string{report.HTMLFile, report.MarkdownFile} {
		if err := os.Remove(filepath.Join(out, stale)); err != nil && !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(stderr, "conformance run: %v\n", err)
			return 2
		}
	}
	outcomes := make([]*targetOutcome, len(targets))
	for i := range outcomes {
		outcomes[i] = &targetOutcome{code: -1}
	}
	var mu sync.Mutex
	suiterun.ForEach(ctx, len(targets), parallel, func(ctx context.Context, i int) {
		o := outcomes[i]
		o.code = runOneTarget(ctx, cfg, targets[i].Path, filepath.Join(out, targets[i].Name), &o.output, &o.output)
		// Each target's lines together, prefixed, in the order targets finish.
		mu.Lock()
		defer mu.Unlock()
		for _, line := range strings.Split(strings.TrimRight(o.output.String(), "\n"), "\n") {
			fmt.Fprintf(stdout, "[%s] %s\n", targets[i].Name, line)
		}
	})

	var reports []*report.Report
	var files []string // the target file name of each report
	worst := 0
	fmt.Fprintf(stdout, "\n%-24s %-6s %s\n", "TARGET", "EXIT", "VERDICT")
	for i, t := range targets {
		o := outcomes[i]
		verdict := "not run"
		switch {
		case o.code == -1:
			o.code = 2
		case o.code <= 1:
			r, err := report.Load(filepath.Join(out, t.Name, report.JSONFile))
			if err != nil {
				fmt.Fprintf(stderr, "conformance run: %s: %v\n", t.Name, err)
				o.code = 2
				break
			}
			reports = append(reports, r)
			files = append(files, t.Name)
			verdict = strings.ToUpper(r.Verdict) + " — " + r.VerdictReason
		default:
			verdict = "error (see above)"
		}
		worst = max(worst, o.code)
		fmt.Fprintf(stdout, "%-24s %-6d %s\n", t.Name, o.code, verdict)
	}
	if len(reports) == 0 {
		fmt.Fprintln(stderr, "conformance run: no target produced a report; no comparison written")
		return 2
	}
	labelColumns(reports, files)
	if err := report.WriteRendered(out, reports...); err != nil {
		fmt.Fprintf(stderr, "conformance run: comparison: %v\n", err)
		return 2
	}
	fmt.Fprintf(stdout, "conformance: compared %d of %d target(s) in %s\n", len(reports), len(targets), filepath.Join(out, report.HTMLFile))
	return worst
}

// labelColumns names each report of the comparison by its target's name, and by the target
// file's name where the file has no name or shares it with another (several regions of one
// service), so that every column can be traced to its file. Only the in-memory copies change.
func labelColumns(reports []*report.Report, files []string) {
	count := map[string]int{}
	for _, r := range reports {
		count[r.Target.Name]++
	}
	for i, r := range reports {
		switch {
		case r.Target.Name == "":
			r.Target.Name = files[i]
		case count[r.Target.Name] > 1 && r.Target.Name != files[i]:
			r.Target.Name = fmt.Sprintf("%s (%s)", r.Target.Name, files[i])
		}
	}
}
