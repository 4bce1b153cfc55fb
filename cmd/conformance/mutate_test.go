package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// mutate refuses bad flags and unknown faults with exit status 2 and a message naming them.
func TestMutateUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--parallel", "0"}, "--parallel"},
		{[]string{"--run-timeout", "0s"}, "--run-timeout"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--fault", "no-such-fault", "--out", t.TempDir()}, `unknown fault "no-such-fault"`},
		{[]string{"--no-such-flag"}, "no-such-flag"},
		{[]string{"--configuration", "no-such-configuration"}, `"no-such-configuration" is not one of lenient,`},
		{[]string{"--configuration", "strict"}, `"strict" is not one of`},
		{[]string{"--configuration", "read-only", "--strict-only"}, "exclude each other"},
	} {
		var stdout, stderr bytes.Buffer
		if code := mutate(context.Background(), tc.args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2", tc.args, code)
		}
		if !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: stderr %q does not name %q", tc.args, stderr.String(), tc.want)
		}
	}
}
