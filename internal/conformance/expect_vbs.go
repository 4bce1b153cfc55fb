package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
)

// Resource is one entry of a VBS request's resources.
type Resource struct {
	ID   string `json:"resource_id"`
	Type string `json:"resource_type"`
}

// Volumes returns a volume resource for each id, with the type read from the spec's enum.
func (e *Env) Volumes(ids ...string) []Resource {
	t := e.Contract.Constraints().VBS.ResourceTypes[0]
	out := make([]Resource, len(ids))
	for i, id := range ids {
		out[i] = Resource{ID: id, Type: t}
	}
	return out
}

// VBSRequest is a valid association request of resources with policy, with the project's
// token.
func (e *Env) VBSRequest(policy string, resources []Resource) Request {
	if resources == nil {
		resources = []Resource{}
	}
	return e.VBSJSON(map[string]any{"backup_policy_id": policy, "resources": resources})
}

// VBSJSON marshals v as the body of an otherwise valid request.
func (e *Env) VBSJSON(v any) Request {
	body, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("conformance: marshal request body: %v", err))
	}
	return e.VBSRaw(body)
}

// VBSRaw is a request with valid headers and the given raw body.
func (e *Env) VBSRaw(body []byte) Request {
	v := e.Contract.Constraints().VBS
	h := http.Header{}
	h.Set(v.TokenHeader, e.Target.VBS.AuthToken)
	h.Set("Content-Type", "application/json")
	return Request{API: specfacts.VBS, Method: v.Method, Path: v.Path(e.Target.VBS.ProjectID), Header: h, Body: body}
}

// OnProject returns a copy of the request addressed to another project.
func (e *Env) OnProject(r Request, projectID string) Request {
	r.Path = e.Contract.Constraints().VBS.Path(projectID)
	return r
}

// ExpectVBSError expects the error envelope with exactly this status.
func (e *Env) ExpectVBSError(x *Exchange, status int) {
	GinkgoHelper()
	var p problems
	if p.answered(x) {
		if x.Status != status {
			p.answerf("status %d, want %d", x.Status, status)
		}
		checkEnvelope(x, &p)
	}
	e.judgeWant(x, want{text: fmt.Sprintf(`status %d with {"error":{"code","message"}}`, status), answers: []runrecord.Answer{{Status: status}}}, p)
}

