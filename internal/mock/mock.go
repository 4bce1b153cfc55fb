package mock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/target"
)

// MaxBodyBytes is the mock's request size limit; a larger body is a request error
// (koophone-oversized-body-status, vbs-oversized-body-status), never a 5xx or a hang.
const MaxBodyBytes = 1 << 20

// Mock serves both APIs over one World. It is safe for concurrent use.
type Mock struct {
	world     *World
	contract  *contract.Contract
	cons      contract.Constraints
	log       *slog.Logger
	redactor  *redact.Redactor
	lenient   bool
	faults    map[string]bool
	injected  []Injection
	vbsPrefix string // PathTemplate up to {project_id}
	vbsSuffix string // PathTemplate after {project_id}

	startWorld *World // WithWorld, read by Start only

	// beforeServe, nil outside tests, runs inside the recovery of ServeHTTP so a test can
	// prove that a bug's panic becomes the API's internal error.
	beforeServe func(*http.Request)
}

// Option configures a Mock.
type Option func(*Mock)

// WithLogger sets the access log (accesslog.go): a record per request at Info, server
// errors at Error, tokens redacted; the logger's level picks which are kept
// (NewAccessLogger). Without it the mock logs nothing.
func WithLogger(l *slog.Logger) Option { return func(m *Mock) { m.log = l } }

// WithFault switches on a planted fault of the catalog (faults.go). New panics on a name
// that is not in the catalog: that is a programming error, and CheckFault lets a command
// line refuse it first.
func WithFault(name string) Option {
	return func(m *Mock) {
		if err := CheckFault(name); err != nil {
			panic(fmt.Sprintf("mock.WithFault: %v", err))
		}
		m.faults[name] = true
	}
}

// WithLenient makes the mock take, for every register entry with more than one legitimate
// reading, a reading other than the strict one (Readings[...].Lenient).
func WithLenient() Option { return func(m *Mock) { m.lenient = true } }

// WithInjectedFaults applies the injections to every request, as the fault header does for
// one.
func WithInjectedFaults(in ...Injection) Option {
	return func(m *Mock) { m.injected = append(m.injected, in...) }
}

// New returns a mock serving w. A nil w is replaced by a fresh default world.
func New(w *World, opts ...Option) *Mock {
	if w == nil {
		var err error
		if w, err = DefaultWorld(); err != nil {
			// The default world is embedded and checked by the tests; failing here means
			// the binary itself is broken.
			panic(fmt.Errorf("%w: %w", errNoWorld, err))
		}
	}
	c := contract.Default()
	m := &Mock{
		world:    w,
		contract: c,
		cons:     c.Constraints(),
		log:      slog.New(slog.DiscardHandler),
		faults:   map[string]bool{},
	}
	for _, o := range opts {
		o(m)
	}
	secrets := append(w.desc.Tokens(), w.foreignToken)
	m.redactor = redact.New(secrets...)
	tmpl := m.cons.VBS.PathTemplate
	if i := strings.Index(tmpl, "{"); i >= 0 {
		m.vbsPrefix = tmpl[:i]
		if j := strings.Index(tmpl[i:], "}"); j >= 0 {
			m.vbsSuffix = tmpl[i+j+1:]
		}
	}
	return m
}

// World returns the state the mock serves, for tests that check transitions.
func (m *Mock) World() *World { return m.world }

// Target returns a target file describing this mock served at baseURL: the world's ids and
// tokens, mutating allowed, and fault_injection on since the mock honours the fault header.
func (m *Mock) Target(baseURL string) *target.Target {
	d := m.world.desc
	t := d
	t.Warnings = nil
	t.AllowMutating = true
	t.FaultInjection = true
	if m.lenient {
		t.Name = "reference-mock-lenient"
	} else if t.Name == "" {
		t.Name = "reference-mock"
	}
	base := strings.TrimRight(baseURL, "/")
	if d.KooPhone != nil {
		k := *d.KooPhone
		k.BaseURL = base
		k.OwnedInstanceIDs = append([]string(nil), k.OwnedInstanceIDs...)
		k.ForeignInstanceIDs = append([]string(nil), k.ForeignInstanceIDs...)
		t.KooPhone = &k
	}
	if d.VBS != nil {
		v := *d.VBS
		v.BaseURL = base
		v.VolumeIDs = append([]string(nil), v.VolumeIDs...)
		v.UnknownVolumeIDs = append([]string(nil), v.UnknownVolumeIDs...)
		t.VBS = &v
	}
	t.Secrets = append([]string(nil), d.Secrets...)
	return &t
}

// api says which of the two APIs a path belongs to; the envelope of 405, 500 and fault
// header errors follows it.
type api int

const (
	apiNone api = iota
	apiKooPhone
	apiVBS
)

