package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
)

// cannedRun is `go test -bench -benchmem -json` output with two samples of a pair of
// benchmarks, result lines split over two output events as go test writes them, the
// second sample attributed to the package only (as test2json does with -count), and one
// failed benchmark.
const cannedRun = `{"Action":"start","Package":"example/p"}
{"Action":"output","Package":"example/p","Output":"goos: linux\n"}
{"Action":"run","Package":"example/p","Test":"BenchmarkV/a/contract"}
{"Action":"output","Package":"example/p","Test":"BenchmarkV/a/contract","Output":"BenchmarkV/a/contract\n"}
{"Action":"output","Package":"example/p","Test":"BenchmarkV/a/contract","Output":"BenchmarkV/a/contract-2         \t"}
{"Action":"output","Package":"example/p","Test":"BenchmarkV/a/contract","Output":"    1000\t     300 ns/op\t    64 B/op\t   2 allocs/op\t 5000 req/s\n"}
{"Action":"output","Package":"example/p","Output":"BenchmarkV/a/contract-2         \t"}
{"Action":"output","Package":"example/p","Output":"    1000\t     500 ns/op\t    64 B/op\t   2 allocs/op\t 3000 req/s\n"}
{"Action":"output","Package":"example/p","Test":"BenchmarkV/a/decode","Output":"BenchmarkV/a/decode-2         \t  2000\t     100 ns/op\t    32 B/op\t   1 allocs/op\t 10000 req/s\n"}
{"Action":"output","Package":"example/p","Test":"BenchmarkBroken","Output":"--- FAIL: BenchmarkBroken\n"}
{"Action":"fail","Package":"example/p","Test":"BenchmarkBroken"}
{"Action":"output","Package":"example/p","Output":"ok  \texample/p\t1.0s\n"}
`

// ParseEvents joins split result lines, counts samples attributed to the package alone, takes the median and spread of samples and marks failures.
func TestParseEvents(t *testing.T) {
	rs, err := ParseEvents(strings.NewReader(cannedRun))
	if err != nil {
		t.Fatal(err)
	}
	c := rs["example/p BenchmarkV/a/contract"]
	if c == nil || c.Samples != 2 || c.Metrics["ns/op"] != 400 || c.Metrics["req/s"] != 4000 || c.Metrics["allocs/op"] != 2 ||
		c.Min["ns/op"] != 300 || c.Max["ns/op"] != 500 {
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

// Paired sends each subject its whole total in alternating rounds, continues each subject's request numbering across rounds, and checks every status.
func TestPairedInterleavesAndCounts(t *testing.T) {
	var mu sync.Mutex
	var order []string
	seen := map[string]map[string]bool{}
	handler := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			if len(order) == 0 || order[len(order)-1] != name {
				order = append(order, name)
			}
			if seen[name] == nil {
				seen[name] = map[string]bool{}
			}
			seen[name][r.URL.Path] = true
			mu.Unlock()
			if r.Header.Get(CaseHeader) == "bad" {
				w.WriteHeader(http.StatusTeapot)
			}
		})
	}
	a, b := httptest.NewServer(handler("a")), httptest.NewServer(handler("b"))
	defer a.Close()
	defer b.Close()
	next := func(i int) Request { return Request{Case: "good", Method: http.MethodGet, Path: fmt.Sprintf("/%d", i)} }
	ok := func(_ Request, status int) bool { return status == http.StatusOK }
	res, err := Paired(context.Background(), []Subject{
		{Name: "a", URL: a.URL, Next: next, Want: ok},
		{Name: "b", URL: b.URL, Next: func(i int) Request { r := next(i); r.Case = "bad"; return r }, Want: ok},
	}, Load{Total: 40, Concurrency: 2, MaxDuration: time.Minute}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Requests != 40 || res[0].Check() != nil || res[1].Requests != 40 || res[1].Unexpected != 40 {
		t.Fatalf("results %+v / %+v; want 40 good answers and 40 unexpected ones", res[0], res[1])
	}
	if len(seen["a"]) != 40 {
		t.Fatalf("subject a saw %d distinct requests; want 40 (numbering continues across rounds)", len(seen["a"]))
	}
	if strings.Join(order, "") != "ababa" { // rounds ab, ba, ab, ba with neighbours merged
		t.Fatalf("round order %v; want alternating rounds (ababa once neighbours merge)", order)
	}
}

