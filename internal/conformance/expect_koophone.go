package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/koobackup/conformance/internal/specfacts"
)

// NewRequestID returns a fresh x-request-id, a UUID: the most common form of a "unique ID
// of a request", so that a server checking the form still takes it.
func NewRequestID() string { return newUUID() }

// KooPhoneRequest is a valid backup request for the given ids: the tenant's token, a fresh
// x-request-id, a JSON body {"instance_ids": ids}.
func (e *Env) KooPhoneRequest(ids ...string) Request {
	if ids == nil {
		ids = []string{}
	}
	body, _ := json.Marshal(map[string]any{"instance_ids": ids})
	return e.KooPhoneRaw(body)
}

// KooPhoneRaw is a request with valid headers and the given raw body.
func (e *Env) KooPhoneRaw(body []byte) Request {
	k := e.Contract.Constraints().KooPhone
	h := http.Header{}
	h.Set(k.TokenHeader, e.Target.KooPhone.AuthToken)
	h.Set(k.RequestIDHeader, NewRequestID())
	h.Set("Content-Type", "application/json")
	return Request{API: KooPhone, Method: k.Method, Path: k.Path, Header: h, Body: body}
}

// KooPhoneJSON marshals v as the body of an otherwise valid request.
func (e *Env) KooPhoneJSON(v any) Request {
	body, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("conformance: marshal request body: %v", err))
	}
	return e.KooPhoneRaw(body)
}

// CodeReadings maps a register reading to the error code name (x-error-codes name) that
// reading answers with.
type CodeReadings map[string]string

// koophoneCode returns the error_code of an error body and the problems with its envelope.
func (e *Env) koophoneCode(x *Exchange, p *problems) string {
	obj := x.Object()
	if obj == nil {
		p.addf("the body is not a JSON object with error_code")
		return ""
	}
	code, ok := obj["error_code"].(string)
	if !ok {
		p.addf("the body has no string error_code")
		return ""
	}
	return code
}

// codeName resolves a wire code to its x-error-codes name, judging its spelling against
// the register entry koophone-error-code-case. It returns "" for an undocumented code.
func (e *Env) codeName(code string) string {
	GinkgoHelper()
	k := e.Contract.Constraints().KooPhone
	for _, c := range k.ErrorCodes {
		if code == c.Code {
			e.Observe("koophone-error-code-case", "upper-case")
			return string(c.Name)
		}
		if mixedCase(c.Code) == code {
			e.Observe("koophone-error-code-case", "mixed-case")
			return string(c.Name)
		}
	}
	return ""
}

// mixedCase spells a code as the error code specification sentence does (KooPhone.API.NNNN).
func mixedCase(code string) string {
	if i := strings.Index(code, "."); i > 0 && strings.EqualFold(code[:i], "KooPhone") {
		return "KooPhone" + code[i:]
	}
	return code
}

// ExpectKooPhoneError expects a request error: the status the code is documented with
// (400 for the client codes) and the error_code named by codeName.
func (e *Env) ExpectKooPhoneError(x *Exchange, codeName string) {
	GinkgoHelper()
	e.expectKooPhoneCode(x, "", CodeReadings{"": codeName})
}

// ExpectKooPhoneErrorOneOf expects a request error with any of the named codes, without
// recording a register reading: for requests whose answer cannot tell readings apart.
func (e *Env) ExpectKooPhoneErrorOneOf(x *Exchange, codeNames ...string) {
	GinkgoHelper()
	readings := CodeReadings{}
	for _, n := range codeNames {
		readings[n] = n
	}
	e.expectKooPhoneCode(x, "", readings)
}

// ExpectKooPhoneErrorReading expects one of the codes the register entry allows; the code
// observed tells which reading the target took, and the profile judges it. Readings that
// answer with the same code cannot be told apart and are not recorded.
func (e *Env) ExpectKooPhoneErrorReading(x *Exchange, entry string, readings CodeReadings) string {
	GinkgoHelper()
	return e.expectKooPhoneCode(x, entry, readings)
}

