package mock

import (
	"errors"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
)

// kooPhonePlants are the KooPhone planted faults, keyed by fault name.
var kooPhonePlants = map[string]plant{
	FaultKooPhoneAccepts101IDs: {contract: editInstanceIDs(func(ids *openapi3.Schema) error {
		if ids.MaxItems == nil {
			return errors.New("instance_ids has no maxItems")
		}
		n := *ids.MaxItems + 1
		ids.MaxItems = &n
		return nil
	})},

	FaultKooPhoneIDLength33Accepted: {contract: editInstanceIDs(func(ids *openapi3.Schema) error {
		if ids.Items == nil || ids.Items.Value == nil || ids.Items.Value.MaxLength == nil {
			return errors.New("instance_ids items have no maxLength")
		}
		item := ids.Items.Value
		n := *item.MaxLength + 1
		item.MaxLength = &n
		return nil
	})},

	FaultKooPhoneUnknownTenantCode1000: {response: func(c *plantCall) {
		if c.requestHeader(c.m.cons.KooPhone.TokenHeader) == "" {
			return
		}
		c.replaceKooCode(kooTenantNotFound, kooParameterIncorrect)
	}},

	FaultKooPhoneForeignInstanceAccepted: {request: func(c *plantCall, _ http.ResponseWriter) bool {
		w := c.m.world
		w.mu.Lock()
		defer w.mu.Unlock()
		caller := w.tenantsByToken[c.requestHeader(c.m.cons.KooPhone.TokenHeader)]
		for _, id := range c.instanceIDs() {
			if in := w.instances[id]; caller != nil && in != nil && in.owner != caller {
				in.owner = caller
			}
		}
		return false
	}},

	FaultKooPhoneJobForUnrequested: {response: func(c *plantCall) {
		c.editJobs(func(jobs []any) []any {
			return append(jobs, map[string]any{"instance_id": "unrequested" + randomHex()[:8], "job_id": randomHex()})
		})
	}},

	FaultKooPhoneDuplicateJobIDs: {response: func(c *plantCall) {
		c.editJobs(func(jobs []any) []any {
			for _, j := range jobs {
				if job, ok := j.(map[string]any); ok {
					job["job_id"] = jobs[0].(map[string]any)["job_id"]
				}
			}
			return jobs
		})
	}},

	FaultKooPhone500OnMalformedJSON: {request: func(c *plantCall, w http.ResponseWriter) bool {
		if c.requestObject() != nil {
			return false
		}
		c.m.kooPhoneError(w, kooInternalError, 0, "Internal service error.")
		return true
	}},

	FaultKooPhoneMissingRequestIDAccepted: {request: func(c *plantCall, _ http.ResponseWriter) bool {
		if h := c.m.cons.KooPhone.RequestIDHeader; c.requestHeader(h) == "" {
			c.setRequestHeader(h, randomHex())
		}
		return false
	}},

	FaultKooPhoneErrorStatus500: {response: func(c *plantCall) {
		if c.status == http.StatusBadRequest {
			c.status = http.StatusInternalServerError
		}
	}},

	FaultKooPhoneRebackupAccepted: {request: func(c *plantCall, _ http.ResponseWriter) bool {
		w := c.m.world
		w.mu.Lock()
		defer w.mu.Unlock()
		caller := w.tenantsByToken[c.requestHeader(c.m.cons.KooPhone.TokenHeader)]
		for _, id := range c.instanceIDs() {
			if in := w.instances[id]; caller != nil && in != nil && in.owner == caller {
				in.state = restored
			}
		}
		return false
	}},

	FaultKooPhoneRejectedRequestReleases: {response: func(c *plantCall) {
		if c.status != http.StatusBadRequest {
			return
		}
		w := c.m.world
		w.mu.Lock()
		defer w.mu.Unlock()
		caller := w.tenantsByToken[c.requestHeader(c.m.cons.KooPhone.TokenHeader)]
		ids := c.instanceIDs()
		refusedForInstance := false
		for _, id := range ids {
			if in := w.instances[id]; in == nil || in.owner != caller {
				refusedForInstance = true
			}
		}
		if caller == nil || !refusedForInstance {
			return
		}
		for _, id := range ids {
			if in := w.instances[id]; in != nil && in.owner == caller {
				in.state = released
			}
		}
	}},

	FaultKooPhoneEmptyTaskID: {response: func(c *plantCall) {
		c.editData(func(data map[string]any) { data["task_id"] = "" })
	}},

	FaultKooPhoneCmdJobsNull: {response: func(c *plantCall) {
		c.editData(func(data map[string]any) { data["cmd_jobs"] = nil })
	}},

	FaultKooPhoneSuccessCarriesErrorCode: {response: func(c *plantCall) {
		if c.status != http.StatusOK {
			return
		}
		c.editAnswer(func(obj map[string]any) {
			obj["error_code"] = c.m.kooCodeSpelling(c.m.cons.KooPhone.Code(kooParameterIncorrect).Code)
		})
	}},

	FaultKooPhoneErrorCodeWithoutPrefix: {response: func(c *plantCall) {
		c.editAnswer(func(obj map[string]any) {
			if code, ok := obj["error_code"].(string); ok && strings.Contains(code, ".") {
				obj["error_code"] = code[strings.LastIndex(code, ".")+1:]
			}
		})
	}},

	FaultKooPhoneWrongContentType: {response: textPlain},

	FaultKooPhoneSuccessStatus201: {response: func(c *plantCall) {
		if c.status == http.StatusOK {
			c.status = http.StatusCreated
		}
	}},

	FaultKooPhoneMissingInstanceIDs500: {request: panics(FaultKooPhoneMissingInstanceIDs500, func(c *plantCall) bool {
		obj := c.requestObject()
		_, present := obj["instance_ids"]
		return obj != nil && !present
	})},

	FaultKooPhoneStringInstanceIDsAccepted: {request: func(c *plantCall, _ http.ResponseWriter) bool {
		if obj := c.requestObject(); obj != nil {
			if one, ok := obj["instance_ids"].(string); ok {
				obj["instance_ids"] = []any{one}
				c.setRequestObject(obj)
			}
		}
		return false
	}},

	FaultKooPhoneEmptyList500: {request: panics(FaultKooPhoneEmptyList500, func(c *plantCall) bool {
		list, ok := c.requestObject()["instance_ids"].([]any)
		return ok && len(list) == 0
	})},

	FaultKooPhoneMissingTokenAccepted: {request: func(c *plantCall, _ http.ResponseWriter) bool {
		if h := c.m.cons.KooPhone.TokenHeader; c.requestHeader(h) == "" {
			c.setRequestHeader(h, c.m.world.desc.KooPhone.AuthToken)
		}
		return false
	}},

	FaultKooPhoneInternalErrorCode1000: {response: func(c *plantCall) {
		c.replaceKooCode(kooInternalError, kooParameterIncorrect)
	}},

	FaultKooPhoneDuplicateIDs500: {request: panics(FaultKooPhoneDuplicateIDs500, func(c *plantCall) bool {
		list, _ := c.requestObject()["instance_ids"].([]any)
		return hasRepeat(list, "")
	})},

	FaultKooPhoneContentType500: {request: panics(FaultKooPhoneContentType500, func(c *plantCall) bool {
		return !c.jsonContentType()
	})},

	FaultKooPhoneOversizedDropped: {request: dropOversized},

	FaultKooPhoneUnknownField500: {request: panics(FaultKooPhoneUnknownField500, func(c *plantCall) bool {
		obj := c.requestObject()
		return obj != nil && hasUnknownMember(obj, knownKooPhoneMembers)
	})},

	FaultKooPhoneHang: {response: func(c *plantCall) {
		if c.status == http.StatusOK {
			c.hang()
		}
	}},

	FaultKooPhoneJobDropped: {response: func(c *plantCall) {
		c.editJobs(func(jobs []any) []any {
			if len(jobs) == 0 {
				return jobs
			}
			return jobs[:len(jobs)-1]
		})
	}},
}

