package explore

import (
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
	"pgregory.net/rapid"
)

// syntheticPrefix starts every id explore invents: the prefix of the ids
// internal/conformance and the preflight send, which no target has, so that a request
// naming them cannot change state. Ids are never shorter than it.
const syntheticPrefix = "cfxnone0"

const syntheticPrefixLen = len(syntheticPrefix)

// minIDLength leaves room after the prefix for an item's index, so that the ids of one list
// are distinct however far rapid shrinks them (two base-36 digits: more than any list holds).
const minIDLength = syntheticPrefixLen + 2

// unboundedItems bounds lists whose schema states no maxItems: past ten, the batch or page
// size servers commonly split work by, so that an item lost beyond one batch is seen.
const unboundedItems = 16

// unboundedLength bounds ids whose schema states no maxLength (a UUID's length).
const unboundedLength = 36

// drawer draws from rapid; every random choice goes through it so that the seed reproduces a
// request and rapid can shrink it.
type drawer struct{ t *rapid.T }

func (d drawer) intn(n int) int {
	if n <= 1 {
		return 0
	}
	return rapid.IntRange(0, n-1).Draw(d.t, "n")
}

var hexRunes = []rune("0123456789abcdef")
var alnumRunes = []rune("abcdefghijklmnopqrstuvwxyz0123456789")

// hexID is n hex digits, one draw however many (as body, alphabet.go).
func (d drawer) hexID(n int) string {
	src := rand.New(rand.NewPCG(rapid.Uint64().Draw(d.t, "hex"), uint64(n)))
	out := make([]rune, n)
	for i := range out {
		out[i] = hexRunes[src.IntN(len(hexRunes))]
	}
	return string(out)
}

// unknownID is an ASCII id of n characters (n at least the prefix's length) that no target
// has.
func (d drawer) unknownID(n int) string { return d.idOf(n, AlphabetASCII, 0) }

// indexedID is an unknown ASCII id of n characters whose last two carry idx in base 36.
func (d drawer) indexedID(n, idx int) string { return d.indexedIDOf(n, idx, AlphabetASCII, 0) }

// generator draws requests of one API.
type generator struct {
	voc  *Vocabulary
	cons contract.Constraints
	tgt  *target.Target
}

// draw returns a base request carrying zero to three independent faults.
func (g *generator) draw(t *rapid.T) *Request {
	d := drawer{t}
	plan := planRelation(t)
	// Faults are drawn before the base request, so that shrinking the base (fewer items,
	// shorter ids) keeps the same faults.
	n := rapid.IntRange(0, 3).Draw(t, "faults")
	var faults []*Fault
	for i := 0; i < n && len(g.voc.Faults) > 0; i++ {
		f := g.voc.Faults[rapid.IntRange(0, len(g.voc.Faults)-1).Draw(t, "fault")]
		if slices.ContainsFunc(faults, f.conflicts) || (f.Kind == KindMalformedJSON && len(faults) > 0) || slices.ContainsFunc(faults, func(g *Fault) bool { return g.Kind == KindMalformedJSON }) {
			continue
		}
		faults = append(faults, f)
	}
	r := g.base(d)
	r.Faults, r.plan = faults, plan
	if len(faults) == 0 && r.idAlphabet() == AlphabetMultiByte {
		// A valid request of multi-byte ids is always paired with its ASCII twin: the
		// alphabet relation is the only judge of whether the alphabet changes the answer
		// (the consistency of the unknown-id reading is kept per alphabet).
		r.plan = relationPlan{RelationIDAlphabet}
	}
	// Body faults first, so that malformed JSON cuts the body the others left.
	for _, f := range r.Faults {
		if f.Kind != KindMalformedJSON {
			f.apply(r, d)
		}
	}
	for _, f := range r.Faults {
		if f.Kind == KindMalformedJSON {
			f.apply(r, d)
		}
	}
	return r
}

// base draws a valid request naming ids that cannot exist: list size, id length and
// alphabet, key order, white space, header order and case are the dimensions it walks.
func (g *generator) base(d drawer) *Request {
	r := &Request{API: g.voc.API, PathParams: map[string]string{}}
	// The list's dimensions first: rapid shrinks draws in order, so a finding's list and ids
	// are made small before the spelling of its headers is, within the shrinking budget.
	r.Size = rapid.IntRange(1, listMax(g.voc)).Draw(d.t, "size")
	r.Length = rapid.IntRange(minIDLength, idMax(g.voc)).Draw(d.t, "length")
	r.Alphabet = rapid.SampledFrom(alphabets).Draw(d.t, "alphabet")
	var token string
	switch g.voc.API {
	case specfacts.KooPhone:
		k := g.cons.KooPhone
		r.Method, r.PathTemplate = k.Method, k.Path
		if g.tgt != nil && g.tgt.KooPhone != nil {
			token = g.tgt.KooPhone.AuthToken
		}
	case specfacts.VBS:
		v := g.cons.VBS
		r.Method, r.PathTemplate = v.Method, v.PathTemplate
		if g.tgt != nil && g.tgt.VBS != nil {
			token = g.tgt.VBS.AuthToken
			if open, rest, ok := strings.Cut(v.PathTemplate, "{"); ok && open != "" {
				name, _, _ := strings.Cut(rest, "}")
				r.PathParams[name] = g.tgt.VBS.ProjectID
			}
		}
	}
	headers := []Header{{"Content-Type", rapid.SampledFrom([]string{"application/json", "application/json; charset=utf-8"}).Draw(d.t, "content-type")}}
	for _, pr := range g.voc.op.Parameters {
		if p := pr.Value; p != nil && p.In == openapi3.ParameterInHeader && p.Required {
			headers = append(headers, Header{p.Name, syntheticPrefix + "-" + d.hexID(16)})
		}
	}
	if h := g.tokenHeader(); h != "" {
		headers = append(headers, Header{h, token})
	}
	for i := range headers {
		switch rapid.IntRange(0, 2).Draw(d.t, "header-case") {
		case 1:
			headers[i].Name = strings.ToLower(headers[i].Name)
		case 2:
			headers[i].Name = strings.ToUpper(headers[i].Name)
		}
	}
	r.Headers = permute(d, headers)
	r.Space = rapid.SampledFrom([]string{"", " ", "\n  ", "\t"}).Draw(d.t, "space")
	r.Body = g.object(d, r, g.voc.body, "/body", 0)
	return r
}

