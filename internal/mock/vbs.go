package mock

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/koobackup/conformance/internal/contract"
)

type vbsResource struct {
	ID   string
	Type string
}

type vbsSuccess struct {
	ResourceID       string `json:"resource_id"`
	ResourceType     string `json:"resource_type,omitempty"`
	AvailabilityZone string `json:"availability_zone,omitempty"`
	OsVolHostAttr    string `json:"os_vol_host_attr,omitempty"`
}

type vbsFailure struct {
	ResourceID       string `json:"resource_id"`
	ResourceType     string `json:"resource_type,omitempty"`
	AvailabilityZone string `json:"availability_zone,omitempty"`
	OsVolHostAttr    string `json:"os_vol_host_attr,omitempty"`
	Code             string `json:"code"`
	Message          string `json:"message"`
}

type vbsResponse struct {
	SuccessResources []vbsSuccess `json:"success_resources"`
	FailResources    []vbsFailure `json:"fail_resources"`
}

// vbsResponseOmitEmpty is the lenient shape: an empty list is left out
// (vbs-response-lists-optional: omit-empty).
type vbsResponseOmitEmpty struct {
	SuccessResources []vbsSuccess `json:"success_resources,omitempty"`
	FailResources    []vbsFailure `json:"fail_resources,omitempty"`
}

type vbsFlatError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// vbsError writes the VBS error envelope {"error":{"code","message"}}.
func (m *Mock) vbsError(w http.ResponseWriter, status int, code, msg string) {
	if m.on(FaultVBSInternalError400) && status == http.StatusInternalServerError {
		status = http.StatusBadRequest
	}
	if m.on(FaultVBSErrorCodeEmpty) {
		code = ""
	}
	var body any = mockEnvelope(code, msg)
	if m.on(FaultVBSErrorEnvelopeFlat) {
		body = vbsFlatError{Code: code, Message: msg}
	}
	m.vbsWrite(w, status, body)
}

func (m *Mock) vbsWrite(w http.ResponseWriter, status int, body any) {
	ct := "application/json"
	if m.on(FaultVBSWrongContentType) {
		ct = "text/plain; charset=utf-8"
	}
	writeJSONAs(w, status, ct, body)
}

