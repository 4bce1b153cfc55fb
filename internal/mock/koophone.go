package mock

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/koobackup/conformance/internal/specfacts"
)

// Names of the KooPhone error codes (x-error-codes in the spec); the codes themselves and
// their statuses come from the contract.
const (
	kooTenantNotFound      = specfacts.CodeTenantNotFound
	kooParameterIncorrect  = specfacts.CodeParameterIncorrect
	kooInstancePermissions = specfacts.CodeInstancePermissions
	kooInternalError       = specfacts.CodeInternalError
)

// kooProblem is a refusal: which documented code, and a message naming the field and rule.
type kooProblem struct {
	code specfacts.ErrorCodeName
	msg  string
}

func paramProblem(format string, a ...any) *kooProblem {
	return &kooProblem{code: kooParameterIncorrect, msg: fmt.Sprintf(format, a...)}
}

type kooErrorBody struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
}

type kooSuccessBody struct {
	ErrorCode string      `json:"error_code"`
	ErrorMsg  string      `json:"error_msg"`
	Data      kooTaskBody `json:"data"`
}

type kooTaskBody struct {
	TaskID  string      `json:"task_id"`
	CmdJobs []kooCmdJob `json:"cmd_jobs"`
}

type kooCmdJob struct {
	InstanceID string `json:"instance_id"`
	JobID      string `json:"job_id"`
}

// kooPhoneError writes the KooPhone error envelope. status 0 means the code's documented
// status (koophone-error-status: by-meaning).
func (m *Mock) kooPhoneError(w http.ResponseWriter, name specfacts.ErrorCodeName, status int, msg string) {
	ec := m.cons.KooPhone.Code(name)
	if status == 0 {
		status = ec.Status
	}
	writeJSON(w, status, kooErrorBody{ErrorCode: m.kooCodeSpelling(ec.Code), ErrorMsg: msg})
}

// mixedCaseCode turns KOOPHONE.API.NNNN into KooPhone.API.NNNN.
func mixedCaseCode(code string) string {
	const product = "KooPhone"
	if len(code) > len(product) && strings.EqualFold(code[:len(product)], product) {
		return product + code[len(product):]
	}
	return code
}

func (m *Mock) serveKooPhone(w http.ResponseWriter, r *http.Request) {
	kc := m.cons.KooPhone
	fail := func(p *kooProblem) { m.kooPhoneError(w, p.code, 0, p.msg) }

	// 0. An API gateway in front authenticates first (koophone-missing-token-code:
	// api-gateway); the service never sees a request without a token.
	if m.kooGatewayRefusesMissingToken() && strings.TrimSpace(r.Header.Get(kc.TokenHeader)) == "" {
		gatewayRefuse(w, "Incorrect IAM authentication information: "+kc.TokenHeader+" is missing")
		return
	}

	// 1. Size (koophone-oversized-body-status).
	body, tooLarge, err := readBody(w, r, m.kooBodyLimit())
	if tooLarge {
		m.kooPhoneError(w, kooParameterIncorrect, m.kooOversizedStatus(), fmt.Sprintf("body: larger than %d bytes", MaxBodyBytes))
		return
	}
	if err != nil {
		fail(paramProblem("body: could not be read"))
		return
	}

	// 2. Media type (koophone-content-type).
	if ct := r.Header.Get("Content-Type"); m.kooChecksMediaType() && !isJSONMediaType(ct) {
		fail(paramProblem("Content-Type: %q is not application/json", ct))
		return
	}

	// 3. Headers (koophone-missing-token-code, koophone-empty-request-id), in the order
	// koophone-fault-precedence takes.
	token := strings.TrimSpace(r.Header.Get(kc.TokenHeader))
	checkToken := func() bool {
		if token == "" {
			fail(&kooProblem{code: m.kooMissingTokenCode(), msg: kc.TokenHeader + ": header is required; no tenant can be resolved without it"})
			return false
		}
		if !m.world.knowsTenantToken(token) {
			fail(&kooProblem{code: kooTenantNotFound, msg: kc.TokenHeader + ": the token names no tenant"})
			return false
		}
		return true
	}
	checkRequestID := func() bool {
		values, present := r.Header[http.CanonicalHeaderKey(kc.RequestIDHeader)]
		switch {
		case !present || len(values) == 0:
			fail(paramProblem("%s: header is required", kc.RequestIDHeader))
			return false
		case strings.TrimSpace(values[0]) == "" && !m.kooAcceptsEmptyRequestID():
			fail(paramProblem("%s: is empty, a request id is required", kc.RequestIDHeader))
			return false
		}
		return true
	}
	checks := []func() bool{checkToken, checkRequestID}
	if m.kooValidationFirst() {
		checks = []func() bool{checkRequestID, checkToken}
	}
	for _, check := range checks {
		if !check() {
			return
		}
	}

	// 4. Body.
	ids, problem := m.parseKooPhoneBody(r, body)
	if problem != nil {
		fail(problem)
		return
	}

	// 5-7 under the world lock: check everything, then change everything.
	jobs, problem := m.backUp(token, ids)
	if problem != nil {
		fail(problem)
		return
	}
	// koophone-response-fields-optional: all-present, the one legitimate reading.
	resp := kooSuccessBody{ErrorCode: kc.SuccessCode, ErrorMsg: "ok", Data: kooTaskBody{TaskID: "RM_" + randomHex(), CmdJobs: jobs}}
	writeJSON(w, http.StatusOK, resp)
}

