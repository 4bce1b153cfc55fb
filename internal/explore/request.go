package explore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/specfacts"
)

// member is one member of a JSON object; objects keep their members' order so that key
// order is a dimension generation walks.
type member struct {
	key string
	val any
}

// object is an ordered JSON object.
type object struct{ members []member }

func (o *object) get(k string) (any, int) {
	for i, m := range o.members {
		if m.key == k {
			return m.val, i
		}
	}
	return nil, -1
}

// Header is one request header, spelt as sent.
type Header struct{ Name, Value string }

// Request is one generated request: a base request and the faults applied to it.
type Request struct {
	API          specfacts.API
	Method       string
	PathTemplate string
	PathParams   map[string]string
	Headers      []Header
	Body         *object
	// Raw, when set, is sent instead of the encoded Body (malformed JSON).
	Raw []byte
	// Space follows every ':' and ',' of the encoded body.
	Space  string
	Faults []*Fault
	// Size is the number of items of the base list, Length the length of its ids in
	// characters, Alphabet what those characters are.
	Size, Length int
	Alphabet     Alphabet

	// plan is the relation the request is to be related by (relations.go).
	plan relationPlan

	// Pooled marks a call sequence's request that names ids of the target file (owned or
	// foreign instances, pooled volumes): the unknown-id entry does not govern its answer.
	Pooled bool
}

// Path fills the path parameters into the template.
func (r *Request) Path() string {
	p := r.PathTemplate
	for k, v := range r.PathParams {
		p = strings.ReplaceAll(p, "{"+k+"}", v)
	}
	return p
}

// BodyBytes is the body as sent.
func (r *Request) BodyBytes() []byte {
	if r.Raw != nil {
		return r.Raw
	}
	return r.encodeBody()
}

func (r *Request) encodeBody() []byte {
	var b bytes.Buffer
	encode(&b, r.Body, r.Space)
	return b.Bytes()
}

func encode(b *bytes.Buffer, v any, space string) {
	switch x := v.(type) {
	case *object:
		b.WriteByte('{')
		for i, m := range x.members {
			if i > 0 {
				b.WriteString("," + space)
			}
			k, _ := json.Marshal(m.key)
			b.Write(k)
			b.WriteString(":" + space)
			encode(b, m.val, space)
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, it := range x {
			if i > 0 {
				b.WriteString("," + space)
			}
			encode(b, it, space)
		}
		b.WriteByte(']')
	default:
		enc, _ := json.Marshal(x)
		b.Write(enc)
	}
}

// HTTP builds the request against a base URL, headers spelt as generated.
func (r *Request) HTTP(ctx context.Context, base string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, r.Method, strings.TrimRight(base, "/")+r.Path(), bytes.NewReader(r.BodyBytes()))
	if err != nil {
		return nil, fmt.Errorf("explore: build request: %w", err)
	}
	for _, h := range r.Headers {
		req.Header[h.Name] = append(req.Header[h.Name], h.Value)
	}
	return req, nil
}

// Curl spells the request as a curl command, tokens and secrets redacted.
func (r *Request) Curl(base string, red *redact.Redactor) string {
	var b strings.Builder
	fmt.Fprintf(&b, "curl -sS -X %s %s", r.Method, shellQuote(strings.TrimRight(base, "/")+r.Path()))
	for _, h := range r.Headers {
		v := h.Value
		if redact.IsCredentialHeader(h.Name) && v != "" {
			v = "$TOKEN"
		}
		fmt.Fprintf(&b, " -H %s", shellQuote(h.Name+": "+v))
	}
	body := string(r.BodyBytes())
	if red != nil {
		body = red.String(body)
	}
	fmt.Fprintf(&b, " --data-binary %s", shellQuote(body))
	return b.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// FaultIDs lists the request's faults.
func (r *Request) FaultIDs() []string {
	out := make([]string, len(r.Faults))
	for i, f := range r.Faults {
		out[i] = f.ID
	}
	sort.Strings(out)
	return out
}

func (r *Request) setHeader(name, value string) {
	for i, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			r.Headers[i].Value = value
			return
		}
	}
	r.Headers = append(r.Headers, Header{Name: name, Value: value})
}

