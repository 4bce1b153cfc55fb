package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Options configure Run.
type Options struct {
	// Dir is the module root the benchmarks are run from.
	Dir string
	// Out is where bench.md and bench.json are written.
	Out string
	// Peers also measures Stoplight Prism, installed through npm into Tools.
	Peers bool
	Tools string
	// Log receives progress lines and the go test output of failed runs.
	Log io.Writer
}

// Report is everything one Run measured, as written to bench.json.
type Report struct {
	Started  time.Time `json:"started"`
	Results  []*Result `json:"results"`
	Figures  []Figure  `json:"figures"`
	Problems []string  `json:"problems,omitempty"`
	// PerCallLoadAllocations is the allocations per validation call under spec loading
	// or index building (goal 0), from two memory profiles of different lengths.
	PerCallLoadAllocations *float64 `json:"per_call_load_allocations,omitempty"`
	Peers                  []Figure `json:"peers,omitempty"`
	// PeerMemory, PrismSettings and PrismCalibration come from the --peers run.
	PeerMemory       []Memory          `json:"peer_memory,omitempty"`
	PrismSettings    map[string]string `json:"prism_settings,omitempty"`
	PrismCalibration []string          `json:"prism_calibration,omitempty"`
	// LoadAverage is /proc/loadavg at the start and the end of the run: the machine is
	// shared, and the figures are only as steady as it was.
	LoadAverage []string `json:"load_average,omitempty"`
}

// packageRun is one `go test -bench` invocation.
type packageRun struct {
	pkg, bench, benchtime string
	count                 int
	profile               bool
}

var packageRuns = []packageRun{
	{pkg: "./internal/contract", bench: "^BenchmarkValidation$", benchtime: "0.5s", count: 3, profile: true},
	{pkg: "./internal/mock", bench: "^BenchmarkMockThroughput$", benchtime: "10000x", count: 5, profile: true},
	{pkg: "./internal/proxy", bench: "^BenchmarkProxyOverhead$", benchtime: "10000x", count: 5, profile: true},
	{pkg: "./internal/bench", bench: "^BenchmarkSuiteRun$", benchtime: "1x", count: 2},
	{pkg: "./internal/bench", bench: "^BenchmarkExplore$", benchtime: "1x", count: 3},
}

// Comparisons are the figures the report shows, each with its goal.
var Comparisons = func() []Comparison {
	var cs []Comparison
	for _, api := range []string{"koophone", "vbs"} {
		for _, dir := range []string{"request", "response"} {
			p := "BenchmarkValidation/" + api + "/" + dir + "/"
			cs = append(cs, Comparison{Group: "validation", Name: api + " " + dir, Subject: p + "contract", Baseline: p + "decode",
				Metric: "ns/op", Goal: 2, Dir: AtMost, GoalText: "≤ 2× the encoding/json decode floor"})
		}
	}
	paired := func(group, name, bench, subject, baseline, metric string, goal float64, dir Direction, text string) Comparison {
		return Comparison{Group: group, Name: name, Subject: bench, Baseline: bench, Metric: metric,
			SubjectMetric: subject + "-" + metric, BaselineMetric: baseline + "-" + metric, Goal: goal, Dir: dir, GoalText: text}
	}
	cs = append(cs,
		paired("mock throughput", "mixed workload req/s (mock vs ceiling)", "BenchmarkMockThroughput", "mock", "ceiling", "req/s", 0.8, AtLeast, "≥ 0.8× a bare net/http handler"),
		paired("proxy overhead", "throughput req/s (proxied vs direct)", "BenchmarkProxyOverhead", "proxied", "direct", "req/s", 0.5, AtLeast, "≥ 0.5× direct"),
		paired("proxy overhead", "latency p50 µs (proxied vs direct)", "BenchmarkProxyOverhead", "proxied", "direct", "p50-us", 2, AtMost, "≤ 2× direct"),
		paired("proxy overhead", "latency p99 µs (proxied vs direct)", "BenchmarkProxyOverhead", "proxied", "direct", "p99-us", 0, Info, "reported"),
		Comparison{Group: "suite run", Name: "wall time, pools 2× vs 1×", Subject: "BenchmarkSuiteRun/pools=2x", Baseline: "BenchmarkSuiteRun/pools=1x",
			Metric: "ns/op", Goal: 2, Dir: AtMost, GoalText: "≤ 2× (no faster than linear in pool size)"},
		paired("explore", "requests/s (explore vs the suites' own exchanges)", "BenchmarkExplore", "explore", "suites", "req/s", 0, Info, "reported"),
		paired("explore", "seconds the default budget adds (explore vs the hand-picked specs)", "BenchmarkExplore", "explore", "suites", "s", 10, ValueAtMost, "≤ 10 s added to a run against the mock"),
		Comparison{Group: "suite run", Name: "wall time, pools 4× vs 1×", Subject: "BenchmarkSuiteRun/pools=4x", Baseline: "BenchmarkSuiteRun/pools=1x",
			Metric: "ns/op", Goal: 4, Dir: AtMost, GoalText: "≤ 4× (no faster than linear in pool size)"},
	)
	return cs
}()

