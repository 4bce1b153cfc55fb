package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"

	. "github.com/onsi/ginkgo/v2"

	"github.com/koobackup/conformance/internal/catalog"
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
	return Request{API: VBS, Method: v.Method, Path: v.Path(e.Target.VBS.ProjectID), Header: h, Body: body}
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
			p.addf("status %d, want %d", x.Status, status)
		}
		checkEnvelope(x, &p)
	}
	e.judge(x, fmt.Sprintf(`status %d with {"error":{"code","message"}}`, status), p)
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
		p.addf(`the body is not the error envelope {"error":{"code","message"}}`)
		return
	}
	if c, ok := env.Error.Code.(string); !ok || c == "" {
		p.addf("error.code is not a non-empty string")
	}
	if _, ok := env.Error.Message.(string); !ok {
		p.addf("error.message is not a string")
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
	e.judge(x, "200 whose success_resources and fail_resources hold each requested resource exactly once", p)
	e.observeShape(VBS, res.checked, res.absent)
	return res
}

// checkAssociate adds the problems of an answer that must be a 200 whose lists hold every
// requested resource, nothing unrequested, types echoed; perID says how many entries each
// resource id must have (1 when nil or absent).
func (e *Env) checkAssociate(x *Exchange, requested []Resource, perID map[string]int, p *problems) AssociateResult {
	res, ok := parseAssociate(x, p)
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
				p.addf("%s[%d] names resource %q, which was not requested", list, i, it.ResourceID)
				continue
			}
			if it.ResourceType != nil && *it.ResourceType != r.Type {
				p.addf("%s[%d] reports resource_type %q for %q, requested %q", list, i, *it.ResourceType, it.ResourceID, r.Type)
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
			p.addf("requested resource %q is in neither list", id)
		case count[id] != n && n == 1:
			p.addf("requested resource %q appears %d times across the lists", id, count[id])
		case count[id] != n:
			p.addf("requested resource %q appears %d times across the lists, want %d (once per entry of the request)", id, count[id], n)
		}
	}
	return res
}

// parseAssociate reads a 200 answer: its lists, the members it left out, and the problems
// of every item whatever the reading (ids, codes and messages of failures).
func parseAssociate(x *Exchange, p *problems) (AssociateResult, bool) {
	if !p.answered(x) {
		return AssociateResult{}, false
	}
	if x.Status != http.StatusOK {
		p.addf("status %d, want 200", x.Status)
		return AssociateResult{}, false
	}
	var raw struct {
		Success *[]ResultItem   `json:"success_resources"`
		Fail    *[]ResultItem   `json:"fail_resources"`
		Error   json.RawMessage `json:"error"`
	}
	if err := x.JSON(&raw); err != nil {
		p.addf("%v", err)
		return AssociateResult{}, false
	}
	if raw.Error != nil {
		// vbs-error-body-under-200: rejected reading.
		p.addf(`a 200 carries the error envelope {"error":…}: an error must use an error status (register entry vbs-error-body-under-200)`)
		return AssociateResult{}, false
	}
	res := AssociateResult{checked: []string{catalog.ResourceListSuccess, catalog.ResourceListFail}}
	if raw.Success != nil {
		res.Success = *raw.Success
	} else {
		res.absent = append(res.absent, catalog.ResourceListSuccess)
	}
	if raw.Fail != nil {
		res.Fail = *raw.Fail
	} else {
		res.absent = append(res.absent, catalog.ResourceListFail)
	}
	absent := map[string]bool{}
	for i, it := range res.Success {
		absent["resource_type"] = absent["resource_type"] || it.ResourceType == nil
		absent["availability_zone"] = absent["availability_zone"] || it.AvailabilityZone == nil
		absent["os_vol_host_attr"] = absent["os_vol_host_attr"] || it.OsVolHostAttr == nil
		if it.ResourceID == "" {
			p.addf("success_resources[%d].resource_id is empty", i)
		}
	}
	for i, it := range res.Fail {
		// A failed resource may have no AZ or POD (it may not exist); its type is echoed.
		absent["resource_type"] = absent["resource_type"] || it.ResourceType == nil
		if it.Code == nil || *it.Code == "" {
			p.addf("fail_resources[%d] has no code", i)
		}
		if it.Message == nil || *it.Message == "" {
			p.addf("fail_resources[%d] has no message", i)
		}
	}
	if len(res.Success)+len(res.Fail) > 0 {
		res.checked = append(res.checked, "resource_type", "availability_zone", "os_vol_host_attr")
		for _, m := range sortedKeys(absent) {
			if absent[m] {
				res.absent = append(res.absent, m)
			}
		}
	}
	return res, true
}
