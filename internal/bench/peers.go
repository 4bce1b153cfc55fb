package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/proxy"
	"github.com/koobackup/conformance/specs"
)

// PrismPackage is the peer the --peers run measures against.
const PrismPackage = "@stoplight/prism-cli"

// peerLoad is the load each peer measurement drives.
var peerLoad = Load{Total: 2000, Concurrency: 8, MaxDuration: 2 * time.Minute}

// RunPeers installs Prism into tools with npm, serves each spec with `prism mock` and
// `prism proxy` (in front of the reference mock), drives the same load at them and at the
// reference mock and proxy, and returns the ratios. Every failure is returned as a problem
// for the report, never swallowed.
func RunPeers(ctx context.Context, tools string, log io.Writer) ([]Figure, []string) {
	if tools == "" {
		return nil, []string{"peers: no --tools folder to install Prism into"}
	}
	fmt.Fprintf(log, "bench: npm install %s into %s\n", PrismPackage, tools)
	ictx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ictx, "npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", tools, PrismPackage).CombinedOutput(); err != nil {
		return nil, []string{fmt.Sprintf("peers: npm install %s failed, Prism not measured: %v: %s", PrismPackage, err, lastLines(out, 5))}
	}
	prism := filepath.Join(tools, "node_modules", ".bin", "prism")
	var figs []Figure
	var problems []string
	for _, api := range []struct {
		name   contract.API
		file   string
		prefix string
	}{{contract.KooPhone, specs.KooPhoneFile, "koophone-"}, {contract.VBS, specs.VBSFile, "vbs-"}} {
		f, err := peerAPI(ctx, prism, string(api.name), api.file, api.prefix)
		figs = append(figs, f...)
		if err != nil {
			problems = append(problems, fmt.Sprintf("peers %s: %v", api.name, err))
		}
	}
	return figs, problems
}

func peerAPI(ctx context.Context, prism, api, file, prefix string) ([]Figure, error) {
	raw, err := specs.Read(file)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	dir, err := os.MkdirTemp("", "conformance-prism-")
	if err != nil {
		return nil, fmt.Errorf("temporary folder: %w", err)
	}
	defer os.RemoveAll(dir)
	specPath := filepath.Join(dir, file)
	if err := os.WriteFile(specPath, raw, 0o600); err != nil {
		return nil, fmt.Errorf("write spec: %w", err)
	}
	c := contract.Default().Constraints()
	base := mock.New(nil).Target("http://127.0.0.1")
	scaled, err := WithPools(base, c, peerLoad.Total+1, len(base.VBS.VolumeIDs))
	if err != nil {
		return nil, err
	}
	wl, err := NewWorkload(scaled, c)
	if err != nil {
		return nil, err
	}
	next := wl.Only(prefix)
	measure := func(url string) (float64, error) {
		res, err := Drive(ctx, url, peerLoad, next, nil)
		if err != nil {
			return 0, err
		}
		if res.Failures > 0 || res.Requests == 0 {
			return 0, fmt.Errorf("%d transport failures in %d requests: %s", res.Failures, res.Requests, res.FirstError)
		}
		return res.PerSecond(), nil
	}
	world, err := mock.LoadWorld(scaled)
	if err != nil {
		return nil, err
	}
	ours := httptest.NewServer(mock.New(world))
	defer ours.Close()
	upWorld, err := mock.LoadWorld(scaled)
	if err != nil {
		return nil, err
	}
	upstream := httptest.NewServer(mock.New(upWorld))
	defer upstream.Close()
	upURL, err := url.Parse(upstream.URL)
	if err != nil {
		return nil, err
	}
	p := proxy.New(upURL)
	defer p.Close()
	ourProxy := httptest.NewServer(p)
	defer ourProxy.Close()

	var figs []Figure
	for _, kind := range []struct{ name, ours string }{{"mock", ours.URL}, {"proxy", ourProxy.URL}} {
		args := []string{"mock", specPath}
		if kind.name == "proxy" {
			args = []string{"proxy", specPath, upstream.URL}
		}
		prismURL, stop, err := startPrism(ctx, prism, args)
		if err != nil {
			return figs, fmt.Errorf("prism %s: %w", kind.name, err)
		}
		theirs, err := measure(prismURL)
		stop()
		if err != nil {
			return figs, fmt.Errorf("load on prism %s: %w", kind.name, err)
		}
		mine, err := measure(kind.ours)
		if err != nil {
			return figs, fmt.Errorf("load on the reference %s: %w", kind.name, err)
		}
		cmp := Comparison{Group: "peers", Name: api + " " + kind.name + " req/s vs Prism", Subject: "reference " + kind.name, Baseline: "prism " + kind.name,
			Metric: "req/s", Goal: 10, Dir: AtLeast, GoalText: "≥ 10× Prism"}
		f := Figure{Comparison: cmp, SubjectValue: mine, BaselineValue: theirs, Ratio: mine / theirs,
			Limits: "Prism runs on Node.js on the same 2 cores as the load generator"}
		f.Status, f.Verdict = verdict(f.Ratio, cmp)
		figs = append(figs, f)
	}
	return figs, nil
}

// startPrism runs prism with args on a free loopback port and waits until it accepts
// connections; stop ends that process only.
func startPrism(ctx context.Context, prism string, args []string) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("find a free port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.CommandContext(ctx, prism, append(args, "-h", "127.0.0.1", "-p", fmt.Sprint(port))...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start: %w", err)
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return "http://" + addr, stop, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	stop()
	return "", nil, fmt.Errorf("did not listen on %s within 90s", addr)
}
