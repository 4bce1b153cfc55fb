package mock_test

import (
	"context"
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
	// benchRounds interleaves mock and ceiling so both see the same machine.
	benchRounds = 10
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
// The two are driven in alternating rounds (bench.Paired). One op is one request to each;
// mock-req/s and ceiling-req/s are the figures the bench report compares, and every
// answer's status must be the one the mock gave that case when recorded.
func BenchmarkMockThroughput(b *testing.B) {
	world, wl := benchWorld(b, b.N)
	recordWorld, _ := benchWorld(b, 1)
	canned, err := bench.Record(mock.New(recordWorld), wl)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(mock.New(world))
	defer srv.Close()
	ceiling := httptest.NewServer(bench.Ceiling(canned))
	defer ceiling.Close()
	want := bench.Expect(canned)
	b.ReportAllocs()
	b.ResetTimer()
	res, err := bench.Paired(context.Background(), []bench.Subject{
		{Name: "mock", URL: srv.URL, Next: wl.Request, Want: want},
		{Name: "ceiling", URL: ceiling.URL, Next: wl.Request, Want: want},
	}, bench.Load{Total: b.N, Concurrency: benchClients, MaxDuration: benchMaxDuration}, benchRounds)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	for i, name := range []string{"mock", "ceiling"} {
		if err := res[i].Check(); err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		b.ReportMetric(res[i].PerSecond(), name+"-req/s")
	}
	b.ReportMetric(res[0].PerSecond()/res[1].PerSecond(), "mock/ceiling")
}
