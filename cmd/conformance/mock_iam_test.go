package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A password variable named on the command line must be set, --write-iam-target needs one too, and the journal size cannot be negative.
func TestMockIAMFlagErrors(t *testing.T) {
	os.Unsetenv("I14_NO_SUCH_PASSWORD")
	for name, args := range map[string][]string{
		"explicit unset":   {"--iam-password-env", "I14_NO_SUCH_PASSWORD"},
		"iam target unset": {"--iam-password-env", "I14_NO_SUCH_PASSWORD", "--write-iam-target", filepath.Join(t.TempDir(), "t.yaml")},
		"negative journal": {"--journal-size", "-1"},
	} {
		var stderr bytes.Buffer
		want := "I14_NO_SUCH_PASSWORD is not set"
		if name == "negative journal" {
			want = "--journal-size: -1 is negative"
		}
		if code := serveMock(append(args, "--listen", "127.0.0.1:0"), &stderr, nil); code != 2 || !strings.Contains(stderr.String(), want) {
			t.Errorf("%s: exit %d, %q", name, code, stderr.String())
		}
	}
}

// --write-iam-target writes a file with an auth: block and no token or password.
func TestMockWritesSecretFreeIAMTarget(t *testing.T) {
	const pw = "pw-mock-flag-test"
	t.Setenv("I14_FLAG_PASSWORD", pw)
	file := filepath.Join(t.TempDir(), "iam.yaml")
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		done <- serveMock([]string{"--listen", "127.0.0.1:0", "--iam-password-env", "I14_FLAG_PASSWORD", "--write-iam-target", file}, &stderr, ready)
	}()
	select {
	case <-ready:
	case code := <-done:
		t.Fatalf("exited %d: %s", code, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("mock did not start")
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	if !strings.Contains(s, "password_env: I14_FLAG_PASSWORD") || strings.Contains(s, "auth_token") || strings.Contains(s, pw) {
		t.Fatalf("file:\n%s", s)
	}
	_ = syscall.Kill(os.Getpid(), syscall.SIGINT)
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("mock did not stop")
	}
}
