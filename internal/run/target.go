package run

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/target"
)

// MockOptions configure the reference mock a run starts when it has no target file.
type MockOptions struct {
	// Readings are the register readings the mock takes (nil: the strict reference).
	Readings mock.Readings
	// Faults are planted faults (mock.Faults names).
	Faults []string
}

// resolved is the target of a run: its file, parsed, and how to stop it when the run
// started it.
type resolved struct {
	File   string
	Target *target.Target
	// Source says where the target came from, for the summary line.
	Source string
	close  func()
}

func (r *resolved) Close() {
	if r.close != nil {
		r.close()
	}
}

// resolveTarget loads the target file, or starts the reference mock on loopback for the
// length of the run and writes its target file (owner-only: it holds the mock's tokens).
func resolveTarget(ctx context.Context, file string, m MockOptions, out string) (*resolved, error) {
	if file != "" {
		t, err := target.Load(file)
		if err != nil {
			return nil, err
		}
		abs, err := filepath.Abs(file)
		if err != nil {
			return nil, fmt.Errorf("target file: %w", err)
		}
		return &resolved{File: abs, Target: t, Source: file}, nil
	}
	opts := []mock.Option{mock.WithReadings(m.Readings)}
	for _, f := range m.Faults {
		opts = append(opts, mock.WithFault(f))
	}
	srv, err := mock.Start(context.WithoutCancel(ctx), "127.0.0.1:0", opts...)
	if err != nil {
		return nil, fmt.Errorf("start the reference mock: %w", err)
	}
	// Beside the reports, not in the system's temporary directory: a FROM scratch image has
	// none, and the output directory is the one place a run may always write.
	dir, err := filepath.Abs(out)
	if err == nil {
		dir, err = os.MkdirTemp(dir, ".reference-mock-")
	}
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("reference mock: %w", err)
	}
	stop := func() { srv.Close(); os.RemoveAll(dir) }
	t := srv.Target()
	raw, err := t.Marshal()
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "target.yaml"), raw, 0o600)
	}
	if err != nil {
		stop()
		return nil, fmt.Errorf("reference mock: target file: %w", err)
	}
	return &resolved{File: filepath.Join(dir, "target.yaml"), Target: t, Source: "the reference mock started by this run", close: stop}, nil
}
