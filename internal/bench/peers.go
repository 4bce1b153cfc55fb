package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/specs"
)

// PrismPackage is the peer the --peers run measures against, pinned so that runs compare.
const PrismPackage = "@stoplight/prism-cli@5.14.2"

// PeerSamples is how many samples each peer figure takes; the report shows their median
// and spread.
const PeerSamples = 3

// Requests per sample. Prism answers about a thousand requests a second here, the
// project's servers ten times that; each sample lasts a second or more either way.
var (
	oursLoad  = Load{Total: 6000, Concurrency: 8, MaxDuration: 2 * time.Minute}
	prismLoad = Load{Total: 1500, Concurrency: 8, MaxDuration: 2 * time.Minute}
	// calibrationLoad measures each candidate Prism setting once, after a warm-up.
	calibrationLoad = Load{Total: 600, Concurrency: 8, MaxDuration: time.Minute}
	// warmLoad precedes the samples of every subject.
	warmLoad = Load{Total: 500, Concurrency: 8, MaxDuration: time.Minute}
)

// PeerResult is what RunPeers measured.
type PeerResult struct {
	Figures []Figure `json:"figures"`
	Memory  []Memory `json:"memory"`
	// PrismSettings are the flags Prism ran with for each kind (mock, proxy): the fastest
	// of the candidates, measured in the same run.
	PrismSettings map[string]string `json:"prism_settings"`
	Calibration   []string          `json:"calibration"`
}

// RunPeers installs Prism into tools with npm and measures, per API, the project's mock
// and proxy (child processes of bin, the built conformance binary, so their memory is
// theirs) against `prism mock` and `prism proxy` at Prism's fastest settings. Every
// subject gets its own fresh mock process and world; every answer's status is checked,
// and a figure with a wrong status is not reported. Problems are returned for the report,
// never swallowed.
func RunPeers(ctx context.Context, bin, tools string, log io.Writer) (*PeerResult, []string) {
	if tools == "" {
		return nil, []string{"peers: no --tools folder to install Prism into"}
	}
	fmt.Fprintf(log, "bench: npm install %s into %s\n", PrismPackage, tools)
	ictx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ictx, "npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", tools, PrismPackage).CombinedOutput(); err != nil {
		return nil, []string{fmt.Sprintf("peers: npm install %s failed, Prism not measured: %v: %s", PrismPackage, err, lastLines(out, 5))}
	}
	dir, err := os.MkdirTemp("", "conformance-peers-")
	if err != nil {
		return nil, []string{fmt.Sprintf("peers: temporary folder: %v", err)}
	}
	defer os.RemoveAll(dir)
	pr := &peerRun{ctx: ctx, bin: bin, prism: filepath.Join(tools, "node_modules", ".bin", "prism"), dir: dir, log: log}
	res := &PeerResult{PrismSettings: map[string]string{}}
	var problems []string
	if err := pr.prepare(); err != nil {
		return nil, []string{"peers: " + err.Error()}
	}
	for _, kind := range []string{"mock", "proxy"} {
		settings, lines, err := pr.calibrate(kind)
		res.Calibration = append(res.Calibration, lines...)
		if err != nil {
			problems = append(problems, fmt.Sprintf("peers: calibrating prism %s: %v", kind, err))
			continue
		}
		res.PrismSettings[kind] = strings.Join(settings, " ")
		for _, api := range pr.apis {
			fig, mem, err := pr.measure(api, kind, settings)
			res.Memory = append(res.Memory, mem...)
			if err != nil {
				problems = append(problems, fmt.Sprintf("peers %s %s: %v", api.name, kind, err))
				continue
			}
			res.Figures = append(res.Figures, fig)
		}
	}
	return res, problems
}

type peerAPI struct {
	name, specPath, prefix string
	next                   func(int) Request
	// want checks the project's servers and Prism's proxy: the status a fresh reference
	// mock gave the case. wantDocOnly checks Prism's mock, which knows the document but no
	// state (see docOnlyExpect).
	want        func(Request, int) bool
	wantDocOnly func(Request, int) bool
}

