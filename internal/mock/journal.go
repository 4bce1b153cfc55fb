package mock

import (
	"bufio"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/traffic"
)

// The journal keeps the last API exchanges the mock served, for GET /__mock/requests. It is
// bounded twice — in entries (oldest dropped first, and counted) and in body bytes per
// entry — so a long-running mock's memory stays flat. Bodies are copied on the way
// through; validation and redaction wait until someone reads the journal, so serving a
// request costs two bounded copies and nothing more.

// DefaultJournalSize is how many exchanges the journal keeps.
const DefaultJournalSize = 1000

// journalBodyLimit bounds each recorded body. A valid request of either API is a few KiB
// (100 ids of 32 characters); a larger body is recorded truncated and reported as
// oversized.
const journalBodyLimit = 16 << 10

// WithJournalSize sets how many exchanges the journal keeps; 0 switches it off.
func WithJournalSize(n int) Option {
	return func(m *Mock) {
		if n <= 0 {
			m.ext.journal.off = true
			return
		}
		m.ext.journal.size = n
	}
}

type journal struct {
	mu      sync.Mutex
	off     bool
	size    int
	entries []journalRecord // ring buffer once full
	next    int             // index of the oldest entry when full
	seq     int64
	dropped int64
}

type journalRecord struct {
	seq int64
	ex  traffic.Exchange
}

func (j *journal) add(ex traffic.Exchange) {
	j.mu.Lock()
	defer j.mu.Unlock()
	size := j.size
	if size <= 0 {
		size = DefaultJournalSize
	}
	j.seq++
	rec := journalRecord{seq: j.seq, ex: ex}
	if len(j.entries) < size {
		j.entries = append(j.entries, rec)
		return
	}
	j.entries[j.next] = rec
	j.next = (j.next + 1) % len(j.entries)
	j.dropped++
}

// snapshot returns the records after since, oldest first.
func (j *journal) snapshot(since int64) ([]journalRecord, int64, int64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]journalRecord, 0, len(j.entries))
	for i := range j.entries {
		r := j.entries[(j.next+i)%len(j.entries)]
		if r.seq > since {
			out = append(out, r)
		}
	}
	return out, j.dropped, j.seq
}

// clear empties the journal; sequence numbers keep growing so that a client holding a
// `since` from before a reset never sees an old number again.
func (j *journal) clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries, j.next, j.dropped = nil, 0, 0
}

// Journal is the answer of GET /__mock/requests.
type Journal struct {
	// Requests are the recorded exchanges, oldest first.
	Requests []JournalEntry `json:"requests"`
	// Dropped counts exchanges that fell out of the bounded journal since the last reset.
	Dropped int64 `json:"dropped"`
	// LastSeq is the newest sequence number; pass it as ?since= to see only later calls.
	LastSeq int64 `json:"last_seq"`
}

// JournalEntry is one exchange with its contract violations; tokens are masked.
type JournalEntry struct {
	Seq        int64               `json:"seq"`
	Time       time.Time           `json:"time"`
	DurationMS float64             `json:"duration_ms"`
	Request    JournalMessage      `json:"request"`
	Response   *JournalMessage     `json:"response,omitempty"`
	Error      string              `json:"error,omitempty"`
	Violations contract.Violations `json:"violations"`
}

// JournalMessage is one side of an exchange. Status is set on responses only.
type JournalMessage struct {
	Method  string      `json:"method,omitempty"`
	URL     string      `json:"url,omitempty"`
	Status  int         `json:"status,omitempty"`
	Headers http.Header `json:"headers"`
	// Body is the text of the body, or its base64 when it is not UTF-8 (BodyEncoding says).
	Body         string `json:"body"`
	BodyEncoding string `json:"body_encoding,omitempty"`
	Size         int64  `json:"size"`
	Truncated    bool   `json:"truncated,omitempty"`
}

