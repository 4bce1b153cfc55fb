package mock

import (
	"net/http"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
)

func lenientCode(name specfacts.ErrorCodeName) string { return mixedCaseCode(codeOf(name)) }

// The lenient KooPhone takes a non-strict legitimate reading of every register entry, and
// each answer still validates against the contract.
func TestLenientKooPhoneReadings(t *testing.T) {
	k := contract.Default().Constraints().KooPhone
	cases := []struct {
		name   string
		build  func(f fixture) req
		status int
		code   specfacts.ErrorCodeName // x-error-codes name; "" for 200
		check  func(t *testing.T, f fixture, ex exchange)
	}{
		{"example-as-alias: the seed example is refused for its instance", func(f fixture) req {
			return f.koo(`{"user_id":"1008600000104285462","instance_id":"iRJEVP9"}`)
		}, 400, kooInstancePermissions, nil},
		{"example-as-alias: an owned instance_id is backed up", func(f fixture) req {
			return f.koo(`{"instance_id":"` + f.t.KooPhone.OwnedInstanceIDs[0] + `"}`)
		}, 200, "", func(t *testing.T, f fixture, ex exchange) {
			if !f.m.World().Released(f.t.KooPhone.OwnedInstanceIDs[0]) {
				t.Fatal("alias did not release")
			}
		}},
		{"accept-empty, with error_code and error_msg (all-present is the only reading)", func(f fixture) req { return f.koo(ids()) }, 200, "", func(t *testing.T, f fixture, ex exchange) {
			_, hasCode := ex.json["error_code"]
			_, hasMsg := ex.json["error_msg"]
			jobs := ex.json["data"].(map[string]any)["cmd_jobs"].([]any)
			if !hasCode || !hasMsg || len(jobs) != 0 {
				t.Fatalf("body %s", ex.body)
			}
		}},
		{"tenant-does-not-exist for a missing token", func(f fixture) req { return f.koo(ids("a")).without("x-auth-token") }, 400, kooTenantNotFound, nil},
		{"parameter-incorrect for an unknown instance", func(f fixture) req { return f.koo(ids("nosuch1")) }, 400, kooParameterIncorrect, nil},
		{"permissions for the empty id", func(f fixture) req { return f.koo(ids("")) }, 400, kooInstancePermissions, nil},
		{"bytes as the length unit", func(f fixture) req { return f.koo(ids(strings.Repeat("é", k.InstanceIDMaxLength))) }, 400, kooParameterIncorrect, func(t *testing.T, f fixture, ex exchange) {
			if !strings.Contains(ex.message(), "bytes, at most") {
				t.Fatalf("message %q", ex.message())
			}
		}},
		{"deduplicate", func(f fixture) req {
			id := f.t.KooPhone.OwnedInstanceIDs[1]
			return f.koo(ids(id, id))
		}, 200, "", func(t *testing.T, f fixture, ex exchange) {
			if n := len(ex.json["data"].(map[string]any)["cmd_jobs"].([]any)); n != 1 {
				t.Fatalf("%d jobs", n)
			}
		}},
		{"reject unknown members", func(f fixture) req { return f.koo(`{"instance_ids":["a"],"extra":1}`) }, 400, kooParameterIncorrect, nil},
		{"sniff the content type", func(f fixture) req {
			return f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[2])).with("Content-Type", "text/plain")
		}, 200, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, WithLenient())
			ex := f.do(t, c.build(f))
			if ex.status != c.status || (c.code != "" && ex.code() != lenientCode(c.code)) {
				t.Fatalf("got %d %s, want %d %s", ex.status, ex.body, c.status, c.code)
			}
			if c.check != nil {
				c.check(t, f, ex)
			}
		})
	}
}

// A released instance is refused with 1001 by the lenient mock (koophone-rebackup-code:
// permissions).
func TestLenientKooPhoneRebackup(t *testing.T) {
	f := newFixture(t, WithLenient())
	id := f.t.KooPhone.OwnedInstanceIDs[0]
	f.do(t, f.koo(ids(id)))
	if ex := f.do(t, f.koo(ids(id))); ex.status != 400 || ex.code() != lenientCode(kooInstancePermissions) {
		t.Fatalf("got %d %s", ex.status, ex.body)
	}
}

// Oversized bodies are answered 413 by the lenient mock (transport-413): the status is
// outside the documented list, which is the only contract finding.
func TestLenientOversized413(t *testing.T) {
	f := newFixture(t, WithLenient())
	big := `{"x":"` + strings.Repeat("a", MaxBodyBytes) + `"}`
	for _, r := range []req{f.koo(big), f.vbs(big)} {
		ex := f.doUnchecked(t, r)
		if ex.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("%s: got %d %s", r.path, ex.status, ex.body)
		}
		for _, v := range f.violations(r, ex) {
			if v.Rule != specfacts.RuleResponseStatusUndocumented {
				t.Fatalf("%s: unexpected violation %v", r.path, v)
			}
		}
	}
}

