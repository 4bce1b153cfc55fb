package explore

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
	"pgregory.net/rapid"
)

// Kind is what a fault does to a request. Kinds are stable kebab-case words: they name faults
// in findings and coverage.
type Kind string

const (
	KindMissing       Kind = "missing"
	KindEmpty         Kind = "empty"
	KindWrongType     Kind = "wrong-type"
	KindOverLimit     Kind = "over-limit"
	KindDuplicate     Kind = "duplicate"
	KindUnsupported   Kind = "unsupported-value"
	KindUnknownMember Kind = "unknown-member"
	KindMethod        Kind = "another-method"
	KindContentType   Kind = "unsupported-content-type"
	KindAccept        Kind = "another-accept"
	KindMalformedJSON Kind = "malformed-json"
	KindUnknownTenant Kind = "unknown-tenant"
	KindUnknownPolicy Kind = "unknown-policy"
	KindMismatch      Kind = "project-mismatch"
)

// Role says which part of the operation a fault is about; the register entries that govern
// a fault's answer are found by its kind and role (governingEntries).
type Role string

const (
	RoleToken     Role = "token"     // the operation's apiKey security header
	RoleHeader    Role = "header"    // a required header parameter
	RolePath      Role = "path"      // a path parameter
	RoleList      Role = "list"      // the request's required array (the base list)
	RoleListItem  Role = "list-item" // an item of the base list, or a member of one
	RoleMember    Role = "member"    // any other body member
	RoleOperation Role = "operation" // the request as a whole
)

// Fault is one way a request departs from the documents, derived from one spec element.
type Fault struct {
	// ID is stable: api, kind and where, e.g. "koophone:missing:/header/x-request-id".
	ID  string
	API specfacts.API
	Kind
	Role
	// Where is a pointer into the request: /header/<name>, /path/<name>, /body/<member>/0/…
	// (0 is the first item), /method, /content-type, /accept, /body.
	Where string
	// Requirements are the x-requirements of the spec element the fault violates.
	Requirements []specfacts.RequirementID
	// Entries are the register entries whose readings govern the answer to the fault.
	Entries []specfacts.AmbiguityID
	// MustRefuse holds when no tolerated reading of Entries answers with a 2xx.
	MustRefuse bool

	apply func(r *Request, d drawer)
}

func (f *Fault) String() string { return f.ID }

// conflicts reports whether two faults touch the same place, so that a request carrying both
// would not carry two independent faults.
func (f *Fault) conflicts(g *Fault) bool {
	a, b := f.Where, g.Where
	return a == b || strings.HasPrefix(a, b+"/") || strings.HasPrefix(b, a+"/")
}

// Vocabulary is the fault vocabulary of one API.
type Vocabulary struct {
	API    specfacts.API
	Faults []*Fault
	// BaseEntry governs the answer to a valid base request (its ids cannot exist).
	BaseEntry specfacts.AmbiguityID
	// ListPointer is the base list (/body/<member>), the request's required array.
	ListPointer string
	// Precedence governs the answer to a request carrying several faults.
	Precedence specfacts.AmbiguityID
	// Invariants are the requirements every answer is judged against.
	Invariants []specfacts.RequirementID

	op       *openapi3.Operation
	body     *openapi3.Schema
	statuses []int
}

// VocabularyError says why a vocabulary could not be derived, at a JSON pointer into the
// API's document.
type VocabularyError struct {
	API     specfacts.API
	Pointer string
	Err     error
}

func (e *VocabularyError) Error() string {
	return fmt.Sprintf("explore: %s %s: %v", e.API, e.Pointer, e.Err)
}

func (e *VocabularyError) Unwrap() error { return e.Err }

