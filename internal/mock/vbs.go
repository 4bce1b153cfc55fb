package mock

import (
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/koobackup/conformance/internal/specfacts"
)

type vbsResource struct {
	ID   string
	Type string
}

// vbsSuccess is an associated volume: it exists, so every member has a value and is
// present (vbs-response-item-fields-optional).
type vbsSuccess struct {
	ResourceID       string `json:"resource_id"`
	ResourceType     string `json:"resource_type"`
	AvailabilityZone string `json:"availability_zone"`
	OsVolHostAttr    string `json:"os_vol_host_attr"`
}

// vbsFailure is a resource that failed: its type is the one requested; AZ and POD are left
// out only for a volume that does not exist, which has neither.
type vbsFailure struct {
	ResourceID       string `json:"resource_id"`
	ResourceType     string `json:"resource_type"`
	AvailabilityZone string `json:"availability_zone,omitempty"`
	OsVolHostAttr    string `json:"os_vol_host_attr,omitempty"`
	Code             string `json:"code"`
	Message          string `json:"message"`
}

// vbsResponse is a 200: both lists always present, [] when empty
// (vbs-response-lists-optional).
type vbsResponse struct {
	SuccessResources []vbsSuccess `json:"success_resources"`
	FailResources    []vbsFailure `json:"fail_resources"`
}

// vbsError writes the VBS error envelope {"error":{"code","message"}}.
func (m *Mock) vbsError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, mockEnvelope(code, msg))
}

func (m *Mock) serveVBS(w http.ResponseWriter, r *http.Request, projectID string) {
	vc := m.cons.VBS
	badRequest := func(format string, a ...any) {
		m.vbsError(w, http.StatusBadRequest, VBSCodeBadRequest, fmt.Sprintf(format, a...))
	}

	// 1. Size (vbs-oversized-body-status).
	body, tooLarge, err := readBody(w, r, m.vbsBodyLimit())
	if tooLarge {
		m.vbsError(w, m.vbsOversizedStatus(), VBSCodeBodyTooLarge, fmt.Sprintf("body: larger than %d bytes", MaxBodyBytes))
		return
	}
	if err != nil {
		badRequest("body: could not be read")
		return
	}

	// An empty project_id segment (vbs-empty-project-id): a router's 404 or 400 comes before
	// anything else; the forbidden reading is the project check below.
	if projectID == "" {
		if status, code := m.vbsEmptyProjectStatus(); status != http.StatusForbidden {
			m.vbsError(w, status, code, "project_id: the path segment is empty")
			return
		}
	}

	// 2. Media type (vbs-content-type), JSON and schema: after authentication, or before it
	// (vbs-fault-precedence: body-first).
	var policyID string
	var resources []vbsResource
	parsed := false
	parse := func() bool {
		parsed = true
		if ct := r.Header.Get("Content-Type"); m.vbsChecksMediaType() && !isJSONMediaType(ct) {
			badRequest("Content-Type: %q is not application/json", ct)
			return false
		}
		var msg string
		if policyID, resources, msg = m.parseVBSBody(r, body); msg != "" {
			badRequest("%s", msg)
			return false
		}
		return true
	}
	if m.vbsBodyFirst() && !parse() {
		return
	}

	// 3. Authentication (vbs-auth-header: x-auth-token) and project.
	w0 := m.world
	token := strings.TrimSpace(r.Header.Get(vc.TokenHeader))
	w0.mu.Lock()
	proj := w0.projectByToken[token]
	w0.mu.Unlock()
	switch {
	case proj == nil && m.vbsGatewayRefusesToken():
		// vbs-auth-header: api-gateway, the gateway in front answers before the service.
		gatewayRefuse(w, "Incorrect IAM authentication information: "+vc.TokenHeader+" is missing or not valid")
		return
	case proj == nil && token == "":
		m.vbsError(w, http.StatusUnauthorized, VBSCodeUnauthorized, vc.TokenHeader+": header is required")
		return
	case proj == nil:
		m.vbsError(w, http.StatusUnauthorized, VBSCodeUnauthorized, vc.TokenHeader+": the token is not valid")
		return
	case projectID == "":
		// vbs-empty-project-id: forbidden.
		m.vbsError(w, http.StatusForbidden, VBSCodeForbidden, "project_id: the token does not grant access to an empty project")
		return
	case proj.id != projectID:
		// vbs-status-mapping.
		status, code := m.vbsMismatchStatus()
		m.vbsError(w, status, code, fmt.Sprintf("project_id: the token does not grant access to project %q", projectID))
		return
	}

	// 4. Accept (vbs-not-acceptable): the answer is JSON; 406 when the client takes none.
	if accept := r.Header.Get("Accept"); !acceptsJSON(accept) {
		msg := fmt.Sprintf("Accept: %q admits no JSON answer; this operation answers application/json", accept)
		switch honours, ownBody := m.vbsHonoursAccept(); {
		case ownBody:
			http.Error(w, msg, http.StatusNotAcceptable)
			return
		case honours:
			m.vbsError(w, http.StatusNotAcceptable, VBSCodeNotAcceptable, msg)
			return
		}
	}

	// 5. Body, then semantics.
	if !parsed && !parse() {
		return
	}
	// vbs-empty-policy-id, vbs-empty-resource-id: "" malformed, or (below) unknown.
	if policyID == "" && m.vbsEmptyPolicyMalformed() {
		badRequest("backup_policy_id: is empty")
		return
	}
	for i, res := range resources {
		if res.ID == "" && m.vbsEmptyResourceMalformed() {
			badRequest("resources[%d].resource_id: is empty", i)
			return
		}
	}
	// vbs-empty-resources.
	if len(resources) == 0 && m.vbsRejectsEmpty() {
		badRequest("resources: is empty, at least 1 item required")
		return
	}
	// vbs-duplicate-resources: refused, or each volume associated and reported once.
	reject := m.vbsRejectsDuplicates()
	first := map[string]int{}
	kept := resources[:0:0]
	for i, res := range resources {
		if j, seen := first[res.ID]; seen {
			if reject {
				badRequest("resources[%d].resource_id: %q repeats resources[%d], each resource may be listed once", i, res.ID, j)
				return
			}
			continue
		}
		first[res.ID] = i
		kept = append(kept, res)
	}

	// 4-5 under the world lock.
	status, out, errCode, errMsg := m.associate(proj, policyID, kept)
	if status != http.StatusOK {
		m.vbsError(w, status, errCode, errMsg)
		return
	}
	if out.SuccessResources == nil {
		out.SuccessResources = []vbsSuccess{}
	}
	if out.FailResources == nil {
		out.FailResources = []vbsFailure{}
	}
	writeJSON(w, http.StatusOK, out)
}