// Run runs every benchmark, compares each figure to its baseline, writes bench.md and
// bench.json into o.Out and returns the report. A benchmark that fails is reported as not
// measured, and Run's error says so after the files are written.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Dir == "" {
		o.Dir = "."
	}
	work, err := os.MkdirTemp("", "conformance-bench-")
	if err != nil {
		return nil, fmt.Errorf("bench: temporary folder: %w", err)
	}
	defer os.RemoveAll(work)
	rep := &Report{Started: time.Now().UTC(), LoadAverage: []string{"start: " + loadAverage()}}
	all := map[string]*Result{}
	limits := map[string]string{}
	for _, pr := range packageRuns {
		fmt.Fprintf(o.Log, "bench: %s (%s, -count=%d)\n", pr.pkg, pr.benchtime, pr.count)
		name := filepath.Base(pr.pkg)
		args := []string{"test", "-run=^$", "-bench=" + pr.bench, "-benchmem", "-json", "-count=" + fmt.Sprint(pr.count), "-benchtime=" + pr.benchtime}
		prof := filepath.Join(work, name+".cpu.prof")
		if pr.profile {
			args = append(args, "-cpuprofile="+prof, "-o="+filepath.Join(work, name+".test"))
		}
		out, runErr := goCommand(ctx, o.Dir, append(args, pr.pkg)...)
		results, err := ParseEvents(bytes.NewReader(out))
		if err != nil {
			return nil, err
		}
		if runErr != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s: go test failed: %v", pr.pkg, runErr))
			fmt.Fprintf(o.Log, "%s\n", lastLines(out, 40))
		}
		for k, r := range results {
			all[k] = r
		}
		if pr.profile && runErr == nil {
			top, err := goCommand(ctx, o.Dir, "tool", "pprof", "-top", "-cum", "-nodecount=400", prof)
			if err != nil {
				rep.Problems = append(rep.Problems, fmt.Sprintf("%s: read CPU profile: %v", pr.pkg, err))
			} else {
				limits[name] = Limits(ParsePprofTop(string(top)))
			}
		}
	}
	for _, r := range all {
		rep.Results = append(rep.Results, r)
	}
	sortResults(rep.Results)
	rep.Figures = Compare(all, Comparisons)
	for i := range rep.Figures {
		rep.Figures[i].Limits = limitsFor(rep.Figures[i].Group, limits)
	}
	if n, err := perCallLoadAllocations(ctx, o.Dir, work); err != nil {
		rep.Problems = append(rep.Problems, "spec-loading allocation check: "+err.Error())
	} else {
		rep.PerCallLoadAllocations = &n
	}
	if o.Peers {
		// The peers are child processes of the built binary, so that the memory read
		// from /proc is the mock's and the proxy's own.
		bin := filepath.Join(work, "conformance")
		if out, err := goCommand(ctx, o.Dir, "build", "-o", bin, "./cmd/conformance"); err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("peers: build the binary: %v: %s", err, lastLines(out, 10)))
		} else {
			res, problems := RunPeers(ctx, bin, o.Tools, o.Log)
			if res != nil {
				rep.Peers, rep.PeerMemory = res.Figures, res.Memory
				rep.PrismSettings, rep.PrismCalibration = res.PrismSettings, res.Calibration
			}
			rep.Problems = append(rep.Problems, problems...)
		}
	}
	rep.LoadAverage = append(rep.LoadAverage, "end: "+loadAverage())
	if err := Write(rep, o.Out); err != nil {
		return rep, err
	}
	if len(rep.Problems) > 0 {
		return rep, fmt.Errorf("bench: %d problems, listed in %s", len(rep.Problems), filepath.Join(o.Out, "bench.md"))
	}
	return rep, nil
}

