package mock

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/specfacts"
)

// A planted fault is one server's deviation: the other API answers as the reference does,
// so a run's failures of that API can only be the fault's.
func TestPlantsLeaveTheOtherAPIAlone(t *testing.T) {
	requests := map[specfacts.API]func(f fixture) []req{
		specfacts.KooPhone: func(f fixture) []req {
			k := f.t.KooPhone
			return []req{
				f.koo(ids(k.OwnedInstanceIDs[0], k.OwnedInstanceIDs[1])),
				f.koo(ids(k.ForeignInstanceIDs[0])),
				f.koo(ids(k.OwnedInstanceIDs[2])).without("x-request-id"),
				f.koo(`{"instance_ids":`),
			}
		},
		specfacts.VBS: func(f fixture) []req {
			v := f.t.VBS
			return []req{
				f.vbs(resources(v.BackupPolicyID, v.VolumeIDs[0], v.VolumeIDs[1])),
				f.vbs(resources(v.BackupPolicyID, v.UnknownVolumeIDs[0])),
				f.vbs(resources(v.BackupPolicyID, v.VolumeIDs[2])).without("X-Auth-Token"),
				f.vbs(`{"resources":`),
			}
		},
	}
	for _, flt := range Faults() {
		other := specfacts.VBS
		if flt.API == specfacts.VBS {
			other = specfacts.KooPhone
		}
		pristine, planted := newFixture(t), newFixture(t, WithFault(flt.Name))
		want, got := requests[other](pristine), requests[other](planted)
		for i := range want {
			a, b := answer(pristine, want[i]), answer(planted, got[i])
			if a.status != b.status || a.code() != b.code() {
				t.Errorf("%s (a %s fault) changes a %s answer: request %d answered %d %s, the reference answers %d %s",
					flt.Name, flt.API, other, i, b.status, b.code(), a.status, a.code())
			}
		}
	}
}

// answer sends r with a deadline, so a plant that hangs the other API fails the test
// instead of stalling it; a hung answer has no status.
func answer(f fixture, r req) exchange {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rec := httptest.NewRecorder()
	f.m.ServeHTTP(rec, r.build().WithContext(ctx))
	ex := exchange{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	_ = json.Unmarshal(ex.body, &ex.json)
	return ex
}
