package mock_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/bench"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/mock"
)

// Load shape of the throughput benchmark: enough clients to keep both cores busy, and a
// time bound so that a wedged server fails the run instead of hanging it.
const (
	benchClients     = 8
	benchMaxDuration = 2 * time.Minute
)

// benchWorld returns a fresh default world with enough owned instances for total requests
// of the workload, and the workload itself.
func benchWorld(b *testing.B, total int) (*mock.World, *bench.Workload) {
	b.Helper()
	base := mock.New(nil).Target("http://127.0.0.1")
	c := contract.Default().Constraints()
	probe, err := bench.NewWorkload(base, c)
	if err != nil {
		b.Fatal(err)
	}
	scaled, err := bench.WithPools(base, c, probe.ValidBackups(total)+1, len(base.VBS.VolumeIDs))
	if err != nil {
		b.Fatal(err)
	}
	w, err := mock.LoadWorld(scaled)
	if err != nil {
		b.Fatal(err)
	}
	wl, err := bench.NewWorkload(scaled, c)
	if err != nil {
		b.Fatal(err)
	}
	return w, wl
}

// BenchmarkMockThroughput measures requests per second of the mock over loopback on the
// mixed workload, against the ceiling: a bare handler returning the mock's recorded bytes.
// One op is one request; req/s is the figure the bench report compares.
func BenchmarkMockThroughput(b *testing.B) {
	for _, name := range []string{"ceiling", "mock"} {
		b.Run(name, func(b *testing.B) {
			world, wl := benchWorld(b, b.N)
			recordWorld, _ := benchWorld(b, 1)
			canned, err := bench.Record(mock.New(recordWorld), wl)
			if err != nil {
				b.Fatal(err)
			}
			var h http.Handler = mock.New(world)
			if name == "ceiling" {
				h = bench.Ceiling(canned)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			b.ReportAllocs()
			b.ResetTimer()
			res, err := bench.Drive(context.Background(), srv.URL,
				bench.Load{Total: b.N, Concurrency: benchClients, MaxDuration: benchMaxDuration},
				wl.Request, bench.Expect(canned))
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if err := res.Check(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(res.PerSecond(), "req/s")
		})
	}
}
