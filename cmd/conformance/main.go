// Command conformance is the project's single binary: it serves the reference mock, runs the
// validating proxy, checks recorded traffic, renders and diffs reports, and runs mutation
// testing. Each subcommand lives in its own file and registers itself; the logic lives in
// internal/ packages.
//
// Exit codes: 0 success; 1 the checked thing did not conform (failures, violations,
// regressions, surviving mutants); 2 usage or configuration error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

type command struct {
	summary string
	run     func(args []string) int
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string) int) {
	commands[name] = command{summary: summary, run: run}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: conformance <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\n`conformance <command> --help` describes a command's flags.")
}

func main() { os.Exit(dispatch(os.Args[1:])) }

// dispatch runs the subcommand args name. Help that was asked for goes to stdout and exits
// 0, so `conformance run --help | less` works; usage printed because of a mistake goes to
// stderr with exit 2.
func dispatch(args []string) int {
	if len(args) == 0 {
		usage(os.Stderr)
		return 2
	}
	if isHelpFlag(args[0]) {
		usage(os.Stdout)
		return 0
	}
	if args[0] == "help" {
		if len(args) == 1 {
			usage(os.Stdout)
			return 0
		}
		args = append([]string{args[1], "--help"}, args[2:]...)
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "conformance: unknown command %q\n", args[0])
		usage(os.Stderr)
		return 2
	}
	if helpRequested(args[1:]) {
		// Every subcommand prints its usage to os.Stderr, through its flag set or its own
		// Usage; asked-for help belongs on stdout.
		stderr := os.Stderr
		os.Stderr = os.Stdout
		defer func() { os.Stderr = stderr }()
	}
	return cmd.run(args[1:])
}

func isHelpFlag(a string) bool { return a == "-h" || a == "-help" || a == "--help" }

// helpRequested reports whether args ask for help before any "--" that ends the flags.
func helpRequested(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if isHelpFlag(a) || a == "help" {
			return true
		}
	}
	return false
}

// flagErrorCode is the exit code for an error of flag.FlagSet.Parse: 0 when help was asked
// for (the flag set has printed the usage), 2 for a usage error.
func flagErrorCode(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

// parseFlags parses a subcommand's flags and refuses positional arguments. It returns the
// exit code to stop with, or -1 to go on: 0 after -h, 2 on a usage error.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) int {
	if err := fs.Parse(args); err != nil {
		return flagErrorCode(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "conformance %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return 2
	}
	return -1
}
