package launch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/koobackup/conformance/internal/preflight"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/target"
	"github.com/onsi/ginkgo/v2/reporters"
	"golang.org/x/sync/errgroup"
)

// Mode says what the suites do with the target.
type Mode int

const (
	// Real sends the suites' requests to the target.
	Real Mode = iota
	// Plan runs every node but stops each spec at its first request
	// (runrecord.PlanEnvVar): which specs the target file lets run, and why others skip.
	Plan
	// DryRun is Ginkgo's dry run: no node runs; the report lists every spec.
	DryRun
)

// Files a launch writes into its output directory.
const (
	GinkgoReportFile = "ginkgo.json"
	JUnitFile        = "junit.xml"
	LogDir           = "logs"
)

// DefaultTimeout bounds one suite's run (Ginkgo's --timeout).
const DefaultTimeout = 20 * time.Minute

// killGrace is how long after its own --timeout a suite may take to write its report before
// it is stopped.
const killGrace = time.Minute

// Job says which suites to launch, how, and against what.
type Job struct {
	Suites []Suite
	Mode   Mode
	// TargetFile is the target file (made absolute). Empty: the suites fall back to their
	// own built-in mock, as a plain `go tool ginkgo` run does; internal/run always names one.
	TargetFile string
	// Profile overrides the suites' profile ("default" or "strict"); empty keeps the
	// target file's, or an inherited $CONFORMANCE_PROFILE.
	Profile string
	// Handoff is the run's preflight verdict (internal/preflight), read by the suites.
	Handoff     string
	LabelFilter string
	// RandomizeAll shuffles every spec, as every user-facing run does.
	RandomizeAll bool
	// Timeout is Ginkgo's --timeout for each suite (0: none); the process is stopped a
	// minute after it.
	Timeout time.Duration
	// KillAfter bounds each process instead, with no Ginkgo timeout, when Timeout is 0.
	KillAfter time.Duration
	// Procs > 1 runs the suites in that many parallel processes under Ginkgo, the command
	// line at path Ginkgo; without one each suite is one process, up to Procs of them at once.
	Procs  int
	Ginkgo string
	// Out receives ginkgo.json, junit.xml and logs/.
	Out string
	// Secrets are removed from everything written (the target's tokens).
	Secrets []string
	// Progress, when not nil, receives the suites' output as it comes, line by line, redacted.
	Progress io.Writer
	// Env holds KEY=VALUE settings for the suites, over those inherited.
	Env []string
}

// SuiteRun is what one suite process did; under Ginkgo's parallel runner one process runs
// every suite, and its Name is "ginkgo".
type SuiteRun struct {
	Name     string
	ExitCode int
	Duration time.Duration
	Killed   bool
	Log      string // the process's output, redacted
}

// Result names the merged reports of a launch.
type Result struct {
	GinkgoReport string
	JUnitReport  string
	Suites       []SuiteRun
}

// NoReportError says a suite ended without a readable Ginkgo report (it crashed, was killed,
// or rejected its flags), so no verdict can be built from the run.
type NoReportError struct {
	Suite    string
	ExitCode int
	Log      string
	Excerpt  string // the end of the suite's output, redacted
}

func (e *NoReportError) Error() string {
	return fmt.Sprintf("suite %s exited with status %d and wrote no report (output in %s):\n%s", e.Suite, e.ExitCode, e.Log, e.Excerpt)
}

// maxExcerpt bounds the output quoted in a NoReportError.
const maxExcerpt = 4 << 10