func (g *generator) tokenHeader() string {
	if g.voc.API == specfacts.KooPhone {
		return g.cons.KooPhone.TokenHeader
	}
	return g.cons.VBS.TokenHeader
}

// object draws the required members of a schema, in a drawn order.
func (g *generator) object(d drawer, r *Request, s *openapi3.Schema, where string, idx int) *object {
	o := &object{}
	for _, name := range s.Required {
		ps := s.Properties[name]
		if ps == nil || ps.Value == nil {
			continue
		}
		o.members = append(o.members, member{name, g.value(d, r, ps.Value, where+"/"+name, idx)})
	}
	o.members = permute(d, o.members)
	return o
}

func (g *generator) value(d drawer, r *Request, s *openapi3.Schema, where string, idx int) any {
	switch {
	case s.Type.Is("object"):
		return g.object(d, r, s, where, idx)
	case s.Type.Is("array"):
		n := 1
		if where == g.voc.ListPointer {
			n = r.Size
		}
		out := make([]any, n)
		for i := range out {
			out[i] = g.value(d, r, s.Items.Value, where+"/0", i)
		}
		return out
	case s.Type.Is("string") && len(s.Enum) > 0:
		vals := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			vals[i], _ = e.(string)
		}
		return rapid.SampledFrom(vals).Draw(d.t, "enum")
	case s.Type.Is("string") && where == "/body/"+firstStringMember(g.voc.body) && g.voc.API == specfacts.VBS && g.tgt != nil && g.tgt.VBS != nil:
		// The policy the target names: associating ids that cannot exist changes nothing.
		return g.tgt.VBS.BackupPolicyID
	case s.Type.Is("string"):
		return d.indexedIDOf(r.Length, idx, r.Alphabet, idBytes(g.voc))
	}
	return nil
}

func listMax(v *Vocabulary) int {
	if s := schemaAt(v.body, pathOf(v.ListPointer)); s != nil && s.MaxItems != nil {
		return int(*s.MaxItems)
	}
	return unboundedItems
}

func idMax(v *Vocabulary) int {
	if n := idBytes(v); n > 0 {
		return n
	}
	return unboundedLength
}

// idBytes is the maxLength of the list's ids, which bounds them in bytes as well as in
// characters (0: no maxLength), so that an id of multi-byte characters is valid whichever
// unit a server counts.
func idBytes(v *Vocabulary) int {
	s := schemaAt(v.body, pathOf(v.ListPointer))
	if s != nil && s.Items != nil && s.Items.Value != nil && s.Items.Value.MaxLength != nil {
		return int(*s.Items.Value.MaxLength)
	}
	return 0
}

func schemaAt(s *openapi3.Schema, path []string) *openapi3.Schema {
	for _, p := range path {
		if s == nil {
			return nil
		}
		if ps := s.Properties[p]; ps != nil {
			s = ps.Value
			continue
		}
		if s.Items != nil {
			s = s.Items.Value
			continue
		}
		return nil
	}
	return s
}

// permute draws an order; it shrinks to the order given.
func permute[T any](d drawer, in []T) []T {
	out := slices.Clone(in)
	for i := len(out) - 1; i > 0; i-- {
		j := i - rapid.IntRange(0, i).Draw(d.t, "swap")
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// represent draws another presentation of the same request: member order, white space,
// header order and case, and the charset parameter of a JSON Content-Type. A server must
// answer both alike (the metamorphic relation of oracle.go).
func (g *generator) represent(t *rapid.T, r *Request) *Request {
	d := drawer{t}
	v := *r
	v.Headers = slices.Clone(r.Headers)
	for i, h := range v.Headers {
		name := h.Name
		switch rapid.IntRange(0, 2).Draw(t, "variant-header-case") {
		case 1:
			name = strings.ToLower(name)
		case 2:
			name = strings.ToUpper(name)
		}
		v.Headers[i].Name = name
		if strings.EqualFold(name, "Content-Type") && strings.HasPrefix(h.Value, "application/json") {
			v.Headers[i].Value = rapid.SampledFrom([]string{"application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8"}).Draw(t, "variant-content-type")
		}
	}
	v.Headers = permute(d, v.Headers)
	v.Space = rapid.SampledFrom([]string{"", " ", "\n  ", "\t"}).Draw(t, "variant-space")
	v.Body = reorder(d, r.Body).(*object)
	return &v
}

// reorder copies a JSON value with the members of every object in a drawn order.
func reorder(d drawer, v any) any {
	switch x := v.(type) {
	case *object:
		out := &object{members: make([]member, len(x.members))}
		for i, m := range x.members {
			out.members[i] = member{m.key, reorder(d, m.val)}
		}
		out.members = permute(d, out.members)
		return out
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = reorder(d, x[i])
		}
		return out
	}
	return v
}