func (e *Env) expectKooPhoneCode(x *Exchange, entry string, readings CodeReadings) string {
	GinkgoHelper()
	k := e.Contract.Constraints().KooPhone
	var want []string
	for _, r := range sortedKeys(readings) {
		c := k.Code(specfacts.ErrorCodeName(readings[r]))
		want = append(want, fmt.Sprintf("%d %s", c.Status, c.Code))
	}
	expected := "status and error_code " + strings.Join(want, " or ")
	if entry != "" {
		expected += " (register entry " + entry + ")"
	}
	var p problems
	if !p.answered(x) {
		e.judge(x, expected, p)
		return ""
	}
	code := e.koophoneCode(x, &p)
	name := ""
	if code != "" {
		name = e.codeName(code)
		if name == "" {
			p.addf("error_code %q is not a documented code", code)
		}
	}
	var matched []string
	for _, r := range sortedKeys(readings) {
		if readings[r] == name {
			matched = append(matched, r)
		}
	}
	switch {
	case name != "" && len(matched) == 0:
		p.addf("error_code %s (%s) is not the code this fault takes", code, name)
	case name != "":
		if c := k.Code(specfacts.ErrorCodeName(name)); x.Status != c.Status {
			p.addf("status %d; %s is documented with status %d", x.Status, c.Code, c.Status)
		}
	}
	if name == "" && x.Status >= 200 && x.Status < 300 {
		p.addf("the fault was answered with success status %d", x.Status)
	}
	e.judge(x, expected, p)
	if entry != "" && len(matched) == 1 {
		e.Observe(entry, matched[0])
		return matched[0]
	}
	if len(matched) > 0 {
		return matched[0]
	}
	return ""
}

// CmdJob is one job of a backup answer.
type CmdJob struct {
	InstanceID string `json:"instance_id"`
	JobID      string `json:"job_id"`
}

type backupAnswer struct {
	ErrorCode *string `json:"error_code"`
	ErrorMsg  *string `json:"error_msg"`
	Data      *struct {
		TaskID  string   `json:"task_id"`
		CmdJobs []CmdJob `json:"cmd_jobs"`
	} `json:"data"`
}

// ExpectBackup expects a 200 that starts a task whose cmd_jobs name exactly the requested
// instances, once each, with distinct job ids. requested must be distinct.
func (e *Env) ExpectBackup(x *Exchange, requested []string) []CmdJob {
	GinkgoHelper()
	return e.expectBackupJobs(x, requested, len(requested))
}

// ExpectBackupJobCount is ExpectBackup for a request naming an instance more than once
// (koophone-duplicate-instance-ids): jobs must cover the distinct requested set, and their
// number must be jobCount.
func (e *Env) ExpectBackupJobCount(x *Exchange, requested []string, jobCount int) []CmdJob {
	GinkgoHelper()
	return e.expectBackupJobs(x, requested, jobCount)
}

func (e *Env) expectBackupJobs(x *Exchange, requested []string, jobCount int) []CmdJob {
	GinkgoHelper()
	expected := fmt.Sprintf("200 with a task and exactly %d cmd_jobs covering the requested instances", jobCount)
	var p problems
	if !p.answered(x) {
		e.judge(x, expected, p)
		return nil
	}
	if x.Status != http.StatusOK {
		p.addf("status %d, want 200", x.Status)
		e.judge(x, expected, p)
		return nil
	}
	var a backupAnswer
	if err := x.JSON(&a); err != nil {
		p.addf("%v", err)
		e.judge(x, expected, p)
		return nil
	}
	if a.Data == nil {
		p.addf("no data: a 200 must carry the task and its jobs")
		e.judge(x, expected, p)
		return nil
	}
	if a.Data.TaskID == "" {
		p.addf("data.task_id is empty")
	}
	want := map[string]bool{}
	for _, id := range requested {
		want[id] = true
	}
	seenInstance := map[string]int{}
	seenJob := map[string]bool{}
	for i, j := range a.Data.CmdJobs {
		if !want[j.InstanceID] {
			p.addf("cmd_jobs[%d] names instance %q, which was not requested", i, j.InstanceID)
		}
		seenInstance[j.InstanceID]++
		if j.JobID == "" {
			p.addf("cmd_jobs[%d].job_id is empty", i)
		} else if seenJob[j.JobID] {
			p.addf("cmd_jobs[%d].job_id %q is shared with another job", i, j.JobID)
		}
		seenJob[j.JobID] = true
	}
	for _, id := range sortedKeys(want) {
		if seenInstance[id] == 0 {
			p.addf("no job for requested instance %q", id)
		}
	}
	if len(a.Data.CmdJobs) != jobCount {
		p.addf("%d cmd_jobs, want %d", len(a.Data.CmdJobs), jobCount)
	}
	e.judge(x, expected, p)
	if a.ErrorCode != nil && a.ErrorMsg != nil {
		e.Observe("koophone-response-fields-optional", "all-present")
	} else {
		e.Observe("koophone-response-fields-optional", "status-only")
	}
	return a.Data.CmdJobs
}
