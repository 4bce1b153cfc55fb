package mock

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/koobackup/conformance/internal/specfacts"
)

// vbsPlants are the VBS planted faults, keyed by fault name.
var vbsPlants = map[string]plant{
	FaultVBSAuthNotEnforced: {request: func(c *plantCall, _ http.ResponseWriter) bool {
		if c.project() == nil {
			c.setRequestHeader(c.m.cons.VBS.TokenHeader, c.m.world.desc.VBS.AuthToken)
		}
		return false
	}},

	FaultVBSProjectMismatchIgnored: {request: func(c *plantCall, _ http.ResponseWriter) bool {
		if p := c.project(); p != nil && p.id != c.projectID {
			c.projectID = p.id
		}
		return false
	}},

	FaultVBSUnknownVolumeSucceeds: {request: func(c *plantCall, _ http.ResponseWriter) bool {
		p := c.project()
		if p == nil {
			return false
		}
		w := c.m.world
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, res := range c.resources() {
			if p.volumes[res.ID] == nil && slices.Contains(c.m.cons.VBS.ResourceTypes, res.Type) {
				az, pod := placement(res.ID)
				p.volumes[res.ID] = &volume{id: res.ID, az: az, pod: pod}
			}
		}
		return false
	}},

	FaultVBSResourceDropped: {response: func(c *plantCall) {
		c.editLists(func(success, fail []any) ([]any, []any) {
			if n := len(fail); n > 0 {
				return success, fail[:n-1]
			}
			if n := len(success); n > 0 {
				return success[:n-1], fail
			}
			return success, fail
		})
	}},

	FaultVBSResourceInBothLists: {response: func(c *plantCall) {
		c.editLists(func(success, fail []any) ([]any, []any) {
			if len(success) == 0 {
				return success, fail
			}
			s, _ := success[0].(map[string]any)
			item := map[string]any{"resource_id": s["resource_id"], "code": VBSCodeAlreadyAssociated, "message": "already associated"}
			if t, ok := s["resource_type"]; ok {
				item["resource_type"] = t
			}
			return success, append(fail, item)
		})
	}},

	FaultVBSUnknownPolicy200: {request: func(c *plantCall, _ http.ResponseWriter) bool {
		if p, policy := c.project(), c.policyID(); p != nil && policy != "" {
			c.m.world.mu.Lock()
			p.policies[policy] = true
			c.m.world.mu.Unlock()
		}
		return false
	}},

	FaultVBSErrorEnvelopeFlat: {response: func(c *plantCall) {
		c.editAnswer(func(obj map[string]any) {
			if e, ok := obj["error"].(map[string]any); ok {
				delete(obj, "error")
				obj["code"], obj["message"] = e["code"], e["message"]
			}
		})
	}},

	FaultVBSWrongContentType: {response: textPlain},

	FaultVBSHang: {response: func(c *plantCall) {
		if c.status == http.StatusOK {
			c.hang()
		}
	}},

	FaultVBSMissingPolicyID500: {request: panics(FaultVBSMissingPolicyID500, func(c *plantCall) bool {
		obj := c.requestObject()
		_, ok := obj["backup_policy_id"]
		return obj != nil && !ok
	})},

	FaultVBSMissingResources500: {request: panics(FaultVBSMissingResources500, func(c *plantCall) bool {
		obj := c.requestObject()
		_, ok := obj["resources"]
		return obj != nil && !ok
	})},

	FaultVBSMissingResourceField500: {request: panics(FaultVBSMissingResourceField500, func(c *plantCall) bool {
		list, _ := c.requestObject()["resources"].([]any)
		for _, item := range list {
			res, ok := item.(map[string]any)
			_, hasID := res["resource_id"]
			_, hasType := res["resource_type"]
			if ok && (!hasID || !hasType) {
				return true
			}
		}
		return false
	})},

	FaultVBSWrongType500: {request: panics(FaultVBSWrongType500, func(c *plantCall) bool {
		v, ok := c.requestObject()["backup_policy_id"]
		_, isString := v.(string)
		return ok && !isString
	})},

	FaultVBSUnsupportedTypeAssociated: {
		request: func(c *plantCall, _ http.ResponseWriter) bool {
			obj := c.requestObject()
			list, _ := obj["resources"].([]any)
			changed := map[string]any{}
			for _, item := range list {
				res, ok := item.(map[string]any)
				t, isString := res["resource_type"].(string)
				if ok && isString && !slices.Contains(c.m.cons.VBS.ResourceTypes, t) {
					changed[fmt.Sprint(res["resource_id"])] = t
					res["resource_type"] = c.m.cons.VBS.ResourceTypes[0]
				}
			}
			if len(changed) > 0 {
				c.notes["types"] = changed
				c.setRequestObject(obj)
			}
			return false
		},
		response: func(c *plantCall) {
			changed, _ := c.notes["types"].(map[string]any)
			c.editLists(func(success, fail []any) ([]any, []any) {
				for _, item := range append(append([]any{}, success...), fail...) {
					if it, ok := item.(map[string]any); ok {
						if t, ok := changed[fmt.Sprint(it["resource_id"])]; ok {
							if _, has := it["resource_type"]; has {
								it["resource_type"] = t
							}
						}
					}
				}
				return success, fail
			})
		},
	},

	FaultVBSEmptyResources500: {request: panics(FaultVBSEmptyResources500, func(c *plantCall) bool {
		list, ok := c.requestObject()["resources"].([]any)
		return ok && len(list) == 0
	})},

	FaultVBSInternalError400: {response: func(c *plantCall) {
		if c.status == http.StatusInternalServerError {
			c.status = http.StatusBadRequest
		}
	}},

	FaultVBSFreeVolumeFailedBesideUnknown: {
		request: func(c *plantCall, _ http.ResponseWriter) bool {
			p := c.project()
			if p == nil {
				return false
			}
			w := c.m.world
			w.mu.Lock()
			defer w.mu.Unlock()
			unknown, free := false, []string{}
			for _, res := range c.resources() {
				switch v := p.volumes[res.ID]; {
				case v == nil:
					unknown = true
				case v.policy == "":
					free = append(free, res.ID)
				}
			}
			if unknown && len(free) > 0 {
				c.notes["free"] = free
			}
			return false
		},
		response: func(c *plantCall) {
			free, _ := c.notes["free"].([]string)
			if len(free) == 0 {
				return
			}
			// Whatever the reading, the answer is a 200 in which every resource failed and
			// the free volumes stay unbound.
			p := c.project()
			c.m.world.mu.Lock()
			for _, id := range free {
				if v := p.volumes[id]; v != nil {
					v.policy = ""
				}
			}
			c.m.world.mu.Unlock()
			var fail []any
			for i, res := range c.resources() {
				fail = append(fail, map[string]any{"resource_id": res.ID, "resource_type": res.Type, "code": VBSCodeInternal,
					"message": fmt.Sprintf("resources[%d].resource_id: volume %q was not associated", i, res.ID)})
			}
			c.status = http.StatusOK
			c.header.Set("Content-Type", "application/json")
			c.setAnswerObject(map[string]any{"success_resources": []any{}, "fail_resources": fail})
		},
	},

	// Whatever the reading says about listing resource_type, the deviation reports one, and
	// not the one requested.
	FaultVBSResourceTypeChanged: {response: func(c *plantCall) {
		requested := map[string]string{}
		for _, res := range c.resources() {
			requested[res.ID] = res.Type
		}
		c.editLists(func(success, fail []any) ([]any, []any) {
			for _, item := range success {
				if it, ok := item.(map[string]any); ok {
					if t, ok := requested[fmt.Sprint(it["resource_id"])]; ok {
						it["resource_type"] = strings.ToUpper(t)
					}
				}
			}
			return success, fail
		})
	}},

	FaultVBSReassociate500: {request: panics(FaultVBSReassociate500, func(c *plantCall) bool {
		p, policy := c.project(), c.policyID()
		if p == nil {
			return false
		}
		c.m.world.mu.Lock()
		defer c.m.world.mu.Unlock()
		for _, res := range c.resources() {
			if v := p.volumes[res.ID]; v != nil && policy != "" && v.policy == policy {
				return true
			}
		}
		return false
	})},

	FaultVBSDuplicateResources500: {request: panics(FaultVBSDuplicateResources500, func(c *plantCall) bool {
		list, _ := c.requestObject()["resources"].([]any)
		return hasRepeat(list, "resource_id")
	})},

	FaultVBSMalformedJSON500: {request: panics(FaultVBSMalformedJSON500, func(c *plantCall) bool {
		return c.requestObject() == nil && len(c.body) <= MaxBodyBytes
	})},

	FaultVBSContentType500: {request: panics(FaultVBSContentType500, func(c *plantCall) bool {
		return !c.jsonContentType() && c.project() != nil
	})},

	FaultVBSOversizedDropped: {request: dropOversized},

	FaultVBSUnknownField500: {request: panics(FaultVBSUnknownField500, func(c *plantCall) bool {
		obj := c.requestObject()
		return obj != nil && hasUnknownMember(obj, knownVBSMembers)
	})},

	FaultVBSUnknownPolicy422: {request: func(c *plantCall, w http.ResponseWriter) bool {
		p, policy := c.project(), c.policyID()
		if p == nil || p.id != c.projectID || policy == "" {
			return false
		}
		c.m.world.mu.Lock()
		known := p.policies[policy]
		c.m.world.mu.Unlock()
		if known {
			return false
		}
		c.m.vbsError(w, http.StatusUnprocessableEntity, VBSCodePolicyNotFound, fmt.Sprintf("backup_policy_id: policy %q does not exist in the project", policy))
		return true
	}},

	FaultVBSErrorCodeEmpty: {response: func(c *plantCall) {
		c.editAnswer(func(obj map[string]any) {
			if e, ok := obj["error"].(map[string]any); ok {
				e["code"] = ""
			}
		})
	}},

	FaultVBSFailItemWithoutCode: {response: func(c *plantCall) {
		c.editLists(func(success, fail []any) ([]any, []any) {
			for _, item := range fail {
				if it, ok := item.(map[string]any); ok {
					it["code"], it["message"] = "", ""
				}
			}
			return success, fail
		})
	}},

	FaultVBSInvalidToken403: {response: func(c *plantCall) {
		if c.status == http.StatusUnauthorized && c.requestHeader(c.m.cons.VBS.TokenHeader) != "" {
			c.status = http.StatusForbidden
			c.editAnswer(func(obj map[string]any) {
				if e, ok := obj["error"].(map[string]any); ok {
					e["code"] = VBSCodeForbidden
				}
			})
		}
	}},

	// Deviations from what the judgement principle requires of a 200, and answers to the
	// probes of other methods, Accept, charset, empty ids and fault precedence.

	FaultVBSDuplicateReportedPerEntry: {
		request: func(c *plantCall, _ http.ResponseWriter) bool {
			obj := c.requestObject()
			list, _ := obj["resources"].([]any)
			if c.api != specfacts.VBS || !hasRepeat(list, "resource_id") {
				return false
			}
			// The reference sees each volume once (so it associates it under every reading);
			// the answer then reports the repeats again.
			seen, kept, repeats := map[string]bool{}, []any{}, []string{}
			for _, item := range list {
				id, _ := item.(map[string]any)["resource_id"].(string)
				if seen[id] {
					repeats = append(repeats, id)
					continue
				}
				seen[id] = true
				kept = append(kept, item)
			}
			obj["resources"] = kept
			c.setRequestObject(obj)
			c.notes["repeats"] = repeats
			return false
		},
		response: func(c *plantCall) {
			repeats, _ := c.notes["repeats"].([]string)
			c.editLists(func(success, fail []any) ([]any, []any) {
				for _, id := range repeats {
					for _, item := range success {
						if it, ok := item.(map[string]any); ok && it["resource_id"] == id {
							again := map[string]any{"code": VBSCodeAlreadyAssociated, "message": fmt.Sprintf("volume %q is already associated with this policy", id)}
							for k, v := range it {
								again[k] = v
							}
							fail = append(fail, again)
							break
						}
					}
				}
				return success, fail
			})
		},
	},

	FaultVBSEmptyListNull: {response: func(c *plantCall) { c.emptyLists(func(obj map[string]any, list string) { obj[list] = nil }) }},

	FaultVBSEmptyListOmitted: {response: func(c *plantCall) { c.emptyLists(func(obj map[string]any, list string) { delete(obj, list) }) }},

	FaultVBSAssociatedWithoutAZ: {response: func(c *plantCall) {
		c.editLists(func(success, fail []any) ([]any, []any) {
			for _, item := range success {
				if it, ok := item.(map[string]any); ok {
					delete(it, "availability_zone")
					delete(it, "os_vol_host_attr")
				}
			}
			return success, fail
		})
	}},

	FaultVBSErrorWithoutMessage: {response: func(c *plantCall) {
		c.editAnswer(func(obj map[string]any) {
			if e, ok := obj["error"].(map[string]any); ok && c.api == specfacts.VBS {
				delete(e, "message")
			}
		})
	}},

	FaultVBSGetAnswered200: {request: func(c *plantCall, w http.ResponseWriter) bool {
		if c.api != specfacts.VBS || c.r.Method != http.MethodGet {
			return false
		}
		writeJSON(w, http.StatusOK, vbsResponse{SuccessResources: []vbsSuccess{}, FailResources: []vbsFailure{}})
		return true
	}},

	FaultVBSJSONCharsetRefused: {request: func(c *plantCall, w http.ResponseWriter) bool {
		ct := c.r.Header.Get("Content-Type")
		if c.api != specfacts.VBS || !c.jsonContentType() || !strings.Contains(ct, ";") {
			return false
		}
		c.m.vbsError(w, http.StatusBadRequest, VBSCodeBadRequest, fmt.Sprintf("Content-Type: %q is not application/json", ct))
		return true
	}},

	FaultVBSEmptyPolicyIDSucceeds: {request: func(c *plantCall, _ http.ResponseWriter) bool {
		obj := c.requestObject()
		if policy, ok := obj["backup_policy_id"].(string); c.api != specfacts.VBS || !ok || policy != "" || c.project() == nil {
			return false
		}
		obj["backup_policy_id"] = c.m.world.desc.VBS.BackupPolicyID
		c.setRequestObject(obj)
		return false
	}},

	FaultVBSEmptyResourceIDAssociated: {request: func(c *plantCall, w http.ResponseWriter) bool {
		if p := c.project(); c.api != specfacts.VBS || p == nil || p.id != c.projectID {
			return false
		}
		res := c.resources()
		if !slices.ContainsFunc(res, func(r vbsResource) bool { return r.ID == "" }) {
			return false
		}
		out := vbsResponse{SuccessResources: []vbsSuccess{}, FailResources: []vbsFailure{}}
		for _, r := range res {
			az, pod := placement(r.ID)
			out.SuccessResources = append(out.SuccessResources, vbsSuccess{ResourceID: r.ID, ResourceType: r.Type, AvailabilityZone: az, OsVolHostAttr: pod})
		}
		writeJSON(w, http.StatusOK, out)
		return true
	}},

	FaultVBSEmptyProjectIDServed: {request: func(c *plantCall, _ http.ResponseWriter) bool {
		if p := c.project(); c.api == specfacts.VBS && p != nil && c.projectID == "" {
			c.projectID = p.id
		}
		return false
	}},

	FaultVBSTwoFaults200: {request: func(c *plantCall, w http.ResponseWriter) bool {
		obj := c.requestObject()
		if _, has := obj["resources"]; c.api != specfacts.VBS || obj == nil || has || c.requestHeader(c.m.cons.VBS.TokenHeader) != "" {
			return false
		}
		writeJSON(w, http.StatusOK, vbsResponse{SuccessResources: []vbsSuccess{}, FailResources: []vbsFailure{}})
		return true
	}},

	FaultVBSNotAcceptable500: {request: panics(FaultVBSNotAcceptable500, func(c *plantCall) bool {
		return c.api == specfacts.VBS && !acceptsJSON(c.r.Header.Get("Accept"))
	})},
}