// knownKooPhoneMembers are the members the parameter table lists; with the example read as
// an alias, the example's own members are understood too.
var knownKooPhoneMembers = map[string]bool{"instance_ids": true}
var exampleKooPhoneMembers = map[string]bool{"instance_id": true, "user_id": true}

// parseKooPhoneBody applies the schema (through the contract) and the semantic rules the
// schema cannot express, returning the instance ids in request order.
func (m *Mock) parseKooPhoneBody(r *http.Request, body []byte) ([]string, *kooProblem) {
	kc := m.cons.KooPhone
	obj, msg := decodeObject(body)
	if msg != "" {
		return nil, paramProblem("%s", msg)
	}
	alias := m.kooExampleAlias()
	// koophone-unknown-fields.
	if m.kooRejectsUnknownMembers() {
		for k := range obj {
			if !knownKooPhoneMembers[k] && !(alias && exampleKooPhoneMembers[k]) {
				return nil, paramProblem("%s: unknown member, not allowed", k)
			}
		}
	}
	contractBody := body
	raw, present := obj["instance_ids"]
	// koophone-example-request-shape: read as an alias, instance_id is a one-element
	// instance_ids; otherwise it is just an unknown member.
	if !present && alias {
		if one, ok := obj["instance_id"].(string); ok {
			raw, present = []any{one}, true
			contractBody, _ = json.Marshal(map[string]any{"instance_ids": raw})
		}
	}
	if !present {
		return nil, paramProblem("instance_ids: is required")
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, paramProblem("instance_ids: must be an array of strings, got %s", jsonKind(raw))
	}
	ids := make([]string, len(list))
	for i, v := range list {
		s, ok := v.(string)
		if !ok {
			return nil, paramProblem("instance_ids[%d]: must be a string, got %s", i, jsonKind(v))
		}
		ids[i] = s
	}
	if len(ids) > kc.InstanceIDsMaxItems {
		return nil, paramProblem("instance_ids: %d items, at most %d allowed", len(ids), kc.InstanceIDsMaxItems)
	}
	// koophone-id-length-unit.
	for i, id := range ids {
		if n, unit := m.kooIDLength(id); n > kc.InstanceIDMaxLength {
			return nil, paramProblem("instance_ids[%d]: %d %s, at most %d allowed", i, n, unit, kc.InstanceIDMaxLength)
		}
	}
	// The contract is the gate for anything the checks above did not name.
	if v := m.kooPhoneContractViolation(r, contractBody); v != "" {
		return nil, paramProblem("%s", v)
	}
	// koophone-instance-ids-min-items.
	if len(ids) == 0 && m.kooRejectsEmptyList() {
		return nil, paramProblem("instance_ids: is empty, at least 1 item required")
	}
	// koophone-instance-id-empty-string: malformed, or left to the ownership check.
	if m.kooEmptyIDMalformed() {
		for i, id := range ids {
			if id == "" {
				return nil, paramProblem("instance_ids[%d]: is empty, an instance id is required", i)
			}
		}
	}
	// koophone-duplicate-instance-ids: reject, or one job per instance.
	reject := m.kooRejectsDuplicates()
	first := make(map[string]int, len(ids))
	kept := ids[:0:0]
	for i, id := range ids {
		if j, seen := first[id]; seen {
			if reject {
				return nil, paramProblem("instance_ids[%d]: %q repeats instance_ids[%d], each instance may be listed once", i, id, j)
			}
			continue
		}
		first[id] = i
		kept = append(kept, id)
	}
	return kept, nil
}

