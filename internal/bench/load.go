package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Request is one request of a workload, sent relative to the server's base URL.
type Request struct {
	// Case names the kind of request (e.g. koophone-valid); the ceiling answers by it.
	Case   string
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// CaseHeader carries the request's Case so that the ceiling handler can answer with the
// bytes the mock gave that case; the mock ignores it.
const CaseHeader = "X-Bench-Case"

// LoadResult is what one Drive measured.
type LoadResult struct {
	Requests int
	// Failures are transport errors (no response); Unexpected are responses whose status is
	// not the one the workload expects for the case.
	Failures   int
	Unexpected int
	FirstError string
	Elapsed    time.Duration
	// Latencies of every completed request, sorted ascending.
	Latencies []time.Duration
}

// PerSecond is completed requests per second of wall time.
func (r LoadResult) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Percentile returns the latency below which the fraction p (0..1) of requests completed,
// by the nearest-rank method; zero when nothing completed.
func (r LoadResult) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	rank := int(p*float64(len(r.Latencies))+0.999999) - 1
	rank = max(0, min(rank, len(r.Latencies)-1))
	return r.Latencies[rank]
}

// LoopbackError refuses to put load on anything but the local machine.
type LoopbackError struct{ URL string }

func (e *LoopbackError) Error() string {
	return fmt.Sprintf("bench: %s is not a 127.0.0.1 URL; load is only driven over loopback", e.URL)
}

// Load says how much load Drive puts on a server.
type Load struct {
	// Total requests to send; Drive stops earlier when MaxDuration passes or ctx ends.
	Total       int
	Concurrency int
	MaxDuration time.Duration
}

// Drive sends load.Total requests, taken in turn from next, to base with load.Concurrency
// keep-alive clients, and measures throughput and latency. want(i, status) says whether a
// status is the expected answer to the i-th request; nil accepts every status.
func Drive(ctx context.Context, base string, load Load, next func(i int) Request, want func(req Request, status int) bool) (LoadResult, error) {
	u, err := url.Parse(base)
	if err != nil || u.Hostname() != "127.0.0.1" {
		return LoadResult{}, &LoopbackError{URL: base}
	}
	if load.Total <= 0 || load.Concurrency <= 0 {
		return LoadResult{}, fmt.Errorf("bench: load needs a positive total and concurrency, got %d and %d", load.Total, load.Concurrency)
	}
	if load.MaxDuration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, load.MaxDuration)
		defer cancel()
	}
	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        load.Concurrency,
		MaxIdleConnsPerHost: load.Concurrency,
		MaxConnsPerHost:     load.Concurrency,
		IdleConnTimeout:     30 * time.Second,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}

	var (
		issued     atomic.Int64
		mu         sync.Mutex
		res        = LoadResult{Latencies: make([]time.Duration, 0, load.Total)}
		wg         sync.WaitGroup
		firstError error
	)
	start := time.Now()
	for range min(load.Concurrency, load.Total) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, load.Total/load.Concurrency+1)
			failures, unexpected := 0, 0
			var werr error
			for ctx.Err() == nil {
				i := int(issued.Add(1)) - 1
				if i >= load.Total {
					break
				}
				req := next(i)
				t0 := time.Now()
				status, err := send(ctx, client, base, req)
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					failures++
					werr = cmp(werr, err)
					continue
				}
				lat = append(lat, time.Since(t0))
				if want != nil && !want(req, status) {
					unexpected++
					werr = cmp(werr, fmt.Errorf("%s: unexpected status %d", req.Case, status))
				}
			}
			mu.Lock()
			res.Latencies = append(res.Latencies, lat...)
			res.Failures += failures
			res.Unexpected += unexpected
			if firstError == nil {
				firstError = werr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.Requests = len(res.Latencies)
	slices.Sort(res.Latencies)
	if firstError != nil {
		res.FirstError = firstError.Error()
	}
	return res, nil
}

func cmp(have, err error) error {
	if have != nil {
		return have
	}
	return err
}

func send(ctx context.Context, client *http.Client, base string, r Request) (int, error) {
	req, err := http.NewRequestWithContext(ctx, r.Method, base+r.Path, bytes.NewReader(r.Body))
	if err != nil {
		return 0, fmt.Errorf("build %s request: %w", r.Case, err)
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	req.Header.Set(CaseHeader, r.Case)
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("send %s request: %w", r.Case, err)
	}
	defer resp.Body.Close()
	// Reading the whole body is part of the exchange and keeps the connection reusable.
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, fmt.Errorf("read %s response: %w", r.Case, err)
	}
	return resp.StatusCode, nil
}

// ErrNoRequests is returned when a load run completed nothing.
var ErrNoRequests = errors.New("bench: no request completed")

// Check turns a result with failures or unexpected answers into an error naming the first
// one, so a benchmark fails instead of reporting a figure for the wrong work.
func (r LoadResult) Check() error {
	if r.Failures > 0 || r.Unexpected > 0 {
		return fmt.Errorf("bench: %d transport failures and %d unexpected statuses in %d requests; first: %s",
			r.Failures, r.Unexpected, r.Requests+r.Failures, r.FirstError)
	}
	if r.Requests == 0 {
		return ErrNoRequests
	}
	return nil
}
