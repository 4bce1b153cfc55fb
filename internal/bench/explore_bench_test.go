package bench_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/explore"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/run/launch"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
)

// exploreRounds counts the rounds of BenchmarkExplore across its samples, so that explore
// and the suites take turns at going first.
var exploreRounds int

// BenchmarkExplore compares explore's exchanges per second with the suites' own and
// measures what the suites' default explore budget costs, both against a fresh in-process
// mock that notes when each request it serves arrives. One op is one round: explore.Run of
// each API with the options the suites' kind:explore specs use (the default budget; a seed
// per round, so a round is reproducible), and one run of the compiled suites.
//
//   - explore-req/s: explore.Run's requests over its run time.
//   - suites-req/s: the hand-picked specs' requests over the time Ginkgo reports for every
//     node but the kind:explore specs (process start-up is not counted against them); a
//     request is the explore spec's when it arrives while that spec runs.
//   - explore-s: the time Ginkgo reports for the kind:explore specs, the seconds the
//     default budget adds to a run against the mock; suites-s the rest, its baseline.
//   - explore-spec-req/s: the kind:explore specs' requests over their time, explore's rate
//     inside the suites.
//
// A finding, a stopped exploration or a failed suite fails the benchmark: it would measure
// the wrong work.
func BenchmarkExplore(b *testing.B) {
	build := compiledSuites(b)
	var in exploreFigures
	var run suitesFigures
	b.ResetTimer()
	for range b.N {
		sides := []func(){
			func() { in.add(exploreRound(b, uint64(exploreRounds+1))) },
			func() { run.add(suitesRound(b, build.Suites)) },
		}
		if exploreRounds%2 == 1 {
			sides[0], sides[1] = sides[1], sides[0]
		}
		exploreRounds++
		for _, side := range sides {
			side()
		}
	}
	b.StopTimer()
	b.ReportMetric(perSecond(in.requests, in.took), "explore-req/s")
	b.ReportMetric(perSecond(run.handPicked, run.handPickedTook), "suites-req/s")
	b.ReportMetric(run.exploreTook.Seconds()/float64(b.N), "explore-s")
	b.ReportMetric(run.handPickedTook.Seconds()/float64(b.N), "suites-s")
	b.ReportMetric(perSecond(run.explore, run.exploreTook), "explore-spec-req/s")
}

type exploreFigures struct {
	requests int
	took     time.Duration
}

func (f *exploreFigures) add(g exploreFigures) { f.requests += g.requests; f.took += g.took }

type suitesFigures struct {
	handPicked, explore         int
	handPickedTook, exploreTook time.Duration
}

func (f *suitesFigures) add(g suitesFigures) {
	f.handPicked += g.handPicked
	f.explore += g.explore
	f.handPickedTook += g.handPickedTook
	f.exploreTook += g.exploreTook
}

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// arrivals serves a fresh reference mock on loopback, noting when each request it answers
// arrived, and returns its target.
func arrivals(b *testing.B) (*target.Target, func() []time.Time) {
	b.Helper()
	m := mock.New(nil)
	var mu sync.Mutex
	var seen []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, time.Now())
		mu.Unlock()
		m.ServeHTTP(w, r)
	}))
	b.Cleanup(srv.Close)
	return m.Target(srv.URL), func() []time.Time {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// exploreRound explores both APIs as the suites' kind:explore specs do and returns the
// requests the mock answered and the time exploration took.
func exploreRound(b *testing.B, seed uint64) exploreFigures {
	b.Helper()
	tg, served := arrivals(b)
	client := &http.Client{Timeout: tg.RequestTimeout()}
	noEnv := func(string) (string, bool) { return "", false }
	var took time.Duration
	for _, api := range specfacts.APIs() {
		opts, err := explore.SuiteOptions(api, tg, client, noEnv)
		if err != nil {
			b.Fatal(err)
		}
		opts.Seed = seed
		start := time.Now()
		res, err := explore.Run(context.Background(), opts)
		took += time.Since(start)
		if err != nil {
			b.Fatalf("explore %s: %v", api, err)
		}
		for _, a := range res.APIs {
			if a.Finding != nil || a.Stopped != "" {
				b.Fatalf("explore %s against the reference mock (seed %d): finding %v, stopped %q", a.API, seed, a.Finding, a.Stopped)
			}
		}
	}
	return exploreFigures{requests: len(served()), took: took}
}

// suitesRound runs the compiled suites and splits the requests the mock answered and the
// time Ginkgo reports for the nodes that ran between the kind:explore specs and the rest.
func suitesRound(b *testing.B, suites []launch.Suite) suitesFigures {
	b.Helper()
	tg, served := arrivals(b)
	raw, err := tg.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	file := filepath.Join(dir, "target.yaml")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		b.Fatal(err)
	}
	res, err := launch.Run(context.Background(), launch.Job{Suites: suites, TargetFile: file, Out: dir})
	if err != nil {
		b.Fatalf("suites against the mock: %v", err)
	}
	for _, s := range res.Suites {
		if s.ExitCode != 0 {
			b.Fatalf("suite %s against the mock: exit %d (output in %s)", s.Name, s.ExitCode, s.Log)
		}
	}
	rec, err := runrecord.ReadFile(res.GinkgoReport)
	if err != nil {
		b.Fatal(err)
	}
	var f suitesFigures
	type window struct{ from, to time.Time }
	var windows []window
	for _, s := range rec.Suites {
		for _, sp := range s.Specs {
			if !sp.Explore() {
				f.handPickedTook += sp.RunTime
				continue
			}
			if !sp.Passed() {
				b.Fatalf("the explore spec %q did not pass against the reference mock: %s", sp.Text, sp.State)
			}
			f.exploreTook += sp.RunTime
			windows = append(windows, window{sp.StartTime, sp.StartTime.Add(sp.RunTime)})
		}
	}
	// Each suite explores generated requests, and on a target that allows mutating with an
	// explore budget (the mock's) call sequences too.
	if len(windows) < len(suites) {
		b.Fatalf("%d kind:explore specs ran, want at least one per suite (%d)", len(windows), len(suites))
	}
	for _, at := range served() {
		if slices.ContainsFunc(windows, func(w window) bool { return !at.Before(w.from) && !at.After(w.to) }) {
			f.explore++
		} else {
			f.handPicked++
		}
	}
	return f
}
