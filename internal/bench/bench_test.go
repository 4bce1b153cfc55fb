package bench

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// cannedRun is `go test -bench -benchmem -json` output with two samples of a pair of
// benchmarks, result lines split over two output events as go test writes them, and one
// failed benchmark.
const cannedRun = `{"Action":"start","Package":"example/p"}
{"Action":"output","Package":"example/p","Output":"goos: linux\n"}
{"Action":"run","Package":"example/p","Test":"BenchmarkV/a/contract"}
{"Action":"output","Package":"example/p","Test":"BenchmarkV/a/contract","Output":"BenchmarkV/a/contract\n"}
{"Action":"output","Package":"example/p","Test":"BenchmarkV/a/contract","Output":"BenchmarkV/a/contract-2         \t"}
{"Action":"output","Package":"example/p","Test":"BenchmarkV/a/contract","Output":"    1000\t     300 ns/op\t    64 B/op\t   2 allocs/op\t 5000 req/s\n"}
{"Action":"output","Package":"example/p","Test":"BenchmarkV/a/contract","Output":"BenchmarkV/a/contract-2         \t"}
{"Action":"output","Package":"example/p","Test":"BenchmarkV/a/contract","Output":"    1000\t     500 ns/op\t    64 B/op\t   2 allocs/op\t 3000 req/s\n"}
{"Action":"output","Package":"example/p","Test":"BenchmarkV/a/decode","Output":"BenchmarkV/a/decode-2         \t  2000\t     100 ns/op\t    32 B/op\t   1 allocs/op\t 10000 req/s\n"}
{"Action":"output","Package":"example/p","Test":"BenchmarkBroken","Output":"--- FAIL: BenchmarkBroken\n"}
{"Action":"fail","Package":"example/p","Test":"BenchmarkBroken"}
{"Action":"output","Package":"example/p","Output":"ok  \texample/p\t1.0s\n"}
`

// ParseEvents joins split result lines, takes the median of samples and marks failures.
func TestParseEvents(t *testing.T) {
	rs, err := ParseEvents(strings.NewReader(cannedRun))
	if err != nil {
		t.Fatal(err)
	}
	c := rs["example/p BenchmarkV/a/contract"]
	if c == nil || c.Samples != 2 || c.Metrics["ns/op"] != 400 || c.Metrics["req/s"] != 4000 || c.Metrics["allocs/op"] != 2 {
		t.Fatalf("contract result = %+v; want 2 samples, median 400 ns/op, 4000 req/s, 2 allocs/op", c)
	}
	if d := rs["example/p BenchmarkV/a/decode"]; d == nil || d.Metrics["ns/op"] != 100 {
		t.Fatalf("decode result = %+v; want 100 ns/op", d)
	}
	if b := rs["example/p BenchmarkBroken"]; b == nil || !b.Failed {
		t.Fatalf("broken benchmark = %+v; want failed", b)
	}
}

// ParseEvents names the line that is not a test2json event.
func TestParseEventsRejectsGarbage(t *testing.T) {
	_, err := ParseEvents(strings.NewReader("{\"Action\":\"start\"}\nnot json\n"))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 {
		t.Fatalf("err = %v; want a ParseError on line 2", err)
	}
}

// Compare computes ratios, decides goals both ways and says by how much a goal is missed.
func TestCompare(t *testing.T) {
	rs, err := ParseEvents(strings.NewReader(cannedRun))
	if err != nil {
		t.Fatal(err)
	}
	figs := Compare(rs, []Comparison{
		{Name: "time", Subject: "BenchmarkV/a/contract", Baseline: "BenchmarkV/a/decode", Metric: "ns/op", Goal: 3, Dir: AtMost},
		{Name: "rate", Subject: "BenchmarkV/a/contract", Baseline: "BenchmarkV/a/decode", Metric: "req/s", Goal: 0.5, Dir: AtLeast},
		{Name: "loose", Subject: "BenchmarkV/a/contract", Baseline: "BenchmarkV/a/decode", Metric: "ns/op", Goal: 5, Dir: AtMost},
		{Name: "failed", Subject: "BenchmarkBroken", Baseline: "BenchmarkV/a/decode", Metric: "ns/op", Goal: 1, Dir: AtMost},
		{Name: "absent", Subject: "BenchmarkNope", Baseline: "BenchmarkV/a/decode", Metric: "ns/op", Goal: 1, Dir: AtMost},
	})
	want := []struct {
		status, verdictHas string
		ratio              float64
	}{
		{"missed", "missed by 1.33×", 4},
		{"missed", "missed by 1.25×", 0.4},
		{"met", "met", 4},
		{"not measured", "failed", 0},
		{"not measured", "BenchmarkNope", 0},
	}
	for i, w := range want {
		f := figs[i]
		if f.Status != w.status || !strings.Contains(f.Verdict, w.verdictHas) || math.Abs(f.Ratio-w.ratio) > 1e-9 {
			t.Errorf("%s: status %q verdict %q ratio %v; want %q, %q, %v", f.Name, f.Status, f.Verdict, f.Ratio, w.status, w.verdictHas, w.ratio)
		}
	}
}

// ParsePprofTop reads values with units and multipliers, and LoadAllocations finds the
// spec-loading functions in it.
func TestParsePprofTop(t *testing.T) {
	const top = `File: contract.test
Type: alloc_objects
      flat  flat%   sum%        cum   cum%
         0     0%     0%      12.5k 80.00%  github.com/koobackup/conformance/internal/contract.Load
       300  1.92%  1.92%       2000 12.80%  github.com/getkin/kin-openapi/openapi3.(*Schema).visitJSON
     10ms 50.00% 50.00%       20ms   100%  syscall.Syscall6
`
	es := ParsePprofTop(top)
	if len(es) != 3 || es[0].Cum != 12500 || es[2].CumPct != 100 {
		t.Fatalf("entries = %+v", es)
	}
	if got := LoadAllocations(es); got != 12500 {
		t.Fatalf("LoadAllocations = %v; want 12500", got)
	}
	if l := Limits(es); !strings.Contains(l, "network system calls 100%") {
		t.Fatalf("Limits = %q; want the syscall share named", l)
	}
}

// Drive refuses any host but 127.0.0.1, so load never leaves the machine.
func TestDriveRefusesNonLoopback(t *testing.T) {
	_, err := Drive(context.Background(), "http://example.com", Load{Total: 1, Concurrency: 1}, nil, nil)
	var le *LoopbackError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v; want a LoopbackError", err)
	}
}

// Drive sends exactly Total requests and counts statuses the check refuses.
func TestDriveCountsAndChecks(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(CaseHeader) == "bad" {
			w.WriteHeader(http.StatusTeapot)
		}
	}))
	defer srv.Close()
	next := func(i int) Request {
		c := "good"
		if i%5 == 0 {
			c = "bad"
		}
		return Request{Case: c, Method: http.MethodGet, Path: "/"}
	}
	res, err := Drive(context.Background(), srv.URL, Load{Total: 20, Concurrency: 3, MaxDuration: time.Minute}, next,
		func(r Request, status int) bool { return status == http.StatusOK })
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 20 || res.Unexpected != 4 || res.Check() == nil || res.Percentile(1) < res.Percentile(0.5) {
		t.Fatalf("result = %+v; want 20 requests, 4 unexpected, a failing Check", res)
	}
}