// loadAverage is the first three fields of /proc/loadavg, or why it could not be read.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	f := strings.Fields(string(raw))
	return strings.Join(f[:min(3, len(f))], " ") + fmt.Sprintf(" on %d CPUs", runtime.NumCPU())
}

func limitsFor(group string, limits map[string]string) string {
	switch group {
	case "validation":
		return limits["contract"]
	case "mock throughput":
		return "the mock and the load generator share the machine's 2 cores; " + limits["mock"]
	case "proxy overhead":
		return "proxy, mock and load generator share the machine's 2 cores; " + limits["proxy"]
	case "suite run":
		return "process start-up and the suites' fixed set of specs; the pools only add ids the suites do not consume"
	case "explore":
		return "both send one request at a time over one keep-alive client, so the rates are round trips plus the work between them: explore's is drawing a request (rapid) and judging the answer (contract and register), the suites' is Ginkgo's per-spec bookkeeping, recording evidence and their checks; explore's seconds are its budget divided by that rate"
	}
	return ""
}

// perCallLoadAllocations runs the validation benchmarks at two lengths with every
// allocation profiled and returns the extra allocations per call under spec loading or
// index building: zero when the spec is loaded once, whatever the length.
func perCallLoadAllocations(ctx context.Context, dir, work string) (float64, error) {
	const short, long = 20, 200
	var counts [2]float64
	for i, n := range []int{short, long} {
		prof := filepath.Join(work, fmt.Sprintf("validation-%d.mem.prof", n))
		if out, err := goCommand(ctx, dir, "test", "-run=^$", "-bench=^BenchmarkValidation$", fmt.Sprintf("-benchtime=%dx", n),
			"-memprofile="+prof, "-memprofilerate=1", "-o="+filepath.Join(work, "contract-mem.test"), "./internal/contract"); err != nil {
			return 0, fmt.Errorf("%w\n%s", err, lastLines(out, 20))
		}
		top, err := goCommand(ctx, dir, "tool", "pprof", "-sample_index=alloc_objects", "-top", "-cum", "-nodecount=2000", prof)
		if err != nil {
			return 0, err
		}
		counts[i] = LoadAllocations(ParsePprofTop(string(top)))
	}
	// Eight sub-benchmarks, each run at N=1 and then at N.
	// pprof prints large counts to three significant digits (12.5k), so a difference
	// below that rounding is no allocation at all.
	per := (counts[1] - counts[0]) / float64(8*(long-short))
	if math.Abs(per) < 0.5 {
		per = 0
	}
	return per, nil
}

func goCommand(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Run(); err != nil {
		return buf.Bytes(), fmt.Errorf("go %s: %w", strings.Join(args[:min(2, len(args))], " "), err)
	}
	return buf.Bytes(), nil
}

func lastLines(out []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func sortResults(rs []*Result) {
	for i := range rs {
		for j := i + 1; j < len(rs); j++ {
			if rs[j].Package+rs[j].Name < rs[i].Package+rs[i].Name {
				rs[i], rs[j] = rs[j], rs[i]
			}
		}
	}
}

// Write writes bench.json and bench.md into dir.
func Write(rep *Report, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("bench: create %s: %w", dir, err)
	}
	raw, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("bench: encode report: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bench.json"), append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("bench: write bench.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bench.md"), []byte(Markdown(rep)), 0o644); err != nil {
		return fmt.Errorf("bench: write bench.md: %w", err)
	}
	return nil
}

