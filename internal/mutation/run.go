package mutation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/explore"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/run/launch"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/target"
	"golang.org/x/sync/errgroup"
)

// Defaults of Options.
const (
	DefaultParallel = 2
	// DefaultRunTimeout bounds one suite binary against one mutant; a pristine run takes
	// well under a second, so hitting it means the suite itself hangs.
	DefaultRunTimeout = 2 * time.Minute
	// DefaultRequestTimeout is written into every mutant's target file: hang faults are
	// killed by the suites' request timeout, and the shipped 10 s default would make each
	// of them cost that much per hanging spec.
	DefaultRequestTimeout = 2 * time.Second
	// DefaultExploreSeed is the seed of the suites' kind:explore specs in every mutant's run:
	// a matrix that drew a new seed each run could kill a fault in one run and miss it in
	// the next. $CONFORMANCE_EXPLORE_SEED, when set, is used instead.
	DefaultExploreSeed = 1
)

// Configuration is what the mock and its target file look like while a fault is planted:
// the register readings the mock takes and whether the target file allows mutating
// requests. Every planted fault runs on each configuration, so that a fault a legitimate
// reading or a read-only target hides shows up — as an honest "could not tell" in the
// report, or as a survivor when the report would call the violated requirement a pass.
type Configuration struct {
	Name string
	// Readings are the readings the mock takes (mock.WithReadings); nil is the strict mock.
	Readings mock.Readings
	// ReadOnly writes allow_mutating: false into the target file: the suites skip their
	// mutating specs and the negative probes send their control requests.
	ReadOnly bool
	// StrictProfile runs the suites under the strict profile (prove, for a strict run).
	StrictProfile bool
}

// The configurations of the matrix. StrictConfiguration is the reference mock;
// LenientConfiguration takes every register entry's first non-strict reading,
// LastLenientConfiguration its last one, so that between them every legitimate reading of
// the register is under every planted fault. The read-only ones are a target file with
// allow_mutating: false in front of the strict mock and of both lenient ones: the lenient
// ones are the hardest case for the suites (legitimate readings and no owned ids to isolate a
// probe).
var (
	StrictConfiguration              = Configuration{Name: "strict"}
	LenientConfiguration             = Configuration{Name: "lenient", Readings: mock.LenientReadings()}
	LastLenientConfiguration         = Configuration{Name: "lenient-last", Readings: mock.LastLenientReadings()}
	ReadOnlyConfiguration            = Configuration{Name: "read-only", ReadOnly: true}
	LenientReadOnlyConfiguration     = Configuration{Name: "lenient-read-only", Readings: mock.LenientReadings(), ReadOnly: true}
	LastLenientReadOnlyConfiguration = Configuration{Name: "lenient-last-read-only", Readings: mock.LastLenientReadings(), ReadOnly: true}
)

// OtherConfigurations are the configurations Run plants every fault on besides the strict
// mock, in the matrix's column order.
func OtherConfigurations() []Configuration {
	return []Configuration{LenientConfiguration, LastLenientConfiguration, ReadOnlyConfiguration, LenientReadOnlyConfiguration, LastLenientReadOnlyConfiguration}
}

// LookupConfiguration returns the configuration of OtherConfigurations (or the strict one)
// with that name.
func LookupConfiguration(name string) (Configuration, bool) {
	for _, c := range append([]Configuration{StrictConfiguration}, OtherConfigurations()...) {
		if c.Name == name {
			return c, true
		}
	}
	return Configuration{}, false
}

// ConfigurationResult is one column of the fault × configuration matrix: the configuration's
// baseline (no fault) and every selected fault planted on it.
type ConfigurationResult struct {
	Name string `json:"name"`
	// Readings are the readings of the configuration that differ from the strict ones.
	Readings map[string]string `json:"readings"`
	ReadOnly bool              `json:"read_only"`
	Profile  string            `json:"profile"`
	// Baseline is the suites against the configuration without a fault: it must pass, or
	// no kill on the configuration proves anything.
	Baseline Baseline      `json:"baseline"`
	Mutants  []Mutant      `json:"mutants"`
	Totals   OutcomeTotals `json:"totals"`
}

