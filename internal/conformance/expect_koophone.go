package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
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
	return Request{API: specfacts.KooPhone, Method: k.Method, Path: k.Path, Header: h, Body: body}
}

// KooPhoneJSON marshals v as the body of an otherwise valid request.
func (e *Env) KooPhoneJSON(v any) Request {
	body, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("conformance: marshal request body: %v", err))
	}
	return e.KooPhoneRaw(body)
}

// koophoneCode returns the error_code of an error body and the problems with its envelope.
func koophoneCode(x *Exchange, p *problems) string {
	obj := x.Object()
	if obj == nil {
		p.rulef(specfacts.ReqKooPhoneErrorEnvelopeShape, "/error_code", "the body is not a JSON object with error_code")
		return ""
	}
	code, ok := obj["error_code"].(string)
	if !ok {
		p.rulef(specfacts.ReqKooPhoneErrorEnvelopeShape, "/error_code", "the body has no string error_code")
		return ""
	}
	return code
}

// codeCaseEntry is the register entry on how the KooPhone code prefix is spelt; every
// error answer is an observation of it.
const codeCaseEntry = "koophone-error-code-case"

// codeName resolves a wire code to its x-error-codes name and the reading of
// koophone-error-code-case its spelling shows, from the readings' code_prefix. It returns
// "" for an undocumented code or spelling.
func (e *Env) codeName(code string) (name, spelling string) {
	k := e.Contract.Constraints().KooPhone
	a, _ := e.Catalog.Ambiguity(codeCaseEntry)
	for _, c := range k.ErrorCodes {
		for _, r := range a.Readings {
			for _, o := range r.Outcome {
				pre := o.CodePrefix
				if pre == "" || len(c.Code) < len(pre) || !strings.EqualFold(c.Code[:len(pre)], pre) {
					continue
				}
				if code == pre+c.Code[len(pre):] {
					return string(c.Name), r.ID
				}
			}
		}
	}
	return "", ""
}

// ExpectKooPhoneError expects a request error: the status the code is documented with
// (400 for the client codes) and the error_code named by codeName.
func (e *Env) ExpectKooPhoneError(x *Exchange, codeName specfacts.ErrorCodeName) {
	GinkgoHelper()
	e.ExpectKooPhoneErrorOneOf(x, codeName)
}

// ExpectKooPhoneErrorOneOf expects a request error with any of the named codes, without
// recording a register reading: for requests whose answer cannot tell readings apart.
func (e *Env) ExpectKooPhoneErrorOneOf(x *Exchange, codeNames ...specfacts.ErrorCodeName) {
	GinkgoHelper()
	var wants []string
	var answers []runrecord.Answer
	k := e.Contract.Constraints().KooPhone
	names := make([]string, 0, len(codeNames))
	for _, n := range codeNames {
		names = append(names, string(n))
		c := k.Code(n)
		wants = append(wants, fmt.Sprintf("%d %s", c.Status, c.Code))
		answers = append(answers, runrecord.Answer{Status: c.Status, Code: c.Code})
	}
	var p problems
	spelling := ""
	if p.answered(x) {
		_, spelling = e.checkKooPhoneCode(x, names, &p)
	}
	e.judgeWant(x, want{text: "status and error_code " + strings.Join(wants, " or "), answers: answers}, p)
	e.observeSpelling(spelling)
}

// observeSpelling records the reading of koophone-error-code-case an accepted error showed.
func (e *Env) observeSpelling(spelling string) {
	GinkgoHelper()
	if spelling != "" {
		e.Observe(codeCaseEntry, spelling)
	}
}

