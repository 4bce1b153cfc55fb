package bench_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/koobackup/conformance/internal/bench"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/run/launch"
	"github.com/koobackup/conformance/internal/target"
	"github.com/koobackup/conformance/internal/targetcheck"
)

// BenchmarkSuiteRun measures the wall time of one full run of both compiled suites against
// a fresh in-process mock whose pools hold 1×, 2× and 4× the default world's ids; one op is
// one full run. The bench report checks that time grows no faster than the pools.
func BenchmarkSuiteRun(b *testing.B) {
	build := compiledSuites(b)
	base := mock.New(nil).Target("http://127.0.0.1")
	c := contract.Default().Constraints()
	for _, factor := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("pools=%dx", factor), func(b *testing.B) {
			scaled, err := bench.WithPools(base, c, factor*len(base.KooPhone.OwnedInstanceIDs), factor*len(base.VBS.VolumeIDs))
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				file := startMock(b, scaled)
				b.StartTimer()
				res, err := launch.Run(context.Background(), launch.Job{Suites: build.Suites, TargetFile: file, Out: b.TempDir()})
				if err != nil {
					b.Fatalf("suites against the mock: %v", err)
				}
				for _, s := range res.Suites {
					if s.ExitCode != 0 {
						b.Fatalf("suite %s against the mock: exit %d (output in %s)", s.Name, s.ExitCode, s.Log)
					}
				}
			}
			// Reported after the loop: ResetTimer discards metrics reported before it.
			b.ReportMetric(float64(len(scaled.KooPhone.OwnedInstanceIDs)+len(scaled.VBS.VolumeIDs)), "ids")
		})
	}
}

// startMock serves a fresh world built from t on loopback for the rest of the benchmark
// and returns the path of a target file describing it.
func startMock(b *testing.B, t *target.Target) string {
	b.Helper()
	w, err := mock.LoadWorld(t)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := mock.Start(ctx, "127.0.0.1:0", mock.WithWorld(w))
	if err != nil {
		cancel()
		b.Fatal(err)
	}
	b.Cleanup(func() { cancel(); _ = srv.Close() })
	raw, err := srv.Target().Marshal()
	if err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(b.TempDir(), "target.yaml")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		b.Fatal(err)
	}
	return file
}

// compiledSuites compiles the suites of this checkout once for the benchmarks (the shared
// compiled-suite cache keeps them between runs).
func compiledSuites(b *testing.B) *launch.Build {
	b.Helper()
	wd, err := os.Getwd()
	if err != nil {
		b.Fatal(err)
	}
	root, err := targetcheck.FindRoot(wd)
	if err != nil {
		b.Fatal(err)
	}
	build, err := launch.Compile(context.Background(), root)
	if err != nil {
		b.Fatal(err)
	}
	return build
}
