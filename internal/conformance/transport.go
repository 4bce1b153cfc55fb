package conformance

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/koobackup/conformance/internal/preflight"
	"github.com/koobackup/conformance/internal/specfacts"
)

// NoAnswerKind, NoAnswerError and its kinds are internal/preflight's: the preflight and the
// suites' exchanges describe a missing answer in the same words.
type (
	NoAnswerKind  = preflight.NoAnswerKind
	NoAnswerError = preflight.NoAnswerError
)

const (
	NoAnswerTimeout    = preflight.NoAnswerTimeout
	NoAnswerRefused    = preflight.NoAnswerRefused
	NoAnswerNotHTTP    = preflight.NoAnswerNotHTTP
	NoAnswerConnection = preflight.NoAnswerConnection
)

// classify turns an error of http.Client.Do or of the body read into a NoAnswerError.
func classify(err error, timeout time.Duration, stage string) *NoAnswerError {
	return preflight.Classify(err, timeout, stage)
}

// UnsupportedCodingError is a response whose Content-Encoding the suite cannot undo, so its
// body cannot be judged.
type UnsupportedCodingError struct{ Coding string }

func (e *UnsupportedCodingError) Error() string {
	return fmt.Sprintf("the response uses content coding %q although the request asked for identity; the suite decodes only gzip and deflate", e.Coding)
}

// BodyTooLargeError is a response body over the read bound.
type BodyTooLargeError struct{ Limit int64 }

func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("response body exceeds %d bytes; the suite stops reading there", e.Limit)
}

// roundTrip sends the request and reads the whole answer under one deadline: connecting,
// the headers and every byte of the body share the target's timeout, so a target that
// drips its body a byte at a time cannot stretch an exchange past it. It asks for the
// identity coding and still decodes gzip and deflate, because a gateway may compress
// anyway; the body is judged decoded. It neither validates nor records.
func (e *Env) roundTrip(parent context.Context, req Request) *Exchange {
	if req.Method == "" {
		req.Method = http.MethodPost
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if req.Header.Get("Accept-Encoding") == "" {
		req = req.WithHeader("Accept-Encoding", "identity")
	}
	x := &Exchange{Request: req, URL: e.baseURL(req.API) + req.Path}
	timeout := e.Target.RequestTimeout()
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, req.Method, x.URL, bytes.NewReader(req.Body))
	if err != nil {
		x.Err = fmt.Errorf("build request: %w", err)
		return x
	}
	hr.Header = req.Header.Clone()
	if len(req.Faults) > 0 {
		hr.Header.Set(specfacts.MockFaultHeader, strings.Join(req.Faults, ","))
	}
	start := time.Now()
	resp, err := e.Client.Do(hr)
	if err != nil {
		x.Elapsed = time.Since(start)
		x.Err = classify(err, timeout, "request")
		return x
	}
	defer resp.Body.Close()
	if resp.StatusCode < 100 {
		// Status 0 means "no answer" to the expectations and the evidence; a code under 100
		// is no HTTP status (RFC 9110 §15), so it is reported as an answer that is not HTTP.
		x.Elapsed = time.Since(start)
		x.Err = &NoAnswerError{Kind: NoAnswerNotHTTP, Timeout: timeout, Stage: "request",
			Err: fmt.Errorf("status line %q carries no HTTP status code (100-599)", resp.Proto+" "+resp.Status)}
		return x
	}
	x.Status, x.Header = resp.StatusCode, resp.Header
	body, err := io.ReadAll(io.LimitReader(resp.Body, e.MaxResponseBytes+1))
	x.Elapsed = time.Since(start)
	x.Body = body
	switch {
	case err != nil:
		x.Err = classify(err, timeout, "body")
		return x
	case int64(len(body)) > e.MaxResponseBytes:
		x.Err = &BodyTooLargeError{Limit: e.MaxResponseBytes}
		x.Body = body[:e.MaxResponseBytes]
		return x
	}
	x.Err = e.decode(x)
	return x
}

// decode undoes the response's content codings in place, bounded like the raw body so a
// compressed bomb cannot exhaust the suite, and drops the headers that describe the coded
// form, as net/http does when it decodes for itself.
func (e *Env) decode(x *Exchange) error {
	codings := x.Header.Values("Content-Encoding")
	var list []string
	for _, v := range codings {
		for _, c := range strings.Split(v, ",") {
			if c = strings.ToLower(strings.TrimSpace(c)); c != "" && c != "identity" {
				list = append(list, c)
			}
		}
	}
	if len(list) == 0 {
		return nil
	}
	body := x.Body
	for i := len(list) - 1; i >= 0; i-- {
		var r io.Reader
		var err error
		switch list[i] {
		case "gzip", "x-gzip":
			r, err = gzip.NewReader(bytes.NewReader(body))
		case "deflate":
			// RFC 9110 deflate is zlib-wrapped; some servers send the raw stream.
			if r, err = zlib.NewReader(bytes.NewReader(body)); err != nil {
				r, err = flate.NewReader(bytes.NewReader(body)), nil
			}
		default:
			return &UnsupportedCodingError{Coding: list[i]}
		}
		if err != nil {
			return fmt.Errorf("decoding the %s response body: %w", list[i], err)
		}
		decoded, err := io.ReadAll(io.LimitReader(r, e.MaxResponseBytes+1))
		if err != nil {
			return fmt.Errorf("decoding the %s response body: %w", list[i], err)
		}
		if int64(len(decoded)) > e.MaxResponseBytes {
			return &BodyTooLargeError{Limit: e.MaxResponseBytes}
		}
		body = decoded
	}
	x.Header = x.Header.Clone()
	x.Header.Del("Content-Encoding")
	x.Header.Del("Content-Length")
	x.Body = body
	return nil
}

// MaxNoAnswerStreak is how many exchanges in a row of one API may go unanswered in one
// process before the suite stops: one lost answer is a finding about that request, several
// in a row mean the target is gone, and every further spec would only wait out its timeout.
const MaxNoAnswerStreak = 3

// noAnswerStreak counts consecutive unanswered exchanges per API in this process.
type noAnswerStreak struct {
	mu sync.Mutex
	n  map[specfacts.API]int
}

// observe counts x and reports whether the streak of its API has reached the bound.
func (s *noAnswerStreak) observe(x *Exchange) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == nil {
		s.n = map[specfacts.API]int{}
	}
	var na *NoAnswerError
	if !errors.As(x.Err, &na) {
		s.n[x.Request.API] = 0
		return 0, false
	}
	s.n[x.Request.API]++
	return s.n[x.Request.API], s.n[x.Request.API] >= MaxNoAnswerStreak
}
