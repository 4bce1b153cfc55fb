package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/koobackup/conformance/internal/explore"
	"github.com/koobackup/conformance/internal/ledger"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
)

func init() {
	register("explore", "send requests generated from the specs and judge every answer with the register", func(args []string) int {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runExplore(ctx, args, os.Stdout, os.Stderr)
	})
}

const exploreUsage = `usage: conformance explore [--target FILE] [--api koophone|vbs] [--phase requests|sequences] [--budget N] [--seed S] [--rate R] [--duration D] [--json FILE]

Two phases. Requests: generated from the specs (valid ones and ones carrying one, two or
three faults of the vocabulary derived from specs/ and the register), each answer judged:
never a 5xx for a client fault, never a 2xx for a fault no reading lets through, a
documented answer or one a register reading states, and one reading of the unknown-id entry
for the whole run; every request names ids that cannot exist, so none can change state.
Sequences: only when the target file says allow_mutating: true and states an
explore_budget, generated call sequences over at most that many fresh pooled ids (never
one the target's ledger lists as consumed) — backups, repeats, associations, batches mixing
owned, foreign and unknown ids — each answer checked against the reference mock taking the
readings the run observed; the ids they used up are added to the ledger. A finding is
shrunk to a minimal case (fewest faults, shortest sequence) and printed with the seed and
curl commands (tokens redacted); the same --seed, --budget and --phase reproduce it. Request
count, rate and duration are bounded per phase and printed; three requests without an
answer stop the exploration (each bounded by the target file's timeout).

Exit status: 0 nothing found; 1 a finding, or the target stopped answering; 2 usage or
configuration error.`

func runExplore(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	targetFile := fs.String("target", "", "target file (default $"+target.EnvVar+")")
	api := fs.String("api", "", "explore only this API (koophone or vbs; default every API of the target file)")
	budget := fs.Int("budget", explore.DefaultBudget, "generated requests per API and phase (shrinking a finding may send more, printed)")
	phase := fs.String("phase", "", "run only this phase (requests or sequences; default both, sequences only where the target file allows them)")
	seed := fs.Uint64("seed", 0, "seed to reproduce a run (default: drawn and printed)")
	rate := fs.Float64("rate", 20, "at most this many requests per second (0: unbounded)")
	duration := fs.Duration("duration", 0, "stop each API's exploration after this long (0: only the budget bounds it)")
	jsonOut := fs.String("json", "", "also write the result (coverage and findings) as JSON to this file")
	fs.Usage = func() { fmt.Fprintln(stderr, exploreUsage); fs.PrintDefaults() }
	if code := parseFlags(fs, args, stderr); code >= 0 {
		return code
	}
	path := *targetFile
	if path == "" {
		path = os.Getenv(target.EnvVar)
	}
	if path == "" {
		fmt.Fprintf(stderr, "conformance explore: no target: give --target FILE or set $%s (`conformance mock --write-target FILE` writes one for the reference mock)\n", target.EnvVar)
		return 2
	}
	tg, err := target.Load(path)
	if err != nil {
		fmt.Fprintf(stderr, "conformance explore: %v\n", err)
		return 2
	}
	opts := explore.Options{Target: tg, Budget: *budget, Seed: *seed, Rate: *rate, Duration: *duration, Log: stdout}
	if *api != "" {
		a := specfacts.API(strings.ToLower(*api))
		known := false
		for _, x := range specfacts.APIs() {
			known = known || x == a
		}
		if !known {
			fmt.Fprintf(stderr, "conformance explore: --api %q: want one of %v\n", *api, specfacts.APIs())
			return 2
		}
		opts.APIs = []specfacts.API{a}
	}
	if *phase != "" {
		p := explore.Phase(*phase)
		if !slices.Contains(explore.Phases, p) {
			fmt.Fprintf(stderr, "conformance explore: --phase %q: want one of %v\n", *phase, explore.Phases)
			return 2
		}
		opts.Phases = []explore.Phase{p}
	}
	earlier, err := ledger.ConsumedFor(tg)
	if err != nil {
		fmt.Fprintf(stderr, "conformance explore: %v\n", err)
		return 2
	}
	opts.Pools = explore.FreshPools(tg, earlier.Consumed)
	opts.Model = func(t *target.Target, readings map[string]string) (http.Handler, error) {
		return mock.NewModel(t, mock.Readings(readings))
	}
	if *budget <= 0 || *rate < 0 || *duration < 0 {
		fmt.Fprintln(stderr, "conformance explore: --budget must be positive, --rate and --duration not negative")
		return 2
	}
	res, err := explore.Run(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "conformance explore: %v\n", err)
		return 2
	}
	code := 0
	var used []runrecord.Consumed
	for _, a := range res.APIs {
		for _, c := range a.Consumed {
			c.Spec = fmt.Sprintf("conformance explore (seed %d)", res.Seed)
			used = append(used, c)
		}
	}
	if len(used) > 0 {
		// The ledger first: a run interrupted while printing has still recorded what it spent.
		s, err := ledger.Note(tg, used)
		if err != nil {
			fmt.Fprintf(stderr, "conformance explore: %v (the next run may count on ids this one consumed)\n", err)
		} else {
			for _, l := range s.Lines() {
				fmt.Fprintf(stdout, "%s\n", l)
			}
		}
	}
	for _, a := range res.APIs {
		fmt.Fprint(stdout, a.Summary())
		if a.Finding != nil {
			fmt.Fprintln(stdout, a.Finding.String())
			code = 1
		} else if a.Unanswered {
			code = 1
		}
	}
	rerun := ""
	if *phase != "" {
		rerun = " --phase " + *phase
	}
	fmt.Fprintf(stdout, "seed %d: rerun with --seed %d --budget %d%s\n", res.Seed, res.Seed, res.Budget, rerun)
	if *jsonOut != "" {
		b, err := json.MarshalIndent(res, "", "  ")
		if err == nil {
			err = os.WriteFile(*jsonOut, append(b, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "conformance explore: --json: %v\n", err)
			return 2
		}
	}
	return code
}
