package mock

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
)

// faultProbes: for each fault, a probe that reports whether the deviation is visible. Every
// fault of the catalog must have one, and it must see the deviation with the fault on and
// not without.
var faultProbes = map[string]func(t *testing.T, f fixture) bool{
	FaultKooPhoneAccepts101IDs: func(t *testing.T, f fixture) bool {
		k := contract.Default().Constraints().KooPhone
		return f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[:k.InstanceIDsMaxItems+1]...))).status == 200
	},
	FaultKooPhoneIDLength33Accepted: func(t *testing.T, f fixture) bool {
		k := contract.Default().Constraints().KooPhone
		ex := f.doUnchecked(t, f.koo(ids(strings.Repeat("z", k.InstanceIDMaxLength+1))))
		return ex.code() == codeOf(kooInstancePermissions)
	},
	FaultKooPhoneUnknownTenantCode1000: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])).with("x-auth-token", f.t.KooPhone.UnknownTenantToken))
		return ex.code() == codeOf(kooParameterIncorrect)
	},
	FaultKooPhoneForeignInstanceAccepted: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.koo(ids(f.t.KooPhone.ForeignInstanceIDs[0]))).status == 200
	},
	FaultKooPhoneJobForUnrequested: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])))
		return len(ex.json["data"].(map[string]any)["cmd_jobs"].([]any)) != 1
	},
	FaultKooPhoneDuplicateJobIDs: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[:2]...)))
		jobs := ex.json["data"].(map[string]any)["cmd_jobs"].([]any)
		return jobs[0].(map[string]any)["job_id"] == jobs[1].(map[string]any)["job_id"]
	},
	FaultKooPhone500OnMalformedJSON: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.koo(`{`)).status == 500
	},
	FaultKooPhoneMissingRequestIDAccepted: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])).without("x-request-id")).status == 200
	},
	FaultKooPhoneErrorStatus500: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.koo(`{}`)).status == 500
	},
	FaultKooPhoneRebackupAccepted: func(t *testing.T, f fixture) bool {
		r := f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0]))
		f.doUnchecked(t, r)
		return f.doUnchecked(t, r).status == 200
	},
	FaultKooPhoneRejectedRequestReleases: func(t *testing.T, f fixture) bool {
		f.doUnchecked(t, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0], f.t.KooPhone.ForeignInstanceIDs[0])))
		return f.m.World().Released(f.t.KooPhone.OwnedInstanceIDs[0])
	},
	FaultVBSAuthNotEnforced: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])).without("X-Auth-Token")).status == 200
	},
	FaultVBSProjectMismatchIgnored: func(t *testing.T, f fixture) bool {
		r := f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0]))
		r.path = contract.Default().Constraints().VBS.Path("another")
		return f.doUnchecked(t, r).status == 200
	},
	FaultVBSUnknownVolumeSucceeds: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.UnknownVolumeIDs[0])))
		s, _ := ex.json["success_resources"].([]any)
		return len(s) == 1
	},
	FaultVBSResourceDropped: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0], f.t.VBS.UnknownVolumeIDs[0])))
		s, _ := ex.json["success_resources"].([]any)
		fl, _ := ex.json["fail_resources"].([]any)
		return len(s)+len(fl) != 2
	},
	FaultVBSResourceInBothLists: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])))
		s, _ := ex.json["success_resources"].([]any)
		fl, _ := ex.json["fail_resources"].([]any)
		return len(s)+len(fl) != 1
	},
	FaultVBSUnknownPolicy200: func(t *testing.T, f fixture) bool {
		return f.doUnchecked(t, f.vbs(resources(f.t.VBS.UnknownBackupPolicyID, f.t.VBS.VolumeIDs[0]))).status == 200
	},
	FaultVBSErrorEnvelopeFlat: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.vbs(`{}`))
		_, wrapped := ex.json["error"]
		return !wrapped
	},
	FaultVBSWrongContentType: func(t *testing.T, f fixture) bool {
		ex := f.doUnchecked(t, f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])))
		return !strings.HasPrefix(ex.header.Get("Content-Type"), "application/json")
	},
	FaultVBSHang: func(t *testing.T, f fixture) bool {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		r := f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])).build().WithContext(ctx)
		rec := httptest.NewRecorder()
		f.m.ServeHTTP(rec, r)
		return rec.Body.Len() == 0
	},
}

