package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// prove refuses bad flags, an unknown fault, an unreadable run and a run without a target
// entry with exit status 2 and a message naming them.
func TestProveUsageErrors(t *testing.T) {
	dir := t.TempDir()
	noTarget := filepath.Join(dir, "no-target.json")
	if err := os.WriteFile(noTarget, []byte(`[{"SuiteDescription":"s","SpecReports":[]}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.json")
	if err := os.WriteFile(garbage, []byte(`{`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--unobserved", "best"}, "--unobserved"},
		{[]string{"--parallel", "0"}, "--parallel"},
		{[]string{"--run-timeout", "0s"}, "--run-timeout"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--ginkgo", filepath.Join(dir, "missing.json")}, "missing.json"},
		{[]string{"--ginkgo", garbage, "--out", dir}, "garbage.json"},
		{[]string{"--ginkgo", noTarget, "--out", dir}, "no target entry"},
		{[]string{"--ginkgo", filepath.Join(reportTestdata, "run-fixed", "ginkgo.json"), "--out", dir, "--fault", "no-such-fault"}, `unknown fault "no-such-fault"`},
	} {
		var stdout, stderr bytes.Buffer
		if code := proveCmd(context.Background(), tc.args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2", tc.args, code)
		}
		if !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: stderr %q does not name %q", tc.args, stderr.String(), tc.want)
		}
	}
}
