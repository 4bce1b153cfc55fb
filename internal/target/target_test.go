package target

import (
	"errors"
	"strings"
	"testing"
)

const valid = `
allow_mutating: true
koophone:
  base_url: "http://127.0.0.1:18080"
  auth_token: "tok-a"
  unknown_tenant_token: "tok-unknown"
  owned_instance_ids: ["i1", "i2"]
  foreign_instance_ids: ["f1"]
vbs:
  base_url: "http://127.0.0.1:18081"
  auth_token: "tok-v"
  project_id: "p1"
  backup_policy_id: "pol"
  unknown_backup_policy_id: "nopol"
  volume_ids: ["v1"]
  unknown_volume_ids: ["nv1"]
`

// A complete file parses, with the documented default timeout.
func TestParseValid(t *testing.T) {
	tg, err := Parse([]byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	if !tg.AllowMutating || tg.KooPhone.OwnedInstanceIDs[1] != "i2" || tg.VBS.ProjectID != "p1" {
		t.Fatalf("parsed %+v", tg)
	}
	if tg.RequestTimeout() != DefaultTimeout {
		t.Fatalf("timeout %v", tg.RequestTimeout())
	}
	if len(tg.Tokens()) != 3 {
		t.Fatalf("tokens %v", tg.Tokens())
	}
}

// A malformed file is refused with the key and the problem named.
func TestParseNamesKeyAndProblem(t *testing.T) {
	cases := map[string]struct{ yaml, want string }{
		"missing url":   {strings.Replace(valid, `base_url: "http://127.0.0.1:18080"`, `base_url: ""`, 1), "koophone.base_url: is required"},
		"bad scheme":    {strings.Replace(valid, `"http://127.0.0.1:18081"`, `"ftp://x"`, 1), "vbs.base_url: scheme"},
		"dup id":        {strings.Replace(valid, `["i1", "i2"]`, `["i1", "i1"]`, 1), "koophone.owned_instance_ids[1]"},
		"same token":    {strings.Replace(valid, `"tok-unknown"`, `"tok-a"`, 1), "koophone.unknown_tenant_token: must differ"},
		"overlap":       {strings.Replace(valid, `["f1"]`, `["i1"]`, 1), "is also in owned_instance_ids"},
		"bad profile":   {valid + "profile: loose\n", "profile:"},
		"bad timeout":   {valid + "timeout: soon\n", "duration"},
		"wrong type":    {strings.Replace(valid, `allow_mutating: true`, `allow_mutating: [1]`, 1), "allow_mutating"},
		"empty":         {"", "is empty"},
		"no sections":   {"allow_mutating: false\n", "nothing to test"},
		"policy equals": {strings.Replace(valid, `"nopol"`, `"pol"`, 1), "vbs.unknown_backup_policy_id"},
	}
	for name, c := range cases {
		_, err := Parse([]byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want error containing %q", name, err, c.want)
		}
	}
}

// Field errors are typed so callers can find the key.
func TestFieldErrorIsTyped(t *testing.T) {
	_, err := Parse([]byte(strings.Replace(valid, `project_id: "p1"`, `project_id: ""`, 1)))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Key != "vbs.project_id" {
		t.Fatalf("got %v", err)
	}
}

// A section may be left out: its API is not tested.
func TestSectionsOptional(t *testing.T) {
	tg, err := Parse([]byte(valid[:strings.Index(valid, "vbs:")]))
	if err != nil {
		t.Fatal(err)
	}
	if tg.VBS != nil || tg.KooPhone == nil {
		t.Fatalf("vbs=%v koophone=%v", tg.VBS, tg.KooPhone)
	}
}

// Marshal round-trips through Parse.
func TestMarshalRoundTrip(t *testing.T) {
	tg, err := Parse([]byte(valid + "timeout: 3s\n"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := tg.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(raw)
	if err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if back.RequestTimeout().String() != "3s" || back.KooPhone.AuthToken != "tok-a" {
		t.Fatalf("round trip lost data: %s", raw)
	}
}

// The reference_mock key is known (no unknown-key error), round-trips through Marshal, and its admin
// URL is checked like a base URL.
func TestReferenceMockKey(t *testing.T) {
	src := fromEnv + "reference_mock:\n  admin_url: \"http://127.0.0.1:18091\"\n"
	tg, err := ParseEnv([]byte(src), envOf(fullEnv))
	if err != nil {
		t.Fatal(err)
	}
	if tg.ReferenceMock == nil || tg.ReferenceMock.AdminURL != "http://127.0.0.1:18091" {
		t.Fatalf("reference_mock not read: %+v", tg.ReferenceMock)
	}
	raw, err := tg.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseEnv(raw, envOf(fullEnv))
	if err != nil || back.ReferenceMock == nil || back.ReferenceMock.AdminURL != tg.ReferenceMock.AdminURL {
		t.Fatalf("round trip lost reference_mock: %v\n%s", err, raw)
	}
	bad := fromEnv + "reference_mock:\n  admin_url: \"ftp://x\"\n"
	if _, err := ParseEnv([]byte(bad), envOf(fullEnv)); err == nil || !strings.Contains(err.Error(), "reference_mock.admin_url") {
		t.Fatalf("a bad admin_url is not refused by name: %v", err)
	}
}

// explore_budget is known, round-trips through Marshal, refuses a negative count by name,
// and a misspelt sub-key is refused with the key it most likely means.
func TestExploreBudgetKey(t *testing.T) {
	tg, err := Parse([]byte(valid + "explore_budget:\n  owned_instance_ids: 2\n  volume_ids: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if tg.ExploreBudget == nil || tg.ExploreBudget.OwnedInstanceIDs != 2 || tg.ExploreBudget.VolumeIDs != 1 {
		t.Fatalf("explore_budget not read: %+v", tg.ExploreBudget)
	}
	raw, err := tg.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(raw)
	if err != nil || back.ExploreBudget == nil || *back.ExploreBudget != *tg.ExploreBudget {
		t.Fatalf("round trip lost explore_budget: %v\n%s", err, raw)
	}
	if _, err := Parse([]byte(valid + "explore_budget:\n  volume_ids: -1\n")); err == nil || !strings.Contains(err.Error(), "explore_budget.volume_ids") {
		t.Fatalf("a negative budget is not refused by name: %v", err)
	}
	_, err = Parse([]byte(valid + "explore_budget:\n  owned_instance_id: 2\n"))
	var uk *UnknownKeyError
	if !errors.As(err, &uk) || uk.Path != "explore_budget.owned_instance_id" || uk.Suggestion != "owned_instance_ids" {
		t.Fatalf("misspelt sub-key: %v", err)
	}
}
