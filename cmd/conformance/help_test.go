package main

import (
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runAsMain runs the conformance command as main does and returns its exit code, stdout and
// stderr. It runs in this process, not in a child: a child of this race-built binary costs
// about a second to start and stop, and the help checks run dozens. What a child would show
// is kept: os.Stdout and os.Stderr are files for the call, and so is the log package's
// output, the one writer that holds the process's stderr from before the call. It swaps
// process-wide state, so no test that calls it runs in parallel.
func runAsMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	dir := t.TempDir()
	open := func(name string) *os.File {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	stdout, stderr := open("stdout"), open("stderr")
	origOut, origErr, origLog := os.Stdout, os.Stderr, log.Writer()
	os.Stdout, os.Stderr = stdout, stderr
	log.SetOutput(stderr)
	code := dispatch(args)
	os.Stdout, os.Stderr = origOut, origErr
	log.SetOutput(origLog)
	read := func(f *os.File) string {
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	return code, read(stdout), read(stderr)
}

// Help that was asked for is printed to stdout and exits 0, for the command and every
// subcommand; a usage mistake still exits 2 with the usage on stderr.
func TestHelpExitsZeroOnStdout(t *testing.T) {
	cases := [][]string{{}, {"help"}}
	for name := range commands {
		cases = append(cases, []string{name}, []string{"help", name})
	}
	cases = append(cases, []string{"target", "check"}, []string{"report", "build"}, []string{"report", "render"}, []string{"report", "diff"})
	for _, c := range cases {
		for _, h := range []string{"--help", "-h"} {
			args := c
			if len(c) == 0 || c[0] != "help" {
				args = append(append([]string{}, c...), h)
			}
			code, stdout, stderr := runAsMain(t, args...)
			if code != 0 || !strings.Contains(strings.ToLower(stdout), "usage") || stderr != "" {
				t.Errorf("conformance %s: exit %d, stdout %q, stderr %q; want exit 0 and the usage on stdout only",
					strings.Join(args, " "), code, stdout, stderr)
			}
		}
	}
}

func TestUsageMistakesExitTwo(t *testing.T) {
	for _, args := range [][]string{{}, {"no-such-command"}, {"run", "--no-such-flag"}, {"report"}, {"target"}, {"check", "--no-such-flag"}} {
		code, _, stderr := runAsMain(t, args...)
		if code != 2 || !strings.Contains(strings.ToLower(stderr), "usage") {
			t.Errorf("conformance %s: exit %d, stderr %q; want exit 2 with the usage on stderr", strings.Join(args, " "), code, stderr)
		}
	}
}
