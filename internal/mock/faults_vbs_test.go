package mock

import (
	"net/http"
	"testing"

	"github.com/koobackup/conformance/internal/contract"
)

// The probes of the VBS faults the judgement principle decides, and of the faults of other
// methods, Accept, charset, empty ids and fault precedence; TestFaultCatalogHooks
// checks each is invisible without its fault and visible with it.
func init() {
	for name, probe := range vbsIssue12Probes {
		faultProbes[name] = probe
	}
}

var vbsIssue12Probes = map[string]func(t *testing.T, f fixture) bool{
	FaultVBSDuplicateReportedPerEntry: func(t *testing.T, f fixture) bool {
		v := f.t.VBS.VolumeIDs[0]
		ex := f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, v, v)))
		return ex.status == 200 && len(vbsList(ex, "success_resources"))+len(vbsList(ex, "fail_resources")) == 2
	},
	FaultVBSEmptyListNull: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])))
		l, present := ex.json["fail_resources"]
		return present && l == nil
	},
	FaultVBSEmptyListOmitted: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])))
		_, present := ex.json["fail_resources"]
		return ex.status == 200 && !present
	},
	FaultVBSAssociatedWithoutAZ: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])))
		s := vbsList(ex, "success_resources")
		if len(s) != 1 {
			return false
		}
		_, hasAZ := s[0].(map[string]any)["availability_zone"]
		return !hasAZ
	},
	FaultVBSErrorWithoutMessage: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.vbs(map[string]any{"resources": []any{}}))
		e, _ := ex.json["error"].(map[string]any)
		_, hasMessage := e["message"]
		return ex.status == 400 && !hasMessage
	},
	FaultVBSGetAnswered200: func(t *testing.T, f fixture) bool {
		r := f.vbs(resources(f.t.VBS.BackupPolicyID))
		r.method, r.body = http.MethodGet, nil
		return f.doUnchecked(t, r).status == 200
	},
	FaultVBSJSONCharsetRefused: func(t *testing.T, f fixture) bool {
		r := f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])).with("Content-Type", "application/json;charset=UTF-8")
		return f.doUnchecked(t, r).status == 400
	},
	FaultVBSEmptyPolicyIDSucceeds: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.vbs(resources("", f.t.VBS.VolumeIDs[0])))
		return ex.status == 200 && len(vbsList(ex, "success_resources")) == 1
	},
	FaultVBSEmptyResourceIDAssociated: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, "")))
		return ex.status == 200 && len(vbsList(ex, "success_resources")) == 1
	},
	FaultVBSEmptyProjectIDServed: func(t *testing.T, f fixture) bool {
		r := f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0]))
		r.path = contract.Default().Constraints().VBS.Path("")
		return f.doUnchecked(t, r).status == 200
	},
	FaultVBSTwoFaults200: func(t *testing.T, f fixture) bool {
		r := f.vbs(map[string]any{"backup_policy_id": f.t.VBS.BackupPolicyID}).with(contract.Default().Constraints().VBS.TokenHeader, "")
		return f.doUnchecked(t, r).status == 200
	},
	FaultVBSNotAcceptable500: func(t *testing.T, f fixture) bool {
		r := f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])).with("Accept", "application/xml")
		return f.doUnchecked(t, r).status == 500
	},
}
