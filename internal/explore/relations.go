package explore

import (
	"fmt"
	"slices"

	"github.com/koobackup/conformance/internal/specfacts"
	"pgregory.net/rapid"
)

// Metamorphic relations: a request and another one that must get an answer of the same
// class (status and error code). Names are stable kebab-case ids, in coverage and findings.
const (
	// RelationPresentation: the same request presented differently (member order, white
	// space, header order and case, the charset parameter).
	RelationPresentation = "presentation"
	// RelationListOrder: the same ids in another order.
	RelationListOrder = "list-order"
	// RelationIDAlphabet: ids of the same length spelt in the other alphabet (ASCII or
	// multi-byte), within the limit both in characters and in bytes.
	RelationIDAlphabet = "id-alphabet"
)

// Finding kinds of the list-order and alphabet relations.
const (
	FindingListOrder = "list-order-changes-answer"
	FindingAlphabet  = "id-alphabet-changes-answer"
)

// relationSlots name a relation by two drawn bits. The alphabet relation has two: it
// applies only to requests whose list no fault touches and its deviations show only there,
// where presentation applies to every request.
var relationSlots = [4]string{RelationPresentation, RelationIDAlphabet, RelationListOrder, RelationIDAlphabet}

// relationPlan is the relation a request is to be related by ("" for none). It is drawn
// before the request, from single bits: rapid shrinks draws in place, and a plan drawn
// after a list of variable length would change meaning whenever shrinking shortens the
// list; a bit is unbiased (rapid's integers favour small values) and costs shrinking one
// attempt, each attempt one or two requests.
type relationPlan struct{ name string }

// planRelation draws a plan: one request in metamorphicOneIn gets a relation. No relation
// is what shrinking tends to, so that shrinking a finding of the request alone sends one
// request per attempt.
func planRelation(t *rapid.T) relationPlan {
	related := true
	for n := 1; n < metamorphicOneIn; n *= 2 {
		related = rapid.Bool().Draw(t, "related") && related
	}
	slot := 0
	for bit := 1; bit < len(relationSlots); bit *= 2 {
		if rapid.Bool().Draw(t, "relation") {
			slot |= bit
		}
	}
	if !related {
		return relationPlan{}
	}
	return relationPlan{relationSlots[slot]}
}

// relate returns the relation r's plan names and the request r is related to by it; a
// relation that does not apply to r falls back to presentation. The list relations apply
// only while no fault touches the list: a fault in one item makes the items unlike, and
// which of them a server checks first is its own affair.
func (g *generator) relate(t *rapid.T, r *Request) (string, *Request) {
	name := r.plan.name
	l, intact := intactList(r, g.voc.ListPointer)
	switch {
	case name == RelationListOrder && (!intact || len(l) < 2):
		name = RelationPresentation
	case name == RelationIDAlphabet:
		// An id needs a character between the prefix and the index to be re-spelt, and room
		// in the byte limit for a multi-byte one.
		if budget := idBytes(g.voc); !intact || r.Length <= minIDLength || (budget > 0 && r.Length >= budget) {
			name = RelationPresentation
		}
	}
	switch name {
	case RelationListOrder:
		v := r.cloned()
		l, _ := v.list(pathOf(g.voc.ListPointer))
		// A rotation by one moves every item, whatever the list.
		v.setMember(pathOf(g.voc.ListPointer), append(slices.Clone(l[1:]), l[0]))
		return name, v
	case RelationIDAlphabet:
		v := r.cloned()
		v.Alphabet = r.idAlphabet().other()
		l, _ := v.list(pathOf(g.voc.ListPointer))
		member := listIDMember(g.voc)
		for i, it := range l {
			switch x := it.(type) {
			case string:
				l[i] = respell(x, v.Alphabet, idBytes(g.voc))
			case *object:
				if id, at := x.get(member); at >= 0 {
					if s, ok := id.(string); ok {
						x.members[at].val = respell(s, v.Alphabet, idBytes(g.voc))
					}
				}
			}
		}
		return name, v
	default:
		return RelationPresentation, g.represent(t, r)
	}
}