// BuildVocabulary walks the API's operation in c and the register in cat. The target file
// supplies the ids some faults need (an unknown tenant's token); faults it cannot supply are
// left out.
func BuildVocabulary(api specfacts.API, c *contract.Contract, cat *catalog.Catalog, t *target.Target) (*Vocabulary, error) {
	doc := c.Document(api)
	if doc == nil {
		return nil, &VocabularyError{API: api, Pointer: "", Err: fmt.Errorf("no document")}
	}
	var path string
	var item *openapi3.PathItem
	for p, it := range doc.Paths.Map() {
		path, item = p, it
	}
	if item == nil || len(item.Operations()) != 1 {
		return nil, &VocabularyError{API: api, Pointer: "/paths", Err: fmt.Errorf("want exactly one operation")}
	}
	var method string
	var op *openapi3.Operation
	for m, o := range item.Operations() {
		method, op = m, o
	}
	ptr := "/paths/" + strings.ReplaceAll(strings.ReplaceAll(path, "~", "~0"), "/", "~1") + "/" + strings.ToLower(method)
	v := &Vocabulary{API: api, op: op}
	for code := range op.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil {
			v.statuses = append(v.statuses, n)
		}
	}
	sort.Ints(v.statuses)
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil, &VocabularyError{API: api, Pointer: ptr + "/requestBody", Err: fmt.Errorf("no request body")}
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil, &VocabularyError{API: api, Pointer: ptr + "/requestBody/content", Err: fmt.Errorf("no JSON schema")}
	}
	v.body = mt.Schema.Value
	opReqs := reqsOf(op.Extensions)
	add := func(f *Fault) {
		f.API = api
		f.ID = fmt.Sprintf("%s:%s:%s", api, f.Kind, f.Where)
		v.Faults = append(v.Faults, f)
	}

	// Security: the apiKey header.
	security := doc.Security
	if op.Security != nil {
		security = *op.Security
	}
	for _, req := range security {
		for name := range req {
			s := doc.Components.SecuritySchemes[name]
			if s == nil || s.Value == nil || s.Value.Type != "apiKey" || s.Value.In != "header" {
				continue
			}
			h, rq := s.Value.Name, reqsOf(s.Value.Extensions)
			add(&Fault{Kind: KindMissing, Role: RoleToken, Where: "/header/" + strings.ToLower(h), Requirements: rq, apply: func(r *Request, _ drawer) { r.delHeader(h) }})
			add(&Fault{Kind: KindEmpty, Role: RoleToken, Where: "/header/" + strings.ToLower(h), Requirements: rq, apply: func(r *Request, _ drawer) { r.setHeader(h, "") }})
			if tok := unknownTenantToken(api, t); tok != "" {
				add(&Fault{Kind: KindUnknownTenant, Role: RoleToken, Where: "/header/" + strings.ToLower(h), Requirements: rq, apply: func(r *Request, _ drawer) { r.setHeader(h, tok) }})
			}
		}
	}
	// Parameters: required headers and path parameters.
	for _, pr := range op.Parameters {
		p := pr.Value
		if p == nil {
			continue
		}
		rq := reqsOf(p.Extensions)
		name := p.Name
		switch p.In {
		case openapi3.ParameterInHeader:
			if !p.Required {
				continue
			}
			where := "/header/" + strings.ToLower(name)
			add(&Fault{Kind: KindMissing, Role: RoleHeader, Where: where, Requirements: rq, apply: func(r *Request, _ drawer) { r.delHeader(name) }})
			add(&Fault{Kind: KindEmpty, Role: RoleHeader, Where: where, Requirements: rq, apply: func(r *Request, _ drawer) { r.setHeader(name, "") }})
		case openapi3.ParameterInPath:
			where := "/path/" + name
			add(&Fault{Kind: KindEmpty, Role: RolePath, Where: where, Requirements: rq, apply: func(r *Request, _ drawer) { r.PathParams[name] = "" }})
			add(&Fault{Kind: KindMismatch, Role: RolePath, Where: where, Requirements: rq, apply: func(r *Request, d drawer) { r.PathParams[name] = d.hexID(32) }})
		}
	}
	// The body, member by member.
	for _, name := range sortedKeys(v.body.Properties) {
		ps := v.body.Properties[name].Value
		if ps.Type.Is("array") && slices.Contains(v.body.Required, name) && v.ListPointer == "" {
			v.ListPointer = "/body/" + name
		}
	}
	walkSchema(v, v.body, "/body", RoleMember, opReqs, add)
	// Operation-level faults.
	add(&Fault{Kind: KindMalformedJSON, Role: RoleOperation, Where: "/body", Requirements: reqsOf(v.body.Extensions), apply: func(r *Request, d drawer) {
		enc := r.encodeBody()
		r.Raw = enc[:1+d.intn(len(enc)-1)]
	}})
	add(&Fault{Kind: KindContentType, Role: RoleOperation, Where: "/content-type", Requirements: opReqs, apply: func(r *Request, _ drawer) { r.setHeader("Content-Type", "text/plain") }})
	if slices.Contains(v.statuses, http.StatusNotAcceptable) {
		add(&Fault{Kind: KindAccept, Role: RoleOperation, Where: "/accept", Requirements: opReqs, apply: func(r *Request, _ drawer) { r.setHeader("Accept", "application/xml") }})
	}
	if slices.Contains(v.statuses, http.StatusMethodNotAllowed) {
		for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if item.GetOperation(m) != nil {
				continue
			}
			add(&Fault{Kind: KindMethod, Role: RoleOperation, Where: "/method/" + m, Requirements: opReqs, apply: func(r *Request, _ drawer) { r.Method = m }})
		}
	}
	if up := unknownPolicyID(api, t); up != "" {
		if name := firstStringMember(v.body); name != "" {
			add(&Fault{Kind: KindUnknownPolicy, Role: RoleMember, Where: "/body/" + name, Requirements: reqsOf(v.body.Properties[name].Value.Extensions), apply: func(r *Request, _ drawer) { r.setMember([]string{name}, up) }})
		}
	}
	v.BaseEntry, v.Precedence = baseEntries(api)
	v.Invariants = invariants(api)
	for _, f := range v.Faults {
		f.Entries = governingEntries(f)
		f.MustRefuse = mustRefuse(cat, f.Entries)
	}
	if v.ListPointer == "" {
		return nil, &VocabularyError{API: api, Pointer: ptr + "/requestBody", Err: fmt.Errorf("no required array in the request body")}
	}
	return v, nil
}

