package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
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
		"unknown flag":      {[]string{"--nope"}, "flag provided but not defined"},
		"unknown fault":     {[]string{"--fault", "no-such"}, `unknown fault "no-such"`},
		"unknown entry":     {[]string{"--reading", "koophone-nope=x"}, ("--reading: reading koophone-nope=x: no such register entry; entries: " + string(specfacts.AmbKooPhoneContentType))},
		"unknown reading":   {[]string{"--reading", "koophone-unknown-instance-code=teapot"}, "not a legitimate reading of the entry; readings: permissions, parameter-incorrect"},
		"reading without =": {[]string{"--reading", "koophone-unknown-instance-code"}, "want ENTRY=READING"},
		"bad world reading": {[]string{"--world", worldWithReading(t, string(specfacts.ReqVBSReassociate), "teapot")}, ("mock_readings: reading " + string(specfacts.AmbVBSReassociate) + "=teapot")},
		"bad world":         {[]string{"--world", bad}, "--world"},
		"stray arg":         {[]string{"extra"}, `unexpected argument "extra"`},
		"bad listen":        {[]string{"--listen", "256.0.0.1:x"}, "listen on"},
		"bad log mode":      {[]string{"--log", "loud"}, "--log: log mode \"loud\""},
	}
	for name, c := range cases {
		var stderr bytes.Buffer
		if code := serveMock(c.args, &stderr, nil); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%s: exit %d, stderr %q", name, code, stderr.String())
		}
	}
}

// worldWithReading writes the default world with one mock_readings entry.
func worldWithReading(t *testing.T, entry, reading string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "world", "default.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "world.yaml")
	raw = append(raw, []byte("\nmock_readings:\n  "+entry+": "+reading+"\n")...)
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// A planted fault applies on top of a chosen reading: with unknown instances answered
// KOOPHONE.API.1000 and the id-length fault on, a 33-character id passes the length check
// and is refused as an unknown instance (the message says which check refused it), and the
// target file records the readings the mock takes, the world file's among them.
func TestMockCommandReadingWithFault(t *testing.T) {
	file := filepath.Join(t.TempDir(), "t.yaml")
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var stderr bytes.Buffer
	world := worldWithReading(t, string(specfacts.ReqVBSReassociate), "conflict")
	go func() {
		done <- serveMock([]string{"--listen", "127.0.0.1:0", "--write-target", file, "--world", world,
			"--reading", "koophone-unknown-instance-code=parameter-incorrect", "--fault", "koophone-id-length-33-accepted"}, &stderr, ready)
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
	// The reading parameter-incorrect is named after the code it answers with.
	if tg.MockReadings[string(specfacts.AmbKooPhoneUnknownInstanceCode)] != string(specfacts.CodeParameterIncorrect) || tg.MockReadings[string(specfacts.AmbVBSReassociate)] != "conflict" {
		t.Errorf("target file mock_readings = %v", tg.MockReadings)
	}
	body := `{"instance_ids":["` + strings.Repeat("a", 33) + `"]}`
	req, _ := http.NewRequest(http.MethodPost, url+"/v1/instances/backup", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-auth-token", tg.KooPhone.AuthToken)
	req.Header.Set("x-request-id", "r-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(answer), contract.Default().Constraints().KooPhone.Code(specfacts.CodeParameterIncorrect).Code) || !strings.Contains(string(answer), "is not an instance of this tenant") {
		t.Errorf(("answer %d %s; want 400 " + contract.Default().Constraints().KooPhone.Code(specfacts.CodeParameterIncorrect).Code + " from the ownership check"), resp.StatusCode, answer)
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
