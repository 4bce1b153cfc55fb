package launch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// process is one suite process to start: a compiled suite, or the Ginkgo command line
// running several compiled suites in parallel.
type process struct {
	argv []string
	env  []string
	dir  string
	// limit bounds the process; it is interrupted (so that Ginkgo writes what ran) and
	// killed if it does not end soon after.
	limit    time.Duration
	progress io.Writer
}

// ended is what a process did.
type ended struct {
	exitCode int
	duration time.Duration
	killed   bool // it outlived its limit
	output   []byte
}

// start runs p to its end. It is the only place in the project that starts a suite
// process, so that every mode and every caller shares the same environment handling, time
// bound and interrupt.
func start(ctx context.Context, p process) ended {
	pctx, cancel := context.WithTimeout(ctx, p.limit)
	defer cancel()
	cmd := exec.CommandContext(pctx, p.argv[0], p.argv[1:]...)
	cmd.Dir = p.dir
	cmd.Env = p.env
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	var buf bytes.Buffer
	var sink io.Writer = &buf
	if p.progress != nil {
		sink = io.MultiWriter(&buf, p.progress)
	}
	// One writer for both streams: exec then calls Write from one goroutine at a time.
	cmd.Stdout, cmd.Stderr = sink, sink
	began := time.Now()
	err := cmd.Run()
	e := ended{duration: time.Since(began).Round(time.Millisecond)}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		e.exitCode = exit.ExitCode()
	default:
		e.exitCode = -1
		fmt.Fprintf(&buf, "\nconformance: could not run %s: %v\n", p.argv[0], err)
	}
	if errors.Is(pctx.Err(), context.DeadlineExceeded) {
		e.killed = true
		fmt.Fprintf(&buf, "\nconformance: stopped %s after %s\n", p.argv[0], p.limit)
	}
	e.output = buf.Bytes()
	return e
}
