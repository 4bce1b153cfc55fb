package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/koobackup/conformance/internal/target"
	"github.com/koobackup/conformance/internal/targetcheck"
)

func init() {
	register("target", "check a target file and say what it enables (target check FILE)", runTargetCommand)
}

func runTargetCommand(args []string) int { return targetCommand(args, os.Stdout, os.Stderr) }

// targetCommand dispatches `target check`. Exit codes: 0 the file is valid and enables at
// least one spec; 1 it is valid but no spec would run (or the plan could not tell); 2 usage
// error or an invalid file (a missing environment variable included).
func targetCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: conformance target check [--json] [--no-specs] [--verbose] [--auth] [--repo DIR] FILE")
		if len(args) > 0 && isHelpFlag(args[0]) {
			return 0
		}
		if len(args) == 0 {
			return 2
		}
		fmt.Fprintf(stderr, "conformance target: unknown subcommand %q\n", args[0])
		return 2
	}
	fs := flag.NewFlagSet("target check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	noSpecs := fs.Bool("no-specs", false, "validate and describe the file only; do not run the suites in plan mode")
	verbose := fs.Bool("verbose", false, "list every spec, not only the counts and skip reasons")
	tryAuth := fs.Bool("auth", false, "also obtain a token from the auth: block's IAM endpoint, to prove the credentials (the token is not shown)")
	repo := fs.String("repo", "", "repository checkout whose suites the plan runs (default: found from the working directory)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: conformance target check [--json] [--no-specs] [--verbose] [--auth] [--repo DIR] FILE")
		fs.PrintDefaults()
	}
	// The file may come before or after the flags.
	var file string
	rest := args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		file, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "conformance target check: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if file == "" {
		fs.Usage()
		return 2
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		fmt.Fprintf(stderr, "conformance target check: %v\n", err)
		return 2
	}
	t, err := target.Load(abs)
	if err != nil {
		fmt.Fprintf(stderr, "conformance target check: %v\n", err)
		return 2
	}
	res := targetcheck.Static(file, t)
	if *tryAuth {
		res.Auth = targetcheck.TryAuth(t)
		if res.Auth.Error != "" {
			printResult(stdout, res, *asJSON, true, *verbose)
			fmt.Fprintf(stderr, "conformance target check: --auth: %s\n", res.Auth.Error)
			return 2
		}
	}
	code := 0
	var planErr error
	if !*noSpecs {
		root := *repo
		if root == "" {
			wd, _ := os.Getwd()
			root, planErr = targetcheck.FindRoot(wd)
			if planErr != nil {
				planErr = fmt.Errorf("%w; run from the repository, pass --repo, or --no-specs", planErr)
			}
		}
		if planErr == nil {
			res.Specs, planErr = targetcheck.Plan(context.Background(), root, abs)
		}
		switch {
		case planErr != nil:
			code = 1
		case runCount(res.Specs) == 0:
			code = 1
		}
	}
	printResult(stdout, res, *asJSON, *noSpecs, *verbose)
	if planErr != nil {
		fmt.Fprintf(stderr, "conformance target check: cannot say which specs run: %v\n", planErr)
	}
	return code
}

func printResult(w io.Writer, res *targetcheck.Result, asJSON, noSpecs, verbose bool) {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
		return
	}
	printCheck(w, res, noSpecs, verbose)
}

func runCount(specs []targetcheck.Spec) int {
	n := 0
	for _, s := range specs {
		if s.Runs {
			n++
		}
	}
	return n
}

