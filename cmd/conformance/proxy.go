package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/proxy"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/target"
	"github.com/koobackup/conformance/internal/traffic"
)

func init() {
	register("proxy", "forward to an upstream, validate every exchange, report violations on exit", func(args []string) int {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runProxy(ctx, args, os.Stdout, os.Stderr, nil)
	})
}

// runProxy serves until ctx ends, then writes the report. ready, when set, learns the
// listening address (tests listen on port 0).
func runProxy(ctx context.Context, args []string, stdout, stderr io.Writer, ready func(addr string)) int {
	fs := flag.NewFlagSet("proxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8081", "address to listen on")
	upstreamRaw := fs.String("upstream", "", "base URL of the implementation to forward to (the mock or a live endpoint); required")
	record := fs.String("record", "", "record every exchange to this file (.har for HAR 1.2, anything else NDJSON); tokens are redacted")
	reject := fs.Bool("reject", false, "answer a non-conforming request with the API's documented 400 instead of forwarding it")
	reportDir := fs.String("report-dir", filepath.Join("reports", "proxy"), "directory for the violations report written on shutdown (a folder of its own: a conformance run's folder is refused)")
	timeout := fs.Duration("timeout", proxy.DefaultTimeout, "bound on one exchange with the upstream; slower answers get a 504")
	bodyLimit := fs.Int64("body-limit", proxy.DefaultBodyLimit, "bytes of a body buffered for validation; larger bodies are streamed and reported")
	targetFile := fs.String("target", "", "optional target file whose tokens and secrets are redacted from logs, recording and report")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: conformance proxy --upstream URL [--listen ADDR] [--record FILE] [--reject] [--report-dir DIR]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagErrorCode(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "conformance proxy: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := ownReportDir(*reportDir, "proxy"); err != nil {
		fmt.Fprintf(stderr, "conformance proxy: --report-dir: %v\n", err)
		return 2
	}
	upstream, err := parseUpstream(*upstreamRaw)
	if err != nil {
		fmt.Fprintf(stderr, "conformance proxy: --upstream: %v\n", err)
		return 2
	}
	if *timeout <= 0 || *bodyLimit <= 0 {
		fmt.Fprintln(stderr, "conformance proxy: --timeout and --body-limit must be positive")
		return 2
	}
	var secrets []string
	if *targetFile != "" {
		t, err := target.Load(*targetFile)
		if err != nil {
			fmt.Fprintf(stderr, "conformance proxy: --target: %v\n", err)
			return 2
		}
		secrets = t.Tokens()
	}
	red := redact.New(secrets...)
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	opts := []proxy.Option{proxy.WithLogger(logger), proxy.WithRedactor(red), proxy.WithTimeout(*timeout), proxy.WithBodyLimit(*bodyLimit)}
	if *reject {
		opts = append(opts, proxy.WithReject())
	}
	var recording *traffic.Writer
	var recordFile *os.File
	if *record != "" {
		if err := os.MkdirAll(filepath.Dir(*record), 0o755); err != nil {
			fmt.Fprintf(stderr, "conformance proxy: --record: %v\n", err)
			return 2
		}
		recordFile, err = os.Create(*record)
		if err != nil {
			fmt.Fprintf(stderr, "conformance proxy: --record: %v\n", err)
			return 2
		}
		defer recordFile.Close()
		recording, err = traffic.NewWriter(recordFile, traffic.FormatForPath(*record), red)
		if err != nil {
			fmt.Fprintf(stderr, "conformance proxy: --record: %v\n", err)
			return 2
		}
		opts = append(opts, proxy.WithRecorder(recording))
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "conformance proxy: --listen: %v\n", err)
		return 2
	}
	p := proxy.New(upstream, opts...)
	defer p.Close()
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "proxy listening on http://%s, forwarding to %s\n", ln.Addr(), upstream.Redacted())
	if ready != nil {
		ready(ln.Addr().String())
	}

	select {
	case <-ctx.Done():
	case err := <-served:
		fmt.Fprintf(stderr, "conformance proxy: serve: %v\n", err)
		return 2
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Warn("shutdown did not finish cleanly", "error", err.Error())
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Warn("serve ended with an error", "error", err.Error())
	}
	// Every answered exchange is checked, logged, recorded and counted before the
	// recording is closed and the verdict decides the exit status.
	p.Close()
	if recording != nil {
		if err := recording.Close(); err != nil {
			fmt.Fprintf(stderr, "conformance proxy: %v\n", err)
			return 2
		}
	}
	tally := p.Tally()
	rep := tally.Report(catalog.Default(), traffic.ReportOptions{
		Name: "proxy to " + upstream.Redacted(), Upstream: upstream.Redacted(), Kind: "proxy",
	})
	return finishReport(rep, tally.Failed(), *reportDir, stdout, stderr)
}

func parseUpstream(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("is required (the base URL of the mock or of a live endpoint)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("not a URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("scheme %q is not http or https", u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q has no host", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q must not carry a query or fragment", raw)
	}
	return u, nil
}
