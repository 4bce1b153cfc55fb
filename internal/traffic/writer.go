package traffic

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"

	"github.com/koobackup/conformance/internal/redact"
)

// Format is a recording format.
type Format string

// The recording formats.
const (
	NDJSON Format = "ndjson"
	HAR    Format = "har"
)

// FormatForPath picks HAR for a .har file and NDJSON otherwise, so `--record out.har` does
// what the name says.
func FormatForPath(path string) Format {
	if strings.EqualFold(filepath.Ext(path), ".har") {
		return HAR
	}
	return NDJSON
}

// Writer appends exchanges to a recording. It is safe for concurrent use. HAR entries are
// streamed one by one between a header and a footer written by Close, so a long recording
// never sits in memory.
type Writer struct {
	mu       sync.Mutex
	w        *bufio.Writer
	format   Format
	redactor *redact.Redactor
	entries  int
	closed   bool
	err      error
}

// NewWriter returns a Writer of the given format; every header and body is passed through
// red (credential headers are masked even when red is nil).
func NewWriter(w io.Writer, format Format, red *redact.Redactor) (*Writer, error) {
	switch format {
	case NDJSON, HAR:
	default:
		return nil, fmt.Errorf("recording format %q is not supported; want %q or %q", format, NDJSON, HAR)
	}
	if red == nil {
		red = redact.New()
	}
	rw := &Writer{w: bufio.NewWriter(w), format: format, redactor: red}
	if format == HAR {
		// The creator version is the HAR producer's, not a spec version; one fixed value
		// keeps recordings byte-stable.
		rw.writeString(`{"log":{"version":"1.2","creator":{"name":"koobackup-conformance-proxy","version":"1"},"entries":[` + "\n")
	}
	return rw, nil
}

// Write appends one exchange; it returns the first write error, after which the Writer
// refuses further writes.
func (rw *Writer) Write(ex Exchange) error {
	ex = Redacted(ex, rw.redactor)
	var v any = toNDJSON(ex)
	if rw.format == HAR {
		v = toHAR(ex)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode exchange: %w", err)
	}
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.closed {
		return fmt.Errorf("recording is closed")
	}
	if rw.format == HAR && rw.entries > 0 {
		rw.writeString(",\n")
	}
	rw.write(b)
	if rw.format == NDJSON {
		rw.writeString("\n")
	}
	rw.entries++
	if rw.err == nil {
		rw.err = rw.w.Flush()
	}
	if rw.err != nil {
		return fmt.Errorf("write recording: %w", rw.err)
	}
	return nil
}

// Close writes the HAR footer and flushes; it does not close the underlying writer.
func (rw *Writer) Close() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.closed {
		return rw.err
	}
	rw.closed = true
	if rw.format == HAR {
		rw.writeString("\n]}}\n")
	}
	if rw.err == nil {
		rw.err = rw.w.Flush()
	}
	if rw.err != nil {
		return fmt.Errorf("write recording: %w", rw.err)
	}
	return nil
}

func (rw *Writer) write(b []byte) {
	if rw.err == nil {
		_, rw.err = rw.w.Write(b)
	}
}

func (rw *Writer) writeString(s string) { rw.write([]byte(s)) }

// Redacted returns a copy of ex with credential headers masked and every secret of red
// removed from URLs, headers, bodies and the error text.
func Redacted(ex Exchange, red *redact.Redactor) Exchange {
	if red == nil {
		red = redact.New()
	}
	out := ex
	out.Error = red.String(ex.Error)
	out.Request.URL = red.String(ex.Request.URL)
	out.Request.Header = red.Header(ex.Request.Header)
	out.Request.Body = red.Bytes(ex.Request.Body)
	if ex.Response != nil {
		r := *ex.Response
		r.Header = red.Header(r.Header)
		r.Body = red.Bytes(r.Body)
		out.Response = &r
	}
	return out
}
