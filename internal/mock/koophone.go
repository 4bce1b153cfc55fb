package mock

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
)

// Names of the KooPhone error codes (x-error-codes in the spec); the codes themselves and
// their statuses come from the contract.
const (
	kooTenantNotFound      = "tenant-not-found"
	kooParameterIncorrect  = "parameter-incorrect"
	kooInstancePermissions = "instance-permissions"
	kooInternalError       = "internal-error"
)

// kooProblem is a refusal: which documented code, and a message naming the field and rule.
type kooProblem struct {
	code string
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
	ErrorCode string      `json:"error_code,omitempty"`
	ErrorMsg  string      `json:"error_msg,omitempty"`
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
func (m *Mock) kooPhoneError(w http.ResponseWriter, name string, status int, msg string) {
	ec := m.cons.KooPhone.Code(specfacts.ErrorCodeName(name))
	code := ec.Code
	if status == 0 {
		status = ec.Status
	}
	// koophone-error-code-case: strict reading upper-case, as in the error tables; the
	// lenient mock spells the prefix as the specification sentence does.
	if m.takes(ambKooPhoneCodeCase, "mixed-case") {
		code = mixedCaseCode(code)
	}
	if m.on(FaultKooPhoneErrorStatus500) && status == http.StatusBadRequest {
		status = http.StatusInternalServerError
	}
	if m.on(FaultKooPhoneInternalErrorCode1000) && name == kooInternalError {
		code = m.cons.KooPhone.Code(kooParameterIncorrect).Code
	}
	if m.on(FaultKooPhoneErrorCodeWithoutPrefix) {
		code = code[strings.LastIndex(code, ".")+1:]
	}
	m.kooPhoneWrite(w, status, kooErrorBody{ErrorCode: code, ErrorMsg: msg})
}

func (m *Mock) kooPhoneWrite(w http.ResponseWriter, status int, body any) {
	ct := "application/json"
	if m.on(FaultKooPhoneWrongContentType) {
		ct = "text/plain; charset=utf-8"
	}
	writeJSONAs(w, status, ct, body)
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

	// 1. Size. koophone-oversized-body-status: strict reading documented-400.
	body, tooLarge, err := readBody(w, r)
	if tooLarge && m.on(FaultKooPhoneOversizedDropped) {
		panic(http.ErrAbortHandler)
	}
	if tooLarge {
		msg := fmt.Sprintf("body: larger than %d bytes", MaxBodyBytes)
		if m.takes(ambKooPhoneOversized, "transport-413") {
			m.kooPhoneError(w, kooParameterIncorrect, http.StatusRequestEntityTooLarge, msg)
			return
		}
		fail(paramProblem("%s", msg))
		return
	}
	if err != nil {
		fail(paramProblem("body: could not be read"))
		return
	}

	// 2. Media type. koophone-content-type: strict reading reject.
	if !m.takes(ambKooPhoneContentType, "sniff") {
		if ct := r.Header.Get("Content-Type"); !isJSONMediaType(ct) {
			if m.on(FaultKooPhoneContentType500) {
				panic(plantedPanic(FaultKooPhoneContentType500))
			}
			fail(paramProblem("Content-Type: %q is not application/json", ct))
			return
		}
	}

	// 3. Headers. koophone-missing-token-code: strict reading parameter-incorrect.
	token := strings.TrimSpace(r.Header.Get(kc.TokenHeader))
	if token == "" && m.on(FaultKooPhoneMissingTokenAccepted) {
		token = m.world.desc.KooPhone.AuthToken
	}
	if token == "" {
		if m.takes(ambKooPhoneMissingToken, "tenant-does-not-exist") {
			fail(&kooProblem{code: kooTenantNotFound, msg: kc.TokenHeader + ": header is missing, no tenant can be resolved"})
			return
		}
		fail(paramProblem("%s: header is required", kc.TokenHeader))
		return
	}
	if strings.TrimSpace(r.Header.Get(kc.RequestIDHeader)) == "" && !m.on(FaultKooPhoneMissingRequestIDAccepted) {
		fail(paramProblem("%s: header is required", kc.RequestIDHeader))
		return
	}

	// 4. Body.
	ids, problem := m.parseKooPhoneBody(r, body)
	if problem != nil {
		if problem.code == kooInternalError {
			m.kooPhoneError(w, kooInternalError, 0, problem.msg)
			return
		}
		fail(problem)
		return
	}

	// 5-7 under the world lock: check everything, then change everything.
	jobs, problem := m.backUp(token, ids)
	if problem != nil {
		fail(problem)
		return
	}
	if m.on(FaultKooPhoneHang) {
		<-r.Context().Done()
		return
	}
	resp := kooSuccessBody{Data: kooTaskBody{TaskID: "RM_" + randomHex(), CmdJobs: jobs}}
	if m.on(FaultKooPhoneEmptyTaskID) {
		resp.Data.TaskID = ""
	}
	if m.on(FaultKooPhoneCmdJobsNull) {
		resp.Data.CmdJobs = nil
	}
	// koophone-response-fields-optional: strict reading all-present.
	if !m.takes(ambKooPhoneResponseFields, "status-only") {
		resp.ErrorCode = kc.SuccessCode
		resp.ErrorMsg = "ok"
	}
	if m.on(FaultKooPhoneSuccessCarriesErrorCode) {
		resp.ErrorCode = kc.Code(kooParameterIncorrect).Code
	}
	status := http.StatusOK
	if m.on(FaultKooPhoneSuccessStatus201) {
		status = http.StatusCreated
	}
	m.kooPhoneWrite(w, status, resp)
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
		if m.on(FaultKooPhone500OnMalformedJSON) {
			return nil, &kooProblem{code: kooInternalError, msg: "Internal service error."}
		}
		return nil, paramProblem("%s", msg)
	}
	if m.on(FaultKooPhoneUnknownField500) && hasUnknownMember(obj, knownKooPhoneMembers) {
		panic(plantedPanic(FaultKooPhoneUnknownField500))
	}
	alias := m.takes(ambKooPhoneExampleShape, "example-as-alias")
	// koophone-unknown-fields: strict reading ignore.
	if m.takes(ambKooPhoneUnknownFields, "reject") {
		for k := range obj {
			if !knownKooPhoneMembers[k] && !(alias && exampleKooPhoneMembers[k]) {
				return nil, paramProblem("%s: unknown member, not allowed", k)
			}
		}
	}
	contractBody := body
	raw, present := obj["instance_ids"]
	// koophone-example-request-shape: strict reading table-authoritative (instance_id is
	// just an unknown member); the lenient mock reads it as a one-element instance_ids.
	if !present && alias {
		if one, ok := obj["instance_id"].(string); ok {
			raw, present = []any{one}, true
			contractBody, _ = json.Marshal(map[string]any{"instance_ids": raw})
		}
	}
	if !present && m.on(FaultKooPhoneMissingInstanceIDs500) {
		panic(plantedPanic(FaultKooPhoneMissingInstanceIDs500))
	}
	if !present {
		return nil, paramProblem("instance_ids: is required")
	}
	if one, ok := raw.(string); ok && m.on(FaultKooPhoneStringInstanceIDsAccepted) {
		raw = []any{one}
		contractBody, _ = json.Marshal(map[string]any{"instance_ids": raw})
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, paramProblem("instance_ids: must be an array of strings, got %s", jsonKind(raw))
	}
	maxItems := kc.InstanceIDsMaxItems
	if m.on(FaultKooPhoneAccepts101IDs) {
		maxItems++
	}
	maxLen := kc.InstanceIDMaxLength
	if m.on(FaultKooPhoneIDLength33Accepted) {
		maxLen++
	}
	ids := make([]string, len(list))
	for i, v := range list {
		s, ok := v.(string)
		if !ok {
			return nil, paramProblem("instance_ids[%d]: must be a string, got %s", i, jsonKind(v))
		}
		ids[i] = s
	}
	if len(ids) > maxItems {
		return nil, paramProblem("instance_ids: %d items, at most %d allowed", len(ids), kc.InstanceIDsMaxItems)
	}
	// koophone-id-length-unit: strict reading characters (Unicode code points).
	bytesUnit := m.takes(ambKooPhoneLengthUnit, "bytes")
	for i, id := range ids {
		if n := utf8.RuneCountInString(id); n > maxLen {
			return nil, paramProblem("instance_ids[%d]: %d characters, at most %d allowed", i, n, kc.InstanceIDMaxLength)
		}
		if bytesUnit && len(id) > maxLen {
			return nil, paramProblem("instance_ids[%d]: %d bytes, at most %d allowed", i, len(id), kc.InstanceIDMaxLength)
		}
	}
	// The contract is the gate for anything the checks above did not name; the violations
	// of rules a planted fault relaxes are dropped so that the fault takes effect.
	if v := m.kooPhoneContractViolation(r, contractBody, maxItems > kc.InstanceIDsMaxItems, maxLen > kc.InstanceIDMaxLength); v != "" {
		return nil, paramProblem("%s", v)
	}
	if len(ids) == 0 && m.on(FaultKooPhoneEmptyList500) {
		panic(plantedPanic(FaultKooPhoneEmptyList500))
	}
	// koophone-instance-ids-min-items: strict reading reject-empty.
	if len(ids) == 0 && m.takes(ambKooPhoneMinItems, "reject-empty") {
		return nil, paramProblem("instance_ids: is empty, at least 1 item required")
	}
	// koophone-instance-id-empty-string: strict reading parameter-incorrect; the lenient
	// mock lets "" through to the ownership check, which refuses it with 1001.
	if m.takes(ambKooPhoneEmptyID, "parameter-incorrect") {
		for i, id := range ids {
			if id == "" {
				return nil, paramProblem("instance_ids[%d]: is empty, an instance id is required", i)
			}
		}
	}
	// koophone-duplicate-instance-ids: strict reading reject.
	first := make(map[string]int, len(ids))
	unique := ids[:0:0]
	for i, id := range ids {
		if j, seen := first[id]; seen {
			if m.on(FaultKooPhoneDuplicateIDs500) {
				panic(plantedPanic(FaultKooPhoneDuplicateIDs500))
			}
			if m.takes(ambKooPhoneDuplicates, "reject") {
				return nil, paramProblem("instance_ids[%d]: %q repeats instance_ids[%d], each instance may be listed once", i, id, j)
			}
			continue
		}
		first[id] = i
		unique = append(unique, id)
	}
	return unique, nil
}