// ServeHTTP routes, applies injected faults, and recovers panics into the API's internal
// error. Panics are bugs: no client input is meant to reach that path (the fuzz tests
// check it).
func (m *Mock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w}
	which, projectID := m.route(r.URL.Path)
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				m.logRequest(r, http.StatusInternalServerError, start, "connection dropped")
				panic(p)
			}
			m.log.Error("panic serving request", "method", r.Method, "path", m.redactor.String(r.URL.Path), "panic", m.redactor.String(fmt.Sprint(p)))
			if !rec.wroteHeader {
				m.internalError(rec, which, "internal error")
			}
		}
		m.logRequest(r, rec.status, start, "")
	}()

	if m.beforeServe != nil {
		m.beforeServe(r)
	}
	if which == apiNone {
		writeJSON(rec, http.StatusNotFound, mockEnvelope(mockCodeNoSuchPath,
			fmt.Sprintf("no operation at %s; this mock serves %s %s and %s %s", m.redactor.String(r.URL.Path),
				m.cons.KooPhone.Method, m.cons.KooPhone.Path, m.cons.VBS.Method, m.cons.VBS.PathTemplate)))
		return
	}
	method := m.cons.KooPhone.Method
	if which == apiVBS {
		method = m.cons.VBS.Method
	}
	if r.Method != method {
		rec.Header().Set("Allow", method)
		msg := fmt.Sprintf("method %s is not allowed on this path; use %s", r.Method, method)
		if which == apiKooPhone {
			m.kooPhoneError(rec, "parameter-incorrect", http.StatusMethodNotAllowed, msg)
		} else {
			m.vbsError(rec, http.StatusMethodNotAllowed, VBSCodeMethodNotAllowed, msg)
		}
		return
	}
	if !m.applyInjections(rec, r, which) {
		return
	}
	if which == apiKooPhone {
		m.serveKooPhone(rec, r)
	} else {
		m.serveVBS(rec, r, projectID)
	}
}

// route matches the two operation paths; the VBS project id is one non-empty segment.
func (m *Mock) route(path string) (api, string) {
	if path == m.cons.KooPhone.Path {
		return apiKooPhone, ""
	}
	if m.vbsPrefix != "" && strings.HasPrefix(path, m.vbsPrefix) && strings.HasSuffix(path, m.vbsSuffix) &&
		len(path) > len(m.vbsPrefix)+len(m.vbsSuffix) {
		id := path[len(m.vbsPrefix) : len(path)-len(m.vbsSuffix)]
		if id != "" && !strings.Contains(id, "/") {
			return apiVBS, id
		}
	}
	return apiNone, ""
}

// applyInjections honours WithInjectedFaults and the fault header, after routing and before
// anything reads the body or touches the world. It reports whether to go on.
func (m *Mock) applyInjections(w http.ResponseWriter, r *http.Request, which api) bool {
	list := m.injected
	if v := r.Header.Get(FaultHeader); v != "" {
		parsed, err := ParseInjections(v)
		if err != nil {
			m.requestError(w, which, err.Error())
			return false
		}
		list = append(append([]Injection(nil), list...), parsed...)
	}
	for _, in := range list {
		if in.kind == injectLatency {
			t := time.NewTimer(in.latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return false
			}
		}
	}
	for _, in := range list {
		if in.kind == injectDropConnection {
			dropConnection(w)
			return false
		}
	}
	for _, in := range list {
		if in.kind == injectInternalError {
			m.internalError(w, which, "internal error injected by "+FaultHeader)
			return false
		}
	}
	return true
}

// dropConnection closes the connection without writing anything. Where the writer cannot
// be hijacked (HTTP/2, recorders) it aborts the handler, which net/http turns into a reset.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// requestError answers a request error in the envelope of the API the path belongs to.
func (m *Mock) requestError(w http.ResponseWriter, which api, msg string) {
	switch which {
	case apiKooPhone:
		m.kooPhoneError(w, "parameter-incorrect", 0, msg)
	case apiVBS:
		m.vbsError(w, http.StatusBadRequest, VBSCodeBadRequest, msg)
	default:
		writeJSON(w, http.StatusBadRequest, mockEnvelope(mockCodeBadRequest, msg))
	}
}

func (m *Mock) internalError(w http.ResponseWriter, which api, msg string) {
	switch which {
	case apiKooPhone:
		m.kooPhoneError(w, "internal-error", 0, msg)
	case apiVBS:
		m.vbsError(w, http.StatusInternalServerError, VBSCodeInternal, msg)
	default:
		writeJSON(w, http.StatusInternalServerError, mockEnvelope(mockCodeInternal, msg))
	}
}

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

// readBody reads at most MaxBodyBytes. tooLarge reports a body over the limit; err any other
// failure to read (a client that went away).
func readBody(w http.ResponseWriter, r *http.Request) (body []byte, tooLarge bool, err error) {
	if r.Body == nil {
		return nil, false, nil
	}
	body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
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

type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status = code
		s.wroteHeader = true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if !s.wroteHeader {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (drop-connection).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
