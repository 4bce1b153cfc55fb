package mock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/koobackup/conformance/internal/specfacts"
)

// MaxBodyBytes is the mock's request size limit; a larger body is a request error
// (koophone-oversized-body-status, vbs-oversized-body-status), never a 5xx or a hang.
const MaxBodyBytes = specfacts.RequestBodyLimit

// Codes of answers that belong to neither API (unknown paths).
const (
	mockCodeNoSuchPath = "MOCK.0404"
	mockCodeBadRequest = "MOCK.0400"
	mockCodeInternal   = "MOCK.0500"
)

type envelopeBody struct {
	Error envelopeError `json:"error"`
}

type envelopeError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func mockEnvelope(code, msg string) envelopeBody {
	return envelopeBody{Error: envelopeError{Code: code, Message: msg}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONAs(w, status, "application/json", v)
}

var responseBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func writeJSONAs(w http.ResponseWriter, status int, contentType string, v any) {
	// Encoding into a pooled buffer, then one write: the same bytes as json.Marshal plus a
	// newline, without the copies.
	buf := responseBuffers.Get().(*bytes.Buffer)
	defer func() { buf.Reset(); responseBuffers.Put(buf) }()
	enc := json.NewEncoder(buf)
	if err := enc.Encode(v); err != nil {
		// Every value written is built from strings and slices; a failure here is a bug.
		panic(fmt.Errorf("encode response: %w", err))
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// readAll reads r to its end as io.ReadAll does, into a buffer sized from the request's
// Content-Length (capped just above limit, so a false length cannot make it allocate more)
// instead of one grown step by step: growing copies a megabyte body many times over, and
// under the race detector the tests run the mock with, that alone takes a quarter of a
// second per oversized request. Without a length (a chunked body) it grows as io.ReadAll.
func readAll(r io.Reader, contentLength, limit int64) ([]byte, error) {
	size := int64(512)
	if contentLength > 0 {
		// One byte more than the body (or than limit+1, where a limiting reader stops), so
		// that the read which finds the end needs no room of its own.
		size = min(contentLength, limit+1) + 1
	}
	b := make([]byte, 0, size)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// readBody reads at most limit bytes. tooLarge reports a body over the limit; err any other
// failure to read (a client that went away).
func readBody(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, tooLarge bool, err error) {
	if r.Body == nil {
		return nil, false, nil
	}
	body, err = readAll(http.MaxBytesReader(w, r.Body, limit), r.ContentLength, limit)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read request body: %w", err)
	}
	return body, false, nil
}

// isJSONMediaType accepts application/json with any parameters (charset=utf-8 …).
func isJSONMediaType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && strings.EqualFold(mt, "application/json")
}

// jsonKind names the JSON type of a decoded value for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// decodeObject parses body as exactly one JSON object.
func decodeObject(body []byte) (map[string]any, string) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, "body: is empty, a JSON object is required"
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, "body: is not valid JSON: " + err.Error()
	}
	if dec.More() {
		return nil, "body: carries data after the JSON value"
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, "body: carries data after the JSON value"
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Sprintf("body: must be a JSON object, got %s", jsonKind(v))
	}
	return obj, ""
}
