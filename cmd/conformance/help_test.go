package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// runAsMain runs the conformance command (this test binary in the "main" role) and returns
// its exit code, stdout and stderr.
func runAsMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), testRoleEnv+"=main")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), stdout.String(), stderr.String()
	}
	t.Fatalf("run %v: %v", args, err)
	return 0, "", ""
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
