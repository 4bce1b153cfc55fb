package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/target"
)

// Usage and configuration errors exit 2 with the problem named.
func TestMockCommandUsageErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("allow_mutating: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		args []string
		want string
	}{
		"unknown flag":  {[]string{"--nope"}, "flag provided but not defined"},
		"unknown fault": {[]string{"--fault", "no-such"}, `unknown fault "no-such"`},
		"bad world":     {[]string{"--world", bad}, "--world"},
		"stray arg":     {[]string{"extra"}, `unexpected argument "extra"`},
		"bad listen":    {[]string{"--listen", "256.0.0.1:x"}, "listen on"},
		"bad log mode":  {[]string{"--log", "loud"}, "--log: log mode \"loud\""},
	}
	for name, c := range cases {
		var stderr bytes.Buffer
		if code := serveMock(c.args, &stderr, nil); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%s: exit %d, stderr %q", name, code, stderr.String())
		}
	}
}

// The command serves until SIGINT, writes a target file describing itself, and exits 0.
func TestMockCommandServesAndShutsDown(t *testing.T) {
	file := filepath.Join(t.TempDir(), "t.yaml")
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		done <- serveMock([]string{"--listen", "127.0.0.1:0", "--write-target", file, "--lenient", "--fault", "vbs-hang"}, &stderr, ready)
	}()
	var url string
	select {
	case url = <-ready:
	case code := <-done:
		t.Fatalf("exited %d: %s", code, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("mock did not start")
	}
	tg, err := target.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if tg.KooPhone.BaseURL != url || !tg.FaultInjection {
		t.Fatalf("target %+v for %s", tg.KooPhone, url)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no shutdown on SIGINT")
	}
}