// Every fault of the catalog is documented, names catalog requirements, has a probe, and
// its hook changes the mock's behaviour only when switched on.
func TestFaultCatalogHooks(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	all := Faults()
	if len(all) < 15 {
		t.Fatalf("%d faults, want at least 15", len(all))
	}
	for _, flt := range all {
		t.Run(flt.Name, func(t *testing.T) {
			if flt.Description == "" || len(flt.Requirements) == 0 || !slices.Contains(specfacts.APIs(), flt.API) {
				t.Fatalf("incomplete entry %+v", flt)
			}
			for _, id := range flt.Requirements {
				if _, ok := cat.Requirement(string(id)); !ok {
					t.Fatalf("requirement %q is not in the catalog", id)
				}
			}
			probe, ok := faultProbes[flt.Name]
			if !ok {
				t.Fatal("no probe")
			}
			if probe(t, newFixture(t)) {
				t.Fatal("deviation visible without the fault")
			}
			if !probe(t, newFixture(t, WithFault(flt.Name))) {
				t.Fatal("deviation not visible with the fault on")
			}
		})
	}
	if err := CheckFault("no-such-fault"); err == nil || !strings.Contains(err.Error(), FaultVBSHang) {
		t.Fatalf("unknown fault: %v", err)
	}
}

// A panic inside the handler becomes the API's internal error (500), not a dropped request.
func TestPanicRecoveredAsInternalError(t *testing.T) {
	f := newFixture(t)
	f.m.beforeServe = func(*http.Request) { panic("bug") }
	ex := f.do(t, f.koo(ids("a")))
	wantKooError(t, ex, 500, kooInternalError, "internal error")
	ex = f.do(t, f.vbs(resources(f.t.VBS.BackupPolicyID, "v")))
	wantVBSError(t, ex, 500, VBSCodeInternal, "internal error")
}

// The limit faults give the reference a contract of their own: the mock refuses one item or
// character beyond the relaxed limit, and the law every other package reads stays as
// documented.
func TestLimitFaultsEditOnlyTheirOwnContract(t *testing.T) {
	law := contract.Default().Constraints().KooPhone
	items := newFixture(t, WithFault(FaultKooPhoneAccepts101IDs))
	if got := items.m.cons.KooPhone.InstanceIDsMaxItems; got != law.InstanceIDsMaxItems+1 {
		t.Errorf("%s: the mock's instance_ids maxItems is %d, want %d", FaultKooPhoneAccepts101IDs, got, law.InstanceIDsMaxItems+1)
	}
	if ex := items.doUnchecked(t, items.koo(ids(items.t.KooPhone.OwnedInstanceIDs[:law.InstanceIDsMaxItems+2]...))); ex.status != 400 || ex.code() != codeOf(kooParameterIncorrect) {
		t.Errorf("%s: %d ids: %d %s, want 400 %s", FaultKooPhoneAccepts101IDs, law.InstanceIDsMaxItems+2, ex.status, ex.code(), codeOf(kooParameterIncorrect))
	}
	length := newFixture(t, WithFault(FaultKooPhoneIDLength33Accepted))
	if ex := length.doUnchecked(t, length.koo(ids(strings.Repeat("z", law.InstanceIDMaxLength+2)))); ex.code() != codeOf(kooParameterIncorrect) {
		t.Errorf("%s: an id of %d characters: %s, want %s", FaultKooPhoneIDLength33Accepted, law.InstanceIDMaxLength+2, ex.code(), codeOf(kooParameterIncorrect))
	}
	if after := contract.Default().Constraints().KooPhone; after.InstanceIDsMaxItems != law.InstanceIDsMaxItems || after.InstanceIDMaxLength != law.InstanceIDMaxLength {
		t.Errorf("the law changed: %+v", after)
	}
	if ref := newFixture(t); ref.m.cons.KooPhone.InstanceIDsMaxItems != law.InstanceIDsMaxItems {
		t.Errorf("a mock without faults has maxItems %d", ref.m.cons.KooPhone.InstanceIDsMaxItems)
	}
}