type peerRun struct {
	ctx          context.Context
	bin, prism   string
	dir, worldYA string
	log          io.Writer
	apis         []peerAPI
}

// prepare writes the specs and one world file holding enough owned ids for every valid
// backup any subject sends; each server process loads its own fresh copy.
func (pr *peerRun) prepare() error {
	c := contract.Default()
	base := mock.New(nil).Target("http://127.0.0.1")
	probe, err := NewWorkload(base, c.Constraints())
	if err != nil {
		return err
	}
	// A KooPhone-only rotation sends a valid backup every fourth request.
	perSubject := PeerSamples*oursLoad.Total + warmLoad.Total + calibrationLoad.Total*4
	scaled, err := WithPools(base, c.Constraints(), probe.ValidBackups(perSubject*len(probe.names)/4)+1, len(base.VBS.VolumeIDs))
	if err != nil {
		return err
	}
	raw, err := scaled.Marshal()
	if err != nil {
		return fmt.Errorf("world file: %w", err)
	}
	pr.worldYA = filepath.Join(pr.dir, "world.yaml")
	if err := os.WriteFile(pr.worldYA, raw, 0o600); err != nil {
		return fmt.Errorf("world file: %w", err)
	}
	wl, err := NewWorkload(scaled, c.Constraints())
	if err != nil {
		return err
	}
	world, err := mock.LoadWorld(scaled)
	if err != nil {
		return err
	}
	canned, err := Record(mock.New(world), wl)
	if err != nil {
		return err
	}
	for _, a := range []struct {
		api          specfacts.API
		file, prefix string
	}{{specfacts.KooPhone, specs.KooPhoneFile, "koophone-"}, {specfacts.VBS, specs.VBSFile, "vbs-"}} {
		raw, err := specs.Read(a.file)
		if err != nil {
			return fmt.Errorf("read spec: %w", err)
		}
		p := filepath.Join(pr.dir, a.file)
		if err := os.WriteFile(p, raw, 0o600); err != nil {
			return fmt.Errorf("write spec: %w", err)
		}
		pr.apis = append(pr.apis, peerAPI{name: string(a.api), specPath: p, prefix: a.prefix, next: wl.Only(a.prefix),
			want: Expect(canned), wantDocOnly: docOnlyExpect(c)})
	}
	return nil
}

// docOnlyExpect is what a mock that knows only the document must answer: 2xx to a request
// the contract accepts, 4xx to one it refuses, and the same status every time for a case.
// Prism's mock keeps no state, so an unknown tenant or a foreign instance is a valid
// request to it.
func docOnlyExpect(c *contract.Contract) func(Request, int) bool {
	var mu sync.Mutex
	first := map[string]int{}
	return func(r Request, status int) bool {
		req, err := httpRequestOf(r)
		if err != nil {
			return false
		}
		valid := len(c.ValidateRequest(req, r.Body)) == 0
		if valid != (status >= 200 && status < 300) || (!valid && (status < 400 || status >= 500)) {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		if s, ok := first[r.Case]; ok {
			return s == status
		}
		first[r.Case] = status
		return true
	}
}

// prismCandidates are the settings tried for Prism's fastest: each of the quietest log
// levels its CLI offers, then the quietest with its multiprocess mode ("for faster log
// processing") and with CORS handling off. Dynamic examples stay off (the default), as
// they only add work.
func (pr *peerRun) prismCandidates(kind string) ([][]string, error) {
	out, err := exec.CommandContext(pr.ctx, pr.prism, kind, "--help").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("prism %s --help: %w: %s", kind, err, lastLines(out, 5))
	}
	help := string(out)
	var levels []string
	if m := regexp.MustCompile(`(?s)--verboseLevel.*?\[choices: ([^\]]*)\]`).FindStringSubmatch(help); m != nil {
		for _, l := range strings.Split(m[1], ",") {
			l = strings.Trim(strings.TrimSpace(l), `"`)
			if l == "error" || l == "fatal" || l == "silent" {
				levels = append(levels, l)
			}
		}
	}
	if len(levels) == 0 {
		return nil, fmt.Errorf("prism %s --help names no quiet --verboseLevel: %s", kind, lastLines(out, 10))
	}
	var cands [][]string
	for _, l := range levels {
		cands = append(cands, []string{"--verboseLevel", l})
	}
	last := levels[len(levels)-1]
	if strings.Contains(help, "--multiprocess") {
		cands = append(cands, []string{"--multiprocess", "--verboseLevel", last})
	}
	if strings.Contains(help, "--cors") {
		cands = append(cands, []string{"--cors=false", "--verboseLevel", last})
	}
	return cands, nil
}

