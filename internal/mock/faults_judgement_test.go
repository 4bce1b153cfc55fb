package mock

import (
	"testing"

	"github.com/koobackup/conformance/internal/contract"
)

// The probes of the faults the judgement principle decides (plants_koophone_judgement.go,
// plants_gateway.go); faults_test.go checks each one is invisible without its fault and
// visible with it.
func init() {
	for name, probe := range judgementFaultProbes {
		faultProbes[name] = probe
	}
}

var judgementFaultProbes = map[string]func(t *testing.T, f fixture) bool{
	FaultKooPhoneSuccessWithoutCode: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])))
		_, code := ex.json["error_code"]
		return ex.status == 200 && !code
	},
	FaultKooPhoneErrorWithoutMsg: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.koo(`{}`))
		_, msg := ex.json["error_msg"]
		return !msg
	},
	FaultKooPhoneDuplicateJobPerEntry: func(t *testing.T, f fixture) bool {
		// The strict mock rejects a repeated id; the fault answers it with a job per mention.
		id := f.t.KooPhone.OwnedInstanceIDs[0]
		ex := f.doUnchecked(t, f.koo(ids(id, id)))
		return ex.status == 200 && len(kooData(ex)["cmd_jobs"].([]any)) == 2
	},
	FaultKooPhoneRebackup500: func(t *testing.T, f fixture) bool {
		r := f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0]))
		f.doUnchecked(t, r)
		return f.doUnchecked(t, r).status == 500
	},
	FaultKooPhoneCharsetRefused: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])).with("Content-Type", "application/json;charset=UTF-8"))
		return ex.status == 400
	},
	FaultKooPhoneTaskIDReused: func(t *testing.T, f fixture) bool {
		a := f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])))
		b := f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[1])))
		return kooData(a)["task_id"] == kooData(b)["task_id"]
	},
	FaultKooPhoneGatewayBody403: func(t *testing.T, f fixture) bool {
		k := contract.Default().Constraints().KooPhone
		ex := f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])).without(k.TokenHeader))
		return ex.status == 403 && ex.json["request_id"] != nil
	},
	FaultVBSGatewayBody403: func(t *testing.T, f fixture) bool {
		v := contract.Default().Constraints().VBS
		ex := f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])).without(v.TokenHeader))
		return ex.status == 403 && ex.json["request_id"] != nil
	},
	FaultKooPhoneEmptyRequestID500: func(t *testing.T, f fixture) bool {
		k := contract.Default().Constraints().KooPhone
		return f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])).with(k.RequestIDHeader, "")).status == 500
	},
	FaultKooPhoneTwoFaultsAccepted: func(t *testing.T, f fixture) bool {
		k := contract.Default().Constraints().KooPhone
		return f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])).with(k.TokenHeader, f.t.KooPhone.UnknownTenantToken).without(k.RequestIDHeader)).status == 200
	},
	FaultKooPhoneUndocumentedPermissions: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.koo(ids(f.t.KooPhone.ForeignInstanceIDs[0])))
		return ex.status == 400 && ex.code() != codeOf(kooInstancePermissions) && ex.code() == nextCode(codeOf(kooInstancePermissions))
	},
}
