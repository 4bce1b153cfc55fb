package mock

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/koobackup/conformance/internal/specfacts"
)

// kooPhoneJudgementPlants are the KooPhone planted faults the judgement principle decides:
// documented members left out, one job per mention, refusals and answers the register does not allow.
// Each deviates on KooPhone requests only.
var kooPhoneJudgementPlants = map[string]plant{
	FaultKooPhoneSuccessWithoutCode: {response: func(c *plantCall) {
		if c.api != specfacts.KooPhone || c.status != http.StatusOK {
			return
		}
		c.editAnswer(func(obj map[string]any) {
			delete(obj, "error_code")
			delete(obj, "error_msg")
		})
	}},

	FaultKooPhoneErrorWithoutMsg: {response: func(c *plantCall) {
		if c.api != specfacts.KooPhone || c.status < http.StatusBadRequest {
			return
		}
		c.editAnswer(func(obj map[string]any) { delete(obj, "error_msg") })
	}},

	FaultKooPhoneDuplicateJobPerEntry: {
		request: func(c *plantCall, _ http.ResponseWriter) bool {
			obj := c.requestObject()
			list, ok := obj["instance_ids"].([]any)
			if c.api != specfacts.KooPhone || !ok || !hasRepeat(list, "") {
				return false
			}
			// The reference sees each instance once (and backs it up); the answer then
			// gets a job for every further mention.
			seen := map[string]bool{}
			var kept, extra []any
			for _, v := range list {
				if s, isString := v.(string); isString && seen[s] {
					extra = append(extra, s)
					continue
				} else if isString {
					seen[s] = true
				}
				kept = append(kept, v)
			}
			obj["instance_ids"] = kept
			c.setRequestObject(obj)
			c.notes[FaultKooPhoneDuplicateJobPerEntry] = extra
			return false
		},
		response: func(c *plantCall) {
			extra, _ := c.notes[FaultKooPhoneDuplicateJobPerEntry].([]any)
			if len(extra) == 0 {
				return
			}
			c.editJobs(func(jobs []any) []any {
				for _, id := range extra {
					jobs = append(jobs, map[string]any{"instance_id": id, "job_id": randomHex()})
				}
				return jobs
			})
		},
	},

	FaultKooPhoneRebackup500: {request: panics(FaultKooPhoneRebackup500, func(c *plantCall) bool {
		if c.api != specfacts.KooPhone {
			return false
		}
		w := c.m.world
		w.mu.Lock()
		defer w.mu.Unlock()
		caller := w.tenantsByToken[c.requestHeader(c.m.cons.KooPhone.TokenHeader)]
		for _, id := range c.instanceIDs() {
			if in := w.instances[id]; caller != nil && in != nil && in.owner == caller && in.state == released {
				return true
			}
		}
		return false
	})},

	FaultKooPhoneCharsetRefused: {request: func(c *plantCall, w http.ResponseWriter) bool {
		if c.api != specfacts.KooPhone {
			return false
		}
		ct := c.r.Header.Get("Content-Type")
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || !strings.EqualFold(mt, "application/json") || len(params) == 0 {
			return false
		}
		c.m.kooPhoneError(w, kooParameterIncorrect, 0, fmt.Sprintf("Content-Type: %q is not application/json", ct))
		return true
	}},

	FaultKooPhoneTaskIDReused: {response: func(c *plantCall) {
		if c.api != specfacts.KooPhone {
			return
		}
		c.editData(func(data map[string]any) {
			first, _ := firstTaskIDs.LoadOrStore(c.m, data["task_id"])
			data["task_id"] = first
		})
	}},

	FaultKooPhoneEmptyRequestID500: {request: panics(FaultKooPhoneEmptyRequestID500, func(c *plantCall) bool {
		values, present := c.r.Header[http.CanonicalHeaderKey(c.m.cons.KooPhone.RequestIDHeader)]
		return c.api == specfacts.KooPhone && present && len(values) > 0 && strings.TrimSpace(values[0]) == ""
	})},

	FaultKooPhoneTwoFaultsAccepted: {request: func(c *plantCall, _ http.ResponseWriter) bool {
		k := c.m.cons.KooPhone
		if c.api == specfacts.KooPhone && c.requestHeader(k.TokenHeader) == c.m.world.desc.KooPhone.UnknownTenantToken && c.requestHeader(k.RequestIDHeader) == "" {
			c.setRequestHeader(k.TokenHeader, c.m.world.desc.KooPhone.AuthToken)
			c.setRequestHeader(k.RequestIDHeader, randomHex())
		}
		return false
	}},

	FaultKooPhoneUndocumentedPermissions: {response: func(c *plantCall) {
		if c.api != specfacts.KooPhone {
			return
		}
		perm := c.m.cons.KooPhone.Code(kooInstancePermissions).Code
		c.editAnswer(func(obj map[string]any) {
			if code, ok := obj["error_code"].(string); ok && strings.EqualFold(code, perm) {
				obj["error_code"] = c.m.kooCodeSpelling(nextCode(perm))
			}
		})
	}},
}

// firstTaskIDs holds, per mock, the first task_id FaultKooPhoneTaskIDReused let through.
var firstTaskIDs sync.Map

// nextCode is the code after a documented one ("the number increases in ascending order"):
// the same form, a number the page does not list.
func nextCode(code string) string {
	i := strings.LastIndex(code, ".")
	n, err := strconv.Atoi(code[i+1:])
	if err != nil {
		return code + "0"
	}
	return fmt.Sprintf("%s%04d", code[:i+1], n+1)
}
