package redact

import (
	"net/http"
	"sort"
	"strings"
)

// Mask replaces every secret in redacted output.
const Mask = "[REDACTED]"

// minSecretLen keeps very short strings (which would match everywhere) out of the
// replacement list; they are still masked in credential headers.
const minSecretLen = 4

// credentialHeaders are masked whatever their value, because a token the tool was not told
// about (a client's own) must not leak either.
var credentialHeaders = map[string]bool{
	"x-auth-token":        true,
	"authorization":       true,
	"proxy-authorization": true,
	"cookie":              true,
	"set-cookie":          true,
	"x-subject-token":     true,
}

// Redactor masks a fixed set of secrets.
type Redactor struct {
	replacer *strings.Replacer
}

// New returns a Redactor for the given secrets; empty and very short ones are ignored for
// free-text replacement. Longer secrets are replaced first so that a secret containing
// another is masked whole.
func New(secrets ...string) *Redactor {
	uniq := map[string]bool{}
	for _, s := range secrets {
		if len(s) >= minSecretLen {
			uniq[s] = true
		}
	}
	list := make([]string, 0, len(uniq))
	for s := range uniq {
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	pairs := make([]string, 0, 2*len(list))
	for _, s := range list {
		pairs = append(pairs, s, Mask)
	}
	return &Redactor{replacer: strings.NewReplacer(pairs...)}
}

// String masks every secret in s.
func (r *Redactor) String(s string) string {
	if r == nil || r.replacer == nil {
		return s
	}
	return r.replacer.Replace(s)
}

// Bytes masks every secret in b.
func (r *Redactor) Bytes(b []byte) []byte { return []byte(r.String(string(b))) }

// IsCredentialHeader reports whether a header always carries a credential.
func IsCredentialHeader(name string) bool { return credentialHeaders[strings.ToLower(name)] }

// Header returns a copy of h with credential headers masked and secrets removed from the
// other values.
func (r *Redactor) Header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		cp := make([]string, len(vs))
		for i, v := range vs {
			if IsCredentialHeader(k) {
				cp[i] = Mask
			} else {
				cp[i] = r.String(v)
			}
		}
		out[k] = cp
	}
	return out
}