// checkKooPhoneCode adds the problems of an error answer that must carry one of the named
// codes under its documented status; it returns the name found and the spelling reading.
func (e *Env) checkKooPhoneCode(x *Exchange, codeNames []string, p *problems) (string, string) {
	k := e.Contract.Constraints().KooPhone
	code := koophoneCode(x, p)
	name, spelling := "", ""
	success := x.Status >= 200 && x.Status < 300
	if code != "" {
		name, spelling = e.codeName(code)
		if name == "" && !success {
			// An undocumented code is a deviation of the answer's error_code, whatever the
			// request: one rule at /error_code.
			*p = append(*p, problem{text: fmt.Sprintf("error_code %q is not a documented code; the page names a code for this situation and only that code is accepted (register %s)", code, specfacts.AmbKooPhoneUndocumentedCodes),
				kind: wrongAnswer, rule: string(specfacts.ReqKooPhoneErrorEnvelopeShape), pointer: "/error_code", requirement: specfacts.ReqKooPhoneErrorEnvelopeShape})
		}
	}
	switch {
	case name != "" && !slices.Contains(codeNames, name):
		p.answerf("error_code %s (%s) is not the code this request takes", code, name)
	case name != "":
		if c := k.Code(specfacts.ErrorCodeName(name)); x.Status != c.Status {
			// A right code under a wrong status is one deviation whatever the request: the
			// status the server gives that code, a rule of the answer's /status.
			req := specfacts.ReqKooPhoneClientErrorsAre400
			if c.Status >= http.StatusInternalServerError {
				req = specfacts.ReqKooPhoneInternalError
			}
			*p = append(*p, problem{text: fmt.Sprintf("status %d; %s is documented with status %d", x.Status, c.Code, c.Status),
				kind: wrongAnswer, rule: string(req), pointer: "/status", requirement: req})
		}
	}
	if name == "" && success {
		p.answerf("the request was answered with success status %d", x.Status)
	}
	return name, spelling
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

// backup is a checked 200 answer: its task, its jobs and the members it left out.
type backup struct {
	taskID          string
	jobs            []CmdJob
	checked, absent []string
}

// ExpectBackup expects a 200 that starts a task whose cmd_jobs name exactly the requested
// instances, once each, with distinct job ids. requested must be distinct.
func (e *Env) ExpectBackup(x *Exchange, requested []string) []CmdJob {
	GinkgoHelper()
	_, jobs := e.ExpectBackupTask(x, requested)
	return jobs
}

// ExpectBackupTask is ExpectBackup that also returns the task_id of the answer.
func (e *Env) ExpectBackupTask(x *Exchange, requested []string) (taskID string, jobs []CmdJob) {
	GinkgoHelper()
	var p problems
	b := e.checkBackup(x, requested, len(requested), &p)
	e.judgeWant(x, want{text: fmt.Sprintf("200 with a task and exactly %d cmd_jobs covering the requested instances", len(requested)),
		answers: []runrecord.Answer{{Status: http.StatusOK}}}, p)
	e.observeShape(specfacts.KooPhone, b.checked, b.absent)
	return b.taskID, b.jobs
}

// checkBackup adds the problems of an answer that must be a 200 whose jobs cover the
// distinct requested instances, jobCount jobs in all.
func (e *Env) checkBackup(x *Exchange, requested []string, jobCount int, p *problems) backup {
	if !p.answered(x) {
		return backup{}
	}
	if x.Status != http.StatusOK {
		p.answerf("status %d, want 200", x.Status)
		return backup{}
	}
	var a backupAnswer
	if err := x.JSON(&a); err != nil {
		p.rulef(specfacts.ReqKooPhoneResponse200Shape, "/response/body", "%v", err)
		return backup{}
	}
	if a.Data == nil {
		p.rulef(specfacts.ReqKooPhoneResponse200Shape, "/data", "no data: a 200 must carry the task and its jobs")
		return backup{}
	}
	if a.Data.TaskID == "" {
		p.rulef(specfacts.ReqKooPhoneJobIDsDistinct, "/data/task_id", "data.task_id is empty")
	}
	want := map[string]bool{}
	for _, id := range requested {
		want[id] = true
	}
	seenInstance := map[string]int{}
	seenJob := map[string]bool{}
	for i, j := range a.Data.CmdJobs {
		if !want[j.InstanceID] {
			p.rulef(specfacts.ReqKooPhoneCmdJobsCoverRequest, "/data/cmd_jobs", "cmd_jobs[%d] names instance %q, which was not requested", i, j.InstanceID)
		}
		seenInstance[j.InstanceID]++
		if j.JobID == "" {
			p.rulef(specfacts.ReqKooPhoneJobIDsDistinct, "/data/cmd_jobs/*/job_id", "cmd_jobs[%d].job_id is empty", i)
		} else if seenJob[j.JobID] {
			p.rulef(specfacts.ReqKooPhoneJobIDsDistinct, "/data/cmd_jobs/*/job_id", "cmd_jobs[%d].job_id %q is shared with another job", i, j.JobID)
		}
		seenJob[j.JobID] = true
	}
	for _, id := range sortedKeys(want) {
		if seenInstance[id] == 0 {
			p.rulef(specfacts.ReqKooPhoneCmdJobsCoverRequest, "/data/cmd_jobs", "no job for requested instance %q", id)
		}
	}
	if len(a.Data.CmdJobs) != jobCount {
		p.rulef(specfacts.ReqKooPhoneCmdJobsCoverRequest, "/data/cmd_jobs", "%d cmd_jobs, want %d", len(a.Data.CmdJobs), jobCount)
	}
	b := backup{taskID: a.Data.TaskID, jobs: a.Data.CmdJobs, checked: []string{"error_code", "error_msg"}}
	if a.ErrorCode == nil {
		b.absent = append(b.absent, "error_code")
	}
	if a.ErrorMsg == nil {
		b.absent = append(b.absent, "error_msg")
	}
	return b
}

// ExpectDistinctTasks expects the task ids of successful calls that started different
// backups to differ: a client tracks each call's task by its id.
func (e *Env) ExpectDistinctTasks(taskIDs ...string) {
	GinkgoHelper()
	var p problems
	seen := map[string]int{}
	for i, id := range taskIDs {
		if j, dup := seen[id]; dup {
			p.rulef(specfacts.ReqKooPhoneTaskIDsDistinct, "/data/task_id", "call %d answered with task_id %q, the task_id of call %d", i+1, id, j+1)
			continue
		}
		seen[id] = i
	}
	e.judge(nil, "a different task_id for each call that started a backup", p)
}
