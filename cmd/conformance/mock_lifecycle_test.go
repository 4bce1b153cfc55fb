package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/target"
)

// testRoleEnv makes the test binary play a process of a test (TestMain): "main" runs the
// conformance command with the arguments; "parent" starts that as a child, writes the
// child's pid to the file named by testPidFileEnv and waits forever, as `go run` does.
const (
	testRoleEnv    = "CONFORMANCE_TEST_ROLE"
	testPidFileEnv = "CONFORMANCE_TEST_PID_FILE"
)

func playRole(role string, args []string) int {
	switch role {
	case "main":
		return dispatch(args)
	case "parent":
		child := exec.Command(os.Args[0], args...)
		child.Env = append(os.Environ(), testRoleEnv+"=main")
		child.Stdout, child.Stderr = os.Stdout, os.Stderr
		if err := child.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		if err := os.WriteFile(os.Getenv(testPidFileEnv), []byte(strconv.Itoa(child.Process.Pid)), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		_ = child.Wait()
		select {}
	}
	fmt.Fprintf(os.Stderr, "unknown test role %q\n", role)
	return 3
}

// eventually polls cond until it holds or the deadline passes; the deadline only bounds a
// broken run, it is not a measure of speed.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		<-tick.C
	}
}

// startMockProcess starts the test binary in role with `mock` writing its target file, and
// returns the process and the mock's host:port once it listens.
func startMockProcess(t *testing.T, role string) (cmd *exec.Cmd, addr, pidFile, logPath string) {
	t.Helper()
	dir := t.TempDir()
	tf := filepath.Join(dir, "target.yaml")
	pidFile, logPath = filepath.Join(dir, "child.pid"), filepath.Join(dir, "mock.log")
	cmd = exec.Command(os.Args[0], "mock", "--listen", "127.0.0.1:0", "--write-target", tf)
	cmd.Env = append(os.Environ(), testRoleEnv+"="+role, testPidFileEnv+"="+pidFile)
	// A file, not a buffer: exec would wait for every holder of a pipe to close it, the
	// orphaned mock included, and a test of a mock that outlives its parent would hang.
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = logFile.Close() })
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if raw, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(string(raw)); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	var tg *target.Target
	eventually(t, "the mock writes its target file", func() bool {
		var err error
		tg, err = target.Load(tf)
		return err == nil
	})
	u, err := url.Parse(tg.KooPhone.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	return cmd, u.Host, pidFile, logPath
}

func portListening(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// Killing the process that started the mock (go run, in `go run ./cmd/conformance mock`)
// stops the mock and frees its port.
func TestMockStopsWhenItsParentDies(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("the parent-death signal is Linux's; elsewhere the mock stops on SIGINT or SIGTERM only")
	}
	parent, addr, pidFile, _ := startMockProcess(t, "parent")
	if !portListening(addr) {
		t.Fatalf("the mock does not listen on %s", addr)
	}
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = parent.Wait()
	eventually(t, "the mock's port is freed after its parent was killed", func() bool { return !portListening(addr) })
	// The mock itself is gone, not only its listener.
	eventually(t, "the mock process exits", func() bool {
		return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
	})
}

// SIGTERM and SIGINT stop the mock gracefully: exit 0, port freed, shutdown logged.
func TestMockStopsGracefullyOnSignal(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			cmd, addr, _, logPath := startMockProcess(t, "main")
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			log, _ := os.ReadFile(logPath)
			if err != nil {
				t.Fatalf("mock exited with %v, want 0; log:\n%s", err, log)
			}
			if portListening(addr) {
				t.Fatalf("%s still listens after the mock exited", addr)
			}
			if !strings.Contains(string(log), "shutting down") {
				t.Fatalf("shutdown not logged:\n%s", log)
			}
		})
	}
}