var knownVBSMembers = map[string]bool{"backup_policy_id": true, "resources": true}
var knownVBSResourceMembers = map[string]bool{"resource_id": true, "resource_type": true}

// acceptsJSON reports whether an Accept header admits an application/json answer; an absent
// or unparsable one does (RFC 9110: a server may then send any representation).
func acceptsJSON(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	parsedAny := false
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		parsedAny = true
		if q, ok := params["q"]; ok && strings.Trim(q, "0.") == "" {
			continue // q=0: not acceptable
		}
		switch strings.ToLower(mt) {
		case "*/*", "application/*", "application/json":
			return true
		}
	}
	return !parsedAny
}

// parseVBSBody applies the schema (through the contract) and returns the policy and the
// resources in request order, or a message naming the field and the rule.
func (m *Mock) parseVBSBody(r *http.Request, body []byte) (string, []vbsResource, string) {
	obj, msg := decodeObject(body)
	if msg != "" {
		return "", nil, msg
	}
	// vbs-unknown-fields.
	rejectUnknown := m.vbsRejectsUnknownMembers()
	if rejectUnknown {
		for _, k := range sortedKeys(obj) {
			if !knownVBSMembers[k] {
				return "", nil, k + ": unknown member, not allowed"
			}
		}
	}
	rawPolicy, ok := obj["backup_policy_id"]
	if !ok {
		return "", nil, "backup_policy_id: is required"
	}
	policyID, ok := rawPolicy.(string)
	if !ok {
		return "", nil, "backup_policy_id: must be a string, got " + jsonKind(rawPolicy)
	}
	rawList, ok := obj["resources"]
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
			if !ok {
				return "", nil, fmt.Sprintf("resources[%d].%s: is required", i, field)
			}
			if _, ok := v.(string); !ok {
				return "", nil, fmt.Sprintf("resources[%d].%s: must be a string, got %s", i, field, jsonKind(v))
			}
		}
		resources[i] = vbsResource{ID: res["resource_id"].(string), Type: res["resource_type"].(string)}
		// vbs-unsupported-resource-type: a request error, or (checked in associate) a
		// resource that fails.
		if !slices.Contains(m.cons.VBS.ResourceTypes, resources[i].Type) && m.vbsUnsupportedTypeRefusesRequest() {
			return "", nil, fmt.Sprintf("resources[%d].resource_type: %q is not one of %s", i, resources[i].Type, strings.Join(m.cons.VBS.ResourceTypes, ", "))
		}
	}
	for _, v := range m.contract.ValidateRequest(r, body) {
		if !strings.HasPrefix(v.Location, bodyLocation) || v.Rule == specfacts.RuleRequestContentType {
			continue
		}
		// Every resource_type is a string by now, so a finding there is the enum, which the
		// per-resource reading reports in fail_resources.
		if strings.HasSuffix(v.Location, "/resource_type") && !m.vbsUnsupportedTypeRefusesRequest() {
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

	// vbs-response-item-fields-optional: every member whose value exists.
	success := func(res vbsResource, az, pod string) {
		out.SuccessResources = append(out.SuccessResources, vbsSuccess{ResourceID: res.ID, ResourceType: res.Type, AvailabilityZone: az, OsVolHostAttr: pod})
	}
	failure := func(res vbsResource, v *volume, code, msg string) {
		item := vbsFailure{ResourceID: res.ID, ResourceType: res.Type, Code: code, Message: msg}
		if v != nil {
			item.AvailabilityZone, item.OsVolHostAttr = v.az, v.pod
		}
		out.FailResources = append(out.FailResources, item)
	}

	if !p.policies[policyID] {
		msg := fmt.Sprintf("backup_policy_id: policy %q does not exist in the project", policyID)
		// vbs-unknown-policy-reporting.
		status := m.vbsUnknownPolicy()
		if status != http.StatusOK {
			return status, out, VBSCodePolicyNotFound, msg
		}
		for _, res := range resources {
			failure(res, p.volumes[res.ID], VBSCodePolicyNotFound, msg)
		}
		return http.StatusOK, out, "", ""
	}
	// vbs-unknown-volume-reporting, when an unknown volume refuses the whole request.
	if m.vbsUnknownVolumeRefusesRequest() {
		for i, res := range resources {
			if p.volumes[res.ID] == nil {
				return http.StatusNotFound, out, VBSCodeVolumeNotFound, fmt.Sprintf("resources[%d].resource_id: volume %q not found in the project", i, res.ID)
			}
		}
	}
	// vbs-reassociate, when a volume bound already refuses the whole request.
	idempotent, conflict := m.vbsReassociate()
	if conflict {
		for i, res := range resources {
			if v := p.volumes[res.ID]; v != nil && v.policy == policyID {
				return http.StatusConflict, out, VBSCodeAlreadyAssociated, fmt.Sprintf("resources[%d].resource_id: volume %q is already associated with this policy", i, res.ID)
			}
		}
	}
	for i, res := range resources {
		v := p.volumes[res.ID]
		switch {
		case !slices.Contains(m.cons.VBS.ResourceTypes, res.Type):
			// vbs-unsupported-resource-type, per resource.
			failure(res, v, VBSCodeUnsupportedType, fmt.Sprintf("resources[%d].resource_type: %q is not supported, want one of %s", i, res.Type, strings.Join(m.cons.VBS.ResourceTypes, ", ")))
		case v == nil:
			failure(res, nil, VBSCodeVolumeNotFound, fmt.Sprintf("resources[%d].resource_id: volume %q not found in the project", i, res.ID))
		case v.policy == policyID && idempotent:
			success(res, v.az, v.pod)
		case v.policy == policyID:
			failure(res, v, VBSCodeAlreadyAssociated, fmt.Sprintf("resources[%d].resource_id: volume %q is already associated with this policy", i, res.ID))
		case v.policy != "":
			failure(res, v, VBSCodeBoundElsewhere, fmt.Sprintf("resources[%d].resource_id: volume %q is associated with another policy", i, res.ID))
		default:
			v.policy = policyID
			success(res, v.az, v.pod)
		}
	}
	return http.StatusOK, out, "", ""
}
