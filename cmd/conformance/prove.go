package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/koobackup/conformance/internal/mutation"
	"github.com/koobackup/conformance/internal/prove"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/run"
)

func init() {
	register("prove", "measure a finished run's detection power: plant the fault catalog on the mock read as the target was", runProve)
}

func runProve(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return proveCmd(ctx, args, os.Stdout, os.Stderr)
}

// proveCmd runs prove; stdout gets the summary, stderr progress and errors. Exit 0: every
// planted deviation is caught or reported as not distinguishable; 1: one would pass
// unnoticed (a requirement it violates is reported as pass) or the mock configured as
// observed fails without a fault; 2: usage or configuration error.
func proveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("prove", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ginkgoPath := fs.String("ginkgo", "reports/ginkgo.json", "Ginkgo JSON report of the finished run")
	out := fs.String("out", "reports", "directory to write "+report.DetectionPowerFile+" and "+run.ProveMarkdownFile+" into")
	unobserved := fs.String("unobserved", prove.UnobservedWorst, "readings of register entries the run did not observe: "+prove.UnobservedWorst+" (strict and both lenient extremes, worst outcome) or "+prove.UnobservedStrict)
	parallel := fs.Int("parallel", mutation.DefaultParallel, "mutants under test at the same time")
	runTimeout := fs.Duration("run-timeout", mutation.DefaultRunTimeout, "bound on one suite run against one mutant")
	var faults faultList
	fs.Var(&faults, "fault", "plant only this fault of the catalog (repeatable; default: every fault of the APIs the run reached)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: conformance prove [--ginkgo FILE] [--out DIR] [--unobserved worst|strict] [--fault NAME]... [--parallel N] [--run-timeout D]")
		fmt.Fprintln(stderr, "then: conformance report build --ginkgo FILE --prove DIR/"+report.DetectionPowerFile+" adds the section to the reports")
		fs.PrintDefaults()
	}
	if code := parseFlags(fs, args, stderr); code >= 0 {
		return code
	}
	if *unobserved != prove.UnobservedWorst && *unobserved != prove.UnobservedStrict {
		fmt.Fprintf(stderr, "conformance prove: --unobserved: %q is not %s or %s\n", *unobserved, prove.UnobservedWorst, prove.UnobservedStrict)
		return 2
	}
	if *parallel < 1 {
		fmt.Fprintf(stderr, "conformance prove: --parallel: %d is not a positive number\n", *parallel)
		return 2
	}
	if *runTimeout <= 0 {
		fmt.Fprintf(stderr, "conformance prove: --run-timeout: %s is not a positive duration\n", *runTimeout)
		return 2
	}
	_, code, err := run.Prove(ctx, *ginkgoPath, *out, prove.Options{Unobserved: *unobserved, Mutation: mutation.Options{
		Faults: faults, Parallel: *parallel, RunTimeout: *runTimeout,
	}}, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "conformance prove: %v\n", err)
		return 2
	}
	fmt.Fprintf(stdout, "Written: %s/%s, %s/%s (add it to the reports: conformance report build --prove %s/%s)\n",
		*out, report.DetectionPowerFile, *out, run.ProveMarkdownFile, *out, report.DetectionPowerFile)
	return code
}
