package launch

import (
	"bytes"
	"io"

	"github.com/koobackup/conformance/internal/redact"
)

// redactedLines passes output on a line at a time, so that a secret is always redacted
// whole (secrets hold no line break), each line prefixed with the suite's name.
type redactedLines struct {
	red     *redact.Redactor
	w       io.Writer
	prefix  string
	pending []byte
}

func (l *redactedLines) Write(p []byte) (int, error) {
	l.pending = append(l.pending, p...)
	for {
		i := bytes.IndexByte(l.pending, '\n')
		if i < 0 {
			return len(p), nil
		}
		if _, err := io.WriteString(l.w, l.prefix+l.red.String(string(l.pending[:i+1]))); err != nil {
			return 0, err
		}
		l.pending = l.pending[i+1:]
	}
}

// Flush passes on an unfinished last line.
func (l *redactedLines) Flush() {
	if len(l.pending) > 0 {
		_, _ = io.WriteString(l.w, l.prefix+l.red.String(string(l.pending))+"\n")
		l.pending = nil
	}
}

// tail returns the last n bytes of b as text, cut at a line start where possible.
func tail(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	b = b[len(b)-n:]
	if i := bytes.IndexByte(b, '\n'); i >= 0 && i < len(b)-1 {
		b = b[i+1:]
	}
	return "…\n" + string(b)
}