func (m *Mock) serveVBS(w http.ResponseWriter, r *http.Request, projectID string) {
	vc := m.cons.VBS
	badRequest := func(format string, a ...any) {
		m.vbsError(w, http.StatusBadRequest, VBSCodeBadRequest, fmt.Sprintf(format, a...))
	}

	// 1. Size. vbs-oversized-body-status: strict reading documented-400.
	body, tooLarge, err := readBody(w, r)
	if tooLarge && m.on(FaultVBSOversizedDropped) {
		panic(http.ErrAbortHandler)
	}
	if tooLarge {
		status := http.StatusBadRequest
		if m.takes(ambVBSOversized, "transport-413") {
			status = http.StatusRequestEntityTooLarge
		}
		m.vbsError(w, status, VBSCodeBodyTooLarge, fmt.Sprintf("body: larger than %d bytes", MaxBodyBytes))
		return
	}
	if err != nil {
		badRequest("body: could not be read")
		return
	}

	// 2. Authentication (vbs-auth-header: x-auth-token) and project.
	w0 := m.world
	token := strings.TrimSpace(r.Header.Get(vc.TokenHeader))
	w0.mu.Lock()
	proj := w0.projectByToken[token]
	w0.mu.Unlock()
	if proj == nil && m.on(FaultVBSAuthNotEnforced) {
		proj = w0.projects[w0.desc.VBS.ProjectID]
	}
	switch {
	case proj == nil && token == "":
		m.vbsError(w, http.StatusUnauthorized, VBSCodeUnauthorized, vc.TokenHeader+": header is required")
		return
	case proj == nil && m.on(FaultVBSInvalidToken403):
		m.vbsError(w, http.StatusForbidden, VBSCodeForbidden, vc.TokenHeader+": the token is not valid")
		return
	case proj == nil:
		m.vbsError(w, http.StatusUnauthorized, VBSCodeUnauthorized, vc.TokenHeader+": the token is not valid")
		return
	case proj.id != projectID && !m.on(FaultVBSProjectMismatchIgnored):
		msg := fmt.Sprintf("project_id: the token does not grant access to project %q", projectID)
		// vbs-status-mapping: strict reading preferred (403 for another project's token).
		if m.takes(ambVBSStatusMapping, "not-found-project") {
			m.vbsError(w, http.StatusNotFound, VBSCodeNotFound, fmt.Sprintf("project_id: project %q not found", projectID))
			return
		}
		m.vbsError(w, http.StatusForbidden, VBSCodeForbidden, msg)
		return
	}

	// 3. Media type (vbs-content-type: strict reading reject), JSON, schema, semantics.
	if !m.takes(ambVBSContentType, "sniff") {
		if ct := r.Header.Get("Content-Type"); !isJSONMediaType(ct) {
			if m.on(FaultVBSContentType500) {
				panic(plantedPanic(FaultVBSContentType500))
			}
			badRequest("Content-Type: %q is not application/json", ct)
			return
		}
	}
	policyID, resources, msg := m.parseVBSBody(r, body)
	if msg != "" {
		badRequest("%s", msg)
		return
	}
	if len(resources) == 0 && m.on(FaultVBSEmptyResources500) {
		panic(plantedPanic(FaultVBSEmptyResources500))
	}
	// vbs-empty-resources: strict reading reject.
	if len(resources) == 0 && m.takes(ambVBSEmptyResources, "reject") {
		badRequest("resources: is empty, at least 1 item required")
		return
	}
	// vbs-duplicate-resources: strict reading reject.
	first := map[string]int{}
	unique := resources[:0:0]
	for i, res := range resources {
		if j, seen := first[res.ID]; seen {
			if m.on(FaultVBSDuplicateResources500) {
				panic(plantedPanic(FaultVBSDuplicateResources500))
			}
			if m.takes(ambVBSDuplicates, "reject") {
				badRequest("resources[%d].resource_id: %q repeats resources[%d], each resource may be listed once", i, res.ID, j)
				return
			}
			continue
		}
		first[res.ID] = i
		unique = append(unique, res)
	}

	// 4-5 under the world lock.
	status, out, errCode, errMsg := m.associate(proj, policyID, unique)
	if status != http.StatusOK {
		m.vbsError(w, status, errCode, errMsg)
		return
	}
	if m.on(FaultVBSHang) {
		<-r.Context().Done()
		return
	}
	// vbs-response-lists-optional: strict reading both-present.
	if m.takes(ambVBSListsOptional, "omit-empty") {
		m.vbsWrite(w, http.StatusOK, vbsResponseOmitEmpty(out))
		return
	}
	if out.SuccessResources == nil {
		out.SuccessResources = []vbsSuccess{}
	}
	if out.FailResources == nil {
		out.FailResources = []vbsFailure{}
	}
	m.vbsWrite(w, http.StatusOK, out)
}

var knownVBSMembers = map[string]bool{"backup_policy_id": true, "resources": true}
var knownVBSResourceMembers = map[string]bool{"resource_id": true, "resource_type": true}

