package mock

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
)

// The strict readings are the register's; the lenient ones differ from them on every entry
// with more than one legitimate reading and are legitimate themselves.
func TestStrictAndLenientReadingsFollowTheRegister(t *testing.T) {
	strict, lenient := StrictReadings(), LenientReadings()
	for _, a := range catalog.Default().Ambiguities {
		if strict[a.ID] != a.Strict {
			t.Errorf("%s: strict %q, register %q", a.ID, strict[a.ID], a.Strict)
		}
		if !a.Tolerates(lenient[a.ID]) {
			t.Errorf("%s: lenient %q is not a legitimate reading", a.ID, lenient[a.ID])
		}
		if len(a.Default) > 1 && lenient[a.ID] == a.Strict {
			t.Errorf("%s: lenient takes the strict reading although %v are legitimate", a.ID, a.Default)
		}
	}
	// Between them, the two lenient presets take every legitimate reading of every entry.
	last := LastLenientReadings()
	for _, a := range catalog.Default().Ambiguities {
		for _, r := range a.Default {
			if r != strict[a.ID] && r != lenient[a.ID] && r != last[a.ID] {
				t.Errorf("%s: reading %q is taken by neither lenient preset", a.ID, r)
			}
		}
	}
	if len(strict) != len(catalog.Default().Ambiguities) {
		t.Errorf("%d strict readings for %d entries", len(strict), len(catalog.Default().Ambiguities))
	}
}

// An unknown entry or reading is refused with a message listing what exists.
func TestCheckReadingNamesWhatExists(t *testing.T) {
	if err := CheckReading("koophone-unknown-instance-code", string(specfacts.CodeParameterIncorrect)); err != nil {
		t.Fatal(err)
	}
	cases := map[string][2]string{
		"no such register entry":    {"koophone-no-such-entry", "x"},
		"not a legitimate reading":  {"koophone-unknown-instance-code", "teapot"},
		"koophone-error-code-case,": {"nope", "x"},
		"permissions, parameter":    {"koophone-unknown-instance-code", "teapot"},
	}
	for want, c := range cases {
		err := CheckReading(c[0], c[1])
		var re *ReadingError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckReading(%s, %s) = %v, want a *ReadingError saying %q", c[0], c[1], err, want)
		}
	}
	if _, _, err := ParseReading("no-equals-sign"); err == nil || !strings.Contains(err.Error(), "ENTRY=READING") {
		t.Errorf("ParseReading without '=': %v", err)
	}
	e, r, err := ParseReading((string(specfacts.AmbVBSReassociate) + "=conflict"))
	if err != nil || e != string(specfacts.AmbVBSReassociate) || r != "conflict" {
		t.Errorf("ParseReading = %q, %q, %v", e, r, err)
	}
}

// The mock takes each reading it is given, one entry at a time, and the strict one elsewhere.
func TestWithReadingTakesOneEntry(t *testing.T) {
	m := New(nil, WithEntryReadings(specfacts.ReadingVBSReassociateConflict))
	got := m.Readings()
	if got[string(specfacts.ReqVBSReassociate)] != "conflict" {
		t.Fatalf((string(specfacts.AmbVBSReassociate) + " = %q"), got[string(specfacts.ReqVBSReassociate)])
	}
	for e, r := range StrictReadings() {
		if e != string(specfacts.AmbVBSReassociate) && got[e] != r {
			t.Errorf("%s = %q, want the strict %q", e, got[e], r)
		}
	}
	if !m.lenient() || New(nil).lenient() {
		t.Error("lenient() does not tell a non-strict reading from the reference")
	}
}

// Every catalog fault has a plant, and every plant a catalog entry.
func TestEveryFaultIsPlanted(t *testing.T) {
	for _, f := range Faults() {
		p, ok := plants[f.Name]
		if !ok {
			t.Errorf("fault %s has no plant", f.Name)
			continue
		}
		if p.contract == nil && p.request == nil && p.response == nil {
			t.Errorf("fault %s: the plant does nothing", f.Name)
		}
	}
	for name := range plants {
		if _, ok := LookupFault(name); !ok {
			t.Errorf("plant %s is not in the fault catalog", name)
		}
	}
}

