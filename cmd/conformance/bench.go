package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/koobackup/conformance/internal/bench"
)

func init() {
	register("bench", "run the benchmarks and write bench.md and bench.json with ratios to in-run baselines", runBench)
}

func runBench(args []string) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	out := fs.String("out", "reports", "folder for bench.md and bench.json")
	peers := fs.Bool("peers", false, "also measure Stoplight Prism (installed through npm into --tools)")
	tools := fs.String("tools", ".tools", "folder npm installs Prism into (with --peers)")
	if err := fs.Parse(args); err != nil {
		return flagErrorCode(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "conformance bench: unexpected arguments %v\n", fs.Args())
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := bench.Run(ctx, bench.Options{Dir: ".", Out: *out, Peers: *peers, Tools: *tools, Log: os.Stderr})
	if rep != nil {
		fmt.Print(bench.Markdown(rep))
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "conformance bench: %v\n", err)
		return 1
	}
	return 0
}
