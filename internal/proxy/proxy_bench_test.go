package proxy_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/bench"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/proxy"
)

// BenchmarkProxyOverhead drives the mixed workload at the mock directly and through the
// validating proxy, and reports throughput and p50/p99 latency of each; one op is one
// request. The bench report compares proxied to direct.
func BenchmarkProxyOverhead(b *testing.B) {
	const clients = 8
	for _, name := range []string{"direct", "proxied"} {
		b.Run(name, func(b *testing.B) {
			c := contract.Default().Constraints()
			base := mock.New(nil).Target("http://127.0.0.1")
			probe, err := bench.NewWorkload(base, c)
			if err != nil {
				b.Fatal(err)
			}
			scaled, err := bench.WithPools(base, c, probe.ValidBackups(b.N)+1, len(base.VBS.VolumeIDs))
			if err != nil {
				b.Fatal(err)
			}
			wl, err := bench.NewWorkload(scaled, c)
			if err != nil {
				b.Fatal(err)
			}
			worlds := [2]*mock.World{}
			for i := range worlds {
				if worlds[i], err = mock.LoadWorld(scaled); err != nil {
					b.Fatal(err)
				}
			}
			canned, err := bench.Record(mock.New(worlds[0]), wl)
			if err != nil {
				b.Fatal(err)
			}
			upstream := httptest.NewServer(mock.New(worlds[1]))
			defer upstream.Close()
			target := upstream.URL
			if name == "proxied" {
				u, err := url.Parse(upstream.URL)
				if err != nil {
					b.Fatal(err)
				}
				p := proxy.New(u)
				defer p.Close()
				front := httptest.NewServer(p)
				defer front.Close()
				target = front.URL
			}
			b.ReportAllocs()
			b.ResetTimer()
			res, err := bench.Drive(context.Background(), target,
				bench.Load{Total: b.N, Concurrency: clients, MaxDuration: 2 * time.Minute},
				wl.Request, bench.Expect(canned))
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if err := res.Check(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(res.PerSecond(), "req/s")
			b.ReportMetric(float64(res.Percentile(0.50))/float64(time.Microsecond), "p50-us")
			b.ReportMetric(float64(res.Percentile(0.99))/float64(time.Microsecond), "p99-us")
		})
	}
}