// emptyLists applies edit to each empty list of a 200.
func (c *plantCall) emptyLists(edit func(obj map[string]any, list string)) {
	if c.api != specfacts.VBS || c.status != http.StatusOK {
		return
	}
	c.editAnswer(func(obj map[string]any) {
		for _, list := range []string{"success_resources", "fail_resources"} {
			if l, ok := obj[list].([]any); ok && len(l) == 0 {
				edit(obj, list)
			}
		}
	})
}

// project is the project the request's token belongs to, nil for a missing or unknown one.
func (c *plantCall) project() *project {
	w := c.m.world
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.projectByToken[c.requestHeader(c.m.cons.VBS.TokenHeader)]
}

// policyID is the request's backup_policy_id when it is a string.
func (c *plantCall) policyID() string {
	s, _ := c.requestObject()["backup_policy_id"].(string)
	return s
}

// resources are the well-formed resources of the request.
func (c *plantCall) resources() []vbsResource {
	list, _ := c.requestObject()["resources"].([]any)
	var out []vbsResource
	for _, item := range list {
		res, _ := item.(map[string]any)
		id, okID := res["resource_id"].(string)
		t, okType := res["resource_type"].(string)
		if okID && okType {
			out = append(out, vbsResource{ID: id, Type: t})
		}
	}
	return out
}

// editLists edits the two lists of a 200, leaving an absent list absent.
func (c *plantCall) editLists(edit func(success, fail []any) ([]any, []any)) {
	if c.status != http.StatusOK {
		return
	}
	c.editAnswer(func(obj map[string]any) {
		success, hasS := obj["success_resources"].([]any)
		fail, hasF := obj["fail_resources"].([]any)
		success, fail = edit(success, fail)
		if hasS || len(success) > 0 {
			obj["success_resources"] = nonNil(success)
		}
		if hasF || len(fail) > 0 {
			obj["fail_resources"] = nonNil(fail)
		}
	})
}

func nonNil(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}
