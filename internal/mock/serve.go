package mock

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/koobackup/conformance/internal/specfacts"
)

// noAPI is the route of a path that belongs to neither API; the envelope of 405, 500 and
// injected-failure errors follows the API a path belongs to, the mock's own for noAPI.
const noAPI specfacts.API = ""

// serveAPI routes, hands the request to m.serve, and recovers panics into the API's internal
// error. On the reference a panic is a bug: no client input is meant to reach that path (the
// fuzz tests check it).
func (m *Mock) serveAPI(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w}
	which, projectID := m.route(r.URL.Path)
	r, injected := withInjectedNote(r)
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				m.logRequest(r, http.StatusInternalServerError, start, "connection dropped", injected.failure)
				panic(p)
			}
			m.log.Error("panic serving request", "method", r.Method, "path", m.redactor.String(r.URL.Path), "panic", m.redactor.String(fmt.Sprint(p)))
			if !rec.wroteHeader {
				m.internalError(rec, which, "internal error")
			}
		}
		m.logRequest(r, rec.status, start, "", injected.failure)
	}()

	if m.beforeServe != nil {
		m.beforeServe(r)
	}
	if which == noAPI {
		writeJSON(rec, http.StatusNotFound, mockEnvelope(mockCodeNoSuchPath,
			fmt.Sprintf("no operation at %s; this mock serves %s %s and %s %s", m.redactor.String(r.URL.Path),
				m.cons.KooPhone.Method, m.cons.KooPhone.Path, m.cons.VBS.Method, m.cons.VBS.PathTemplate)))
		return
	}
	m.serve(rec, r, which, projectID)
}

// serveReference is the specification: the method, injected failures, then the API's
// handler. The method is part of it, so that whatever wraps the reference sees requests of
// every method.
func (m *Mock) serveReference(w http.ResponseWriter, r *http.Request, which specfacts.API, projectID string) {
	method := m.cons.KooPhone.Method
	if which == specfacts.VBS {
		method = m.cons.VBS.Method
	}
	if r.Method != method {
		w.Header().Set("Allow", method)
		msg := fmt.Sprintf("method %s is not allowed on this path; use %s", r.Method, method)
		if which == specfacts.KooPhone {
			m.kooPhoneError(w, specfacts.CodeParameterIncorrect, http.StatusMethodNotAllowed, msg)
		} else {
			// vbs-method-not-allowed.
			status, code := m.vbsOtherMethodStatus()
			m.vbsError(w, status, code, msg)
		}
		return
	}
	if !m.applyInjectedFailures(w, r, which) {
		return
	}
	if which == specfacts.KooPhone {
		m.serveKooPhone(w, r)
	} else {
		m.serveVBS(w, r, projectID)
	}
}

// route matches the two operation paths; the VBS project id is one segment, which may be
// empty (vbs-empty-project-id decides what that gets).
func (m *Mock) route(path string) (specfacts.API, string) {
	if path == m.cons.KooPhone.Path {
		return specfacts.KooPhone, ""
	}
	if m.vbsPrefix != "" && strings.HasPrefix(path, m.vbsPrefix) && strings.HasSuffix(path, m.vbsSuffix) &&
		len(path) >= len(m.vbsPrefix)+len(m.vbsSuffix) {
		id := path[len(m.vbsPrefix) : len(path)-len(m.vbsSuffix)]
		if !strings.Contains(id, "/") {
			return specfacts.VBS, id
		}
	}
	return noAPI, ""
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
func (m *Mock) requestError(w http.ResponseWriter, which specfacts.API, msg string) {
	switch which {
	case specfacts.KooPhone:
		m.kooPhoneError(w, specfacts.CodeParameterIncorrect, 0, msg)
	case specfacts.VBS:
		m.vbsError(w, http.StatusBadRequest, VBSCodeBadRequest, msg)
	default:
		writeJSON(w, http.StatusBadRequest, mockEnvelope(mockCodeBadRequest, msg))
	}
}

func (m *Mock) internalError(w http.ResponseWriter, which specfacts.API, msg string) {
	switch which {
	case specfacts.KooPhone:
		m.kooPhoneError(w, specfacts.CodeInternalError, 0, msg)
	case specfacts.VBS:
		m.vbsError(w, http.StatusInternalServerError, VBSCodeInternal, msg)
	default:
		writeJSON(w, http.StatusInternalServerError, mockEnvelope(mockCodeInternal, msg))
	}
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