// walkSchema derives the faults of a body schema's members.
func walkSchema(v *Vocabulary, s *openapi3.Schema, where string, role Role, inherited []specfacts.RequirementID, add func(*Fault)) {
	if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
		w := where
		add(&Fault{Kind: KindUnknownMember, Role: role, Where: w + "/+", Requirements: or(reqsOf(s.Extensions), inherited), apply: func(r *Request, d drawer) {
			r.addMember(pathOf(w), "cfx_extra_"+d.hexID(6), d.hexID(8))
		}})
	}
	for _, name := range sortedKeys(s.Properties) {
		ps := s.Properties[name].Value
		if ps == nil {
			continue
		}
		w := where + "/" + name
		p := pathOf(w)
		rq := or(reqsOf(ps.Extensions), reqsOf(s.Extensions), inherited)
		r := role
		if w == v.ListPointer {
			r = RoleList
		}
		if slices.Contains(s.Required, name) {
			add(&Fault{Kind: KindMissing, Role: r, Where: w, Requirements: rq, apply: func(r *Request, _ drawer) { r.delMember(p) }})
		}
		switch {
		case ps.Type.Is("string"):
			add(&Fault{Kind: KindWrongType, Role: r, Where: w, Requirements: rq, apply: func(r *Request, d drawer) { r.setMember(p, float64(1+d.intn(9))) }})
			add(&Fault{Kind: KindEmpty, Role: r, Where: w, Requirements: rq, apply: func(r *Request, _ drawer) { r.setMember(p, "") }})
			if ps.MaxLength != nil {
				n := int(*ps.MaxLength) + 1
				add(&Fault{Kind: KindOverLimit, Role: r, Where: w, Requirements: rq, apply: func(r *Request, d drawer) { r.setMember(p, d.unknownID(n)) }})
			}
			if len(ps.Enum) > 0 {
				add(&Fault{Kind: KindUnsupported, Role: r, Where: w, Requirements: rq, apply: func(r *Request, d drawer) { r.setMember(p, "cfx-unsupported-"+d.hexID(4)) }})
			}
		case ps.Type.Is("array"):
			add(&Fault{Kind: KindWrongType, Role: r, Where: w, Requirements: rq, apply: func(r *Request, d drawer) { r.setMember(p, d.hexID(8)) }})
			add(&Fault{Kind: KindEmpty, Role: r, Where: w, Requirements: rq, apply: func(r *Request, _ drawer) { r.setMember(p, []any{}) }})
			if ps.MaxItems != nil {
				n := int(*ps.MaxItems) + 1
				add(&Fault{Kind: KindOverLimit, Role: r, Where: w, Requirements: rq, apply: func(r *Request, d drawer) { r.growList(p, n, d) }})
			}
			if ps.UniqueItems {
				add(&Fault{Kind: KindDuplicate, Role: r, Where: w, Requirements: rq, apply: func(r *Request, _ drawer) { r.duplicateFirst(p) }})
			}
			if ps.Items != nil && ps.Items.Value != nil {
				it := ps.Items.Value
				iw := w + "/0"
				ip := pathOf(iw)
				irq := or(reqsOf(it.Extensions), rq)
				ir := r
				if r == RoleList {
					ir = RoleListItem
				}
				switch {
				case it.Type.Is("string"):
					add(&Fault{Kind: KindWrongType, Role: ir, Where: iw, Requirements: irq, apply: func(r *Request, d drawer) { r.setMember(ip, float64(1+d.intn(9))) }})
					add(&Fault{Kind: KindEmpty, Role: ir, Where: iw, Requirements: irq, apply: func(r *Request, _ drawer) { r.setMember(ip, "") }})
					if it.MaxLength != nil {
						n := int(*it.MaxLength) + 1
						// One character over, in either alphabet: over the limit whichever unit a
						// server counts.
						add(&Fault{Kind: KindOverLimit, Role: ir, Where: iw, Requirements: irq, apply: func(r *Request, d drawer) {
							r.setMember(ip, d.idOf(n, rapid.SampledFrom(alphabets).Draw(d.t, "over-limit-alphabet"), 0))
						}})
					}
				case it.Type.Is("object"):
					add(&Fault{Kind: KindWrongType, Role: ir, Where: iw, Requirements: irq, apply: func(r *Request, d drawer) { r.setMember(ip, d.hexID(8)) }})
					walkSchema(v, it, iw, ir, irq, add)
				}
			}
		case ps.Type.Is("object"):
			add(&Fault{Kind: KindWrongType, Role: r, Where: w, Requirements: rq, apply: func(r *Request, d drawer) { r.setMember(p, d.hexID(8)) }})
			walkSchema(v, ps, w, r, rq, add)
		}
	}
}

