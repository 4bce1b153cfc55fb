package mock

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
)

// A model of a target with one API section serves that API over the target's own ids and
// token, takes the readings it is given rather than the file's mock_readings, and refuses a
// reading the register does not have.
func TestModelServesTheTargetsWorld(t *testing.T) {
	tg := newFixture(t).t
	tg.VBS = nil
	tg.MockReadings = map[string]string{string(specfacts.AmbKooPhoneRebackupCode): string(specfacts.ReadingKooPhoneRebackupCodeIdempotent.Reading())}
	m, err := NewModel(tg, Readings{string(specfacts.AmbKooPhoneRebackupCode): string(specfacts.ReadingKooPhoneRebackupCodePermissions.Reading())})
	if err != nil {
		t.Fatal(err)
	}
	k := contract.Default().Constraints().KooPhone
	send := func() int {
		r := httptest.NewRequest(k.Method, k.Path, strings.NewReader(`{"instance_ids":["`+tg.KooPhone.OwnedInstanceIDs[0]+`"]}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set(k.TokenHeader, tg.KooPhone.AuthToken)
		r.Header.Set(k.RequestIDHeader, "model-test")
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, r)
		return rec.Code
	}
	if got := send(); got != http.StatusOK {
		t.Fatalf("first backup: %d, want 200", got)
	}
	if got := send(); got != http.StatusBadRequest {
		t.Fatalf("second backup: %d, want 400 (the permissions reading, not the file's idempotent one)", got)
	}
	if _, err := NewModel(tg, Readings{string(specfacts.AmbKooPhoneRebackupCode): "no-such-reading"}); err == nil {
		t.Fatal("a reading the register does not have was taken")
	}
}