// Run launches the suites and leaves their merged reports in Out. A suite that fails specs
// is not an error (the report says so); a suite that leaves no report is a *NoReportError.
func Run(ctx context.Context, j Job) (*Result, error) {
	if len(j.Suites) == 0 {
		return nil, errors.New("launch suites: no suite to run")
	}
	out, err := filepath.Abs(j.Out)
	if err != nil {
		return nil, fmt.Errorf("launch suites: output directory: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(out, LogDir), 0o755); err != nil {
		return nil, fmt.Errorf("launch suites: %w", err)
	}
	res := &Result{GinkgoReport: filepath.Join(out, GinkgoReportFile), JUnitReport: filepath.Join(out, JUnitFile)}
	for _, stale := range []string{res.GinkgoReport, res.JUnitReport} {
		if err := os.Remove(stale); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("launch suites: remove the previous run's %s: %w", stale, err)
		}
	}
	for _, p := range []*string{&j.TargetFile, &j.Handoff} {
		if *p != "" {
			if *p, err = filepath.Abs(*p); err != nil {
				return nil, fmt.Errorf("launch suites: %w", err)
			}
		}
	}
	red := redact.New(j.Secrets...)
	env := suiteEnv(os.Environ(), j)
	limit := j.KillAfter
	if j.Timeout > 0 {
		limit = j.Timeout + killGrace
	}
	if limit <= 0 {
		limit = DefaultTimeout + killGrace
	}
	var errs []error
	if j.Procs > 1 && j.Ginkgo != "" {
		args := append([]string{j.Ginkgo, "--procs=" + strconv.Itoa(j.Procs), "--keep-going", "--no-color",
			"--output-dir=" + out, "--json-report=" + GinkgoReportFile, "--junit-report=" + JUnitFile}, cliFlags(j, "--")...)
		for _, s := range j.Suites {
			args = append(args, s.Path)
		}
		run, err := runOne(ctx, "ginkgo", process{argv: args, env: env, dir: out, limit: limit}, j, out, red, res.GinkgoReport)
		res.Suites = append(res.Suites, run)
		if err != nil {
			return res, err
		}
	} else {
		// Without the Ginkgo command line each suite is one process; the suites exercise
		// different APIs, so up to Procs of them run side by side.
		if j.Progress != nil {
			j.Progress = &lockedWriter{w: j.Progress}
		}
		jsons, junits := make([]string, len(j.Suites)), make([]string, len(j.Suites))
		runs, runErrs := make([]SuiteRun, len(j.Suites)), make([]error, len(j.Suites))
		var g errgroup.Group
		g.SetLimit(max(1, j.Procs))
		for i, s := range j.Suites {
			jsons[i] = filepath.Join(out, "."+s.Name+".ginkgo.json")
			junits[i] = filepath.Join(out, "."+s.Name+".junit.xml")
			for _, p := range []string{jsons[i], junits[i]} {
				_ = os.Remove(p) // a leftover of a killed run must not pass for this run's report
			}
			args := append([]string{s.Path, "--ginkgo.json-report=" + jsons[i], "--ginkgo.junit-report=" + junits[i], "--ginkgo.no-color"}, cliFlags(j, "--ginkgo.")...)
			g.Go(func() error {
				runs[i], runErrs[i] = runOne(ctx, s.Name, process{argv: args, env: env, dir: out, limit: limit}, j, out, red, jsons[i])
				return nil
			})
		}
		_ = g.Wait()
		res.Suites = append(res.Suites, runs...)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("launch suites: %w", err)
		}
		for _, err := range runErrs {
			if err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return res, errors.Join(errs...)
		}
		if msgs, err := reporters.MergeAndCleanupJSONReports(jsons, res.GinkgoReport); err != nil || len(msgs) > 0 {
			return res, fmt.Errorf("launch suites: merge Ginkgo reports: %w", errors.Join(err, errors.New(strings.Join(msgs, "; "))))
		}
		if msgs, err := reporters.MergeAndCleanupJUnitReports(junits, res.JUnitReport); err != nil || len(msgs) > 0 {
			return res, fmt.Errorf("launch suites: merge JUnit reports: %w", errors.Join(err, errors.New(strings.Join(msgs, "; "))))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("launch suites: %w", err)
	}
	// The suites redact what they record; this is the second line for anything that slipped
	// into a failure message verbatim.
	for _, p := range []string{res.GinkgoReport, res.JUnitReport} {
		if err := redactFile(p, red); err != nil {
			return res, fmt.Errorf("launch suites: %w", err)
		}
	}
	return res, nil
}

// runOne starts one process, keeps its redacted output in logs/<name>.log and checks that
// it left its Ginkgo report.
func runOne(ctx context.Context, name string, p process, j Job, out string, red *redact.Redactor, report string) (SuiteRun, error) {
	var progress *redactedLines
	if j.Progress != nil {
		progress = &redactedLines{red: red, w: j.Progress, prefix: name + ": "}
		p.progress = progress
	}
	e := start(ctx, p)
	if progress != nil {
		progress.Flush()
	}
	run := SuiteRun{Name: name, ExitCode: e.exitCode, Duration: e.duration, Killed: e.killed, Log: filepath.Join(out, LogDir, name+".log")}
	redacted := red.Bytes(e.output)
	if err := os.WriteFile(run.Log, redacted, 0o644); err != nil {
		return run, fmt.Errorf("launch suites: write %s: %w", run.Log, err)
	}
	if _, err := os.Stat(report); err != nil || e.killed {
		return run, &NoReportError{Suite: name, ExitCode: e.exitCode, Log: run.Log, Excerpt: tail(redacted, maxExcerpt)}
	}
	return run, nil
}

// cliFlags are the Ginkgo flags of the job's mode, with the prefix a compiled suite
// ("--ginkgo.") or the Ginkgo command line ("--") takes.
func cliFlags(j Job, prefix string) []string {
	var f []string
	if j.RandomizeAll {
		f = append(f, prefix+"randomize-all")
	}
	if j.Timeout > 0 {
		f = append(f, prefix+"timeout="+j.Timeout.String())
	}
	if j.LabelFilter != "" {
		f = append(f, prefix+"label-filter="+j.LabelFilter)
	}
	if j.Mode == DryRun {
		f = append(f, prefix+"dry-run")
	}
	return f
}

// ProfileEnvVar is the variable the suites read the profile from (internal/conformance); it
// is repeated here so that the conformance binary does not link the Ginkgo DSL.
const ProfileEnvVar = "CONFORMANCE_PROFILE"

// suiteEnv is the parent's environment with the suites' own variables set for this job, so
// that an inherited target, handoff, plan switch or profile cannot leak in.
func suiteEnv(parent []string, j Job) []string {
	owned := map[string]bool{target.EnvVar: true, preflight.HandoffEnvVar: true, runrecord.PlanEnvVar: true}
	for _, kv := range j.Env {
		key, _, _ := strings.Cut(kv, "=")
		owned[key] = true
	}
	if j.Profile != "" {
		owned[ProfileEnvVar] = true
	}
	env := make([]string, 0, len(parent)+4)
	for _, kv := range parent {
		key, _, _ := strings.Cut(kv, "=")
		if !owned[key] {
			env = append(env, kv)
		}
	}
	if j.TargetFile != "" {
		env = append(env, target.EnvVar+"="+j.TargetFile)
	}
	if j.Handoff != "" {
		env = append(env, preflight.HandoffEnvVar+"="+j.Handoff)
	}
	if j.Profile != "" {
		env = append(env, ProfileEnvVar+"="+j.Profile)
	}
	if j.Mode == Plan {
		env = append(env, runrecord.PlanEnvVar+"=1")
	}
	return append(env, j.Env...)
}

func redactFile(path string, red *redact.Redactor) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, red.Bytes(raw), 0o644)
}

// lockedWriter lets suites that run side by side share one progress writer, a line at a time.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
