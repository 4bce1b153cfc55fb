package explore

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/koobackup/conformance/internal/specfacts"
)

// FindingNotAnsweredOnce: a 2xx reports a requested item in none of its lists, twice, or
// reports an item the request did not name.
const FindingNotAnsweredOnce = "item-not-answered-once"

// itemReport is where a success answer reports the requested items, derived from the
// operation's documents: the arrays of the 200's schema whose items carry the member that
// names a requested item. KooPhone's 200 has one job per instance (data.cmd_jobs, each with
// the instance_id of an instance_ids entry); VBS's has success_resources and fail_resources
// (each with the resource_id of a resources entry).
type itemReport struct {
	// idMember names a request item when the items are objects ("" for string items).
	idMember string
	// reportMember names the requested item in a reported one.
	reportMember string
	// lists are the member paths of the reporting arrays in the 200's body.
	lists [][]string
	// requirements are the ones a wrong report breaks.
	requirements []specfacts.RequirementID
}

// itemReportOf derives the item report of a vocabulary's operation; nil when the 200
// reports no requested item.
func itemReportOf(v *Vocabulary) *itemReport {
	list := schemaAt(v.body, pathOf(v.ListPointer))
	if list == nil || list.Items == nil || list.Items.Value == nil {
		return nil
	}
	rep := &itemReport{}
	switch it := list.Items.Value; {
	case it.Type.Is("string"):
		// A list of ids (instance_ids) is reported by items naming one (instance_id).
		leaf := pathOf(v.ListPointer)
		rep.reportMember = strings.TrimSuffix(leaf[len(leaf)-1], "s")
	case it.Type.Is("object"):
		rep.idMember = idMemberOf(it)
		rep.reportMember = rep.idMember
	}
	if rep.reportMember == "" || v.op == nil || v.op.Responses == nil {
		return nil
	}
	ok := v.op.Responses.Status(http.StatusOK)
	if ok == nil || ok.Value == nil {
		return nil
	}
	mt := ok.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil
	}
	rep.lists = reportingArrays(mt.Schema.Value, rep.reportMember, nil)
	if len(rep.lists) == 0 {
		return nil
	}
	rep.requirements = itemRequirements(v.API)
	return rep
}

// listIDMember is the member naming an item of the base list ("" when the items are the
// ids themselves).
func listIDMember(v *Vocabulary) string {
	list := schemaAt(v.body, pathOf(v.ListPointer))
	if list == nil || list.Items == nil || list.Items.Value == nil || !list.Items.Value.Type.Is("object") {
		return ""
	}
	return idMemberOf(list.Items.Value)
}

// idMemberOf is the member naming an object item: its first required string member that is
// not an enumeration (resource_id, not resource_type).
func idMemberOf(s *openapi3.Schema) string {
	for _, name := range s.Required {
		if p := s.Properties[name]; p != nil && p.Value != nil && p.Value.Type.Is("string") && len(p.Value.Enum) == 0 {
			return name
		}
	}
	return ""
}

// reportingArrays finds, below s, the arrays whose object items have the member.
func reportingArrays(s *openapi3.Schema, member string, at []string) [][]string {
	var out [][]string
	for _, name := range sortedKeys(s.Properties) {
		p := s.Properties[name].Value
		if p == nil {
			continue
		}
		path := append(slices.Clone(at), name)
		switch {
		case p.Type.Is("array") && p.Items != nil && p.Items.Value != nil && p.Items.Value.Properties[member] != nil:
			out = append(out, path)
		case p.Type.Is("object"):
			out = append(out, reportingArrays(p, member, path)...)
		}
	}
	return out
}

// itemRequirements are the requirements that say each requested item is answered once.
func itemRequirements(api specfacts.API) []specfacts.RequirementID {
	if api == specfacts.KooPhone {
		return []specfacts.RequirementID{specfacts.ReqKooPhoneCmdJobsCoverRequest}
	}
	return []specfacts.RequirementID{specfacts.ReqVBSEachResourceOnce}
}

// requestedItems are the distinct ids the request's list names; ok is false when the list
// is not there or an item names nothing a report could repeat (a number, an object without
// the id), so that the invariant is only judged where it can be.
func (o *oracle) requestedItems(r *Request) (ids []string, ok bool) {
	if r.Raw != nil {
		return nil, false
	}
	l, present := r.list(pathOf(o.voc.ListPointer))
	if !present {
		return nil, false
	}
	for _, it := range l {
		var id any = it
		if o.items.idMember != "" {
			obj, isObj := it.(*object)
			if !isObj {
				return nil, false
			}
			id, _ = obj.get(o.items.idMember)
		}
		s, isString := id.(string)
		if !isString {
			return nil, false
		}
		if !slices.Contains(ids, s) {
			ids = append(ids, s)
		}
	}
	return ids, true
}

// answeredOnce is the invariant of a success: every requested item reported exactly once
// across the reporting lists, and nothing reported that was not requested. An item named
// twice is one item (a server that takes a list with a repeat reports it once, register
// koophone-duplicate-instance-ids and vbs-duplicate-resources). Every reading of the register
// that answers 2xx reports items so: all failed, all associated, partly, or an empty batch.
func (o *oracle) answeredOnce(r *Request, a Answer) *verdict {
	if o.items == nil || a.Status < 200 || a.Status >= 300 {
		return nil
	}
	requested, ok := o.requestedItems(r)
	if !ok {
		return nil
	}
	obj := decodeObject(a.Body)
	if obj == nil {
		return nil
	}
	count := map[string]int{}
	for _, path := range o.items.lists {
		l, _ := lookup(obj, path).([]any)
		for _, it := range l {
			item, _ := it.(map[string]any)
			if id, isString := item[o.items.reportMember].(string); isString {
				count[id]++
			}
		}
	}
	var problems []string
	for _, id := range requested {
		switch n := count[id]; n {
		case 1:
		case 0:
			problems = append(problems, fmt.Sprintf("%q is reported in no list", id))
		default:
			problems = append(problems, fmt.Sprintf("%q is reported %d times", id, n))
		}
	}
	var extra []string
	for id := range count {
		if !slices.Contains(requested, id) {
			extra = append(extra, id)
		}
	}
	sort.Strings(extra)
	for _, id := range extra {
		problems = append(problems, fmt.Sprintf("%q is reported but was not requested", id))
	}
	if len(problems) == 0 {
		return nil
	}
	return &verdict{kind: FindingNotAnsweredOnce,
		message:      fmt.Sprintf("status %d for %d requested item(s): %s", a.Status, len(requested), strings.Join(problems, "; ")),
		allowed:      fmt.Sprintf("every requested item (by %s) exactly once across %s, and no other", o.items.reportMember, joinPaths(o.items.lists)),
		requirements: o.items.requirements, entries: o.entries(r)}
}

func lookup(obj map[string]any, path []string) any {
	var cur any = obj
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func joinPaths(paths [][]string) string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = strings.Join(p, ".")
	}
	return strings.Join(out, " and ")
}
