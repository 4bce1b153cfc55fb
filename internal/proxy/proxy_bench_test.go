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

// BenchmarkProxyOverhead drives the mixed workload at a mock directly and, through the
// validating proxy, at a second mock over its own world, in alternating rounds
// (bench.Paired), and reports throughput and p50/p99 latency of each; one op is one
// request to each. The proxy validates every exchange; Close drains its queue before the
// tally is checked, so the figure includes all of the proxy's work.
func BenchmarkProxyOverhead(b *testing.B) {
	const clients, rounds = 8, 10
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
	worlds := [3]*mock.World{}
	for i := range worlds {
		if worlds[i], err = mock.LoadWorld(scaled); err != nil {
			b.Fatal(err)
		}
	}
	canned, err := bench.Record(mock.New(worlds[0]), wl)
	if err != nil {
		b.Fatal(err)
	}
	direct := httptest.NewServer(mock.New(worlds[1]))
	defer direct.Close()
	upstream := httptest.NewServer(mock.New(worlds[2]))
	defer upstream.Close()
	u, err := url.Parse(upstream.URL)
	if err != nil {
		b.Fatal(err)
	}
	p := proxy.New(u)
	defer p.Close()
	front := httptest.NewServer(p)
	defer front.Close()
	want := bench.Expect(canned)

	b.ReportAllocs()
	b.ResetTimer()
	res, err := bench.Paired(context.Background(), []bench.Subject{
		{Name: "proxied", URL: front.URL, Next: wl.Request, Want: want},
		{Name: "direct", URL: direct.URL, Next: wl.Request, Want: want},
	}, bench.Load{Total: b.N, Concurrency: clients, MaxDuration: 2 * time.Minute}, rounds)
	p.Flush()
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	for i, name := range []string{"proxied", "direct"} {
		if err := res[i].Check(); err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		b.ReportMetric(res[i].PerSecond(), name+"-req/s")
		b.ReportMetric(float64(res[i].Percentile(0.50))/float64(time.Microsecond), name+"-p50-us")
		b.ReportMetric(float64(res[i].Percentile(0.99))/float64(time.Microsecond), name+"-p99-us")
	}
	b.ReportMetric(res[0].PerSecond()/res[1].PerSecond(), "proxied/direct")
	if n := p.Tally().Exchanges(); n != res[0].Requests {
		b.Fatalf("the proxy checked %d exchanges of %d answered", n, res[0].Requests)
	}
}