// editInstanceIDs edits the schema of instance_ids in the KooPhone request body: a server
// that believes its limits are other than the documented ones.
func editInstanceIDs(edit func(ids *openapi3.Schema) error) contract.DocumentEdit {
	return func(api specfacts.API, doc *openapi3.T) error {
		if api != specfacts.KooPhone {
			return nil
		}
		found := false
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				if op.RequestBody == nil || op.RequestBody.Value == nil {
					continue
				}
				mt := op.RequestBody.Value.Content.Get("application/json")
				if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
					continue
				}
				ids := mt.Schema.Value.Properties["instance_ids"]
				if ids == nil || ids.Value == nil {
					continue
				}
				if err := edit(ids.Value); err != nil {
					return err
				}
				found = true
			}
		}
		if !found {
			return errors.New("no request body has instance_ids")
		}
		return nil
	}
}

// dropOversized closes the connection on a body over the documented size limit, whatever
// limit the mock's reading applies.
func dropOversized(c *plantCall, _ http.ResponseWriter) bool {
	if len(c.body) > MaxBodyBytes {
		panic(http.ErrAbortHandler)
	}
	return false
}

// instanceIDs are the string ids of the request's instance_ids (or of instance_id, the
// example's shape).
func (c *plantCall) instanceIDs() []string {
	obj := c.requestObject()
	var out []string
	list, _ := obj["instance_ids"].([]any)
	if one, ok := obj["instance_id"].(string); ok {
		list = append(list, one)
	}
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// replaceKooCode rewrites an error answer's code from one x-error-codes name to another,
// spelt as the mock spells codes.
func (c *plantCall) replaceKooCode(from, to specfacts.ErrorCodeName) {
	k := c.m.cons.KooPhone
	c.editAnswer(func(obj map[string]any) {
		if code, ok := obj["error_code"].(string); ok && strings.EqualFold(code, k.Code(from).Code) {
			obj["error_code"] = c.m.kooCodeSpelling(k.Code(to).Code)
		}
	})
}

// editData edits the data of a 200.
func (c *plantCall) editData(edit func(data map[string]any)) {
	if c.status != http.StatusOK {
		return
	}
	c.editAnswer(func(obj map[string]any) {
		if data, ok := obj["data"].(map[string]any); ok {
			edit(data)
		}
	})
}

// editJobs edits the cmd_jobs of a 200.
func (c *plantCall) editJobs(edit func(jobs []any) []any) {
	c.editData(func(data map[string]any) {
		if jobs, ok := data["cmd_jobs"].([]any); ok {
			data["cmd_jobs"] = edit(jobs)
		}
	})
}