func printCheck(w io.Writer, r *targetcheck.Result, noSpecs, verbose bool) {
	name := r.Name
	if name != "" {
		name = " (" + name + ")"
	}
	fmt.Fprintf(w, "target file %s%s is valid\n", r.File, name)
	for _, a := range r.APIs {
		if !a.Present {
			fmt.Fprintf(w, "  %-9s not described: its suite is skipped and its requirements are not evaluated\n", a.Name+":")
			continue
		}
		keys := make([]string, 0, len(a.Pools))
		for k := range a.Pools {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		pools := make([]string, len(keys))
		for i, k := range keys {
			pools[i] = fmt.Sprintf("%s %d", k, a.Pools[k])
		}
		fmt.Fprintf(w, "  %-9s %s (pools: %s)\n", a.Name+":", a.BaseURL, strings.Join(pools, ", "))
	}
	printLedger(w, r)
	if r.AllowMutating {
		fmt.Fprintln(w, "  allow_mutating: true — specs that release instances or associate volumes may run")
	} else {
		fmt.Fprintln(w, "  allow_mutating: false — every spec that could change state is skipped")
	}
	switch b := r.ExploreBudget; {
	case b != nil && r.AllowMutating:
		fmt.Fprintf(w, "  explore_budget: call sequences may name up to %d owned instances and %d free volumes per run\n", b.OwnedInstanceIDs, b.VolumeIDs)
	case b != nil:
		fmt.Fprintln(w, "  explore_budget: stated, but unused while allow_mutating is false")
	default:
		fmt.Fprintln(w, "  explore_budget: none — explore sends only requests that cannot change state")
	}
	fmt.Fprintf(w, "  fault_injection: %v, profile: %s, timeout: %s\n", r.FaultInjection, r.Profile, r.Timeout)
	fmt.Fprintln(w, "  secrets (values never shown):")
	for _, s := range r.Secrets {
		fmt.Fprintf(w, "    %-32s from %s\n", s.Key, s.From)
	}
	if a := r.Auth; a != nil {
		if a.Error == "" {
			fmt.Fprintf(w, "  IAM: obtained a token (not shown), expires at %s\n", a.ExpiresAt)
		} else {
			fmt.Fprintf(w, "  IAM: no token: %s\n", a.Error)
		}
	}
	if noSpecs || r.Specs == nil {
		return
	}
	type tally struct{ run, skip int }
	byAPI := map[string]*tally{}
	reasons := map[string]int{}
	for _, s := range r.Specs {
		t := byAPI[s.API]
		if t == nil {
			t = &tally{}
			byAPI[s.API] = t
		}
		if s.Runs {
			t.run++
		} else {
			t.skip++
			reasons[s.Reason]++
		}
	}
	fmt.Fprintf(w, "specs: %d of %d will run (plan mode: the suites' own labels, pool reservations and skip rules)\n", runCount(r.Specs), len(r.Specs))
	apis := make([]string, 0, len(byAPI))
	for a := range byAPI {
		apis = append(apis, a)
	}
	sort.Strings(apis)
	for _, a := range apis {
		fmt.Fprintf(w, "  %-9s %d run, %d skipped\n", a+":", byAPI[a].run, byAPI[a].skip)
	}
	if len(reasons) > 0 {
		fmt.Fprintln(w, "  skipped, by reason:")
		list := make([]string, 0, len(reasons))
		for r := range reasons {
			list = append(list, r)
		}
		sort.Slice(list, func(i, j int) bool {
			if reasons[list[i]] != reasons[list[j]] {
				return reasons[list[i]] > reasons[list[j]]
			}
			return list[i] < list[j]
		})
		for _, r := range list {
			fmt.Fprintf(w, "    %3d  %s\n", reasons[r], r)
		}
	}
	if verbose {
		for _, s := range r.Specs {
			state := "run "
			if !s.Runs {
				state = "skip"
			}
			fmt.Fprintf(w, "  %s  %s\n", state, s.Text)
		}
	}
}

// printLedger says where the target's ledger is and how many fresh ids each pool has left.
func printLedger(w io.Writer, r *targetcheck.Result) {
	switch {
	case r.LedgerError != "":
		fmt.Fprintf(w, "  ledger: %s\n", r.LedgerError)
		return
	case r.Ledger == nil:
		return
	case r.Ledger.Ledger == "":
		fmt.Fprintln(w, "  ledger: none kept ($CONFORMANCE_LEDGER=off): a repeat run may count on ids an earlier run consumed")
		return
	}
	consumed := 0
	var fresh []string
	for _, p := range r.Ledger.Pools {
		consumed += p.Consumed
		if p.Listed > 0 {
			fresh = append(fresh, fmt.Sprintf("%s %d of %d", p.Pool, p.Fresh, p.Listed))
		}
	}
	fmt.Fprintf(w, "  ledger: %s (%d consumed; fresh: %s)\n", r.Ledger.Ledger, consumed, strings.Join(fresh, ", "))
	if r.ResetBeforeRun {
		fmt.Fprintln(w, "  reference mock: a run resets it through its admin API first, so every id is fresh again")
	}
}