// governingEntries links a fault to the register entries whose question it asks. The
// register states its probes in prose, so the link is this table of (kind, role, member);
// a fault it does not name is governed by the contract alone.
func governingEntries(f *Fault) []specfacts.AmbiguityID {
	leaf := f.Where[strings.LastIndex(f.Where, "/")+1:]
	switch f.API {
	case specfacts.KooPhone:
		switch {
		case f.Role == RoleToken:
			return []specfacts.AmbiguityID{specfacts.AmbKooPhoneMissingTokenCode}
		case f.Role == RoleHeader && f.Kind == KindEmpty:
			return []specfacts.AmbiguityID{specfacts.AmbKooPhoneEmptyRequestID}
		case f.Role == RoleList && f.Kind == KindEmpty:
			return []specfacts.AmbiguityID{specfacts.AmbKooPhoneInstanceIDsMinItems}
		case f.Role == RoleListItem && f.Kind == KindEmpty:
			return []specfacts.AmbiguityID{specfacts.AmbKooPhoneInstanceIDEmptyString}
		case f.Role == RoleListItem && f.Kind == KindOverLimit:
			return []specfacts.AmbiguityID{specfacts.AmbKooPhoneIDLengthUnit}
		case f.Kind == KindContentType:
			return []specfacts.AmbiguityID{specfacts.AmbKooPhoneContentType}
		case f.Kind == KindUnknownMember:
			return []specfacts.AmbiguityID{specfacts.AmbKooPhoneUnknownFields}
		case f.Kind == KindDuplicate:
			return []specfacts.AmbiguityID{specfacts.AmbKooPhoneDuplicateInstanceIDs}
		}
	case specfacts.VBS:
		switch {
		case f.Role == RoleToken:
			return []specfacts.AmbiguityID{specfacts.AmbVBSAuthHeader}
		case f.Role == RolePath && f.Kind == KindMismatch:
			return []specfacts.AmbiguityID{specfacts.AmbVBSStatusMapping}
		case f.Role == RolePath && f.Kind == KindEmpty:
			return []specfacts.AmbiguityID{specfacts.AmbVBSEmptyProjectID}
		case f.Kind == KindUnknownPolicy:
			return []specfacts.AmbiguityID{specfacts.AmbVBSUnknownPolicyReporting}
		case f.Role == RoleMember && f.Kind == KindEmpty && leaf != "":
			return []specfacts.AmbiguityID{specfacts.AmbVBSEmptyPolicyID}
		case f.Role == RoleList && f.Kind == KindEmpty:
			return []specfacts.AmbiguityID{specfacts.AmbVBSEmptyResources}
		case f.Role == RoleListItem && (f.Kind == KindUnsupported || f.Kind == KindEmpty) && strings.HasSuffix(f.Where, "_type"):
			return []specfacts.AmbiguityID{specfacts.AmbVBSUnsupportedResourceType}
		case f.Role == RoleListItem && f.Kind == KindEmpty:
			return []specfacts.AmbiguityID{specfacts.AmbVBSEmptyResourceID}
		case f.Kind == KindContentType:
			return []specfacts.AmbiguityID{specfacts.AmbVBSContentType}
		case f.Kind == KindAccept:
			return []specfacts.AmbiguityID{specfacts.AmbVBSNotAcceptable}
		case f.Kind == KindMethod:
			return []specfacts.AmbiguityID{specfacts.AmbVBSMethodNotAllowed}
		case f.Kind == KindUnknownMember:
			return []specfacts.AmbiguityID{specfacts.AmbVBSUnknownFields}
		case f.Kind == KindDuplicate:
			return []specfacts.AmbiguityID{specfacts.AmbVBSDuplicateResources}
		}
	}
	return nil
}

