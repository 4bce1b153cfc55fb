package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/preflight"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/suiterun"
	"github.com/koobackup/conformance/internal/target"
	"github.com/koobackup/conformance/internal/targetcheck"
)

func init() {
	register("preflight", "check that every API of the target answers before the suites run (make conformance runs it first)", func(args []string) int {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runPreflight(ctx, args, os.Stdout, os.Stderr)
	})
}

const preflightUsage = `usage: conformance preflight [--target FILE] [--out DIR] [--profile default|strict] [--waivers FILE] [--require-conclusive]

Sends one harmless request (no token, ids no target can hold) to each API of the target, all
at once, each bounded by the target file's timeout (default 10s), before any suite is
compiled or run. An API that refuses the connection, does not answer in time or does not
answer HTTP gets one line, e.g. "koophone: no answer from http://host:8080 within 10s".
--out receives preflight.json, which the suites of the same run read through
$CONFORMANCE_PREFLIGHT: the suite of an unreachable API stops before its first request.
When no API of the target answers, the suites are pointless: --out then also receives the
four reports (junit.xml, conformance.json, conformance.html, summary.md), every requirement
not-evaluated (target unreachable). Without a target file (the built-in reference mock) or
in plan mode ($CONFORMANCE_PLAN=1) nothing is sent.

Exit status: 0 the suites can run (every API answered, or at least one did: the run then
fails for the others); 1 no API of the target answered: the run is over and does not
conform, the reports say why; 2 usage or configuration error.`

func runPreflight(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("preflight", flag.ContinueOnError)
	fs.SetOutput(stderr)
	targetFile := fs.String("target", "", "target file (default $"+target.EnvVar+"; neither: the built-in reference mock, nothing to probe)")
	out := fs.String("out", "reports", "directory for preflight.json and, when no API answers, the reports")
	profile := fs.String("profile", "", "default or strict, for the reports (default: $"+suiterun.ProfileEnvVar+", else the target file's)")
	waivers := fs.String("waivers", "", "waiver file (YAML), for the reports")
	requireConclusive := fs.Bool("require-conclusive", false, "as in report build")
	fs.Usage = func() { fmt.Fprintln(stderr, preflightUsage); fs.PrintDefaults() }
	if code := parseFlags(fs, args, stderr); code >= 0 {
		return code
	}
	path := *targetFile
	if path == "" {
		path = os.Getenv(target.EnvVar)
	}
	var reportArgs []string
	if *waivers != "" {
		reportArgs = append(reportArgs, "--waivers", *waivers)
	}
	if *requireConclusive {
		reportArgs = append(reportArgs, "--require-conclusive")
	}
	p := preflightStep{path: path, profile: *profile, out: *out, reportArgs: reportArgs}
	_, code, _ := p.run(ctx, stdout, stderr)
	return code
}

// preflightStep is the preflight of one run against one target: `conformance preflight`
// and each target of `conformance run`.
type preflightStep struct {
	path       string // target file; "" is the built-in reference mock
	profile    string // "" keeps $CONFORMANCE_PROFILE, else the file's
	out        string
	reportArgs []string // extra `report build` flags (waivers, require-conclusive)
}

// run probes the target and writes the handoff file into out. It returns the handoff's
// absolute path for the suites; over is true when no API answered, and code is then the
// run's exit code (the reports are written). When over is false, code is 0, or 2 on a
// configuration error.
func (p preflightStep) run(ctx context.Context, stdout, stderr io.Writer) (handoff string, code int, over bool) {
	fail := func(err error) (string, int, bool) {
		fmt.Fprintf(stderr, "conformance preflight: %v\n", err)
		return "", 2, true
	}
	if err := os.MkdirAll(p.out, 0o755); err != nil {
		return fail(err)
	}
	handoff, err := filepath.Abs(filepath.Join(p.out, preflight.HandoffFile))
	if err != nil {
		return fail(err)
	}
	empty := preflight.NewHandoff(nil)
	switch {
	case p.path == "":
		fmt.Fprintln(stderr, "conformance preflight: no target file: each suite starts the built-in reference mock; nothing to probe")
		return handoff, writeHandoff(empty, handoff, stderr), false
	case os.Getenv(targetcheck.PlanEnvVar) == "1":
		fmt.Fprintln(stderr, "conformance preflight: plan mode: nothing is sent to the target")
		return handoff, writeHandoff(empty, handoff, stderr), false
	}
	tgt, err := target.Load(p.path)
	if err != nil {
		return fail(err)
	}
	prepareLedger(ctx, tgt, stderr)
	profile := p.profile
	if profile == "" {
		profile = os.Getenv(suiterun.ProfileEnvVar)
	}
	if profile == "" {
		profile = tgt.Profile
	}
	switch profile {
	case "", "default", "strict":
	default:
		return fail(fmt.Errorf("profile %q is not a profile; want \"default\" or \"strict\"", profile))
	}
	c, err := contract.Load()
	if err != nil {
		return fail(err)
	}
	red := redact.New(tgt.Tokens()...)
	client := preflight.NewClient(tgt)
	defer client.CloseIdleConnections()
	start := time.Now()
	results := preflight.All(ctx, client, tgt, c, red)
	end := time.Now()
	if err := ctx.Err(); err != nil {
		return fail(fmt.Errorf("interrupted: %w", err))
	}
	h := preflight.NewHandoff(results)
	for _, r := range results {
		if r.Unreachable != nil {
			fmt.Fprintln(stderr, r.Unreachable.String())
		} else {
			fmt.Fprintf(stderr, "conformance preflight: %s answered %d in %s (%s)\n", r.API, r.Status, r.Elapsed.Round(time.Millisecond), r.URL)
		}
	}
	if code := writeHandoff(h, handoff, stderr); code != 0 {
		return "", code, true
	}
	if len(h.Answered) > 0 || len(h.Unreachable) == 0 {
		return handoff, 0, false
	}
	fmt.Fprintln(stderr, "conformance preflight: no API of the target answered; the suites are not run")
	ginkgoPath, junitPath := filepath.Join(p.out, suiterun.GinkgoReportFile), filepath.Join(p.out, suiterun.JUnitFile)
	reports := preflight.SuiteReports(preflight.TargetRecord(tgt, profile, red), h.Unreachable, start, end)
	if err := preflight.WriteRun(reports, ginkgoPath, junitPath); err != nil {
		return fail(err)
	}
	code = runReportBuild(append([]string{"--ginkgo", ginkgoPath, "--out", p.out, "--target", p.path}, p.reportArgs...), stdout, stderr)
	if code == 0 {
		// A report that passes a run in which nothing answered would be a lie; it cannot
		// happen (the verdict fails on an unreachable API), and must not.
		fmt.Fprintln(stderr, "conformance preflight: the report passed although no API answered")
		code = 1
	}
	return handoff, code, true
}

func writeHandoff(h preflight.Handoff, path string, stderr io.Writer) int {
	if err := h.Write(path); err != nil {
		fmt.Fprintf(stderr, "conformance preflight: %v\n", err)
		return 2
	}
	return 0
}