// The lenient VBS takes a non-strict legitimate reading of every register entry.
func TestLenientVBSReadings(t *testing.T) {
	cases := []struct {
		name   string
		build  func(f fixture) req
		status int
		check  func(t *testing.T, f fixture, ex exchange)
	}{
		{"not-found-project", func(f fixture) req {
			r := f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0]))
			r.path = contract.Default().Constraints().VBS.Path("another")
			return r
		}, 404, nil},
		{"unknown policy: all failed", func(f fixture) req {
			return f.vbs(resources(f.t.VBS.UnknownBackupPolicyID, f.t.VBS.VolumeIDs[0], f.t.VBS.VolumeIDs[1]))
		}, 200, func(t *testing.T, f fixture, ex exchange) {
			if s, ok := ex.json["success_resources"].([]any); !ok || len(s) != 0 || len(ex.json["fail_resources"].([]any)) != 2 {
				t.Fatalf("body %s", ex.body)
			}
		}},
		{"unknown volume: request error, nothing bound", func(f fixture) req {
			return f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0], f.t.VBS.UnknownVolumeIDs[0]))
		}, 404, func(t *testing.T, f fixture, ex exchange) {
			if f.m.World().BoundPolicy(f.t.VBS.VolumeIDs[0]) != "" {
				t.Fatal("volume bound by a refused request")
			}
		}},
		{"unsupported type: request error", func(f fixture) req {
			body := resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])
			body["resources"].([]map[string]any)[0]["resource_type"] = "disk"
			return f.vbs(body)
		}, 400, nil},
		{"empty resources accepted, both lists []", func(f fixture) req { return f.vbs(resources(f.t.VBS.BackupPolicyID)) }, 200, func(t *testing.T, f fixture, ex exchange) {
			s, okS := ex.json["success_resources"].([]any)
			fl, okF := ex.json["fail_resources"].([]any)
			if !okS || !okF || len(s)+len(fl) != 0 {
				t.Fatalf("body %s", ex.body)
			}
		}},
		{"duplicates deduplicated, every member present", func(f fixture) req {
			v := f.t.VBS.VolumeIDs[0]
			return f.vbs(resources(f.t.VBS.BackupPolicyID, v, v))
		}, 200, func(t *testing.T, f fixture, ex exchange) {
			s := ex.json["success_resources"].([]any)
			if len(s) != 1 || len(s[0].(map[string]any)) != 4 {
				t.Fatalf("body %s", ex.body)
			}
		}},
		{"empty backup_policy_id: an unknown policy", func(f fixture) req {
			return f.vbs(resources("", f.t.VBS.VolumeIDs[0]))
		}, 200, func(t *testing.T, f fixture, ex exchange) {
			if len(vbsList(ex, "fail_resources")) != 1 || f.m.World().BoundPolicy(f.t.VBS.VolumeIDs[0]) != "" {
				t.Fatalf("body %s", ex.body)
			}
		}},
		{"empty resource_id: an unknown volume", func(f fixture) req {
			return f.vbs(resources(f.t.VBS.BackupPolicyID, ""))
		}, 404, nil},
		{"empty project_id: 400", func(f fixture) req {
			r := f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0]))
			r.path = contract.Default().Constraints().VBS.Path("")
			return r
		}, 400, nil},
		{"Accept: application/xml disregarded", func(f fixture) req {
			return f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])).with("Accept", "application/xml")
		}, 200, nil},
		{"two faults: the body is checked first", func(f fixture) req {
			return f.vbs(map[string]any{"backup_policy_id": f.t.VBS.BackupPolicyID}).with(contract.Default().Constraints().VBS.TokenHeader, "")
		}, 400, nil},
		{"unknown members rejected", func(f fixture) req {
			body := resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])
			body["extra"] = 1
			return f.vbs(body)
		}, 400, nil},
		{"content type sniffed", func(f fixture) req {
			return f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0])).with("Content-Type", "text/plain")
		}, 200, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, WithLenient())
			ex := f.do(t, c.build(f))
			if ex.status != c.status {
				t.Fatalf("got %d %s, want %d", ex.status, ex.body, c.status)
			}
			if c.check != nil {
				c.check(t, f, ex)
			}
		})
	}
}

// Reassociating a bound volume succeeds again under the lenient mock (idempotent).
func TestLenientVBSReassociate(t *testing.T) {
	f := newFixture(t, WithLenient())
	r := f.vbs(resources(f.t.VBS.BackupPolicyID, f.t.VBS.VolumeIDs[0]))
	f.do(t, r)
	ex := f.do(t, r)
	if s, _ := ex.json["success_resources"].([]any); len(s) != 1 {
		t.Fatalf("body %s", ex.body)
	}
}