// baseEntries are the entries governing a valid request naming ids that cannot exist, and a
// request carrying several faults.
func baseEntries(api specfacts.API) (base, precedence specfacts.AmbiguityID) {
	if api == specfacts.KooPhone {
		return specfacts.AmbKooPhoneUnknownInstanceCode, specfacts.AmbKooPhoneFaultPrecedence
	}
	return specfacts.AmbVBSUnknownVolumeReporting, specfacts.AmbVBSFaultPrecedence
}

// invariants are the requirements explore judges on every answer, whatever the request.
func invariants(api specfacts.API) []specfacts.RequirementID {
	if api == specfacts.KooPhone {
		return []specfacts.RequirementID{specfacts.ReqKooPhoneClientErrorsAre400, specfacts.ReqKooPhoneDocumentedStatus, specfacts.ReqKooPhoneErrorEnvelopeShape, specfacts.ReqKooPhoneSeveralFaultsRefused}
	}
	return []specfacts.RequirementID{specfacts.ReqVBSDocumentedStatus, specfacts.ReqVBSErrorEnvelopeShape, specfacts.ReqVBSFaultPrecedence}
}

// mustRefuse holds when no tolerated reading of the entries states a 2xx outcome. An entry
// missing from the register counts as tolerating anything: the register, not a guess, decides.
func mustRefuse(cat *catalog.Catalog, entries []specfacts.AmbiguityID) bool {
	for _, id := range entries {
		a, ok := cat.Ambiguity(string(id))
		if !ok {
			return false
		}
		for _, rd := range a.Readings {
			if !a.Tolerates(rd.ID) {
				continue
			}
			for _, o := range rd.Outcome {
				if len(o.Statuses) == 0 && !o.Gateway && !o.Envelope && len(o.Codes) == 0 {
					return false
				}
				for _, s := range o.Statuses {
					if s >= 200 && s < 300 {
						return false
					}
				}
			}
		}
	}
	return true
}

func unknownTenantToken(api specfacts.API, t *target.Target) string {
	switch {
	case t == nil:
		return ""
	case api == specfacts.KooPhone && t.KooPhone != nil:
		return t.KooPhone.UnknownTenantToken
	case api == specfacts.VBS && t.VBS != nil && t.VBS.AuthToken != "":
		// A token no IAM issued: the register's vbs-auth-header entry governs its answer.
		return "cfx-invalid-token-0000"
	}
	return ""
}

func unknownPolicyID(api specfacts.API, t *target.Target) string {
	if api == specfacts.VBS && t != nil && t.VBS != nil {
		return t.VBS.UnknownBackupPolicyID
	}
	return ""
}

// firstStringMember is the request's first required string member: the id the request is
// about (VBS: the backup policy).
func firstStringMember(s *openapi3.Schema) string {
	for _, name := range s.Required {
		if p := s.Properties[name]; p != nil && p.Value != nil && p.Value.Type.Is("string") {
			return name
		}
	}
	return ""
}

func reqsOf(ext map[string]any) []specfacts.RequirementID {
	raw, _ := ext["x-requirements"].([]any)
	var out []specfacts.RequirementID
	for _, r := range raw {
		if s, ok := r.(string); ok {
			out = append(out, specfacts.RequirementID(s))
		}
	}
	return out
}

// or returns the first non-empty list.
func or(lists ...[]specfacts.RequirementID) []specfacts.RequirementID {
	for _, l := range lists {
		if len(l) > 0 {
			return l
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// pathOf turns /body/a/0/b into the member path [a 0 b].
func pathOf(where string) []string {
	rest := strings.TrimPrefix(strings.TrimPrefix(where, "/body"), "/")
	if rest == "" {
		return nil
	}
	return strings.Split(rest, "/")
}