// backUp resolves the tenant, checks every instance and releases them all, atomically.
func (m *Mock) backUp(token string, ids []string) ([]kooCmdJob, *kooProblem) {
	kc := m.cons.KooPhone
	w := m.world
	w.mu.Lock()
	defer w.mu.Unlock()

	owner := w.tenantsByToken[token]
	if owner == nil {
		return nil, &kooProblem{code: kooTenantNotFound, msg: kc.TokenHeader + ": the token names no tenant"}
	}
	for i, id := range ids {
		in := w.instances[id]
		switch {
		case id == "":
			// koophone-instance-id-empty-string, when "" is not malformed.
			return nil, &kooProblem{code: kooInstancePermissions, msg: fmt.Sprintf("instance_ids[%d]: the empty id is not an instance of this tenant", i)}
		case in == nil:
			return nil, &kooProblem{code: m.kooUnknownInstanceCode(), msg: fmt.Sprintf("instance_ids[%d]: instance %q is not an instance of this tenant", i, id)}
		case in.owner != owner:
			return nil, &kooProblem{code: kooInstancePermissions, msg: fmt.Sprintf("instance_ids[%d]: instance %q is not an instance of this tenant", i, id)}
		}
	}
	// koophone-rebackup-code: refuse a released instance, or name its job again.
	idempotent := m.kooRebackupIdempotent()
	for i, id := range ids {
		if w.instances[id].state == released && !idempotent {
			return nil, &kooProblem{code: m.kooRebackupCode(), msg: fmt.Sprintf("instance_ids[%d]: instance %q is already backed up and released; its data is no longer on the physical machine", i, id)}
		}
	}
	jobs := make([]kooCmdJob, 0, len(ids))
	for _, id := range ids {
		in := w.instances[id]
		if in.state != released {
			in.state, in.job = released, randomHex()
		}
		jobs = append(jobs, kooCmdJob{InstanceID: id, JobID: in.job})
	}
	return jobs, nil
}

// randomHex returns 32 lower-case hex digits (128 random bits), the form of the seed's task
// and job ids; collisions are not a practical concern.
func randomHex() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// bodyLocation is the prefix of contract violations that concern the request body; header
// and security findings are the handler's own earlier checks, which the readings decide, so
// the gate looks only at the body.
const bodyLocation = "/request/body"

// kooPhoneContractViolation runs the request through the contract and returns the message of
// the first body violation the mock has not already named, "" when there is none.
func (m *Mock) kooPhoneContractViolation(r *http.Request, body []byte) string {
	for _, v := range m.contract.ValidateRequest(r, body) {
		if !strings.HasPrefix(v.Location, bodyLocation) || v.Rule == specfacts.RuleRequestContentType {
			continue
		}
		return v.Message
	}
	return ""
}
