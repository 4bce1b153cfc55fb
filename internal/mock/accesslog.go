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
	// connections and recovered panics. Client errors (4xx) are the mock's normal work.
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

// NewAccessLogger returns a structured logger writing to w that keeps the records of mode:
// every request record is logged at Info, a server error's at Error, so the mode is the
// handler's minimum level. Pass it to WithLogger.
func NewAccessLogger(w io.Writer, mode LogMode) *slog.Logger {
	switch mode {
	case LogNone:
		return slog.New(slog.DiscardHandler)
	case LogRequests:
		return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
	default:
		return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelError}))
	}
}

// logRequest writes the access record of one request: method, path (secrets redacted;
// headers and bodies, which carry tokens, are never logged), status and latency. It asks
// the handler first, so a mode that drops the record costs no formatting.
func (m *Mock) logRequest(r *http.Request, status int, start time.Time, note string) {
	level := slog.LevelInfo
	if status >= http.StatusInternalServerError || note != "" {
		level = slog.LevelError
	}
	ctx := context.Background()
	if !m.log.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 5)
	attrs = append(attrs,
		slog.String("method", r.Method),
		slog.String("path", m.redactor.String(r.URL.Path)),
		slog.Int("status", status),
		slog.Duration("latency", time.Since(start).Round(time.Microsecond)),
	)
	if note != "" {
		attrs = append(attrs, slog.String("note", note))
	}
	m.log.LogAttrs(ctx, level, "request", attrs...)
}
