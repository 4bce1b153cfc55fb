package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/koobackup/conformance/internal/mutation"
)

func init() {
	register("mutate", "run the suites against every planted fault of the mock (mutation testing)", runMutate)
}

func runMutate(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return mutate(ctx, args, os.Stdout, os.Stderr)
}

// mutate runs mutation testing; stdout gets the score table, stderr progress and errors.
func mutate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mutate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "reports", "directory to write mutation.json and mutation.md into")
	parallel := fs.Int("parallel", mutation.DefaultParallel, "mutants under test at the same time")
	runTimeout := fs.Duration("run-timeout", mutation.DefaultRunTimeout, "bound on one suite run against one mutant")
	var faults faultList
	fs.Var(&faults, "fault", "run only this fault of the catalog (repeatable; default: all)")
	strictOnly := fs.Bool("strict-only", false, "plant the faults on the strict mock only, not also on the lenient and read-only configurations")
	var names faultList
	var known []string
	for _, c := range mutation.OtherConfigurations() {
		known = append(known, c.Name)
	}
	fs.Var(&names, "configuration", "plant the faults on the strict mock and this configuration only (repeatable; one of "+strings.Join(known, ", ")+")")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: conformance mutate [--out DIR] [--parallel N] [--fault NAME]... [--configuration NAME]... [--run-timeout D] [--strict-only]")
		fs.PrintDefaults()
	}
	if code := parseFlags(fs, args, stderr); code >= 0 {
		return code
	}
	var configs []mutation.Configuration
	for _, n := range names {
		c, ok := mutation.LookupConfiguration(n)
		if !ok || c.Name == mutation.StrictConfiguration.Name {
			fmt.Fprintf(stderr, "conformance mutate: --configuration: %q is not one of %s\n", n, strings.Join(known, ", "))
			return 2
		}
		configs = append(configs, c)
	}
	if len(configs) > 0 && *strictOnly {
		fmt.Fprintln(stderr, "conformance mutate: --configuration and --strict-only exclude each other")
		return 2
	}
	if *parallel < 1 {
		fmt.Fprintf(stderr, "conformance mutate: --parallel: %d is not a positive number\n", *parallel)
		return 2
	}
	if *runTimeout <= 0 {
		fmt.Fprintf(stderr, "conformance mutate: --run-timeout: %s is not a positive duration\n", *runTimeout)
		return 2
	}
	res, err := mutation.Run(ctx, mutation.Options{
		Faults:         faults,
		Parallel:       *parallel,
		RunTimeout:     *runTimeout,
		StrictOnly:     *strictOnly,
		Configurations: configs,
		Progress: func(configuration string, m mutation.Mutant) {
			outcome := string(m.Outcome)
			if m.KilledBy != "" {
				outcome += " by " + string(m.KilledBy)
			}
			fmt.Fprintf(stderr, "%s %-17s %-44s %s\n", time.Now().Format(time.TimeOnly), configuration, m.Fault, outcome)
		},
	})
	if err != nil {
		fmt.Fprintf(stderr, "conformance mutate: %v\n", err)
		return 2
	}
	if err := mutation.WriteReports(*out, res); err != nil {
		fmt.Fprintf(stderr, "conformance mutate: %v\n", err)
		return 2
	}
	fmt.Fprint(stdout, mutation.ScoreTable(res))
	fmt.Fprintf(stdout, "Fairness (lenient mock: default passes, strict flags exactly the multi-reading register entries): %v\n", res.Fairness.Holds)
	for _, c := range res.Configurations {
		var survivors []string
		for _, m := range c.Survivors() {
			survivors = append(survivors, m.Fault+" ("+string(m.Outcome)+")")
		}
		t := c.Totals
		fmt.Fprintf(stdout, "Faults planted on %s: %d/%d killed, %d inconclusive, %d not evaluated", c.Name, t.Killed, t.Total, t.Inconclusive, t.NotEvaluated)
		if len(survivors) > 0 {
			fmt.Fprintf(stdout, "; survived or errored: %s", strings.Join(survivors, ", "))
		}
		if !c.Baseline.Passed {
			fmt.Fprint(stdout, "; its baseline FAILED")
		}
		fmt.Fprintln(stdout)
	}
	if !res.Valid {
		fmt.Fprintln(stdout, "INVALID: the pristine mock failed the suites; see", *out+"/"+mutation.MarkdownFile)
	}
	fmt.Fprintf(stdout, "Reports: %s/%s, %s/%s\n", *out, mutation.JSONFile, *out, mutation.MarkdownFile)
	if !res.OK() {
		return 1
	}
	return 0
}