// OutcomeTotals counts a configuration's mutants by outcome, and the killed ones by which
// specs killed them.
type OutcomeTotals struct {
	Total        int `json:"total"`
	Killed       int `json:"killed"`
	Inconclusive int `json:"inconclusive"`
	NotEvaluated int `json:"not_evaluated"`
	Error        int `json:"error"`
	Survived     int `json:"survived"`
	// KilledByHandPicked, KilledByExplore and KilledByBoth split Killed by Mutant.KilledBy.
	KilledByHandPicked int `json:"killed_by_hand_picked"`
	KilledByExplore    int `json:"killed_by_explore"`
	KilledByBoth       int `json:"killed_by_both"`
}

// Honest counts the faults killed or honestly not settled.
func (t OutcomeTotals) Honest() int { return t.Killed + t.Inconclusive + t.NotEvaluated }

func (t *OutcomeTotals) add(m Mutant) {
	t.Total++
	switch m.Outcome {
	case OutcomeKilled:
		t.Killed++
		switch m.KilledBy {
		case KilledByHandPicked:
			t.KilledByHandPicked++
		case KilledByExplore:
			t.KilledByExplore++
		case KilledByBoth:
			t.KilledByBoth++
		}
	case OutcomeInconclusive:
		t.Inconclusive++
	case OutcomeNotEvaluated:
		t.NotEvaluated++
	case OutcomeError:
		t.Error++
	default:
		t.Survived++
	}
}

// Honest reports whether the configuration leaves no false pass: its baseline passed and
// every fault was killed or reported as not settled.
func (c ConfigurationResult) Honest() bool {
	return c.Baseline.Passed && c.Totals.Total > 0 && c.Totals.Honest() == c.Totals.Total
}

// Survivors lists the faults the configuration hides behind a passing requirement, and
// those whose run failed.
func (c ConfigurationResult) Survivors() []Mutant {
	var out []Mutant
	for _, m := range c.Mutants {
		if !m.Outcome.Honest() {
			out = append(out, m)
		}
	}
	return out
}

// Mutant returns the configuration's mutant of a fault.
func (c ConfigurationResult) Mutant(fault string) (Mutant, bool) {
	for _, m := range c.Mutants {
		if m.Fault == fault {
			return m, true
		}
	}
	return Mutant{}, false
}

// Options configure Run. The zero value runs every fault of the catalog from the module
// root above the working directory.
type Options struct {
	// Root is the module root; empty means walk up from the working directory to go.mod.
	Root string
	// Faults restricts the run to these catalog names; empty means the whole catalog.
	Faults []string
	// Parallel bounds the mutants under test at the same time (DefaultParallel when < 1).
	Parallel int
	// RunTimeout bounds one suite binary run (DefaultRunTimeout when 0).
	RunTimeout time.Duration
	// RequestTimeout goes into each target file (DefaultRequestTimeout when 0).
	RequestTimeout time.Duration
	// WorkDir holds the binaries, target files and Ginkgo reports; empty means a temporary
	// directory removed when Run returns.
	WorkDir string
	// Progress, when not nil, is called after each mutant finishes (from several goroutines
	// one at a time) with the configuration it ran on.
	Progress func(configuration string, m Mutant)
	// StrictOnly plants the faults on the strict mock only, skipping the other
	// configurations.
	StrictOnly bool
	// Configurations replaces OtherConfigurations (Run) when not nil.
	Configurations []Configuration
}

// exploreEnv fixes the seed of the suites' explorations, unless the caller chose one.
func (o Options) exploreEnv() []string {
	if v := os.Getenv(explore.SeedEnv); v != "" {
		return nil
	}
	return []string{fmt.Sprintf("%s=%d", explore.SeedEnv, DefaultExploreSeed)}
}

// UnknownFaultError is returned for a requested fault that is not in the catalog.
type UnknownFaultError = mock.UnknownFaultError

// CompileError says a suite did not compile.
type CompileError = launch.CompileError

