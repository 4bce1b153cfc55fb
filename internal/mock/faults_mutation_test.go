package mock

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
)

// The probes of the faults added for mutation testing (internal/mutation); faults_test.go
// checks each one is invisible without its fault and visible with it.
func init() {
	for name, probe := range mutationFaultProbes {
		faultProbes[name] = probe
	}
}

// serveRaw sends r through the mock without the content-type check of doUnchecked, and
// reports a dropped connection (the handler aborting) instead of letting it panic the test.
func serveRaw(f fixture, r *http.Request) (rec *httptest.ResponseRecorder, dropped bool) {
	rec = httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler {
				panic(p)
			}
			dropped = true
		}
	}()
	f.m.ServeHTTP(rec, r)
	return rec, false
}

// oversized is a body over the mock's size limit.
func oversized() []byte {
	return append(append([]byte(`{"x":"`), bytes.Repeat([]byte("a"), MaxBodyBytes)...), []byte(`"}`)...)
}

func kooData(ex exchange) map[string]any {
	d, _ := ex.json["data"].(map[string]any)
	return d
}

func vbsList(ex exchange, name string) []any {
	l, _ := ex.json[name].([]any)
	return l
}

var mutationFaultProbes = map[string]func(t *testing.T, f fixture) bool{
	FaultKooPhoneEmptyTaskID: func(t *testing.T, f fixture) bool {
		return kooData(f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0]))))["task_id"] == ""
	},
	FaultKooPhoneCmdJobsNull: func(t *testing.T, f fixture) bool {
		return kooData(f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0]))))["cmd_jobs"] == nil
	},
	FaultKooPhoneSuccessCarriesErrorCode: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])))
		return ex.status == 200 && ex.json["error_code"] == codeOf(kooParameterIncorrect)
	},
	FaultKooPhoneErrorCodeWithoutPrefix: func(t *testing.T, f fixture) bool {
		return !strings.Contains(f.doUnchecked(t, f.koo(`{}`)).code(), ".")
	},
	FaultKooPhoneWrongContentType: func(t *testing.T, f fixture) bool {
		rec, _ := serveRaw(f, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])).build())
		return !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json")
	},
	FaultKooPhoneSuccessStatus201: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0]))).status == http.StatusCreated
	},
	FaultKooPhoneMissingInstanceIDs500: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.koo(`{}`)).status == 500
	},
	FaultKooPhoneStringInstanceIDsAccepted: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.koo(map[string]any{"instance_ids": f.t.KooPhone.OwnedInstanceIDs[0]})).status == 200
	},
	FaultKooPhoneEmptyList500: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.koo(ids())).status == 500
	},
	FaultKooPhoneMissingTokenAccepted: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])).without("x-auth-token")).status == 200
	},
	FaultKooPhoneInternalErrorCode1000: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])).with(InjectedFailureHeader, string(specfacts.CodeInternalError)))
		return ex.status == 500 && ex.code() == codeOf(kooParameterIncorrect)
	},
	FaultKooPhoneDuplicateIDs500: func(t *testing.T, f fixture) bool {
		id := f.t.KooPhone.OwnedInstanceIDs[0]
		return f.doUnchecked(t, f.koo(ids(id, id))).status == 500
	},
	FaultKooPhoneContentType500: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])).with("Content-Type", "text/plain")).status == 500
	},
	FaultKooPhoneOversizedDropped: func(t *testing.T, f fixture) bool {
		r := f.koo(oversized())
		_, dropped := serveRaw(f, r.build())
		return dropped
	},
	FaultKooPhoneUnknownField500: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.koo(map[string]any{"instance_ids": []string{f.t.KooPhone.OwnedInstanceIDs[0]}, "extra": 1})).status == 500
	},
	FaultKooPhoneHang: func(t *testing.T, f fixture) bool {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		rec, _ := serveRaw(f, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])).build().WithContext(ctx))
		return rec.Body.Len() == 0
	},
	FaultKooPhoneJobDropped: func(t *testing.T, f fixture) bool {
		jobs, _ := kooData(f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[:2]...))))["cmd_jobs"].([]any)
		return len(jobs) != 2
	},

	FaultVBSMissingPolicyID500: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.vbs(`{"resources":[]}`)).status == 500
	},
	FaultVBSMissingResources500: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.vbs(map[string]any{"backup_policy_id": f.t.VBS.BackupPolicyID})).status == 500
	},
	FaultVBSMissingResourceField500: func(t *testing.T, f fixture) bool {
		body := map[string]any{"backup_policy_id": f.t.VBS.BackupPolicyID, "resources": []any{map[string]any{"resource_id": f.t.VBS.VolumeIDs[0]}}}
		return f.doUnchecked(t, f.vbs(body)).status == 500
	},
	FaultVBSWrongType500: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.vbs(`{"backup_policy_id":1,"resources":[]}`)).status == 500
	},
	FaultVBSUnsupportedTypeAssociated: func(t *testing.T, f fixture) bool {
		body := map[string]any{"backup_policy_id": f.t.VBS.BackupPolicyID, "resources": []any{map[string]any{"resource_id": f.t.VBS.VolumeIDs[0], "resource_type": "server"}}}
		return len(vbsList(f.doUnchecked(t, f.vbs(body)), "success_resources")) == 1
	},
	FaultVBSEmptyResources500: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID))).status == 500
	},
	FaultVBSInternalError400: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])).with(InjectedFailureHeader, string(specfacts.CodeInternalError))).status == 400
	},
	FaultVBSFreeVolumeFailedBesideUnknown: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0], f.t.VBS.UnknownVolumeIDs[0])))
		return len(vbsList(ex, "success_resources")) == 0
	},
	FaultVBSResourceTypeChanged: func(t *testing.T, f fixture) bool {
		s := vbsList(f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0]))), "success_resources")
		return len(s) == 1 && s[0].(map[string]any)["resource_type"] != contract.Default().Constraints().VBS.ResourceTypes[0]
	},
	FaultVBSReassociate500: func(t *testing.T, f fixture) bool {
		r := f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0]))
		f.doUnchecked(t, r)
		return f.doUnchecked(t, r).status == 500
	},
	FaultVBSDuplicateResources500: func(t *testing.T, f fixture) bool {
		v := f.t.VBS.VolumeIDs[0]
		return f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, v, v))).status == 500
	},
	FaultVBSMalformedJSON500: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.vbs(`{`)).status == 500
	},
	FaultVBSContentType500: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])).with("Content-Type", "text/plain")).status == 500
	},
	FaultVBSOversizedDropped: func(t *testing.T, f fixture) bool {
		_, dropped := serveRaw(f, f.vbs(oversized()).build())
		return dropped
	},
	FaultVBSUnknownField500: func(t *testing.T, f fixture) bool {
		body := resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])
		body["extra"] = 1
		return f.doUnchecked(t, f.vbs(body)).status == 500
	},
	FaultVBSUnknownPolicy422: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.vbs(resources(f.t.VBS.UnknownBackupPolicyID, f.t.VBS.VolumeIDs[0]))).status == http.StatusUnprocessableEntity
	},
	FaultVBSErrorCodeEmpty: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.vbs(`{}`)).code() == ""
	},
	FaultVBSFailItemWithoutCode: func(t *testing.T, f fixture) bool {
		fl := vbsList(f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.UnknownVolumeIDs[0]))), "fail_resources")
		return len(fl) == 1 && fl[0].(map[string]any)["code"] == ""
	},
	FaultVBSInvalidToken403: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])).with("X-Auth-Token", "not-a-token")).status == http.StatusForbidden
	},
}