// Journal returns the exchanges recorded after since (a sequence number, 0 for all),
// validated against the contract and with every token masked; onlyViolating keeps those
// with at least one violation.
func (m *Mock) Journal(since int64, onlyViolating bool) Journal {
	recs, dropped, last := m.ext.journal.snapshot(since)
	out := Journal{Requests: make([]JournalEntry, 0, len(recs)), Dropped: dropped, LastSeq: last}
	for _, r := range recs {
		vs := traffic.Check(m.contract, r.ex)
		if onlyViolating && len(vs) == 0 {
			continue
		}
		for i := range vs {
			vs[i].Message = m.redactor.String(vs[i].Message)
			vs[i].Reason = m.redactor.String(vs[i].Reason)
		}
		if vs == nil {
			vs = contract.Violations{}
		}
		ex := traffic.Redacted(r.ex, m.redactor)
		e := JournalEntry{
			Seq:        r.seq,
			Time:       ex.Start.UTC(),
			DurationMS: float64(ex.Duration.Microseconds()) / 1000,
			Error:      ex.Error,
			Violations: vs,
		}
		e.Request = journalMessage(ex.Request.Header, ex.Request.Body, ex.Request.Size, ex.Request.Truncated)
		e.Request.Method, e.Request.URL = ex.Request.Method, ex.Request.URL
		if ex.Response != nil {
			resp := journalMessage(ex.Response.Header, ex.Response.Body, ex.Response.Size, ex.Response.Truncated)
			resp.Status = ex.Response.Status
			e.Response = &resp
		}
		out.Requests = append(out.Requests, e)
	}
	return out
}

func journalMessage(h http.Header, body []byte, size int64, truncated bool) JournalMessage {
	msg := JournalMessage{Headers: h, Size: size, Truncated: truncated}
	if msg.Headers == nil {
		msg.Headers = http.Header{}
	}
	if utf8.Valid(body) {
		msg.Body = string(body)
	} else {
		msg.Body, msg.BodyEncoding = base64.StdEncoding.EncodeToString(body), "base64"
	}
	return msg
}

// serveJournaled serves an API request and records it. The record is made in a deferred
// call so that a dropped connection (the fault header's panic) is recorded too.
func (m *Mock) serveJournaled(w http.ResponseWriter, r *http.Request) {
	if m.ext.journal.off {
		m.serveAPI(w, r)
		return
	}
	start := time.Now()
	reqBody := &boundedBuffer{limit: journalBodyLimit}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = &teeBody{ReadCloser: r.Body, copy: reqBody}
	}
	cw := &captureWriter{ResponseWriter: w, body: boundedBuffer{limit: journalBodyLimit}}
	reqHeader := r.Header.Clone()
	defer func() {
		ex := traffic.Exchange{
			Start:    start,
			Duration: time.Since(start),
			Request: traffic.Request{Method: r.Method, URL: r.URL.RequestURI(), Header: reqHeader,
				Body: reqBody.buf, Size: reqBody.total, Truncated: reqBody.total > int64(len(reqBody.buf))},
		}
		if cw.status != 0 {
			ex.Response = &traffic.Response{Status: cw.status, Header: cw.Header().Clone(), Body: cw.body.buf,
				Size: cw.body.total, Truncated: cw.body.total > int64(len(cw.body.buf))}
		} else {
			ex.Error, ex.ErrorKind = "the mock dropped the connection without answering", traffic.ErrorMalformedResponse
		}
		m.ext.journal.add(ex)
	}()
	m.serveAPI(cw, r)
}

// boundedBuffer keeps the first limit bytes written and counts them all.
type boundedBuffer struct {
	limit int
	buf   []byte
	total int64
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	b.total += int64(len(p))
	if room := b.limit - len(b.buf); room > 0 {
		if len(p) < room {
			room = len(p)
		}
		b.buf = append(b.buf, p[:room]...)
	}
	return len(p), nil
}

type teeBody struct {
	io.ReadCloser
	copy *boundedBuffer
}

func (t *teeBody) Read(p []byte) (int, error) {
	n, err := t.ReadCloser.Read(p)
	_, _ = t.copy.Write(p[:n])
	return n, err
}

// captureWriter records the status and a bounded copy of the body; Unwrap and Hijack keep
// the fault header's dropped connection working through it.
type captureWriter struct {
	http.ResponseWriter
	status int
	body   boundedBuffer
}

func (c *captureWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *captureWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	_, _ = c.body.Write(p)
	return c.ResponseWriter.Write(p)
}

func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *captureWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := c.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("mock: the response writer cannot be hijacked")
	}
	return h.Hijack()
}
