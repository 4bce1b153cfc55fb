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

	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/run"
	"github.com/koobackup/conformance/internal/run/launch"
	"github.com/koobackup/conformance/internal/suiterun"
	"github.com/koobackup/conformance/internal/target"
	"github.com/koobackup/conformance/internal/targetcheck"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
	"golang.org/x/sync/errgroup"
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
                  [--require-conclusive] [--prove] [--procs N] [--from-source] [--reading ENTRY=READING]... [--fault NAME]...
  conformance run --targets DIR [--parallel N] [same flags]

Runs the compiled suites (suites/*.test beside this binary, or --suites DIR; --from-source
compiles them from the checkout, as make conformance does) and builds junit.xml,
conformance.json, conformance.html and summary.md in --out. Without --target and without
$CONFORMANCE_TARGET the run starts the reference mock in this process (with --reading and
--fault: taking those readings, with those faults planted) and runs against it.
Before the suites, one harmless request per API tells whether the target answers at all;
when none does, the suites are not started and the reports say every requirement is
not-evaluated (target unreachable).
With --targets, every *.yaml/*.yml in DIR is a target: each gets --out/<file name>/, and
--out gets the side-by-side comparison.

Exit status: 0 every target conforms; 1 a target does not conform (or --prove found a
planted deviation the run would miss); 2 usage or configuration error, or a suite that
could not run.`

// runConfig is what every target of one invocation shares.
type runConfig struct {
	opts run.Options
}

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	targetFile := fs.String("target", "", "target file (default $"+target.EnvVar+"; neither: the reference mock, started by the run)")
	targetsDir := fs.String("targets", "", "directory of target files (*.yaml, *.yml), run concurrently")
	parallel := fs.Int("parallel", 2, "with --targets: how many targets run at once")
	labelFilter := fs.String("label-filter", "", "Ginkgo label filter selecting specs, e.g. 'kind:limit && !mutating'")
	profile := fs.String("profile", "", "default or strict (default: $"+run.ProfileEnvVar+", else the target file's)")
	out := fs.String("out", "reports", "directory for the reports (with --targets: one subdirectory per target, and the comparison)")
	waivers := fs.String("waivers", "", "waiver file (YAML) applied to every target's report")
	requireConclusive := fs.Bool("require-conclusive", false, "fail the run when any requirement is partially evaluated, inconclusive or not evaluated")
	proveFlag := fs.Bool("prove", false, "add the run's detection power (plants the fault catalog on the mock read as the target was; needs --from-source)")
	suitesDir := fs.String("suites", "", "directory of the compiled suites (default: suites/ beside this binary)")
	fromSource := fs.Bool("from-source", false, "compile the suites from the checkout around the working directory (cached between runs)")
	procs := fs.Int("procs", 1, "parallel processes: Ginkgo processes per suite with the Ginkgo command line (--from-source, or ginkgo beside the suites), else suites run side by side")
	timeout := fs.Duration("timeout", launch.DefaultTimeout, "time limit for each suite of each target")
	doneFile := fs.String("done-file", "", "Sonobuoy: pack --out into a tar.gz beside this file, then write the archive's path into it")
	var readings, faults faultList
	fs.Var(&readings, "reading", "without a target: the mock takes this reading, ENTRY=READING (repeatable)")
	fs.Var(&faults, "fault", "without a target: plant this fault of the catalog on the mock (repeatable)")
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
	if *procs < 1 {
		return usageErr("--procs: %d, want at least 1", *procs)
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
	if *suitesDir != "" && *fromSource {
		return usageErr("--suites and --from-source exclude each other")
	}
	if *proveFlag && !*fromSource {
		return usageErr("--prove needs --from-source: it compiles the suites and plants faults on the reference mock")
	}
	path := *targetFile
	if path == "" && *targetsDir == "" {
		path = run.TargetFromEnv()
	}
	m := run.MockOptions{}
	if len(readings)+len(faults) > 0 && (path != "" || *targetsDir != "") {
		return usageErr("--reading and --fault configure the reference mock, and the run has a target file")
	}
	for _, r := range readings {
		entry, reading, err := mock.ParseReading(r)
		if err == nil {
			err = mock.CheckReading(entry, reading)
		}
		if err != nil {
			return usageErr("--reading: %v", err)
		}
		if m.Readings == nil {
			m.Readings = mock.Readings{}
		}
		m.Readings[entry] = reading
	}
	for _, f := range faults {
		if err := mock.CheckFault(f); err != nil {
			return usageErr("--fault: %v", err)
		}
	}
	m.Faults = faults
	opts := run.Options{Mock: m, Procs: *procs, Profile: *profile, LabelFilter: *labelFilter, Waivers: *waivers,
		RequireConclusive: *requireConclusive, Prove: *proveFlag, Timeout: *timeout}
	if *fromSource {
		wd, err := os.Getwd()
		if err != nil {
			return usageErr("%v", err)
		}
		if opts.Root, err = targetcheck.FindRoot(wd); err != nil {
			return usageErr("--from-source: %v", err)
		}
		fmt.Fprintln(stderr, "conformance run: compiling the suites (cached between runs)")
		build, err := launch.Compile(ctx, opts.Root)
		if err != nil {
			return usageErr("%v", err)
		}
		opts.Suites, opts.Ginkgo = build.Suites, build.Ginkgo
	} else {
		dir := *suitesDir
		if dir == "" {
			var err error
			if dir, err = launch.DefaultDir(); err != nil {
				return usageErr("%v", err)
			}
		}
		suites, err := launch.Find(dir)
		if err != nil {
			return usageErr("%v", err)
		}
		opts.Suites, opts.Ginkgo = suites, launch.FindGinkgo(dir)
	}
	cfg := runConfig{opts: opts}

	var code int
	if *targetsDir != "" {
		code = runTargets(ctx, cfg, *targetsDir, *out, *parallel, stdout, stderr)
	} else {
		cfg.opts.Progress = stderr
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

// runOneTarget runs the suites against one target (path "" is the reference mock) through
// internal/run, so that a run here and `make conformance` produce the same reports.
func runOneTarget(ctx context.Context, cfg runConfig, path, out string, stdout, stderr io.Writer) int {
	opts := cfg.opts
	opts.TargetFile, opts.Out, opts.Stdout, opts.Stderr = path, out, stdout, stderr
	code, err := run.Run(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "conformance run: %v\n", err)
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
	g := new(errgroup.Group)
	g.SetLimit(parallel)
	for i := range targets {
		g.Go(func() error {
			if ctx.Err() != nil {
				return nil // a target not started when the run is interrupted stays "not run"
			}
			o := outcomes[i]
			o.code = runOneTarget(ctx, cfg, targets[i].Path, filepath.Join(out, targets[i].Name), &o.output, &o.output)
			// Each target's lines together, prefixed, in the order targets finish.
			mu.Lock()
			defer mu.Unlock()
			for _, line := range strings.Split(strings.TrimRight(o.output.String(), "\n"), "\n") {
				fmt.Fprintf(stdout, "[%s] %s\n", targets[i].Name, line)
			}
			return nil
		})
	}
	_ = g.Wait()

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