// checkEnvelope checks the error envelope even where the contract would not (a 200 that
// carries it, or a tolerated undocumented status).
func checkEnvelope(x *Exchange, p *problems) {
	var env struct {
		Error *struct {
			Code    any `json:"code"`
			Message any `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(x.Body, &env); err != nil || env.Error == nil {
		p.rulef(specfacts.ReqVBSErrorEnvelopeShape, "/error", `the body is not the error envelope {"error":{"code","message"}}`)
		return
	}
	if c, ok := env.Error.Code.(string); !ok || c == "" {
		p.rulef(specfacts.ReqVBSErrorEnvelopeShape, "/error/code", "error.code is not a non-empty string")
	}
	if _, ok := env.Error.Message.(string); !ok {
		p.rulef(specfacts.ReqVBSErrorEnvelopeShape, "/error/message", "error.message is not a string")
	}
}

// ResultItem is one resource of a success or fail list.
type ResultItem struct {
	ResourceID       string  `json:"resource_id"`
	ResourceType     *string `json:"resource_type"`
	AvailabilityZone *string `json:"availability_zone"`
	OsVolHostAttr    *string `json:"os_vol_host_attr"`
	Code             *string `json:"code"`
	Message          *string `json:"message"`
}

// AssociateResult is a parsed 200 answer.
type AssociateResult struct {
	Success []ResultItem
	Fail    []ResultItem

	// checked are the members whose presence the answer could show; absent those it left
	// out (the register entries with may_omit readings are judged on them).
	checked, absent []string
}

// Succeeded reports whether id is in success_resources.
func (r AssociateResult) Succeeded(id string) bool { return contains(r.Success, id) }

// Failed reports whether id is in fail_resources.
func (r AssociateResult) Failed(id string) bool { return contains(r.Fail, id) }

// In reports whether id is in the named list (success_resources or fail_resources).
func (r AssociateResult) In(list, id string) bool {
	if list == catalog.ResourceListFail {
		return r.Failed(id)
	}
	return r.Succeeded(id)
}

func contains(items []ResultItem, id string) bool {
	for _, it := range items {
		if it.ResourceID == id {
			return true
		}
	}
	return false
}

// ExpectAssociate expects a 200 whose two lists partition exactly the requested resources
// (each once, nothing unrequested, types echoed, failures with code and message).
// requested must be distinct.
func (e *Env) ExpectAssociate(x *Exchange, requested []Resource) AssociateResult {
	GinkgoHelper()
	var p problems
	res := e.checkAssociate(x, requested, nil, &p)
	e.judgeWant(x, want{text: "200 whose success_resources and fail_resources hold each requested resource exactly once", answers: []runrecord.Answer{{Status: http.StatusOK}}}, p)
	e.observeShape(specfacts.VBS, res.checked, res.absent)
	return res
}

// checkAssociate adds the problems of an answer that must be a 200 whose lists hold every
// requested resource, nothing unrequested, types echoed; perID says how many entries each
// resource id must have (1 when nil or absent).
func (e *Env) checkAssociate(x *Exchange, requested []Resource, perID map[string]int, p *problems) AssociateResult {
	res, ok := parseAssociate(x, e.placedVolume, p)
	if !ok {
		return res
	}
	want := map[string]Resource{}
	for _, r := range requested {
		want[r.ID] = r
	}
	count := map[string]int{}
	check := func(list string, items []ResultItem) {
		for i, it := range items {
			count[it.ResourceID]++
			r, ok := want[it.ResourceID]
			if !ok {
				p.rulef(specfacts.ReqVBSEachResourceOnce, "", "%s[%d] names resource %q, which was not requested", list, i, it.ResourceID)
				continue
			}
			if it.ResourceType != nil && *it.ResourceType != r.Type {
				p.rulef(specfacts.ReqVBSResourceTypeEcho, "/"+list+"/*/resource_type", "%s[%d] reports resource_type %q for %q, requested %q", list, i, *it.ResourceType, it.ResourceID, r.Type)
			}
		}
	}
	check(catalog.ResourceListSuccess, res.Success)
	check(catalog.ResourceListFail, res.Fail)
	for _, id := range sortedKeys(want) {
		n := 1
		if c, ok := perID[id]; ok {
			n = c
		}
		switch {
		case count[id] == 0:
			p.rulef(specfacts.ReqVBSEachResourceOnce, "", "requested resource %q is in neither list", id)
		case count[id] != n && n == 1:
			p.rulef(specfacts.ReqVBSEachResourceOnce, "", "requested resource %q appears %d times across the lists", id, count[id])
		case count[id] != n:
			p.rulef(specfacts.ReqVBSEachResourceOnce, "", "requested resource %q appears %d times across the lists, want %d (once per entry of the request)", id, count[id], n)
		}
	}
	return res
}

// placedVolume reports whether a result item is a volume the target file lists as one of
// the project's (volume_ids), named with a supported type: such a volume exists and has an
// AZ and a POD, whatever happened to it. A resource named with another type may be looked
// up as something that does not exist.
func (e *Env) placedVolume(it ResultItem) bool {
	return e.Target != nil && e.Target.VBS != nil && slices.Contains(e.Target.VBS.VolumeIDs, it.ResourceID) &&
		it.ResourceType != nil && slices.Contains(e.Contract.Constraints().VBS.ResourceTypes, *it.ResourceType)
}

// parseAssociate reads a 200 answer: its lists and the problems of every item whatever the
// reading — both lists present as arrays (vbs-response-lists-optional), every member whose
// value exists present (vbs-response-item-fields-optional: resource_type always, AZ and POD
// for every volume that exists), codes and messages of failures.
func parseAssociate(x *Exchange, placed func(ResultItem) bool, p *problems) (AssociateResult, bool) {
	if !p.answered(x) {
		return AssociateResult{}, false
	}
	if x.Status != http.StatusOK {
		p.answerf("status %d, want 200", x.Status)
		return AssociateResult{}, false
	}
	var raw struct {
		Success *[]ResultItem   `json:"success_resources"`
		Fail    *[]ResultItem   `json:"fail_resources"`
		Error   json.RawMessage `json:"error"`
	}
	if err := x.JSON(&raw); err != nil {
		p.rulef(specfacts.ReqVBSResponse200Shape, "/response/body", "%v", err)
		return AssociateResult{}, false
	}
	if raw.Error != nil {
		// vbs-error-body-under-200: rejected reading.
		p.rulef(specfacts.ReqVBSResponse200Shape, "/error", `a 200 carries the error envelope {"error":…}: an error must use an error status (register entry vbs-error-body-under-200)`)
		return AssociateResult{}, false
	}
	res := AssociateResult{checked: []string{catalog.ResourceListSuccess, catalog.ResourceListFail}}
	const lists = "register entry vbs-response-lists-optional: both lists are always arrays, [] when empty (absent or null is a rejected reading)"
	if raw.Success != nil && *raw.Success != nil {
		res.Success = *raw.Success
	} else {
		res.absent = append(res.absent, catalog.ResourceListSuccess)
		p.rulef(specfacts.ReqVBSResponse200Shape, "/"+catalog.ResourceListSuccess, "success_resources is absent or null; %s", lists)
	}
	if raw.Fail != nil && *raw.Fail != nil {
		res.Fail = *raw.Fail
	} else {
		res.absent = append(res.absent, catalog.ResourceListFail)
		p.rulef(specfacts.ReqVBSResponse200Shape, "/"+catalog.ResourceListFail, "fail_resources is absent or null; %s", lists)
	}
	const items = "register entry vbs-response-item-fields-optional: a member whose value exists is present (id-only is a rejected reading)"
	item := func(list string, i int, it ResultItem, hasPlace bool) {
		if it.ResourceType == nil {
			p.rulef(specfacts.ReqVBSResponse200Shape, "/"+list+"/*/resource_type", "%s[%d] (%q) has no resource_type; %s", list, i, it.ResourceID, items)
		}
		if hasPlace && (it.AvailabilityZone == nil || it.OsVolHostAttr == nil) {
			p.rulef(specfacts.ReqVBSResponse200Shape, "/"+list+"/*/availability_zone", "%s[%d] (%q) is a volume that exists but lacks availability_zone or os_vol_host_attr; %s", list, i, it.ResourceID, items)
		}
	}
	for i, it := range res.Success {
		item(catalog.ResourceListSuccess, i, it, true)
	}
	for i, it := range res.Fail {
		// A failed volume that does not exist has no AZ or POD; one that exists has both.
		item(catalog.ResourceListFail, i, it, placed(it))
		if it.Code == nil || *it.Code == "" {
			p.rulef(specfacts.ReqVBSResponse200Shape, "/fail_resources/*/code", "fail_resources[%d] has no code", i)
		}
		if it.Message == nil || *it.Message == "" {
			p.rulef(specfacts.ReqVBSResponse200Shape, "/fail_resources/*/message", "fail_resources[%d] has no message", i)
		}
	}
	if len(res.Success)+len(res.Fail) > 0 {
		res.checked = append(res.checked, "resource_type", "availability_zone", "os_vol_host_attr")
	}
	return res, true
}

// OffRoute drops the routing violations of an exchange whose request deliberately names no
// operation of the contract (another method, an empty project_id segment): such an answer
// has no documented schema, and the register entry of the probe alone judges it
// (vbs-method-not-allowed, vbs-empty-project-id). Every other violation is kept.
func (x *Exchange) OffRoute() *Exchange {
	kept := x.Violations[:0:0]
	for _, v := range x.Violations {
		if v.Rule != specfacts.RuleRouteNotFound && v.Rule != specfacts.RuleMethodNotAllowed {
			kept = append(kept, v)
		}
	}
	x.Violations = kept
	return x
}