// Run compiles the suites, runs them against every selected fault on each configuration
// (the strict mock, and unless StrictOnly the other configurations), each configuration
// without a fault (its baseline; the strict one is the pristine mock) and the two fairness
// runs, and returns the result. An error means the run could not be made (no module, no
// compiler, unknown fault); a run that was made but is not clean (pristine failures,
// survivors, unfair strict profile) is described by the Result.
func Run(ctx context.Context, opts Options) (*Result, error) {
	faults, err := selectFaults(opts.Faults)
	if err != nil {
		return nil, err
	}
	started := time.Now()
	r, cleanup, err := newRunner(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer cleanup()

	configs := []Configuration{StrictConfiguration}
	switch {
	case opts.StrictOnly:
	case opts.Configurations != nil:
		configs = append(configs, opts.Configurations...)
	default:
		configs = append(configs, OtherConfigurations()...)
	}
	jobs := []job{
		{name: "lenient-default", readings: LenientConfiguration.Readings, faultIndex: -1},
		{name: "lenient-strict", readings: LenientConfiguration.Readings, strict: true, faultIndex: -1},
	}
	const fixed = 2
	jobs = append(jobs, matrixJobs(configs, faults)...)
	outcomes, err := r.runJobs(ctx, jobs, configs, faults)
	if err != nil {
		return nil, err
	}
	res := &Result{
		Fairness:       fairnessOf(outcomes[0], outcomes[1], catalog.Default()),
		Configurations: matrixOf(configs, faults, outcomes[fixed:]),
	}
	res.Pristine = res.Configurations[0].Baseline
	res.Mutants = res.Configurations[0].Mutants
	res.finish(catalog.Default())
	res.Duration = time.Since(started).Round(time.Millisecond).String()
	return res, nil
}

// RunMatrix runs every selected fault on each of the given configurations, after each
// configuration's baseline, and returns the matrix's columns in the order given.
func RunMatrix(ctx context.Context, opts Options, configs []Configuration) ([]ConfigurationResult, error) {
	if len(configs) == 0 {
		return nil, errors.New("mutation: no configuration to run")
	}
	faults, err := selectFaults(opts.Faults)
	if err != nil {
		return nil, err
	}
	r, cleanup, err := newRunner(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	outcomes, err := r.runJobs(ctx, matrixJobs(configs, faults), configs, faults)
	if err != nil {
		return nil, err
	}
	return matrixOf(configs, faults, outcomes), nil
}

// RecordRun runs both suites against the mock in a configuration without any fault and
// returns their Ginkgo JSON reports as one (the array `ginkgo --json-report` writes for
// several suites): a finished run, e.g. for `conformance prove` to be tried on.
func RecordRun(ctx context.Context, opts Options, c Configuration) ([]byte, error) {
	r, cleanup, err := newRunner(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	j := job{name: c.Name + "-recorded", readings: c.Readings, readOnly: c.ReadOnly, strict: c.StrictProfile, faultIndex: -1}
	o := r.runJob(ctx, j)
	if o.err != nil {
		return nil, fmt.Errorf("mutation: %w", o.err)
	}
	var all []json.RawMessage
	for _, s := range r.suites {
		raw, err := os.ReadFile(filepath.Join(r.opts.WorkDir, j.name, s.Name, launch.GinkgoReportFile))
		if err != nil {
			return nil, fmt.Errorf("mutation: record %s: %w (%s)", c.Name, err, runErrors(o.runs))
		}
		var reports []json.RawMessage
		if err := json.Unmarshal(raw, &reports); err != nil {
			return nil, fmt.Errorf("mutation: record %s: %s: %w", c.Name, s.Name, err)
		}
		all = append(all, reports...)
	}
	out, err := json.Marshal(all)
	if err != nil {
		return nil, fmt.Errorf("mutation: record %s: %w", c.Name, err)
	}
	return out, nil
}

// matrixJobs lists, per configuration, its baseline and then each fault. A fault job runs
// only the suite of the fault's API: a plant changes the answers of its own API only, so
// the other suite would repeat the baseline.
func matrixJobs(configs []Configuration, faults []mock.Fault) []job {
	var jobs []job
	for ci, c := range configs {
		name := c.Name + "-baseline"
		if ci == 0 && c.Name == StrictConfiguration.Name {
			name = "pristine"
		}
		jobs = append(jobs, job{name: name, readings: c.Readings, readOnly: c.ReadOnly, strict: c.StrictProfile, config: ci, faultIndex: -1})
		for fi, f := range faults {
			jobs = append(jobs, job{name: c.Name + "-" + f.Name, fault: f.Name, api: string(f.API), readings: c.Readings,
				readOnly: c.ReadOnly, strict: c.StrictProfile, config: ci, faultIndex: fi})
		}
	}
	return jobs
}

// matrixOf folds the outcomes of matrixJobs into the matrix's columns.
func matrixOf(configs []Configuration, faults []mock.Fault, outcomes []outcome) []ConfigurationResult {
	strict := mock.StrictReadings()
	var out []ConfigurationResult
	i := 0
	for _, c := range configs {
		cr := ConfigurationResult{Name: c.Name, Readings: map[string]string{}, ReadOnly: c.ReadOnly, Profile: runrecord.ProfileDefault}
		if c.StrictProfile {
			cr.Profile = runrecord.ProfileStrict
		}
		for entry, reading := range c.Readings {
			if strict[entry] != reading {
				cr.Readings[entry] = reading
			}
		}
		cr.Baseline = pristineOf(outcomes[i])
		i++
		for _, f := range faults {
			m := mutantOf(f, outcomes[i])
			i++
			cr.Totals.add(m)
			cr.Mutants = append(cr.Mutants, m)
		}
		out = append(out, cr)
	}
	return out
}

// runJobs runs the jobs, at most Parallel at once, calling Progress after each fault job.
func (r *runner) runJobs(ctx context.Context, jobs []job, configs []Configuration, faults []mock.Fault) ([]outcome, error) {
	outcomes := make([]outcome, len(jobs))
	var progress sync.Mutex
	g := new(errgroup.Group)
	g.SetLimit(r.opts.Parallel)
	for i := range jobs {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				outcomes[i] = outcome{err: err}
				return nil
			}
			outcomes[i] = r.runJob(ctx, jobs[i])
			if j := jobs[i]; r.opts.Progress != nil && j.fault != "" {
				progress.Lock()
				r.opts.Progress(configs[j.config].Name, mutantOf(faults[j.faultIndex], outcomes[i]))
				progress.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("mutation: %w", err)
	}
	return outcomes, nil
}

// newRunner fills in the defaults of opts, makes the work directory and compiles the
// suites; cleanup removes a temporary work directory.
func newRunner(ctx context.Context, opts Options) (*runner, func(), error) {
	var err error
	cleanup := func() {}
	if opts.Root == "" {
		if opts.Root, err = FindModuleRoot("."); err != nil {
			return nil, cleanup, err
		}
	}
	if opts.Parallel < 1 {
		opts.Parallel = DefaultParallel
	}
	if opts.RunTimeout <= 0 {
		opts.RunTimeout = DefaultRunTimeout
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.WorkDir == "" {
		dir, err := os.MkdirTemp("", "mutation-")
		if err != nil {
			return nil, cleanup, fmt.Errorf("mutation: work directory: %w", err)
		}
		cleanup = func() { os.RemoveAll(dir) }
		opts.WorkDir = dir
	}
	build, err := launch.Compile(ctx, opts.Root)
	if err != nil {
		cleanup()
		return nil, func() {}, fmt.Errorf("mutation: %w", err)
	}
	return &runner{opts: opts, suites: build.Suites}, cleanup, nil
}

// ReadingCheck is both suites against a mock that takes one non-strict reading of one
// register entry and the strict reading of every other.
type ReadingCheck struct {
	Entry   string `json:"entry"`
	Reading string `json:"reading"`
	// DefaultFailures are what the default profile failed: nothing, on a fair suite.
	DefaultFailures []FailedSpec `json:"default_failures,omitempty"`
	// Flagged are the register entries the strict profile named as deviations.
	Flagged []string `json:"flagged"`
	Error   string   `json:"error,omitempty"`
}

// CheckReadings runs both suites under both profiles against the mock taking, in turn,
// each non-strict legitimate reading of each register entry: the proof that the mock takes
// any reading, that the default profile accepts it, and that the strict profile names the
// entry. Options.Faults is ignored.
func CheckReadings(ctx context.Context, opts Options) ([]ReadingCheck, error) {
	r, cleanup, err := newRunner(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	var checks []ReadingCheck
	for _, a := range catalog.Default().Ambiguities {
		for _, reading := range a.Default {
			if reading != a.Strict {
				checks = append(checks, ReadingCheck{Entry: a.ID, Reading: reading})
			}
		}
	}
	g := new(errgroup.Group)
	g.SetLimit(r.opts.Parallel)
	for i := range checks {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				checks[i].Error = err.Error()
				return nil
			}
			c := &checks[i]
			readings := mock.Readings{c.Entry: c.Reading}
			name := "reading-" + c.Entry + "-" + c.Reading
			def := r.runJob(ctx, job{name: name + "-default", readings: readings})
			strict := r.runJob(ctx, job{name: name + "-strict", readings: readings, strict: true})
			var errs []string
			for _, o := range []outcome{def, strict} {
				if o.err != nil {
					errs = append(errs, o.err.Error())
				} else if e := runErrors(o.runs); e != "" {
					errs = append(errs, e)
				}
			}
			c.Error = strings.Join(errs, "; ")
			c.DefaultFailures = failuresOf(def.runs)
			c.Flagged = StrictFlags(failuresOf(strict.runs))
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("mutation: %w", err)
	}
	return checks, nil
}

// selectFaults resolves names against the catalog, keeping the catalog's order.
func selectFaults(names []string) ([]mock.Fault, error) {
	all := mock.Faults()
	if len(names) == 0 {
		return all, nil
	}
	var out []mock.Fault
	for _, n := range names {
		if err := mock.CheckFault(n); err != nil {
			return nil, fmt.Errorf("mutation: %w", err)
		}
	}
	for _, f := range all {
		if slices.Contains(names, f.Name) {
			out = append(out, f)
		}
	}
	return out, nil
}

// FindModuleRoot walks up from dir to the directory holding go.mod.
func FindModuleRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("mutation: module root: %w", err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("mutation: module root: no go.mod in %s or above", abs)
		}
	}
}

type runner struct {
	opts   Options
	suites []launch.Suite // compiled once; every mutant reuses them
}

// job is one mock variant the suites run against.
type job struct {
	name     string
	fault    string
	api      string // only this API's suite runs; "" runs every suite
	readings mock.Readings
	readOnly bool // allow_mutating: false in the target file
	strict   bool // run the suites under the strict profile
	// config and faultIndex locate a fault job in the configurations and the faults.
	config, faultIndex int
}

// outcome is what the suites did against one job's mock.
type outcome struct {
	runs []SuiteRun
	// statuses are the requirement statuses of the report built from the runs' records.
	statuses map[string]RequirementStatus
	// causes are the titles of that report's causes (causes.go).
	causes []string
	err    error // the mock could not be started or the target file written
}

func (r *runner) runJob(ctx context.Context, j job) outcome {
	var mopts []mock.Option
	if j.fault != "" {
		mopts = append(mopts, mock.WithFault(j.fault))
	}
	if j.readings != nil {
		mopts = append(mopts, mock.WithReadings(j.readings))
	}
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv, err := mock.Start(mctx, "127.0.0.1:0", mopts...)
	if err != nil {
		return outcome{err: fmt.Errorf("%s: %w", j.name, err)}
	}
	defer srv.Close()
	dir := filepath.Join(r.opts.WorkDir, j.name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return outcome{err: fmt.Errorf("%s: %w", j.name, err)}
	}
	t := srv.Target()
	t.Timeout = target.Duration(r.opts.RequestTimeout)
	t.AllowMutating = !j.readOnly
	raw, err := t.Marshal()
	if err == nil {
		// The file holds the world's tokens: readable by the owner only.
		err = os.WriteFile(filepath.Join(dir, "target.yaml"), raw, 0o600)
	}
	if err != nil {
		return outcome{err: fmt.Errorf("%s: target file: %w", j.name, err)}
	}
	// Reports are published; the target's tokens must not reach them through a failure
	// message or a crashed suite's output.
	red := redact.New(t.Tokens()...)
	var o outcome
	merged := &runrecord.Run{}
	for _, s := range r.suites {
		if j.api != "" && s.Name != j.api {
			continue
		}
		run, rec := r.runSuite(ctx, s, dir, j.strict)
		run.Error = red.String(run.Error)
		for i := range run.Failures {
			run.Failures[i].Text = red.String(run.Failures[i].Text)
			run.Failures[i].Message = red.String(run.Failures[i].Message)
		}
		o.runs = append(o.runs, run)
		if rec != nil {
			merged.Suites = append(merged.Suites, rec.Suites...)
		}
	}
	o.statuses = requirementStatuses(merged, t.Tokens())
	o.causes = causeTitles(merged, t.Tokens())
	return o
}

// requirementStatuses builds the report of a run the way `report build` does and returns
// each requirement's status: the mutation verdict judges by the same rules as the reports.
func requirementStatuses(run *runrecord.Run, secrets []string) map[string]RequirementStatus {
	if len(run.Suites) == 0 {
		return nil
	}
	rep, err := report.Build(run, catalog.Default(), report.BuildOptions{Secrets: secrets})
	if err != nil {
		return nil
	}
	out := make(map[string]RequirementStatus, len(rep.Requirements))
	for _, q := range rep.Requirements {
		out[q.ID] = RequirementStatus{ID: q.ID, Status: q.Status, Reason: q.Reason}
	}
	return out
}

// runSuite runs one suite against a job's target file (in dir/<suite>/); the record is nil
// when the run produced no readable report. The specs run in their declared order: the
// matrix judges a fault, not an order.
func (r *runner) runSuite(ctx context.Context, s launch.Suite, dir string, strict bool) (SuiteRun, *runrecord.Run) {
	run := SuiteRun{Suite: s.Name}
	profile := runrecord.ProfileDefault
	if strict {
		profile = runrecord.ProfileStrict
	}
	res, err := launch.Run(ctx, launch.Job{Suites: []launch.Suite{s}, Mode: launch.Real, TargetFile: filepath.Join(dir, "target.yaml"),
		Profile: profile, KillAfter: r.opts.RunTimeout, Out: filepath.Join(dir, s.Name), Env: r.opts.exploreEnv()})
	if res != nil && len(res.Suites) == 1 {
		run.Duration = res.Suites[0].Duration.String()
	}
	var noReport *launch.NoReportError
	switch {
	case errors.As(err, &noReport) && res != nil && len(res.Suites) == 1 && res.Suites[0].Killed:
		run.Error = fmt.Sprintf("suite run exceeded %s", r.opts.RunTimeout)
		return run, nil
	case err != nil:
		run.Error = err.Error()
		return run, nil
	}
	rec, err := runrecord.ReadFile(res.GinkgoReport)
	if err != nil {
		run.Error = err.Error()
		return run, nil
	}
	parsed := parseRun(rec)
	run.Specs, run.Passed, run.Failed = parsed.Specs, parsed.Passed, len(parsed.Failures)
	run.Failures = parsed.Failures
	run.Inconclusive = parsed.Inconclusive
	if code := res.Suites[0].ExitCode; code != 0 && run.Failed == 0 {
		run.Error = fmt.Sprintf("suite exited with status %d but reported no failed spec (output in %s)", code, res.Suites[0].Log)
	}
	return run, rec
}

func sortedUnique(in []string) []string {
	out := slices.Clone(in)
	sort.Strings(out)
	return slices.Compact(out)
}
