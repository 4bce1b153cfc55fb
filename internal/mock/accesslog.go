package mock

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// LogMode says which requests the mock's access log records. Under load a record per
// request costs more than answering it (and wrote 161 MB in a few minutes of benchmark),
// so the command's default is LogErrors.
type LogMode string

// The access log modes of `conformance mock --log`.
const (
	// LogNone records nothing, not even server errors.
	LogNone LogMode = "none"
	// LogErrors records what went wrong on the server side: 5xx answers, dropped
	// connections and recovered panics. Client errors (4xx) are the mock's normal work, and
	// a failure the client injected (X-Mock-Fault) is the mock doing as asked.
	LogErrors LogMode = "errors"
	// LogRequests records every request.
	LogRequests LogMode = "requests"
)

// LogModes lists the modes in the order --help shows them.
var LogModes = []LogMode{LogNone, LogErrors, LogRequests}

// ParseLogMode reads a --log value.
func ParseLogMode(s string) (LogMode, error) {
	for _, m := range LogModes {
		if strings.EqualFold(s, string(m)) {
			return m, nil
		}
	}
	return "", fmt.Errorf("log mode %q is not one of none, errors, requests", s)
}

// LevelInjected is the level of the record of a request that failed because the client
// asked for it (X-Mock-Fault: internal-error, drop-connection): above the mock's normal work
// (Info), below anything that went wrong (Error), so that a run injecting failures on purpose
// logs no error. The text handler NewAccessLogger returns spells it INJECTED.
const LevelInjected = slog.LevelInfo + 2

// NewAccessLogger returns a structured logger writing to w that keeps the records of mode:
// every request record is logged at Info, an injected failure's at LevelInjected, a server
// error's at Error, so the mode is the handler's minimum level. Pass it to WithLogger.
func NewAccessLogger(w io.Writer, mode LogMode) *slog.Logger {
	level := slog.LevelError
	switch mode {
	case LogNone:
		return slog.New(slog.DiscardHandler)
	case LogRequests:
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: nameLevelInjected}))
}

// nameLevelInjected spells LevelInjected as INJECTED rather than slog's INFO+2.
func nameLevelInjected(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.LevelKey {
		if l, ok := a.Value.Any().(slog.Level); ok && l == LevelInjected {
			a.Value = slog.StringValue("INJECTED")
		}
	}
	return a
}

// injectedNote carries, through the request's context, the failure the client injected, so
// that the access record names it and takes LevelInjected.
type injectedNote struct{ failure string }

type injectedNoteKey struct{}

// withInjectedNote returns r with an empty note the injected failures fill in.
func withInjectedNote(r *http.Request) (*http.Request, *injectedNote) {
	n := &injectedNote{}
	return r.WithContext(context.WithValue(r.Context(), injectedNoteKey{}, n)), n
}

// noteInjected records on r's note that the answer is the injected failure in.
func noteInjected(r *http.Request, in InjectedFailure) {
	if n, ok := r.Context().Value(injectedNoteKey{}).(*injectedNote); ok {
		n.failure = in.String()
	}
}

// logRequest writes the access record of one request: method, path (secrets redacted;
// headers and bodies, which carry tokens, are never logged), status and latency. It asks
// the handler first, so a mode that drops the record costs no formatting.
func (m *Mock) logRequest(r *http.Request, status int, start time.Time, note, injected string) {
	level := slog.LevelInfo
	switch {
	case injected != "":
		level = LevelInjected
	case status >= http.StatusInternalServerError || note != "":
		level = slog.LevelError
	}
	ctx := context.Background()
	if !m.log.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 6)
	attrs = append(attrs,
		slog.String("method", r.Method),
		slog.String("path", m.redactor.String(r.URL.Path)),
		slog.Int("status", status),
		slog.Duration("latency", time.Since(start).Round(time.Microsecond)),
	)
	if note != "" {
		attrs = append(attrs, slog.String("note", note))
	}
	if injected != "" {
		attrs = append(attrs, slog.String("injected", injected))
	}
	m.log.LogAttrs(ctx, level, "request", attrs...)
}