// A paired figure takes both values from one benchmark and the ratio's spread from its samples.
func TestComparePairedMetrics(t *testing.T) {
	r := &Result{Name: "BenchmarkP", Samples: 3,
		Metrics:       map[string]float64{"x-req/s": 80, "y-req/s": 100},
		Min:           map[string]float64{"x-req/s": 60, "y-req/s": 90},
		Max:           map[string]float64{"x-req/s": 90, "y-req/s": 120},
		SampleMetrics: []map[string]float64{{"x-req/s": 60, "y-req/s": 100}, {"x-req/s": 80, "y-req/s": 90}, {"x-req/s": 90, "y-req/s": 120}}}
	figs := Compare(map[string]*Result{"p BenchmarkP": r}, []Comparison{{Name: "pair", Subject: "BenchmarkP", Baseline: "BenchmarkP",
		Metric: "req/s", SubjectMetric: "x-req/s", BaselineMetric: "y-req/s", Goal: 0.8, Dir: AtLeast}})
	f := figs[0]
	if f.Status != "met" || f.Ratio != 0.8 || f.Samples != 3 || f.RatioMin != 0.6 || math.Abs(f.RatioMax-80.0/90) > 1e-9 {
		t.Fatalf("figure %+v", f)
	}
	if md := Markdown(&Report{Figures: figs}); !strings.Contains(md, "0.80× (0.60–0.89)") || !strings.Contains(md, "80 req/s (60–90)") {
		t.Fatalf("markdown lacks the spreads:\n%s", md)
	}
}

// A stateless mock must answer 2xx to what the contract accepts, 4xx to what it refuses, and the same each time.
func TestDocOnlyExpect(t *testing.T) {
	c := contract.Default()
	want := docOnlyExpect(c)
	vc := c.Constraints().VBS
	valid := Request{Case: "ok", Method: vc.Method, Path: vc.Path("p"),
		Header: http.Header{"Content-Type": {"application/json"}, vc.TokenHeader: {"t"}},
		Body:   []byte((`{"backup_policy_id":"x","resources":[{"resource_id":"v","resource_type":"` + string(specfacts.ResourceTypeVolume) + `"}]}`))}
	invalid := valid
	invalid.Case, invalid.Body = "bad", []byte(`{}`)
	switch {
	case !want(valid, 200), want(valid, 400), want(valid, 201):
		t.Fatal("valid request: 200 first must pass, then a 4xx or another 2xx must not")
	case want(invalid, 200), !want(invalid, 422), want(invalid, 400), want(invalid, 500):
		t.Fatal("invalid request: 4xx first must pass, a 2xx, a different 4xx or a 5xx must not")
	}
}

// A cost goal judges the subject's own value, not its ratio to the baseline, and the table
// shows seconds as seconds.
func TestCompareValueAtMost(t *testing.T) {
	r := &Result{Name: "BenchmarkE", Samples: 2,
		Metrics:       map[string]float64{"x-s": 0.25, "y-s": 5},
		Min:           map[string]float64{"x-s": 0.2, "y-s": 4},
		Max:           map[string]float64{"x-s": 0.3, "y-s": 6},
		SampleMetrics: []map[string]float64{{"x-s": 0.2, "y-s": 4}, {"x-s": 0.3, "y-s": 6}}}
	cost := func(goal float64) Comparison {
		return Comparison{Name: "cost", Subject: "BenchmarkE", Baseline: "BenchmarkE", Metric: "s", SubjectMetric: "x-s", BaselineMetric: "y-s", Goal: goal, Dir: ValueAtMost}
	}
	figs := Compare(map[string]*Result{"p BenchmarkE": r}, []Comparison{cost(10), cost(0.1)})
	if f := figs[0]; f.Status != "met" || f.Ratio != 0.05 || !strings.Contains(f.Verdict, "0.25 s ≤ 10 s") {
		t.Errorf("within the goal: %+v", f)
	}
	if f := figs[1]; f.Status != "missed" || !strings.Contains(f.Verdict, "missed by 2.50×") {
		t.Errorf("over the goal: %+v", f)
	}
	if md := Markdown(&Report{Figures: figs}); !strings.Contains(md, "0.250 s (0.200–0.300)") || !strings.Contains(md, "5.000 s (4.000–6.000)") {
		t.Errorf("markdown does not show seconds:\n%s", md)
	}
}