// calibrate measures each candidate setting on the VBS API (whose workload consumes no
// ids) and returns the fastest.
func (pr *peerRun) calibrate(kind string) ([]string, []string, error) {
	cands, err := pr.prismCandidates(kind)
	if err != nil {
		return nil, nil, err
	}
	api := pr.apis[len(pr.apis)-1]
	var upstream *child
	if kind == "proxy" {
		if upstream, err = pr.startMock("calibration upstream"); err != nil {
			return nil, nil, err
		}
		defer upstream.stop()
	}
	best, bestRate := []string(nil), 0.0
	var lines []string
	for _, cand := range cands {
		want := api.want
		if kind == "mock" {
			want = api.wantDocOnly
		}
		p, err := pr.startPrism(kind, api, upstream, cand)
		if err != nil {
			return nil, lines, err
		}
		warm := Load{Total: 200, Concurrency: calibrationLoad.Concurrency, MaxDuration: time.Minute}
		_, _ = Drive(pr.ctx, p.url, warm, api.next, nil)
		res, err := Drive(pr.ctx, p.url, calibrationLoad, api.next, want)
		p.stop()
		if err == nil {
			err = res.Check()
		}
		if err != nil {
			return nil, lines, fmt.Errorf("prism %s %s: %w", kind, strings.Join(cand, " "), err)
		}
		lines = append(lines, fmt.Sprintf("prism %s %s: %.0f req/s", kind, strings.Join(cand, " "), res.PerSecond()))
		fmt.Fprintf(pr.log, "bench: %s\n", lines[len(lines)-1])
		if res.PerSecond() > bestRate {
			best, bestRate = cand, res.PerSecond()
		}
	}
	return best, lines, nil
}

func (pr *peerRun) startMock(label string) (*child, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	return startChild(pr.ctx, label, port, pr.bin, "mock", "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--world", pr.worldYA, "--log", "errors")
}

func (pr *peerRun) startPrism(kind string, api peerAPI, upstream *child, settings []string) (*child, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{kind, api.specPath}
	if kind == "proxy" {
		args = append(args, upstream.url)
	}
	args = append(args, "-h", "127.0.0.1", "-p", strconv.Itoa(port))
	return startChild(pr.ctx, "prism "+kind, port, pr.prism, append(args, settings...)...)
}