// parseVBSBody applies the schema (through the contract) and returns the policy and the
// resources in request order, or a message naming the field and the rule.
func (m *Mock) parseVBSBody(r *http.Request, body []byte) (string, []vbsResource, string) {
	obj, msg := decodeObject(body)
	if msg != "" && m.on(FaultVBSMalformedJSON500) {
		panic(plantedPanic(FaultVBSMalformedJSON500))
	}
	if msg != "" {
		return "", nil, msg
	}
	if m.on(FaultVBSUnknownField500) && hasUnknownMember(obj, knownVBSMembers) {
		panic(plantedPanic(FaultVBSUnknownField500))
	}
	// vbs-unknown-fields: strict reading ignore.
	rejectUnknown := m.takes(ambVBSUnknownFields, "reject")
	if rejectUnknown {
		for _, k := range sortedKeys(obj) {
			if !knownVBSMembers[k] {
				return "", nil, k + ": unknown member, not allowed"
			}
		}
	}
	rawPolicy, ok := obj["backup_policy_id"]
	if !ok && m.on(FaultVBSMissingPolicyID500) {
		panic(plantedPanic(FaultVBSMissingPolicyID500))
	}
	if !ok {
		return "", nil, "backup_policy_id: is required"
	}
	policyID, ok := rawPolicy.(string)
	if !ok && m.on(FaultVBSWrongType500) {
		panic(plantedPanic(FaultVBSWrongType500))
	}
	if !ok {
		return "", nil, "backup_policy_id: must be a string, got " + jsonKind(rawPolicy)
	}
	rawList, ok := obj["resources"]
	if !ok && m.on(FaultVBSMissingResources500) {
		panic(plantedPanic(FaultVBSMissingResources500))
	}
	if !ok {
		return "", nil, "resources: is required"
	}
	list, ok := rawList.([]any)
	if !ok {
		return "", nil, "resources: must be an array of objects, got " + jsonKind(rawList)
	}
	resources := make([]vbsResource, len(list))
	for i, item := range list {
		res, ok := item.(map[string]any)
		if !ok {
			return "", nil, fmt.Sprintf("resources[%d]: must be an object, got %s", i, jsonKind(item))
		}
		if rejectUnknown {
			for _, k := range sortedKeys(res) {
				if !knownVBSResourceMembers[k] {
					return "", nil, fmt.Sprintf("resources[%d].%s: unknown member, not allowed", i, k)
				}
			}
		}
		for _, field := range []string{"resource_id", "resource_type"} {
			v, ok := res[field]
			if !ok && m.on(FaultVBSMissingResourceField500) {
				panic(plantedPanic(FaultVBSMissingResourceField500))
			}
			if !ok {
				return "", nil, fmt.Sprintf("resources[%d].%s: is required", i, field)
			}
			if _, ok := v.(string); !ok {
				return "", nil, fmt.Sprintf("resources[%d].%s: must be a string, got %s", i, field, jsonKind(v))
			}
		}
		resources[i] = vbsResource{ID: res["resource_id"].(string), Type: res["resource_type"].(string)}
		// vbs-unsupported-resource-type: strict reading per-resource (checked in associate);
		// the lenient mock refuses the request.
		if !slices.Contains(m.cons.VBS.ResourceTypes, resources[i].Type) && m.takes(ambVBSUnsupportedType, "request-error") {
			return "", nil, fmt.Sprintf("resources[%d].resource_type: %q is not one of %s", i, resources[i].Type, strings.Join(m.cons.VBS.ResourceTypes, ", "))
		}
	}
	for _, v := range m.contract.ValidateRequest(r, body) {
		if !strings.HasPrefix(v.Location, bodyLocation) || v.Rule == contract.RuleRequestContentType {
			continue
		}
		// Every resource_type is a string by now, so a finding there is the enum, which the
		// strict reading reports per resource.
		if strings.HasSuffix(v.Location, "/resource_type") && m.takes(ambVBSUnsupportedType, "per-resource") {
			continue
		}
		return "", nil, v.Message
	}
	return policyID, resources, ""
}

