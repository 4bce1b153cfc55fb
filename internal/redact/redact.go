package redact

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
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

// Redactor masks a set of secrets. Secrets can be added while it is in use (a token
// renewed during a run), so it is safe for concurrent use.
type Redactor struct {
	mu       sync.RWMutex
	secrets  map[string]bool
	replacer *strings.Replacer
}

// New returns a Redactor for the given secrets; empty and very short ones are ignored for
// free-text replacement. Longer secrets are replaced first so that a secret containing
// another is masked whole.
func New(secrets ...string) *Redactor {
	r := &Redactor{secrets: map[string]bool{}}
	r.Add(secrets...)
	return r
}

// Add masks more secrets from now on, e.g. a token obtained or renewed during a run.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.secrets == nil {
		r.secrets = map[string]bool{}
	}
	added := false
	for _, s := range secrets {
		if len(s) >= minSecretLen && !r.secrets[s] {
			r.secrets[s] = true
			added = true
		}
	}
	if !added && r.replacer != nil {
		return
	}
	list := make([]string, 0, len(r.secrets))
	for s := range r.secrets {
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	pairs := make([]string, 0, 2*len(list))
	for _, s := range list {
		pairs = append(pairs, s, Mask)
	}
	r.replacer = strings.NewReplacer(pairs...)
}

// String masks every secret in s.
func (r *Redactor) String(s string) string {
	if r == nil {
		return maskPasswordMembers(s)
	}
	r.mu.RLock()
	rep := r.replacer
	r.mu.RUnlock()
	if rep != nil {
		s = rep.Replace(s)
	}
	return maskPasswordMembers(s)
}

// passwordMemberRe matches a JSON "password" member with a string value, as in the body of
// an IAM token request (Keystone v3) that a client sends through the proxy or to the mock.
var passwordMemberRe = regexp.MustCompile(`("password"\s*:\s*)"(?:[^"\\]|\\.)*"`)

// maskPasswordMembers masks passwords the tool was never told about: a client's own IAM
// request carries one in its body, and recordings keep bodies.
func maskPasswordMembers(s string) string {
	if !strings.Contains(s, `"password"`) {
		return s
	}
	return passwordMemberRe.ReplaceAllString(s, `${1}"`+Mask+`"`)
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
