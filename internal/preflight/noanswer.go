package preflight

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"
)

// NoAnswerKind says how a target failed to answer.
type NoAnswerKind string

const (
	// NoAnswerTimeout: nothing complete came back within the request timeout (a hung
	// target, or a body that drips).
	NoAnswerTimeout NoAnswerKind = "timeout"
	// NoAnswerRefused: nothing listens at the address.
	NoAnswerRefused NoAnswerKind = "refused"
	// NoAnswerNotHTTP: something answered, but not with HTTP.
	NoAnswerNotHTTP NoAnswerKind = "not-http"
	// NoAnswerConnection: the connection failed otherwise (reset, closed, name resolution, TLS).
	NoAnswerConnection NoAnswerKind = "connection"
)

// NoAnswerError is a transport failure: the target gave no usable HTTP answer. It is the
// kind of failure that says nothing about conformance, only that the target is not there,
// so a run of them ends the suite instead of failing every spec after a timeout each.
type NoAnswerError struct {
	Kind    NoAnswerKind
	Timeout time.Duration
	// Stage is "request" (no response at all) or "body" (headers came, the body did not).
	Stage string
	Err   error
}

func (e *NoAnswerError) Error() string {
	var what string
	switch e.Kind {
	case NoAnswerTimeout:
		what = fmt.Sprintf("no complete answer within the %s request timeout (set `timeout:` in the target file)", e.Timeout)
	case NoAnswerRefused:
		what = "connection refused"
	case NoAnswerNotHTTP:
		what = "the answer is not HTTP"
	default:
		what = "transport failure"
	}
	if e.Stage == "body" {
		what = "reading the response body: " + what
	}
	return fmt.Sprintf("%s: %v", what, e.Err)
}

func (e *NoAnswerError) Unwrap() error { return e.Err }

// Summary is the short form used in the one-line unreachable message, after
// "no answer from <base URL> ".
func (e *NoAnswerError) Summary() string {
	switch e.Kind {
	case NoAnswerTimeout:
		return fmt.Sprintf("within %s", e.Timeout)
	case NoAnswerRefused:
		return "(connection refused)"
	case NoAnswerNotHTTP:
		return fmt.Sprintf("(the answer is not HTTP: %v)", e.Err)
	}
	return fmt.Sprintf("(%v)", e.Err)
}

// Classify turns an error of http.Client.Do or of the body read into a NoAnswerError.
func Classify(err error, timeout time.Duration, stage string) *NoAnswerError {
	ne := &NoAnswerError{Kind: NoAnswerConnection, Timeout: timeout, Stage: stage, Err: err}
	var te interface{ Timeout() bool }
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &te) && te.Timeout()):
		ne.Kind = NoAnswerTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		ne.Kind = NoAnswerRefused
	case isNotHTTP(err):
		ne.Kind = NoAnswerNotHTTP
	}
	return ne
}

// isNotHTTP recognises net/http's verdict on a reply that is not an HTTP response; the
// package exports no type for it, only the message.
func isNotHTTP(err error) bool {
	var oe *net.OpError
	return !errors.As(err, &oe) && strings.Contains(err.Error(), "malformed HTTP")
}