// sortedKeys yields the keys of an object in order, so that the member a message names is
// the same from run to run.
func sortedKeys(obj map[string]any) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// associate decides every resource and binds the associable volumes, atomically. A status
// other than 200 means nothing was bound.
func (m *Mock) associate(p *project, policyID string, resources []vbsResource) (int, vbsResponse, string, string) {
	w := m.world
	w.mu.Lock()
	defer w.mu.Unlock()
	var out vbsResponse

	idOnly := m.takes(ambVBSItemFields, "id-only")
	success := func(res vbsResource, v *volume, az, pod string) {
		item := vbsSuccess{ResourceID: res.ID}
		// vbs-response-item-fields-optional: strict reading all-present.
		if !idOnly {
			item.ResourceType, item.AvailabilityZone, item.OsVolHostAttr = res.Type, az, pod
		}
		if m.on(FaultVBSResourceTypeChanged) {
			item.ResourceType = strings.ToUpper(res.Type)
		}
		out.SuccessResources = append(out.SuccessResources, item)
	}
	failure := func(res vbsResource, v *volume, code, msg string) {
		item := vbsFailure{ResourceID: res.ID, Code: code, Message: msg}
		if m.on(FaultVBSFailItemWithoutCode) {
			item.Code, item.Message = "", ""
		}
		if !idOnly {
			item.ResourceType = res.Type
			if v != nil {
				item.AvailabilityZone, item.OsVolHostAttr = v.az, v.pod
			}
		}
		out.FailResources = append(out.FailResources, item)
	}

	if !p.policies[policyID] && !m.on(FaultVBSUnknownPolicy200) {
		msg := fmt.Sprintf("backup_policy_id: policy %q does not exist in the project", policyID)
		// vbs-unknown-policy-reporting: strict reading request-error, with 404
		// (vbs-status-mapping: preferred).
		if m.takes(ambVBSUnknownPolicy, "all-failed") {
			for _, res := range resources {
				failure(res, p.volumes[res.ID], VBSCodePolicyNotFound, msg)
			}
			return http.StatusOK, out, "", ""
		}
		if m.on(FaultVBSUnknownPolicy422) {
			return http.StatusUnprocessableEntity, out, VBSCodePolicyNotFound, msg
		}
		return http.StatusNotFound, out, VBSCodePolicyNotFound, msg
	}
	// vbs-unknown-volume-reporting: strict reading per-resource; the lenient mock refuses
	// the whole request and binds nothing.
	if m.takes(ambVBSUnknownVolume, "request-error") {
		for i, res := range resources {
			if p.volumes[res.ID] == nil {
				return http.StatusNotFound, out, VBSCodeVolumeNotFound, fmt.Sprintf("resources[%d].resource_id: volume %q not found in the project", i, res.ID)
			}
		}
	}
	for i, res := range resources {
		v := p.volumes[res.ID]
		switch {
		case !slices.Contains(m.cons.VBS.ResourceTypes, res.Type) && m.on(FaultVBSUnsupportedTypeAssociated):
			az, pod := placement(res.ID)
			success(res, v, az, pod)
		case !slices.Contains(m.cons.VBS.ResourceTypes, res.Type):
			// vbs-unsupported-resource-type: strict reading per-resource.
			failure(res, v, VBSCodeUnsupportedType, fmt.Sprintf("resources[%d].resource_type: %q is not supported, want one of %s", i, res.Type, strings.Join(m.cons.VBS.ResourceTypes, ", ")))
		case v == nil && m.on(FaultVBSUnknownVolumeSucceeds):
			az, pod := placement(res.ID)
			success(res, nil, az, pod)
		case v == nil:
			failure(res, nil, VBSCodeVolumeNotFound, fmt.Sprintf("resources[%d].resource_id: volume %q not found in the project", i, res.ID))
		case v.policy == policyID && m.on(FaultVBSReassociate500):
			panic(plantedPanic(FaultVBSReassociate500))
		case v.policy == policyID:
			// vbs-reassociate: strict reading per-resource-failure.
			if m.takes(ambVBSReassociate, "idempotent") {
				success(res, v, v.az, v.pod)
				continue
			}
			failure(res, v, VBSCodeAlreadyAssociated, fmt.Sprintf("resources[%d].resource_id: volume %q is already associated with this policy", i, res.ID))
		case v.policy != "":
			failure(res, v, VBSCodeBoundElsewhere, fmt.Sprintf("resources[%d].resource_id: volume %q is associated with another policy", i, res.ID))
		case v.policy == "" && m.on(FaultVBSFreeVolumeFailedBesideUnknown) && namesUnknownVolume(p, resources):
			failure(res, v, VBSCodeInternal, fmt.Sprintf("resources[%d].resource_id: volume %q was not associated", i, res.ID))
		default:
			v.policy = policyID
			success(res, v, v.az, v.pod)
		}
	}
	if m.on(FaultVBSResourceInBothLists) && len(out.SuccessResources) > 0 {
		s := out.SuccessResources[0]
		out.FailResources = append(out.FailResources, vbsFailure{ResourceID: s.ResourceID, ResourceType: s.ResourceType, Code: VBSCodeAlreadyAssociated, Message: "already associated"})
	}
	if m.on(FaultVBSResourceDropped) {
		if n := len(out.FailResources); n > 0 {
			out.FailResources = out.FailResources[:n-1]
		} else if n := len(out.SuccessResources); n > 0 {
			out.SuccessResources = out.SuccessResources[:n-1]
		}
	}
	return http.StatusOK, out, "", ""
}
