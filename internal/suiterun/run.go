package suiterun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/koobackup/conformance/internal/preflight"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/target"
	"github.com/onsi/ginkgo/v2/reporters"
)

// ProfileEnvVar is the variable the suites read the profile from (internal/conformance); it
// is repeated here so that the conformance binary does not link the Ginkgo DSL.
const ProfileEnvVar = "CONFORMANCE_PROFILE"

// Files a run writes into its output directory, beside the reports internal/report builds.
const (
	GinkgoReportFile = "ginkgo.json"
	JUnitFile        = "junit.xml"
	LogDir           = "logs"
)

// DefaultTimeout bounds one suite's run (Ginkgo's --timeout), as `make conformance` does.
const DefaultTimeout = 20 * time.Minute

// killGrace is how long after its own --timeout a suite may take to write its report before
// it is killed.
const killGrace = time.Minute

// Options say how to run the suites against one target.
type Options struct {
	Suites []Suite
	// TargetFile is the target file. Empty: each suite starts the built-in reference mock
	// itself, as `make conformance` does without CONFORMANCE_TARGET.
	TargetFile string
	// Profile overrides the target file's profile ("default" or "strict"); empty keeps the
	// file's, or $CONFORMANCE_PROFILE.
	Profile     string
	LabelFilter string
	// Timeout bounds each suite (0: DefaultTimeout).
	Timeout time.Duration
	// Out receives ginkgo.json, junit.xml and logs/.
	Out string
	// Secrets are removed from everything written (the target's tokens).
	Secrets []string
	// Progress, when not nil, receives the suites' output as it comes, line by line, redacted.
	Progress io.Writer
	// Preflight is the handoff file of the run's preflight (internal/preflight), passed to
	// the suites so that the suite of an API that did not answer stops before any request;
	// empty: each suite probes its API itself.
	Preflight string
}

// SuiteRun is what one suite binary did.
type SuiteRun struct {
	Name     string
	ExitCode int
	Duration time.Duration
	Log      string // the suite's output, redacted
}

// Result names the merged reports of a run.
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
const maxExcerpt = runrecord.ExcerptBytes

// Run runs every suite, one after the other, against the target and merges their reports
// into Out/ginkgo.json and Out/junit.xml. It first removes the previous run's reports from
// Out, so that a failed run cannot leave an older verdict behind. A suite that fails specs is
// not an error (the report says so); a suite that leaves no report is a *NoReportError.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if len(opts.Suites) == 0 {
		return nil, errors.New("run suites: no suite to run")
	}
	out, err := filepath.Abs(opts.Out)
	if err != nil {
		return nil, fmt.Errorf("run suites: output directory: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(out, LogDir), 0o755); err != nil {
		return nil, fmt.Errorf("run suites: %w", err)
	}
	for _, stale := range []string{GinkgoReportFile, JUnitFile, report.JSONFile, report.HTMLFile, report.MarkdownFile} {
		if err := os.Remove(filepath.Join(out, stale)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("run suites: remove the previous run's %s: %w", stale, err)
		}
	}
	targetFile := opts.TargetFile
	if targetFile != "" {
		if targetFile, err = filepath.Abs(targetFile); err != nil {
			return nil, fmt.Errorf("run suites: target file: %w", err)
		}
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	red := redact.New(opts.Secrets...)
	handoff := opts.Preflight
	if handoff != "" {
		if handoff, err = filepath.Abs(handoff); err != nil {
			return nil, fmt.Errorf("run suites: preflight handoff: %w", err)
		}
	}
	env := suiteEnv(os.Environ(), targetFile, opts.Profile, handoff)

	res := &Result{GinkgoReport: filepath.Join(out, GinkgoReportFile), JUnitReport: filepath.Join(out, JUnitFile)}
	var jsons, junits []string
	var errs []error
	for _, s := range opts.Suites {
		jsonPath := filepath.Join(out, "."+s.Name+".ginkgo.json")
		junitPath := filepath.Join(out, "."+s.Name+".junit.xml")
		for _, p := range []string{jsonPath, junitPath} {
			_ = os.Remove(p) // a leftover of a killed run must not pass for this run's report
		}
		args := []string{
			"--ginkgo.json-report=" + jsonPath,
			"--ginkgo.junit-report=" + junitPath,
			"--ginkgo.no-color",
			"--ginkgo.randomize-all",
			"--ginkgo.timeout=" + timeout.String(),
		}
		if opts.LabelFilter != "" {
			args = append(args, "--ginkgo.label-filter="+opts.LabelFilter)
		}
		var progress *redactedLines
		if opts.Progress != nil {
			progress = &redactedLines{red: red, w: opts.Progress, prefix: s.Name + ": "}
		}
		run, output := runSuite(ctx, s, args, env, out, timeout+killGrace, progress)
		run.Log = filepath.Join(out, LogDir, s.Name+".log")
		redacted := red.Bytes(output)
		if err := os.WriteFile(run.Log, redacted, 0o644); err != nil {
			return nil, fmt.Errorf("run suites: write %s: %w", run.Log, err)
		}
		res.Suites = append(res.Suites, run)
		if _, err := os.Stat(jsonPath); err != nil {
			errs = append(errs, &NoReportError{Suite: s.Name, ExitCode: run.ExitCode, Log: run.Log, Excerpt: tail(redacted, maxExcerpt)})
			continue
		}
		jsons, junits = append(jsons, jsonPath), append(junits, junitPath)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("run suites: %w", err)
	}
	if len(errs) > 0 {
		return res, errors.Join(errs...)
	}
	if msgs, err := reporters.MergeAndCleanupJSONReports(jsons, res.GinkgoReport); err != nil || len(msgs) > 0 {
		return res, fmt.Errorf("run suites: merge Ginkgo reports: %w", errors.Join(err, errors.New(strings.Join(msgs, "; "))))
	}
	if msgs, err := reporters.MergeAndCleanupJUnitReports(junits, res.JUnitReport); err != nil || len(msgs) > 0 {
		return res, fmt.Errorf("run suites: merge JUnit reports: %w", errors.Join(err, errors.New(strings.Join(msgs, "; "))))
	}
	// The suites redact what they record; this is the second line for anything that slipped
	// into a failure message verbatim.
	for _, p := range []string{res.GinkgoReport, res.JUnitReport} {
		if err := redactFile(p, red); err != nil {
			return res, fmt.Errorf("run suites: %w", err)
		}
	}
	return res, nil
}

// runSuite runs one suite binary in dir and returns what it did and its combined output.
// progress, when not nil, also receives the output as it comes.
func runSuite(ctx context.Context, s Suite, args, env []string, dir string, limit time.Duration, progress *redactedLines) (SuiteRun, []byte) {
	run := SuiteRun{Name: s.Name}
	sctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(sctx, s.Path, args...)
	cmd.Dir = dir
	cmd.Env = env
	// An interrupt, not a kill, so that Ginkgo reports the specs that ran; killed only if it
	// does not finish soon after.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	var buf bytes.Buffer
	var sink io.Writer = &buf
	if progress != nil {
		sink = io.MultiWriter(&buf, progress)
		defer progress.Flush()
	}
	// One writer for both streams: exec then calls Write from one goroutine at a time.
	cmd.Stdout, cmd.Stderr = sink, sink
	start := time.Now()
	err := cmd.Run()
	run.Duration = time.Since(start).Round(time.Millisecond)
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		run.ExitCode = exit.ExitCode()
	default:
		run.ExitCode = -1
		fmt.Fprintf(&buf, "\nconformance: could not run %s: %v\n", s.Path, err)
	}
	if sctx.Err() == context.DeadlineExceeded {
		fmt.Fprintf(&buf, "\nconformance: killed %s after %s\n", s.Name, limit)
	}
	return run, buf.Bytes()
}

