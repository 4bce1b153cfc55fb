package mock

import (
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/contract"
)

func init() {
	faultProbes[FaultKooPhoneTwoFaults500] = func(t *testing.T, f fixture) bool {
		k := contract.Default().Constraints().KooPhone
		return f.doUnchecked(t, f.koo(ids(strings.Repeat("z", k.InstanceIDMaxLength+1))).without(k.RequestIDHeader)).status == 500
	}
	faultProbes[FaultVBSTwoFaults500] = func(t *testing.T, f fixture) bool {
		v := contract.Default().Constraints().VBS
		return f.doUnchecked(t, f.vbs(`{"resources":[]}`).without(v.TokenHeader)).status == 500
	}
	faultProbes[FaultKooPhoneUnknownCodeBySize] = func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.koo(ids("cfxnone0aaaaaaaa", "cfxnone0bbbbbbbb"))).code() == codeOf(kooParameterIncorrect)
	}
	faultProbes[FaultKooPhoneRefusedBatchReleasesFirst] = func(t *testing.T, f fixture) bool {
		owned := f.t.KooPhone.OwnedInstanceIDs[0]
		f.doUnchecked(t, f.koo(ids(owned, f.t.KooPhone.ForeignInstanceIDs[0], "cfxnone0aaaaaaaa")))
		return f.m.World().Released(owned)
	}
}

// The released-first plant spares what the hand-picked suites send: the mixed request of
// one owned and one foreign instance, a refused list of the caller's own instances only,
// and a refused batch whose first instance is not the caller's.
func TestRefusedBatchPlantSparesTheSuitesRequests(t *testing.T) {
	k := contract.Default().Constraints().KooPhone
	f := newFixture(t, WithFault(FaultKooPhoneRefusedBatchReleasesFirst))
	owned, foreign := f.t.KooPhone.OwnedInstanceIDs, f.t.KooPhone.ForeignInstanceIDs
	for _, list := range [][]string{
		{owned[0], foreign[0]},
		owned[1 : 2+k.InstanceIDsMaxItems],
		{foreign[0], owned[2], "cfxnone0aaaaaaaa"},
	} {
		if ex := f.doUnchecked(t, f.koo(ids(list...))); ex.status != 400 {
			t.Fatalf("%d ids: answered %d, want 400", len(list), ex.status)
		}
		if id := releasedAny(f.m.World(), list...); id != "" {
			t.Errorf("refusing %d ids released %s", len(list), id)
		}
	}
}

// The pair the hand-picked suites send is the one pair the two-fault plants leave alone:
// that is what makes them deviations only generated requests find.
func TestTwoFaultPlantsSpareTheSuitesPair(t *testing.T) {
	k := contract.Default().Constraints().KooPhone
	f := newFixture(t, WithFault(FaultKooPhoneTwoFaults500))
	ex := f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])).with(k.TokenHeader, f.t.KooPhone.UnknownTenantToken).without(k.RequestIDHeader))
	if ex.status != 400 {
		t.Errorf("%s: unknown tenant and no x-request-id answered %d, want 400", FaultKooPhoneTwoFaults500, ex.status)
	}
	v := contract.Default().Constraints().VBS
	g := newFixture(t, WithFault(FaultVBSTwoFaults500))
	ex = g.doUnchecked(t, g.vbs(`{"backup_policy_id":"`+g.t.VBS.BackupPolicyID+`"}`).without(v.TokenHeader))
	if ex.status >= 500 {
		t.Errorf("%s: no token and no resources answered %d, want a client error", FaultVBSTwoFaults500, ex.status)
	}
}