// Markdown renders the report: one table of figures with ratios and verdicts, then what
// limits each figure, then problems.
func Markdown(rep *Report) string {
	var b strings.Builder
	b.WriteString("# Benchmarks\n\nEvery ratio is to a baseline measured in the same run (`make bench`). Values are medians of the samples with their spread (min–max) in brackets; subject and baseline of the mock and proxy figures are driven in alternating rounds, so both see the same machine, and the ratio's spread is over those samples. The machine is shared: read a miss near its goal as noise until it repeats.\n\n")
	if len(rep.LoadAverage) > 0 {
		fmt.Fprintf(&b, "Load average (1, 5, 15 min) — %s.\n\n", strings.Join(rep.LoadAverage, "; "))
	}
	table := func(figs []Figure) {
		b.WriteString("| group | figure | subject | baseline | ratio | samples | goal | verdict |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n")
		for _, f := range figs {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %d | %s | %s |\n", f.Group, f.Name,
				withSpread(f.SubjectValue, f.SubjectMin, f.SubjectMax, f.Metric), withSpread(f.BaselineValue, f.BaselineMin, f.BaselineMax, f.Metric),
				ratioWithSpread(f), f.Samples, f.GoalText, f.Verdict)
		}
	}
	table(rep.Figures)
	if rep.PerCallLoadAllocations != nil {
		v := *rep.PerCallLoadAllocations
		verdict := "met"
		if v > 0 {
			verdict = fmt.Sprintf("missed: %.1f allocations per call", v)
		}
		fmt.Fprintf(&b, "\nAllocations per validation call under spec loading or index building (two memory profiles, every allocation sampled, of different lengths; pprof rounds counts, so below 0.5 reads as 0): %.2f; goal 0 — %s.\n", v, verdict)
	}
	if len(rep.Peers) > 0 || len(rep.PrismCalibration) > 0 {
		b.WriteString("\n## Peers (Stoplight Prism)\n\n")
		fmt.Fprintf(&b, "%s, each figure %d samples; every subject runs as its own process against its own fresh mock process and world, and every answer's status is checked (the project's servers and Prism's proxy: the status a fresh reference mock gives the case; Prism's mock, which keeps no state: 2xx for a request the contract accepts, 4xx otherwise, the same every time).\n\n", PrismPackage, PeerSamples)
		if len(rep.PrismCalibration) > 0 {
			b.WriteString("Prism's fastest settings, measured in this run on the VBS API:\n\n")
			for _, l := range rep.PrismCalibration {
				fmt.Fprintf(&b, "- %s\n", l)
			}
			keys := make([]string, 0, len(rep.PrismSettings))
			for k := range rep.PrismSettings {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				fmt.Fprintf(&b, "- **prism %s runs with `%s`**\n", k, rep.PrismSettings[k])
			}
			b.WriteString("\n")
		}
		table(rep.Peers)
		if len(rep.PeerMemory) > 0 {
			b.WriteString("\nResident memory after the load (VmRSS; peak VmHWM), summed over each server's process tree:\n\n| API | server | RSS | peak |\n| --- | --- | --- | --- |\n")
			for _, m := range rep.PeerMemory {
				fmt.Fprintf(&b, "| %s | %s | %.1f MiB | %.1f MiB |\n", m.API, m.Subject, float64(m.RSSKiB)/1024, float64(m.HWMKiB)/1024)
			}
		}
	}
	b.WriteString("\n## What limits each figure\n\n")
	seen := map[string]bool{}
	for _, f := range append(append([]Figure(nil), rep.Figures...), rep.Peers...) {
		if f.Limits == "" || seen[f.Group] {
			continue
		}
		seen[f.Group] = true
		fmt.Fprintf(&b, "- **%s**: %s\n", f.Group, f.Limits)
	}
	if len(rep.Problems) > 0 {
		b.WriteString("\n## Problems\n\n")
		for _, p := range rep.Problems {
			fmt.Fprintf(&b, "- %s\n", strings.ReplaceAll(p, "\n", " "))
		}
	}
	return b.String()
}

func withSpread(v, lo, hi float64, metric string) string {
	if lo == 0 && hi == 0 {
		return value(v, metric)
	}
	if metric == "ns/op" && v >= 1e6 {
		return fmt.Sprintf("%s (%.3f–%.3f)", value(v, metric), lo/1e9, hi/1e9)
	}
	if metric == "s" {
		return fmt.Sprintf("%s (%.3f–%.3f)", value(v, metric), lo, hi)
	}
	return fmt.Sprintf("%s (%.0f–%.0f)", value(v, metric), lo, hi)
}

func ratioWithSpread(f Figure) string {
	if f.RatioMin == 0 && f.RatioMax == 0 {
		return fmt.Sprintf("%.2f×", f.Ratio)
	}
	return fmt.Sprintf("%.2f× (%.2f–%.2f)", f.Ratio, f.RatioMin, f.RatioMax)
}

func value(v float64, metric string) string {
	if metric == "ns/op" && v >= 1e6 {
		return fmt.Sprintf("%.3f s", v/1e9)
	}
	if metric == "s" {
		return fmt.Sprintf("%.3f s", v)
	}
	return fmt.Sprintf("%.0f %s", v, metric)
}
