package traffic

import (
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/koobackup/conformance/internal/runrecord"
)

// Exchange is one request and, when the upstream answered, its response.
type Exchange struct {
	Start    time.Time
	Duration time.Duration
	Request  Request
	// Response is nil when no response was received (upstream down, timeout, client gone).
	Response *Response
	// Error says why there is no complete response; empty when the exchange completed.
	Error string
	// ErrorKind classifies Error so that an offline check reaches the proxy's verdict.
	ErrorKind ErrorKind
}

// ErrorKind says why an exchange has no response.
type ErrorKind string

// The kinds of incomplete exchanges. Only a malformed response is the upstream's fault
// under the contract; the others are reported as run failures, not violations, because
// nothing was checked.
const (
	ErrorUpstreamUnreachable ErrorKind = "upstream-unreachable"
	ErrorUpstreamTimeout     ErrorKind = "upstream-timeout"
	ErrorMalformedResponse   ErrorKind = "malformed-response"
	ErrorClientGone          ErrorKind = "client-gone"
	// ErrorRejected marks a request the proxy answered itself (reject mode).
	ErrorRejected ErrorKind = "rejected"
)

// Request is the recorded side of what the client sent.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Size is the full size of the body in bytes, which exceeds len(Body) when Truncated.
	Size int64
	// Truncated says Body holds only the first bytes because the body was larger than the
	// recorder's limit; such a body cannot be validated.
	Truncated bool
}

// Response is the recorded side of what the upstream answered.
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte
	Size      int64
	Truncated bool
}

// ExcerptLimit bounds the body excerpts placed in reports: the run's one excerpt size.
const ExcerptLimit = runrecord.ExcerptBytes

// Excerpt returns at most limit bytes of body as text, cut on a rune boundary and marked
// when cut, so that evidence stays small and valid UTF-8.
func Excerpt(body []byte, limit int) string {
	if len(body) <= limit {
		return string(body)
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(body[cut]) {
		cut--
	}
	return string(body[:cut]) + "…(truncated)"
}
