package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

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
	return Request{API: VBS, Method: v.Method, Path: v.Path(e.Target.VBS.ProjectID), Header: h, Body: body}
}

// OnProject returns a copy of the request addressed to another project.
func (e *Env) OnProject(r Request, projectID string) Request {
	r.Path = e.Contract.Constraints().VBS.Path(projectID)
	return r
}

// StatusReadings maps a register reading to the error statuses it answers with.
type StatusReadings map[string][]int

// ExpectVBSError expects the error envelope with exactly this status.
func (e *Env) ExpectVBSError(x *Exchange, status int) {
	GinkgoHelper()
	e.expectVBSStatus(x, "", StatusReadings{"": {status}})
}

// ExpectVBSErrorReading expects the envelope with one of the statuses the register entry
// allows, records the reading the status shows, and lets the profile judge it.
func (e *Env) ExpectVBSErrorReading(x *Exchange, entry string, readings StatusReadings) string {
	GinkgoHelper()
	return e.expectVBSStatus(x, entry, readings)
}

func (e *Env) expectVBSStatus(x *Exchange, entry string, readings StatusReadings) string {
	GinkgoHelper()
	var want []string
	for _, r := range sortedKeys(readings) {
		for _, st := range readings[r] {
			want = append(want, fmt.Sprint(st))
		}
	}
	expected := "status " + strings.Join(want, " or ") + ` with {"error":{"code","message"}}`
	if entry != "" {
		expected += " (register entry " + entry + ")"
	}
	var p problems
	if !p.answered(x) {
		e.judge(x, expected, p)
		return ""
	}
	var matched []string
	for _, r := range sortedKeys(readings) {
		if slices.Contains(readings[r], x.Status) {
			matched = append(matched, r)
		}
	}
	if len(matched) == 0 {
		p.addf("status %d, want %s", x.Status, strings.Join(want, " or "))
	}
	e.expectEnvelope(x, &p)
	e.judge(x, expected, p)
	if entry != "" && len(matched) == 1 {
		e.Observe(entry, matched[0])
	}
	if len(matched) > 0 {
		return matched[0]
	}
	return ""
}

// expectEnvelope checks the error envelope even where the contract would not (a 200 that
// carries it, or a tolerated undocumented status).
func (e *Env) expectEnvelope(x *Exchange, p *problems) {
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
}

// Succeeded reports whether id is in success_resources.
func (r AssociateResult) Succeeded(id string) bool { return contains(r.Success, id) }

// Failed reports whether id is in fail_resources.
func (r AssociateResult) Failed(id string) bool { return contains(r.Fail, id) }

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
	res, p := e.parseAssociate(x)
	if res == nil {
		e.judge(x, "200 with success_resources and fail_resources", p)
		return AssociateResult{}
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
	check("success_resources", res.Success)
	check("fail_resources", res.Fail)
	for _, id := range sortedKeys(want) {
		switch count[id] {
		case 0:
			p.addf("requested resource %q is in neither list", id)
		case 1:
		default:
			p.addf("requested resource %q appears %d times across the lists", id, count[id])
		}
	}
	e.judge(x, "200 whose success_resources and fail_resources hold each requested resource exactly once", p)
	return *res
}

// ExpectAssociateAnswer expects a well-formed 200 without the partition check, for requests
// whose resources are deliberately not distinct.
func (e *Env) ExpectAssociateAnswer(x *Exchange) AssociateResult {
	GinkgoHelper()
	res, p := e.parseAssociate(x)
	e.judge(x, "200 with success_resources and fail_resources", p)
	if res == nil {
		return AssociateResult{}
	}
	return *res
}

func (e *Env) parseAssociate(x *Exchange) (*AssociateResult, problems) {
	GinkgoHelper()
	var p problems
	if !p.answered(x) {
		return nil, p
	}
	if x.Status != http.StatusOK {
		p.addf("status %d, want 200", x.Status)
		return nil, p
	}
	var raw struct {
		Success *[]ResultItem   `json:"success_resources"`
		Fail    *[]ResultItem   `json:"fail_resources"`
		Error   json.RawMessage `json:"error"`
	}
	if err := x.JSON(&raw); err != nil {
		p.addf("%v", err)
		return nil, p
	}
	if raw.Error != nil {
		// vbs-error-body-under-200: rejected reading.
		p.addf(`a 200 carries the error envelope {"error":…}: an error must use an error status (register entry vbs-error-body-under-200)`)
		return nil, p
	}
	if raw.Success != nil && raw.Fail != nil {
		e.Observe("vbs-response-lists-optional", "both-present")
	} else {
		e.Observe("vbs-response-lists-optional", "omit-empty")
	}
	res := &AssociateResult{}
	if raw.Success != nil {
		res.Success = *raw.Success
	}
	if raw.Fail != nil {
		res.Fail = *raw.Fail
	}
	allPresent := true
	for i, it := range res.Success {
		if it.ResourceType == nil || it.AvailabilityZone == nil || it.OsVolHostAttr == nil {
			allPresent = false
		}
		if it.ResourceID == "" {
			p.addf("success_resources[%d].resource_id is empty", i)
		}
	}
	for i, it := range res.Fail {
		if it.ResourceType == nil {
			allPresent = false
		}
		if it.Code == nil || *it.Code == "" {
			p.addf("fail_resources[%d] has no code", i)
		}
		if it.Message == nil || *it.Message == "" {
			p.addf("fail_resources[%d] has no message", i)
		}
	}
	if len(res.Success)+len(res.Fail) > 0 {
		if allPresent {
			e.Observe("vbs-response-item-fields-optional", "all-present")
		} else {
			e.Observe("vbs-response-item-fields-optional", "id-only")
		}
	}
	return res, p
}
