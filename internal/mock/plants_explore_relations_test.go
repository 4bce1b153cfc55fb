package mock

import (
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/contract"
)

func init() {
	faultProbes[FaultKooPhoneMultiByteIDRefused] = func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.koo(ids("cfxnone0é01"))).code() == codeOf(kooParameterIncorrect)
	}
	faultProbes[FaultVBSMemberOrder500] = func(t *testing.T, f fixture) bool {
		body := `{"resources":[{"resource_id":"cfxnone0aa00","resource_type":"` + contract.Default().Constraints().VBS.ResourceTypes[0] + `"}],"backup_policy_id":"` + f.t.VBS.BackupPolicyID + `"}`
		return f.doUnchecked(t, f.vbs(body)).status == 500
	}
	faultProbes[FaultVBSLastOfManyDropped] = func(t *testing.T, f fixture) bool {
		vols := f.t.VBS.VolumeIDs[:LastOfManyBatch+1]
		return !reported(f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, vols...))), vols[len(vols)-1])
	}
}

// reported reports whether a 200 lists the resource in either list.
func reported(ex exchange, id string) bool {
	for _, list := range []string{"success_resources", "fail_resources"} {
		l, _ := ex.json[list].([]any)
		for _, it := range l {
			if item, _ := it.(map[string]any); item["resource_id"] == id {
				return true
			}
		}
	}
	return false
}

// The relation plants leave alone what the hand-picked suites send: a multi-byte id over the
// limit in bytes (the length-unit probe), bodies in the documented member order, and lists
// of at most one batch. That is what makes them deviations only generated requests find.
func TestRelationPlantsSpareTheSuitesRequests(t *testing.T) {
	k := contract.Default().Constraints().KooPhone
	f := newFixture(t, WithFault(FaultKooPhoneMultiByteIDRefused))
	if ex := f.doUnchecked(t, f.koo(ids(strings.Repeat("é", k.InstanceIDMaxLength)))); ex.code() != codeOf(kooInstancePermissions) {
		t.Errorf("%s: %d two-byte characters answered %s, want %s (the mock counts characters)", FaultKooPhoneMultiByteIDRefused, k.InstanceIDMaxLength, ex.code(), codeOf(kooInstancePermissions))
	}
	if ex := f.doUnchecked(t, f.koo(ids("cfxnone0a01"))); ex.code() != codeOf(kooInstancePermissions) {
		t.Errorf("%s: an ASCII id answered %s, want %s", FaultKooPhoneMultiByteIDRefused, ex.code(), codeOf(kooInstancePermissions))
	}
	g := newFixture(t, WithFault(FaultVBSMemberOrder500))
	if ex := g.do(t, g.vbs(resources(g.t.VBS.BackupPolicyID, g.t.VBS.VolumeIDs[0]))); ex.status != 200 {
		t.Errorf("%s: a body in the documented order answered %d, want 200", FaultVBSMemberOrder500, ex.status)
	}
	if ex := g.doUnchecked(t, g.vbs(`{"backup_policy_id":`)); ex.status != 400 {
		t.Errorf("%s: malformed JSON answered %d, want 400", FaultVBSMemberOrder500, ex.status)
	}
	h := newFixture(t, WithFault(FaultVBSLastOfManyDropped))
	vols := h.t.VBS.VolumeIDs[:LastOfManyBatch]
	ex := h.do(t, h.vbs(resources(h.t.VBS.BackupPolicyID, vols...)))
	for _, id := range vols {
		if !reported(ex, id) {
			t.Errorf("%s: %d resources: %s is reported in neither list", FaultVBSLastOfManyDropped, len(vols), id)
		}
	}
}
