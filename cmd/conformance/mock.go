package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/target"
)

func init() { register("mock", "serve the reference mock", runMock) }

// faultList collects repeated --fault flags.
type faultList []string

func (f *faultList) String() string     { return strings.Join(*f, ",") }
func (f *faultList) Set(v string) error { *f = append(*f, v); return nil }

func runMock(args []string) int {
	if !stopWithParent() {
		fmt.Fprintln(os.Stderr, "conformance mock: the process that started the mock has already exited")
		return 1
	}
	return serveMock(args, os.Stderr, nil)
}

// serveMock runs the mock until SIGINT or SIGTERM, then closes it: the listener first, so the
// port is free when the command exits. ready, when not nil, receives the base URL
// once the mock listens (tests use it).
func serveMock(args []string, stderr io.Writer, ready chan<- string) int {
	fs := flag.NewFlagSet("mock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	writeTarget := fs.String("write-target", "", "write a target file describing the running mock to this path (for CONFORMANCE_TARGET)")
	worldFile := fs.String("world", "", "target file to build the world from (default: the embedded fixtures/world/default.yaml)")
	lenient := fs.Bool("lenient", false, "take a non-strict legitimate reading of every ambiguity register entry (--reading overrides it per entry)")
	var readings faultList
	fs.Var(&readings, "reading", "take this reading of a register entry, ENTRY=READING (repeatable); see --list-readings")
	listReadings := fs.Bool("list-readings", false, "list the register entries and their readings and exit")
	var faults faultList
	fs.Var(&faults, "fault", "switch on a planted fault of the catalog (repeatable); see --list-faults")
	listFaults := fs.Bool("list-faults", false, "list the fault catalog and exit")
	journalSize := fs.Int("journal-size", mock.DefaultJournalSize, "exchanges the journal ("+mock.AdminPrefix+"requests) keeps; 0 switches it off")
	adminRemote := fs.Bool("admin-remote", false, "let the admin API ("+mock.AdminPrefix+") answer clients that are not on loopback")
	iamPasswordEnv := fs.String("iam-password-env", defaultIAMPasswordEnv, "environment variable holding the password of the mock IAM's user (IAM is off when it is unset)")
	writeIAMTarget := fs.String("write-iam-target", "", "write a target file holding no secret, whose tokens come from the mock's IAM (needs the --iam-password-env variable)")
	logFlag := fs.String("log", string(mock.LogErrors), "access log: none, errors (5xx, dropped connections, panics) or requests (every request); structured, tokens redacted")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: conformance mock [--listen ADDR] [--write-target FILE] [--world FILE] [--lenient] [--reading ENTRY=READING]... [--fault NAME]...\n"+
			"                        [--iam-password-env VAR] [--write-iam-target FILE] [--admin-remote] [--journal-size N] [--log none|errors|requests]")
		fs.PrintDefaults()
	}
	if code := parseFlags(fs, args, stderr); code >= 0 {
		return code
	}
	if *listFaults {
		for _, f := range mock.Faults() {
			fmt.Fprintf(stderr, "%-42s %s (%s)\n", f.Name, f.Description, f.RequirementList())
		}
		return 0
	}
	if *listReadings {
		for _, a := range catalog.Default().Ambiguities {
			fmt.Fprintf(stderr, "%-36s %s (strict: %s)\n", a.ID, strings.Join(a.Default, ", "), a.Strict)
		}
		return 0
	}
	chosen := mock.Readings{}
	for _, kv := range readings {
		entry, reading, err := mock.ParseReading(kv)
		if err != nil {
			fmt.Fprintf(stderr, "conformance mock: --reading: %v\n", err)
			return 2
		}
		chosen[entry] = reading
	}

	logMode, err := mock.ParseLogMode(*logFlag)
	if err != nil {
		fmt.Fprintf(stderr, "conformance mock: --log: %v\n", err)
		return 2
	}
	// Lifecycle lines always go out; the access log keeps what --log asks for.
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	opts := []mock.Option{mock.WithLogger(mock.NewAccessLogger(stderr, logMode))}
	for _, name := range faults {
		if err := mock.CheckFault(name); err != nil {
			fmt.Fprintf(stderr, "conformance mock: --fault: %v\n", err)
			return 2
		}
		opts = append(opts, mock.WithFault(name))
	}
	if *lenient {
		opts = append(opts, mock.WithLenient())
	}
	opts = append(opts, mock.WithReadings(chosen))
	iamOpts, code := mockIAMOptions(fs, *iamPasswordEnv, *writeIAMTarget, *adminRemote, stderr)
	if code >= 0 {
		return code
	}
	opts = append(opts, iamOpts...)
	if *journalSize < 0 {
		fmt.Fprintf(stderr, "conformance mock: --journal-size: %d is negative\n", *journalSize)
		return 2
	}
	opts = append(opts, mock.WithJournalSize(*journalSize))
	if *worldFile != "" {
		t, err := target.Load(*worldFile)
		if err != nil {
			fmt.Fprintf(stderr, "conformance mock: --world: %v\n", err)
			return 2
		}
		w, err := mock.LoadWorld(t)
		if err != nil {
			fmt.Fprintf(stderr, "conformance mock: --world: %v\n", err)
			return 2
		}
		opts = append(opts, mock.WithWorld(w))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := mock.Start(ctx, *listen, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "conformance mock: %v\n", err)
		return 2
	}
	// The files it writes name the mock's admin API, so that a run resets it first and
	// every run finds every pooled id fresh (internal/ledger).
	self := &target.ReferenceMock{AdminURL: srv.URL()}
	if *writeTarget != "" {
		t := srv.Target()
		t.ReferenceMock = self
		raw, err := t.Marshal()
		if err == nil {
			// The file holds the world's tokens: readable by the owner only.
			err = os.WriteFile(*writeTarget, raw, 0o600)
		}
		if err != nil {
			_ = srv.Close()
			fmt.Fprintf(stderr, "conformance mock: --write-target: %v\n", err)
			return 2
		}
	}
	if *writeIAMTarget != "" {
		t := srv.IAMTarget(*iamPasswordEnv)
		t.ReferenceMock = self
		if err := writeTargetFile(*writeIAMTarget, t); err != nil {
			_ = srv.Close()
			fmt.Fprintf(stderr, "conformance mock: --write-iam-target: %v\n", err)
			return 2
		}
	}
	logger.Info("reference mock listening", "url", srv.URL(), "log", string(logMode), "lenient", *lenient, "readings", readings.String(), "faults", faults.String(), "target_file", *writeTarget)
	if ready != nil {
		ready <- srv.URL()
	}
	<-ctx.Done()
	logger.Info("shutting down")
	if err := srv.Close(); err != nil {
		fmt.Fprintf(stderr, "conformance mock: %v\n", err)
		return 1
	}
	return 0
}