// suiteEnv is the parent's environment with the suites' own variables set for this run: no
// CONFORMANCE_TARGET means the built-in mock, so an inherited one must not leak in.
func suiteEnv(parent []string, targetFile, profile, handoff string) []string {
	env := make([]string, 0, len(parent)+3)
	for _, kv := range parent {
		key, _, _ := strings.Cut(kv, "=")
		if key == target.EnvVar || key == preflight.HandoffEnvVar || (profile != "" && key == ProfileEnvVar) {
			continue
		}
		env = append(env, kv)
	}
	if targetFile != "" {
		env = append(env, target.EnvVar+"="+targetFile)
	}
	if handoff != "" {
		env = append(env, preflight.HandoffEnvVar+"="+handoff)
	}
	if profile != "" {
		env = append(env, ProfileEnvVar+"="+profile)
	}
	return env
}

// redactedLines passes output on a line at a time, so that a secret is always redacted
// whole (secrets hold no line break), each line prefixed with the suite's name.
type redactedLines struct {
	red     *redact.Redactor
	w       io.Writer
	prefix  string
	pending []byte
}

func (l *redactedLines) Write(p []byte) (int, error) {
	l.pending = append(l.pending, p...)
	for {
		i := bytes.IndexByte(l.pending, '\n')
		if i < 0 {
			return len(p), nil
		}
		if _, err := io.WriteString(l.w, l.prefix+l.red.String(string(l.pending[:i+1]))); err != nil {
			return 0, err
		}
		l.pending = l.pending[i+1:]
	}
}

// Flush passes on an unfinished last line.
func (l *redactedLines) Flush() {
	if len(l.pending) > 0 {
		_, _ = io.WriteString(l.w, l.prefix+l.red.String(string(l.pending))+"\n")
		l.pending = nil
	}
}

func redactFile(path string, red *redact.Redactor) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, red.Bytes(raw), 0o644)
}

// tail returns the last n bytes of b as text, cut at a line start where possible.
func tail(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	b = b[len(b)-n:]
	if i := bytes.IndexByte(b, '\n'); i >= 0 && i < len(b)-1 {
		b = b[i+1:]
	}
	return "…\n" + string(b)
}