// The readings no preset takes (neither strict nor lenient) answer as the register's
// outcome says, each on a mock that takes it alone.
func TestReadingsBeyondTheLenientPreset(t *testing.T) {
	t.Run(string(specfacts.AmbKooPhoneRebackupCode)+"=idempotent: the same job again, nothing new", func(t *testing.T) {
		f := newFixture(t, WithEntryReadings(specfacts.ReadingKooPhoneRebackupCodeIdempotent))
		id := f.t.KooPhone.OwnedInstanceIDs[0]
		first := f.do(t, f.koo(ids(id)))
		again := f.do(t, f.koo(ids(id)))
		j1, _ := kooData(first)["cmd_jobs"].([]any)
		j2, _ := kooData(again)["cmd_jobs"].([]any)
		if first.status != 200 || again.status != 200 || len(j1) != 1 || len(j2) != 1 ||
			j1[0].(map[string]any)["job_id"] != j2[0].(map[string]any)["job_id"] {
			t.Fatalf("first %d %s, again %d %s: want 200 twice with the same job", first.status, first.body, again.status, again.body)
		}
	})
	t.Run(string(specfacts.AmbKooPhoneMissingTokenCode)+"=api-gateway: 401 with the gateway's body", func(t *testing.T) {
		f := newFixture(t, WithEntryReadings(specfacts.ReadingKooPhoneMissingTokenCodeAPIGateway))
		ex := f.doUnchecked(t, f.koo(ids("a")).without(f.m.cons.KooPhone.TokenHeader))
		if ex.status != 401 || ex.code() != gatewayAuthCode || ex.json["request_id"] == nil || ex.json["error_msg"] == nil {
			t.Fatalf("got %d %s", ex.status, ex.body)
		}
	})
	t.Run(string(specfacts.AmbVBSAuthHeader)+"=api-gateway: 401 with the gateway's body for a missing and an invalid token", func(t *testing.T) {
		f := newFixture(t, WithEntryReadings(specfacts.ReadingVBSAuthHeaderAPIGateway))
		h := f.m.cons.VBS.TokenHeader
		for _, r := range []req{f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])).without(h), f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])).with(h, "not-a-token")} {
			ex := f.doUnchecked(t, r)
			if ex.status != 401 || ex.json["error_code"] != gatewayAuthCode || ex.json["request_id"] == nil {
				t.Fatalf("got %d %s", ex.status, ex.body)
			}
		}
	})
	t.Run(string(specfacts.AmbKooPhoneFaultPrecedence)+"=validation-first: the missing x-request-id wins over the unknown tenant", func(t *testing.T) {
		f := newFixture(t, WithEntryReadings(specfacts.ReadingKooPhoneFaultPrecedenceValidationFirst))
		k := f.m.cons.KooPhone
		wantKooError(t, f.do(t, f.koo(ids("a")).with(k.TokenHeader, f.t.KooPhone.UnknownTenantToken).without(k.RequestIDHeader)), 400, kooParameterIncorrect, k.RequestIDHeader)
		g := newFixture(t)
		wantKooError(t, g.do(t, g.koo(ids("a")).with(k.TokenHeader, g.t.KooPhone.UnknownTenantToken).without(k.RequestIDHeader)), 400, kooTenantNotFound, "names no tenant")
	})
	t.Run(string(specfacts.AmbKooPhoneEmptyRequestID)+"=accepted: an empty x-request-id is present", func(t *testing.T) {
		k := contract.Default().Constraints().KooPhone
		f := newFixture(t, WithEntryReadings(specfacts.ReadingKooPhoneEmptyRequestIDAccepted))
		id := f.t.KooPhone.OwnedInstanceIDs[0]
		if ex := f.doUnchecked(t, f.koo(ids(id)).with(k.RequestIDHeader, "")); ex.status != 200 {
			t.Fatalf("got %d %s", ex.status, ex.body)
		}
		wantKooError(t, f.do(t, f.koo(ids(id)).without(k.RequestIDHeader)), 400, kooParameterIncorrect, k.RequestIDHeader)
		s := newFixture(t)
		wantKooError(t, s.doUnchecked(t, s.koo(ids(id)).with(k.RequestIDHeader, "")), 400, kooParameterIncorrect, "is empty")
	})
	t.Run("koophone-oversized-body-status=parsed: judged on its content", func(t *testing.T) {
		f := newFixture(t, WithEntryReadings(specfacts.ReadingKooPhoneOversizedBodyStatusParsed))
		body := ids("nosuch-1")
		body["padding"] = strings.Repeat("x", MaxBodyBytes)
		r := f.koo(body)
		wantKooError(t, f.doUnchecked(t, r), 400, kooInstancePermissions, "is not an instance of this tenant")
	})
	t.Run("vbs-unknown-policy-reporting=bad-request: 400 with the envelope", func(t *testing.T) {
		f := newFixture(t, WithEntryReadings(specfacts.ReadingVBSUnknownPolicyReportingBadRequest))
		wantVBSError(t, f.do(t, f.vbs(resources(f.t.VBS.UnknownBackupPolicyID, f.t.VBS.VolumeIDs[0]))), 400, VBSCodePolicyNotFound, "does not exist")
	})
	t.Run(string(specfacts.AmbVBSMethodNotAllowed)+"=router: a GET gets 404", func(t *testing.T) {
		f := newFixture(t, WithEntryReadings(specfacts.ReadingVBSMethodNotAllowedRouter))
		r := f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0]))
		r.method = http.MethodGet
		wantVBSError(t, f.doUnchecked(t, r), 404, VBSCodeNotFound, "not allowed")
	})
	t.Run(string(specfacts.AmbVBSEmptyProjectID)+"=forbidden: 403 after the token", func(t *testing.T) {
		f := newFixture(t, WithEntryReadings(specfacts.ReadingVBSEmptyProjectIDForbidden))
		r := f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0]))
		r.path = contract.Default().Constraints().VBS.Path("")
		wantVBSError(t, f.doUnchecked(t, r), 403, VBSCodeForbidden, "empty project")
	})
	t.Run((string(specfacts.AmbVBSReassociate) + "=conflict: 409 and nothing bound"), func(t *testing.T) {
		f := newFixture(t, WithEntryReadings(specfacts.ReadingVBSReassociateConflict))
		v, w := f.t.VBS.VolumeIDs[0], f.t.VBS.VolumeIDs[1]
		if ex := f.do(t, f.vbs(resources(f.t.VBS.BackupPolicyID, v))); ex.status != 200 {
			t.Fatalf("first association: %d %s", ex.status, ex.body)
		}
		wantVBSError(t, f.do(t, f.vbs(resources(f.t.VBS.BackupPolicyID, w, v))), 409, VBSCodeAlreadyAssociated, "already associated")
		if ex := f.do(t, f.vbs(resources(f.t.VBS.BackupPolicyID, w))); len(vbsList(ex, "success_resources")) != 1 {
			t.Fatalf("the refused request bound %s: %s", w, ex.body)
		}
	})
	t.Run("vbs-oversized-body-status=parsed: the unknown volume fails", func(t *testing.T) {
		f := newFixture(t, WithEntryReadings(specfacts.ReadingVBSOversizedBodyStatusParsed))
		body := resources(f.t.VBS.BackupPolicyID, "nosuch-v")
		body["padding"] = strings.Repeat("x", MaxBodyBytes)
		r := f.vbs(body)
		ex := f.doUnchecked(t, r)
		if ex.status != 200 || len(vbsList(ex, "fail_resources")) != 1 {
			t.Fatalf("got %d %.300s", ex.status, ex.body)
		}
	})
}
