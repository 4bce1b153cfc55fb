package report

import (
	"strings"

	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/runrecord"
)

// Bounds on what a report carries, so a chatty target cannot blow up the page an auditor
// opens: excerpts are cut, and only the first evidence entries of each spec are kept (the
// failing spec's evidence is kept first).
const (
	maxExcerptBytes        = runrecord.ExcerptBytes
	maxEvidencePerSpec     = 3
	maxEvidencePerReq      = 6
	maxFailureMessageBytes = 4096
	truncationMarker       = "…[truncated]"
)

// evidenceOf turns a spec's evidence records into bounded, redacted excerpts. A failed spec
// without any exchange gets its failure as evidence: a spec may fail before it sends.
func (b *builder) evidenceOf(records []runrecord.Evidence, spec Spec) []Evidence {
	var out []Evidence
	for _, rec := range records[:min(len(records), maxEvidencePerSpec)] {
		ev := b.evidence(rec)
		ev.Spec = spec.Text
		out = append(out, ev)
	}
	if spec.Failure != nil && len(out) == 0 {
		out = append(out, Evidence{Spec: spec.Text, Violations: []string{}, Error: spec.Failure.Message})
	}
	return out
}

func (b *builder) evidence(rec runrecord.Evidence) Evidence {
	ev := Evidence{Violations: []string{}, Error: b.excerpt(rec.Error, maxExcerptBytes),
		Request: &Request{Method: rec.Request.Method, URL: b.excerpt(rec.Request.URL, maxExcerptBytes),
			Headers: b.headers(rec.Request.Headers), Body: b.excerpt(rec.Request.Body, maxExcerptBytes)}}
	if p := rec.Response; p != nil {
		ev.Response = &Response{Status: p.Status, Headers: b.headers(p.Headers), Body: b.excerpt(p.Body, maxExcerptBytes)}
	}
	for _, v := range rec.Violations {
		ev.Violations = append(ev.Violations, b.excerpt(string(v.Rule)+" "+v.Location+": "+v.Message, maxExcerptBytes))
	}
	return ev
}

// headers joins repeated values and masks credential headers whatever the engine did.
func (b *builder) headers(h map[string][]string) map[string]string {
	out := map[string]string{}
	for k, vs := range h {
		if redact.IsCredentialHeader(k) {
			out[k] = redact.Mask
		} else {
			out[k] = b.excerpt(strings.Join(vs, ", "), maxExcerptBytes)
		}
	}
	return out
}

// excerpt redacts before cutting, so a token split by the cut cannot survive.
func (b *builder) excerpt(s string, limit int) string {
	s = b.red.String(s)
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + truncationMarker
}

func isRuneStart(c byte) bool { return c&0xC0 != 0x80 }