// backUp resolves the tenant, checks every instance and releases them all, atomically.
func (m *Mock) backUp(token string, ids []string) ([]kooCmdJob, *kooProblem) {
	kc := m.cons.KooPhone
	w := m.world
	w.mu.Lock()
	defer w.mu.Unlock()

	owner := w.tenantsByToken[token]
	if owner == nil {
		if m.on(FaultKooPhoneUnknownTenantCode1000) {
			return nil, paramProblem("%s: the token names no tenant", kc.TokenHeader)
		}
		return nil, &kooProblem{code: kooTenantNotFound, msg: kc.TokenHeader + ": the token names no tenant"}
	}
	var refused *kooProblem
	for i, id := range ids {
		in := w.instances[id]
		switch {
		case id == "":
			// koophone-instance-id-empty-string (lenient reading permissions).
			refused = &kooProblem{code: kooInstancePermissions, msg: fmt.Sprintf("instance_ids[%d]: the empty id is not an instance of this tenant", i)}
		case in == nil:
			// koophone-unknown-instance-code: strict reading permissions.
			code := kooInstancePermissions
			if m.takes(ambKooPhoneUnknownInst, "parameter-incorrect") {
				code = kooParameterIncorrect
			}
			refused = &kooProblem{code: code, msg: fmt.Sprintf("instance_ids[%d]: instance %q is not an instance of this tenant", i, id)}
		case in.owner != owner && !m.on(FaultKooPhoneForeignInstanceAccepted):
			refused = &kooProblem{code: kooInstancePermissions, msg: fmt.Sprintf("instance_ids[%d]: instance %q is not an instance of this tenant", i, id)}
		}
		if refused != nil {
			break
		}
	}
	if refused != nil {
		if m.on(FaultKooPhoneRejectedRequestReleases) {
			for _, id := range ids {
				if in := w.instances[id]; in != nil && in.owner == owner {
					in.state = released
				}
			}
		}
		return nil, refused
	}
	if !m.on(FaultKooPhoneRebackupAccepted) {
		for i, id := range ids {
			if w.instances[id].state == released {
				// koophone-rebackup-code: strict reading parameter-incorrect.
				code := kooParameterIncorrect
				if m.takes(ambKooPhoneRebackup, "permissions") {
					code = kooInstancePermissions
				}
				return nil, &kooProblem{code: code, msg: fmt.Sprintf("instance_ids[%d]: instance %q is already backed up and released; its data is no longer on the physical machine", i, id)}
			}
		}
	}
	jobs := make([]kooCmdJob, 0, len(ids)+1)
	for _, id := range ids {
		w.instances[id].state = released
		jobs = append(jobs, kooCmdJob{InstanceID: id, JobID: randomHex()})
	}
	if m.on(FaultKooPhoneJobForUnrequested) {
		jobs = append(jobs, kooCmdJob{InstanceID: "unrequested" + randomHex()[:8], JobID: randomHex()})
	}
	if m.on(FaultKooPhoneJobDropped) && len(jobs) > 0 {
		jobs = jobs[:len(jobs)-1]
	}
	if m.on(FaultKooPhoneDuplicateJobIDs) && len(jobs) > 0 {
		for i := range jobs {
			jobs[i].JobID = jobs[0].JobID
		}
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
// and security findings are the mock's own earlier checks (and planted faults may relax
// them), so the gate looks only at the body.
const bodyLocation = "/request/body"

// kooPhoneContractViolation runs the request through the contract and returns the message of
// the first body violation the mock has not already named, "" when there is none.
// relaxItems and relaxLength drop the findings a planted fault relaxes.
func (m *Mock) kooPhoneContractViolation(r *http.Request, body []byte, relaxItems, relaxLength bool) string {
	for _, v := range m.contract.ValidateRequest(r, body) {
		if !strings.HasPrefix(v.Location, bodyLocation) || v.Rule == contract.RuleRequestContentType {
			continue
		}
		field := strings.TrimPrefix(v.Location, bodyLocation+"/")
		// The checks before the gate have already refused every wrong type, so what is left
		// at these locations is the limit the fault relaxes.
		if relaxItems && field == "instance_ids" {
			continue
		}
		if relaxLength && strings.HasPrefix(field, "instance_ids/") {
			continue
		}
		return v.Message
	}
	return ""
}