// measure takes PeerSamples samples of the project's server and Prism's, alternating
// which goes first, each against its own fresh upstream where it has one.
func (pr *peerRun) measure(api peerAPI, kind string, settings []string) (Figure, []Memory, error) {
	fmt.Fprintf(pr.log, "bench: peers %s %s\n", api.name, kind)
	var ours, theirs *child
	var err error
	var oursUp, theirsUp *child
	defer func() {
		for _, c := range []*child{ours, theirs, oursUp, theirsUp} {
			if c != nil {
				c.stop()
			}
		}
	}()
	wantPrism := api.want
	if kind == "mock" {
		wantPrism = api.wantDocOnly
		if ours, err = pr.startMock("reference mock"); err != nil {
			return Figure{}, nil, err
		}
	} else {
		if oursUp, err = pr.startMock("upstream of the reference proxy"); err != nil {
			return Figure{}, nil, err
		}
		if theirsUp, err = pr.startMock("upstream of prism proxy"); err != nil {
			return Figure{}, nil, err
		}
		port, err := freePort()
		if err != nil {
			return Figure{}, nil, err
		}
		if ours, err = startChild(pr.ctx, "reference proxy", port, pr.bin, "proxy", "--upstream", oursUp.url,
			"--listen", fmt.Sprintf("127.0.0.1:%d", port), "--report-dir", filepath.Join(pr.dir, "proxy-report-"+api.name)); err != nil {
			return Figure{}, nil, err
		}
	}
	if theirs, err = pr.startPrism(kind, api, theirsUp, settings); err != nil {
		return Figure{}, nil, err
	}
	var oursRates, theirRates []float64
	oursSent, theirsSent := 0, 0
	run := func(c *child, load Load, sent *int, want func(Request, int) bool, rates *[]float64) error {
		offset := *sent
		res, err := Drive(pr.ctx, c.url, load, func(i int) Request { return api.next(offset + i) }, want)
		if err == nil {
			err = res.Check()
		}
		*sent += res.Requests + res.Failures
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		*rates = append(*rates, res.PerSecond())
		return nil
	}
	// Both are warmed up first (Prism's JIT, the kept-alive connections); the warm-up's
	// statuses are checked too but it is no sample.
	var warm []float64
	if err := run(ours, warmLoad, &oursSent, api.want, &warm); err != nil {
		return Figure{}, nil, err
	}
	if err := run(theirs, warmLoad, &theirsSent, wantPrism, &warm); err != nil {
		return Figure{}, nil, err
	}
	for s := range PeerSamples {
		steps := []func() error{
			func() error { return run(ours, oursLoad, &oursSent, api.want, &oursRates) },
			func() error { return run(theirs, prismLoad, &theirsSent, wantPrism, &theirRates) },
		}
		if s%2 == 1 {
			slices.Reverse(steps)
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return Figure{}, nil, err
			}
		}
	}
	var mem []Memory
	for _, m := range []struct {
		c    *child
		name string
	}{{ours, "reference " + kind}, {theirs, "prism " + kind + " " + strings.Join(settings, " ")}} {
		rss, hwm, err := memory(m.c.cmd.Process.Pid)
		if err != nil {
			return Figure{}, mem, err
		}
		mem = append(mem, Memory{Subject: m.name, API: api.name, RSSKiB: rss, HWMKiB: hwm})
	}
	if kind == "proxy" {
		// The proxy counts every exchange and exits 1 for the invalid requests of the
		// workload once it has drained its queue; its summary must count them all.
		code := ours.stop()
		out := ours.out.String()
		if code != 1 || !strings.Contains(out, fmt.Sprintf(" of %d exchange(s)", oursSent)) {
			return Figure{}, mem, fmt.Errorf("reference proxy exited %d after %d requests; its summary: %s", code, oursSent, lastLines([]byte(out), 3))
		}
	}
	cmp := Comparison{Group: "peers", Name: api.name + " " + kind + " req/s vs Prism", Subject: "reference " + kind, Baseline: "prism " + kind,
		Metric: "req/s", Goal: 10, Dir: AtLeast, GoalText: "≥ 10× Prism at its fastest"}
	f := Figure{Comparison: cmp, SubjectValue: Median(oursRates), BaselineValue: Median(theirRates), Samples: PeerSamples,
		Limits: "Prism runs on Node.js on the same 2 cores as the load generator and the project's servers"}
	f.Ratio = f.SubjectValue / f.BaselineValue
	f.SubjectMin, f.SubjectMax = slices.Min(oursRates), slices.Max(oursRates)
	f.BaselineMin, f.BaselineMax = slices.Min(theirRates), slices.Max(theirRates)
	f.RatioMin, f.RatioMax = f.SubjectMin/f.BaselineMax, f.SubjectMax/f.BaselineMin
	f.Status, f.Verdict = verdict(f.SubjectValue, f.Ratio, cmp)
	return f, mem, nil
}

// httpRequestOf builds the request the contract validates from a workload request.
func httpRequestOf(r Request) (*http.Request, error) {
	req, err := http.NewRequest(r.Method, "http://127.0.0.1"+r.Path, nil)
	if err != nil {
		return nil, err
	}
	req.Header = r.Header.Clone()
	return req, nil
}
