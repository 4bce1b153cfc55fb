package mock

import (
	"errors"
	"regexp"
	"testing"
	"unicode/utf8"

	"github.com/koobackup/conformance/fixtures"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/target"
)

// The default world is a valid target file large enough for a full suite run: at least 160
// owned instances of which at least 6 are exactly at the length limit, 10 foreign, 160 free
// volumes and 10 unknown ones.
func TestDefaultWorldGuarantees(t *testing.T) {
	raw, err := fixtures.DefaultWorld()
	if err != nil {
		t.Fatal(err)
	}
	tg, err := target.Parse(raw)
	if err != nil {
		t.Fatalf("default world is not a valid target file: %v", err)
	}
	if !tg.AllowMutating {
		t.Fatalf("allow_mutating %v", tg.AllowMutating)
	}
	k := contract.Default().Constraints().KooPhone
	atLimit := 0
	for _, id := range tg.KooPhone.OwnedInstanceIDs {
		n := utf8.RuneCountInString(id)
		if n > k.InstanceIDMaxLength {
			t.Fatalf("owned id %q is over the limit", id)
		}
		if n == k.InstanceIDMaxLength {
			atLimit++
		}
	}
	counts := map[string][2]int{
		"owned instances":  {len(tg.KooPhone.OwnedInstanceIDs), 160},
		"ids at the limit": {atLimit, 6},
		"foreign":          {len(tg.KooPhone.ForeignInstanceIDs), 10},
		"volumes":          {len(tg.VBS.VolumeIDs), 160},
		"unknown volumes":  {len(tg.VBS.UnknownVolumeIDs), 10},
	}
	for name, c := range counts {
		if c[0] < c[1] {
			t.Errorf("%s: %d, want at least %d", name, c[0], c[1])
		}
	}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	for _, id := range append(append([]string{tg.VBS.BackupPolicyID}, tg.VBS.VolumeIDs...), tg.VBS.UnknownVolumeIDs...) {
		if !uuid.MatchString(id) {
			t.Fatalf("%q is not a uuid", id)
		}
	}
}

// Placement is a pure function of the id, in the seed's AZ/POD form.
func TestPlacementDeterministic(t *testing.T) {
	form := regexp.MustCompile(`^pod\d\d\.(ap-southeast-\d)$`)
	az1, pod1 := Placement("bce8d47a-af17-4169-901f-4c7ae9f29c2c")
	az2, pod2 := Placement("bce8d47a-af17-4169-901f-4c7ae9f29c2c")
	m := form.FindStringSubmatch(pod1)
	if az1 != az2 || pod1 != pod2 || m == nil || m[1] != az1 {
		t.Fatalf("placement %s %s then %s %s", az1, pod1, az2, pod2)
	}
}

// LoadWorld refuses what it cannot serve, naming the problem.
func TestLoadWorldRefuses(t *testing.T) {
	if _, err := LoadWorld(nil); err == nil {
		t.Fatal("nil target accepted")
	}
	w, err := DefaultWorld()
	if err != nil {
		t.Fatal(err)
	}
	half := w.desc
	half.VBS = nil
	_, err = LoadWorld(&half)
	var we *WorldError
	if !errors.As(err, &we) || we.Reason == "" {
		t.Fatalf("koophone-only world: %v", err)
	}
	bad := w.desc
	k := *bad.KooPhone
	k.BaseURL = ""
	bad.KooPhone = &k
	var fe *target.FieldError
	if _, err := LoadWorld(&bad); !errors.As(err, &fe) || fe.Key != "koophone.base_url" {
		t.Fatalf("invalid target: %v", err)
	}
}

// Target describes the mock at the given URL with the world's ids, and round-trips through
// the target-file format.
func TestMockTargetRoundTrip(t *testing.T) {
	f := newFixture(t)
	tg := f.m.Target("http://127.0.0.1:9/")
	if tg.KooPhone.BaseURL != "http://127.0.0.1:9" || tg.VBS.BaseURL != "http://127.0.0.1:9" || !tg.FaultInjection || !tg.AllowMutating {
		t.Fatalf("target %+v", tg)
	}
	raw, err := tg.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := target.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if back.KooPhone.AuthToken != f.t.KooPhone.AuthToken || len(back.VBS.VolumeIDs) != len(f.t.VBS.VolumeIDs) {
		t.Fatalf("round trip lost data: %+v", back)
	}
	tg.KooPhone.OwnedInstanceIDs[0] = "changed"
	if f.m.Target("http://x").KooPhone.OwnedInstanceIDs[0] == "changed" {
		t.Fatal("Target shares slices with the world")
	}
}
