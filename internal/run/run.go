package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/ledger"
	"github.com/koobackup/conformance/internal/mutation"
	"github.com/koobackup/conformance/internal/prove"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/run/launch"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/target"
)

// ProfileEnvVar is the variable the suites read the profile from.
const ProfileEnvVar = launch.ProfileEnvVar

// Options say how to run the suites against one target. Exit codes of Run: 0 the target
// conforms; 1 it does not (failures, no API answered, or prove found a deviation that would
// pass); 2 a usage or configuration error, or a suite that could not run.
type Options struct {
	// TargetFile is the target file; empty starts the reference mock in this process.
	TargetFile string
	Mock       MockOptions
	// Suites are the compiled suites; Ginkgo, when set, runs them in Procs parallel
	// processes (launch.Compile gives both from a source checkout).
	Suites []launch.Suite
	Ginkgo string
	Procs  int
	// Profile overrides the target file's profile ("default" or "strict"); empty keeps
	// $CONFORMANCE_PROFILE, else the file's.
	Profile           string
	LabelFilter       string
	Waivers           string
	RequireConclusive bool
	// Timeout bounds each suite (0: launch.DefaultTimeout).
	Timeout time.Duration
	// Prove adds the run's detection power; it compiles the suites of the module at Root.
	Prove bool
	Root  string
	// Out receives the reports; the previous run's are removed first.
	Out string
	// Stdout gets the verdict; Stderr progress and errors; Progress, when not nil, the
	// suites' output as it comes.
	Stdout, Stderr, Progress io.Writer
}

// stage is what the stages after the suites see.
type stage struct {
	Options
	Target *resolved
	// Record is the suites' merged record; GinkgoReport the file it was read from.
	Record       *runrecord.Run
	GinkgoReport string
}

// Run runs the suites against one target and writes the reports into opts.Out. It returns
// the exit code; the error, when not nil, says why the code is 2.
func Run(ctx context.Context, opts Options) (int, error) {
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	if opts.Timeout <= 0 {
		opts.Timeout = launch.DefaultTimeout
	}
	var waivers []report.Waiver
	if opts.Waivers != "" {
		w, err := report.LoadWaivers(opts.Waivers, catalog.Default())
		if err != nil {
			return 2, err
		}
		waivers = w
	}
	if err := clearReports(opts.Out); err != nil {
		return 2, err
	}

	// 1. The target: a file, or the reference mock started here.
	tgt, err := resolveTarget(ctx, opts.TargetFile, opts.Mock, opts.Out)
	if err != nil {
		return 2, err
	}
	defer tgt.Close()
	profile, err := profileOf(opts.Profile, tgt.Target)
	if err != nil {
		return 2, err
	}

	// 2. The preflight: every API at once; none answering ends the run here.
	pre, err := runPreflight(ctx, tgt, profile, opts.Out, opts.TargetFile == "", opts.Stderr)
	if err != nil {
		return 2, err
	}
	reports := ReportOptions{Target: tgt.Target, Source: tgt.Source, Waivers: waivers, RequireConclusive: opts.RequireConclusive}
	if pre.NotStarted != nil {
		code, err := BuildReports(pre.NotStarted, opts.Out, reports, opts.Stdout)
		if code == 0 && err == nil {
			// A report that passes a run in which nothing answered would be a lie.
			return 1, errors.New("the report passed although no API answered")
		}
		return code, err
	}

	// 3. The suites, in real mode, against the resolved target.
	launched, err := launch.Run(ctx, launch.Job{
		Suites: opts.Suites, Mode: launch.Real, TargetFile: tgt.File, Profile: opts.Profile, Handoff: pre.Handoff,
		LabelFilter: opts.LabelFilter, RandomizeAll: true, Timeout: opts.Timeout, Procs: opts.Procs, Ginkgo: opts.Ginkgo,
		Out: opts.Out, Secrets: tgt.Target.Tokens(), Progress: opts.Progress,
	})
	if launched != nil {
		for _, s := range launched.Suites {
			fmt.Fprintf(opts.Stderr, "conformance run: suite %s against %s: exit %d in %s (output: %s)\n", s.Name, tgt.Source, s.ExitCode, s.Duration, s.Log)
		}
	}
	if err != nil {
		return 2, err
	}
	rec, err := runrecord.ReadFile(launched.GinkgoReport)
	if err != nil {
		return 2, err
	}
	st := &stage{Options: opts, Target: tgt, Record: rec, GinkgoReport: launched.GinkgoReport}

	// 4. The stage that reads the finished suites (explore runs inside them, as the
	// kind:explore specs, so its findings are already in the record).
	if err := recordConsumedIDs(ctx, st); err != nil {
		return 2, err
	}

	// 5. Detection power when asked, then the reports.
	proveCode := 0
	if opts.Prove {
		reports.DetectionPower, proveCode, err = Prove(ctx, st.GinkgoReport, opts.Out,
			prove.Options{Mutation: mutation.Options{Root: opts.Root}}, opts.Stdout, opts.Stderr)
		if err != nil {
			return 2, fmt.Errorf("prove: %w", err)
		}
	}
	code, err := BuildReports(st.Record, opts.Out, reports, opts.Stdout)
	if err != nil {
		return 2, err
	}
	if code == 0 {
		// The report is the verdict, but a suite that failed without the report noticing
		// (a crash after its last spec) must not end in a pass.
		for _, s := range launched.Suites {
			if s.ExitCode != 0 {
				fmt.Fprintf(opts.Stderr, "conformance run: suite %s exited with status %d although its report passed; see %s\n", s.Name, s.ExitCode, s.Log)
				code = 1
			}
		}
	}
	return max(code, proveCode), nil
}

// clearReports removes the previous run's reports from out, so that a failed run cannot
// leave an older verdict behind.
func clearReports(out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, stale := range []string{launch.GinkgoReportFile, launch.JUnitFile, report.JSONFile, report.HTMLFile, report.MarkdownFile,
		report.DetectionPowerFile, ProveMarkdownFile, ledger.FileName} {
		if err := os.Remove(filepath.Join(out, stale)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove the previous run's %s: %w", stale, err)
		}
	}
	return nil
}

// TargetFromEnv is the target file a run without --target uses: $CONFORMANCE_TARGET, or ""
// for the reference mock.
func TargetFromEnv() string { return os.Getenv(target.EnvVar) }
