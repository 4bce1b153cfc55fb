package explore

import (
	"bytes"
	"strings"
)

// node is a request of a sequence sent, in the tree of every sequence an API's exploration
// sent: its children are the requests sent after it (keyed by planStep.key with the slots
// the pool could not fill), and a finding marks the request whose answer failed it.
type node struct {
	children map[string]*node
	finding  *Finding
	failure  string
}

func (n *node) child(key string) *node {
	if n.children == nil {
		n.children = map[string]*node{}
	}
	c := n.children[key]
	if c == nil {
		c = &node{}
		n.children[key] = c
	}
	return c
}

// replay follows a plan, every slot taken as filled, through the tree. It returns the node
// of the failing request, or nil for a plan sent before that passed, and false when the
// plan has a request the tree does not hold before any failure.
func (n *node) replay(plan []planStep) (*node, bool) {
	at := n
	for _, st := range plan {
		c := at.children[st.key]
		if c == nil {
			return nil, false
		}
		if c.finding != nil {
			return c, true
		}
		at = c
	}
	return nil, true
}

// substitute copies a planned request with its placeholders (slots, the x-request-id)
// replaced: in the body's strings, in a malformed body's bytes, and in header values.
func substitute(r *Request, fill map[string]string) *Request {
	out := *r
	out.Headers = make([]Header, len(r.Headers))
	for i, h := range r.Headers {
		if v, ok := fill[h.Value]; ok {
			h.Value = v
		}
		out.Headers[i] = h
	}
	if r.Body != nil {
		out.Body = fillValue(r.Body, fill).(*object)
	}
	if r.Raw != nil {
		raw := r.Raw
		for from, to := range fill {
			raw = bytes.ReplaceAll(raw, []byte(`"`+from+`"`), []byte(`"`+to+`"`))
		}
		out.Raw = raw
	}
	out.PathParams = map[string]string{}
	for k, v := range r.PathParams {
		out.PathParams[k] = v
	}
	return &out
}

func fillValue(v any, fill map[string]string) any {
	switch x := v.(type) {
	case *object:
		o := &object{members: make([]member, len(x.members))}
		for i, m := range x.members {
			o.members[i] = member{m.key, fillValue(m.val, fill)}
		}
		return o
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = fillValue(x[i], fill)
		}
		return out
	case string:
		if to, ok := fill[x]; ok {
			return to
		}
		return strings.Clone(x)
	}
	return v
}