// intactList is the base list of r while no fault touches it.
func intactList(r *Request, pointer string) ([]any, bool) {
	if r.Raw != nil {
		return nil, false
	}
	for _, f := range r.Faults {
		if f.Role == RoleList || f.Role == RoleListItem {
			return nil, false
		}
	}
	l, ok := r.list(pathOf(pointer))
	return l, ok && len(l) > 0
}

// cloned copies a request deeply enough to change its body and headers.
func (r *Request) cloned() *Request {
	v := *r
	v.Headers = slices.Clone(r.Headers)
	v.Body, _ = cloneJSON(r.Body).(*object)
	return &v
}

func cloneJSON(v any) any {
	switch x := v.(type) {
	case *object:
		out := &object{members: make([]member, len(x.members))}
		for i, m := range x.members {
			out.members[i] = member{m.key, cloneJSON(m.val)}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = cloneJSON(x[i])
		}
		return out
	}
	return v
}

// idAlphabet is the alphabet the request's ids are actually spelt in: an id too short to
// hold a character between the prefix and the index is ASCII whatever was drawn.
func (r *Request) idAlphabet() Alphabet {
	if r.Body != nil && multiByte(string(r.encodeBody())) {
		return AlphabetMultiByte
	}
	return AlphabetASCII
}

// related judges a relation: the two answers, each judged on its own already, must be of
// the same class. Where a reading answers both alike (an unknown instance refused with the
// code a length check gives), the relation cannot tell and claims nothing. It returns the
// verdict and whether the finding reports r rather than the variant: the alphabet relation
// reports the request of multi-byte ids (the other is the reference).
func (o *oracle) related(relation string, r, variant *Request, first, second Answer) (*verdict, bool) {
	if relation == RelationPresentation {
		return o.sameClass(r, first, second), false
	}
	if class(first) == class(second) {
		return nil, false
	}
	if relation == RelationListOrder {
		return &verdict{kind: FindingListOrder,
			message:      fmt.Sprintf("answered %s, but %s to the same ids in another order", class(second), class(first)),
			allowed:      "the same status and code whatever the order of the ids: " + class(first),
			requirements: o.blame(r), entries: o.entries(r)}, false
	}
	multi, multiAnswer, ascii, asciiAnswer, reportBase := variant, second, r, first, false
	if r.idAlphabet() == AlphabetMultiByte {
		multi, multiAnswer, ascii, asciiAnswer, reportBase = r, first, variant, second, true
	}
	return &verdict{kind: FindingAlphabet,
		message: fmt.Sprintf("answered %s to ids of %d characters spelt %s, but %s to the same ids spelt %s",
			class(multiAnswer), multi.Length, AlphabetMultiByte, class(asciiAnswer), ascii.idAlphabet()),
		allowed:      "the same status and code for ids of one length, ASCII or multi-byte, within the limit in characters and in bytes: " + class(asciiAnswer),
		requirements: appendNew(o.idRequirements(), o.blame(r)...), entries: appendNew(o.idEntries(), o.entries(r)...)}, reportBase
}

// idFaults are the faults of the list's ids themselves (an id empty, too long).
func (o *oracle) idFaults() []*Fault {
	where := o.voc.ListPointer + "/0"
	if m := listIDMember(o.voc); m != "" {
		where += "/" + m
	}
	var out []*Fault
	for _, f := range o.voc.Faults {
		if f.Where == where {
			out = append(out, f)
		}
	}
	return out
}

// idRequirements are the x-requirements of the ids' schema, as their faults carry them.
func (o *oracle) idRequirements() []specfacts.RequirementID {
	var out []specfacts.RequirementID
	for _, f := range o.idFaults() {
		out = appendNew(out, f.Requirements...)
	}
	return out
}

// idEntries are the register entries that govern the length of the ids.
func (o *oracle) idEntries() []specfacts.AmbiguityID {
	var out []specfacts.AmbiguityID
	for _, f := range o.idFaults() {
		if f.Kind == KindOverLimit {
			out = appendNew(out, f.Entries...)
		}
	}
	return out
}

// appendNew appends the values out does not hold yet.
func appendNew[T comparable](out []T, vs ...T) []T {
	for _, v := range vs {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
