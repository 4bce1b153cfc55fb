package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/koobackup/conformance/internal/run/launch"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
	"github.com/koobackup/conformance/internal/targetcheck"
)

// repoRoot is the checkout the tests run in (cmd/conformance is two levels down).
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := targetcheck.FindRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// startIAMMock serves the reference mock with an IAM user whose password is pw.
func startIAMMock(t *testing.T, pw string) *mock.Server {
	t.Helper()
	srv, err := mock.Start(context.Background(), "127.0.0.1:0", mock.WithIAMUser(mock.IAMCredentials{Password: pw}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// writeFile writes a target file and returns its path.
func writeFile(t *testing.T, tg *target.Target, edit func(string) string) string {
	t.Helper()
	raw, err := tg.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	if edit != nil {
		s = edit(s)
	}
	path := filepath.Join(t.TempDir(), "target.yaml")
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Usage errors and invalid files exit 2 with the problem named; a missing variable is named, never a value.
func TestTargetCheckConfigErrors(t *testing.T) {
	srv := startIAMMock(t, "pw-config-errors")
	t.Setenv("I14_UNSET_PASSWORD_VAR", "")
	os.Unsetenv("I14_UNSET_PASSWORD_VAR")
	iamFile := writeFile(t, srv.IAMTarget("I14_UNSET_PASSWORD_VAR"), nil)
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("allow_mutating: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		args []string
		want string
	}{
		"no subcommand":  {nil, "usage: conformance target check"},
		"unknown sub":    {[]string{"lint"}, `unknown subcommand "lint"`},
		"no file":        {[]string{"check"}, "usage: conformance target check"},
		"missing file":   {[]string{"check", "/nonexistent/t.yaml"}, "read target file"},
		"invalid file":   {[]string{"check", bad}, "nothing to test"},
		"unset variable": {[]string{"check", iamFile, "--no-specs"}, "auth.password_env: environment variable I14_UNSET_PASSWORD_VAR is not set"},
		"two files":      {[]string{"check", bad, bad}, "unexpected argument"},
		"unknown flag":   {[]string{"check", "--nope", bad}, "flag provided but not defined"},
	}
	for name, c := range cases {
		var stdout, stderr bytes.Buffer
		if code := targetCommand(c.args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%s: exit %d, stderr %q", name, code, stderr.String())
		}
	}
}

// target check says where each secret comes from without printing it, and which specs run: with allow_mutating false no mutating spec runs, and a pool too small skips the specs that need more, with the reason.
func TestTargetCheckSaysWhatRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suites in plan mode")
	}
	const pw = "pw-target-check-31"
	srv := startIAMMock(t, pw)
	t.Setenv("I14_CHECK_PASSWORD", pw)
	readOnly := writeFile(t, srv.IAMTarget("I14_CHECK_PASSWORD"), func(s string) string {
		return strings.Replace(s, "allow_mutating: true", "allow_mutating: false", 1)
	})
	var stdout, stderr bytes.Buffer
	if code := targetCommand([]string{"check", "--json", "--repo", repoRoot(t), readOnly}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var res targetcheck.Result
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	runs, skips := 0, 0
	for _, s := range res.Specs {
		mutating := false
		for _, l := range s.Labels {
			mutating = mutating || l == "mutating"
		}
		switch {
		case s.Runs && mutating:
			t.Errorf("a mutating spec would run with allow_mutating false: %s", s.Text)
		case s.Runs:
			runs++
		case mutating && !strings.Contains(s.Reason, "allow_mutating"):
			t.Errorf("%s skipped for %q", s.Text, s.Reason)
		default:
			skips++
		}
	}
	if runs == 0 || skips == 0 {
		t.Fatalf("%d run, %d skipped", runs, skips)
	}
	sources := map[string]string{}
	for _, s := range res.Secrets {
		sources[s.Key] = s.From
	}
	if !strings.HasPrefix(sources["koophone.auth_token"], "IAM at "+srv.URL()+"/v3") || sources["auth.password"] != "environment variable I14_CHECK_PASSWORD" {
		t.Fatalf("secret sources %v", sources)
	}
	if strings.Contains(stdout.String(), pw) {
		t.Fatal("the check prints the password")
	}

	// Mutating allowed, but only two owned instances: specs needing more are skipped for the pool, not failed.
	small := writeFile(t, srv.IAMTarget("I14_CHECK_PASSWORD"), func(s string) string {
		re := regexp.MustCompile(`(?s)(owned_instance_ids:\n(?:    - [^\n]+\n){2})(?:    - [^\n]+\n)+`)
		return re.ReplaceAllString(s, "$1")
	})
	stdout.Reset()
	if code := targetCommand([]string{"check", "--repo", repoRoot(t), small}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"koophone.owned_instance_ids 2", "allow_mutating: true", "koophone.owned_instance_ids has too few unused ids", "secrets (values never shown)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// With only environment variables set, the suites run against a target file that holds no secret, whose token comes from the mock's IAM; nothing written shows the token.
func TestSecretFreeTargetRunsSuitesWithIAMToken(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suites")
	}
	const pw = "pw-e2e-iam-7c2f"
	srv := startIAMMock(t, pw)
	file := writeFile(t, srv.IAMTarget("I14_E2E_PASSWORD"), nil)
	raw, _ := os.ReadFile(file)
	tg := srv.Target()
	for _, secret := range []string{tg.KooPhone.AuthToken, tg.VBS.AuthToken, pw} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("the target file holds a secret:\n%s", raw)
		}
	}
	build, err := launch.Compile(context.Background(), repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	reports := t.TempDir()
	run := func(password string) (string, error) {
		t.Setenv("I14_E2E_PASSWORD", password)
		res, err := launch.Run(context.Background(), launch.Job{Suites: build.Suites, TargetFile: file, Out: reports,
			LabelFilter: "req:" + string(specfacts.ReqKooPhoneInstanceIDsMinItems) + " || req:" + string(specfacts.ReqVBSAssociateOperation)})
		var all strings.Builder
		if res != nil {
			for _, s := range res.Suites {
				log, _ := os.ReadFile(s.Log)
				all.Write(log)
				if s.ExitCode != 0 && err == nil {
					err = fmt.Errorf("suite %s exited with status %d", s.Name, s.ExitCode)
				}
			}
		}
		return all.String(), err
	}
	out, err := run(pw)
	if err != nil {
		t.Fatalf("suites failed: %v\n%s", err, out)
	}
	ran := regexp.MustCompile(`Ran (\d+) of \d+ Specs`).FindAllStringSubmatch(out, -1)
	if len(ran) != 2 || ran[0][1] == "0" || ran[1][1] == "0" {
		t.Fatalf("specs ran: %v\n%s", ran, out)
	}
	// The file names no token, so a released instance and an association prove the IAM token was sent and accepted.
	st := srv.Mock().State()
	if len(st.KooPhone.ReleasedInstances) == 0 || len(st.VBS.Associations) == 0 || st.IAMTokens == 0 {
		t.Fatalf("state %+v", st)
	}
	junit, _ := os.ReadFile(filepath.Join(reports, launch.JUnitFile))
	if !strings.Contains(string(junit), "KooPhone") || !strings.Contains(string(junit), "VBS") {
		t.Fatalf("the JUnit report does not hold both suites:\n%s", junit)
	}
	for _, where := range []string{out, string(junit)} {
		if strings.Contains(where, "mock-iam-") || strings.Contains(where, pw) {
			t.Fatal("an IAM token or the password appears in the output or the report")
		}
	}

	// A wrong password stops the run with the endpoint and user named, never the password.
	out, err = run("wrong-password-e2e")
	if err == nil || !strings.Contains(out, "IAM token from "+srv.URL()+"/v3") || strings.Contains(out, "wrong-password-e2e") {
		t.Fatalf("wrong password: %v\n%s", err, out)
	}
}

// --auth proves the credentials by obtaining a token it never shows; a wrong password is a configuration error naming the endpoint.
func TestTargetCheckAuth(t *testing.T) {
	const pw = "pw-target-check-auth"
	srv := startIAMMock(t, pw)
	file := writeFile(t, srv.IAMTarget("I14_AUTH_PASSWORD"), nil)
	t.Setenv("I14_AUTH_PASSWORD", pw)
	var stdout, stderr bytes.Buffer
	if code := targetCommand([]string{"check", "--auth", "--no-specs", file}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "IAM: obtained a token (not shown), expires at") {
		t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if strings.Contains(stdout.String(), "mock-iam-") || strings.Contains(stdout.String(), pw) {
		t.Fatalf("the check shows a secret:\n%s", stdout.String())
	}
	t.Setenv("I14_AUTH_PASSWORD", "not-the-password")
	stdout.Reset()
	stderr.Reset()
	code := targetCommand([]string{"check", "--auth", "--no-specs", file}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "IAM token from "+srv.URL()+"/v3") || strings.Contains(stderr.String()+stdout.String(), "not-the-password") {
		t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}