func (r *Request) delHeader(name string) {
	out := r.Headers[:0]
	for _, h := range r.Headers {
		if !strings.EqualFold(h.Name, name) {
			out = append(out, h)
		}
	}
	r.Headers = out
}

func (r *Request) header(name string) (string, bool) {
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}

// parent finds the container of the last step of path; ok is false when the request no
// longer has it (an earlier fault removed or retyped it).
func (r *Request) parent(path []string) (container any, last string, ok bool) {
	if len(path) == 0 || r.Body == nil {
		return nil, "", false
	}
	var cur any = r.Body
	for _, step := range path[:len(path)-1] {
		switch c := cur.(type) {
		case *object:
			v, i := c.get(step)
			if i < 0 {
				return nil, "", false
			}
			cur = v
		case []any:
			n, err := strconv.Atoi(step)
			if err != nil || n >= len(c) {
				return nil, "", false
			}
			cur = c[n]
		default:
			return nil, "", false
		}
	}
	return cur, path[len(path)-1], true
}

func (r *Request) setMember(path []string, val any) {
	c, last, ok := r.parent(path)
	if !ok {
		return
	}
	switch x := c.(type) {
	case *object:
		if _, i := x.get(last); i >= 0 {
			x.members[i].val = val
		} else {
			x.members = append(x.members, member{last, val})
		}
	case []any:
		if n, err := strconv.Atoi(last); err == nil && n < len(x) {
			x[n] = val
		}
	}
}

func (r *Request) delMember(path []string) {
	c, last, ok := r.parent(path)
	if !ok {
		return
	}
	if x, ok := c.(*object); ok {
		if _, i := x.get(last); i >= 0 {
			x.members = append(x.members[:i], x.members[i+1:]...)
		}
	}
}

func (r *Request) addMember(path []string, key string, val any) {
	var target any = r.Body
	if len(path) > 0 {
		c, last, ok := r.parent(append(path[:len(path):len(path)], "_"))
		if !ok {
			return
		}
		_ = last
		target = c
	}
	if x, ok := target.(*object); ok {
		x.members = append(x.members, member{key, val})
	}
}

func (r *Request) list(path []string) ([]any, bool) {
	c, last, ok := r.parent(path)
	if !ok {
		return nil, false
	}
	if x, ok := c.(*object); ok {
		v, _ := x.get(last)
		l, ok := v.([]any)
		return l, ok
	}
	return nil, false
}

// growList lengthens a list to n items, new items alike the first with ids that cannot exist.
func (r *Request) growList(path []string, n int, d drawer) {
	l, ok := r.list(path)
	if !ok || len(l) == 0 {
		return
	}
	for len(l) < n {
		switch first := l[0].(type) {
		case string:
			l = append(l, d.indexedID(max(utf8.RuneCountInString(first), minIDLength), len(l)))
		default:
			l = append(l, cloneValue(first, d, len(l)))
		}
	}
	r.setMember(path, l)
}

func (r *Request) duplicateFirst(path []string) {
	if l, ok := r.list(path); ok && len(l) > 0 {
		r.setMember(path, append(l, l[0]))
	}
}

// cloneValue copies a JSON value, giving string members of objects fresh ids of the same
// length (except enum-like short values, which are kept).
func cloneValue(v any, d drawer, idx int) any {
	switch x := v.(type) {
	case *object:
		out := &object{}
		for i, m := range x.members {
			val := cloneValue(m.val, d, idx)
			if s, ok := m.val.(string); ok && i == 0 {
				val = d.indexedID(max(utf8.RuneCountInString(s), minIDLength), idx)
			}
			out.members = append(out.members, member{m.key, val})
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = cloneValue(x[i], d, idx)
		}
		return out
	}
	return v
}
