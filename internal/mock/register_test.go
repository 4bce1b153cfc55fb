package mock

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
)

// probed is the answer to a register entry's probe, with what the outcome is judged against.
type probed struct {
	api    specfacts.API
	status int
	header http.Header
	body   []byte
	json   map[string]any
	// requested are the instances or volumes the request names, in order, repeats kept.
	requested []string
	// about are the VBS resources the probe is about (resource_in); the others must be
	// associated.
	about []string
	// earlierJobs are the job ids an earlier call of the probe started, by instance.
	earlierJobs map[string]string
}

// send serves r without judging its media type: some readings answer with the
// transport's or a framework's own body.
func (f fixture) send(t *testing.T, api specfacts.API, r req, requested ...string) probed {
	t.Helper()
	rec := httptest.NewRecorder()
	f.m.ServeHTTP(rec, r.build())
	p := probed{api: api, status: rec.Code, header: rec.Header(), body: rec.Body.Bytes(), requested: requested}
	_ = json.Unmarshal(p.body, &p.json)
	return p
}

// registerProbe sends a register entry's probe, as the register's header describes it: a
// request that is valid except for the ambiguous point, naming owned instances or free
// volumes where the entry needs state.
type registerProbe func(t *testing.T, f fixture) probed

// padded is a JSON body made larger than the documented limit with white space, as the
// register's probe of the oversized entries is: its only content is what it names.
func padded(body map[string]any) string {
	return string(mustJSON(body)) + strings.Repeat(" ", MaxBodyBytes)
}

var registerProbes = map[specfacts.AmbiguityID]registerProbe{
	specfacts.AmbKooPhoneExampleRequestShape: func(t *testing.T, f fixture) probed {
		id := f.t.KooPhone.OwnedInstanceIDs[0]
		return f.send(t, specfacts.KooPhone, f.koo(map[string]any{"instance_id": id}), id)
	},
	specfacts.AmbKooPhoneErrorCodeCase: func(t *testing.T, f fixture) probed {
		return f.send(t, specfacts.KooPhone, f.koo(ids(f.t.KooPhone.ForeignInstanceIDs[0])))
	},
	specfacts.AmbKooPhoneInstanceIDsMinItems: func(t *testing.T, f fixture) probed {
		return f.send(t, specfacts.KooPhone, f.koo(ids()))
	},
	specfacts.AmbKooPhoneResponseFieldsOptional: func(t *testing.T, f fixture) probed {
		id := f.t.KooPhone.OwnedInstanceIDs[0]
		return f.send(t, specfacts.KooPhone, f.koo(ids(id)), id)
	},
	specfacts.AmbKooPhoneMissingTokenCode: func(t *testing.T, f fixture) probed {
		return f.send(t, specfacts.KooPhone, f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])).without("x-auth-token"))
	},
	specfacts.AmbKooPhoneUnknownInstanceCode: func(t *testing.T, f fixture) probed {
		return f.send(t, specfacts.KooPhone, f.koo(ids("no-such-instance")))
	},
	specfacts.AmbKooPhoneInstanceIDEmptyString: func(t *testing.T, f fixture) probed {
		return f.send(t, specfacts.KooPhone, f.koo(ids("")))
	},
	specfacts.AmbKooPhoneIDLengthUnit: func(t *testing.T, f fixture) probed {
		// At the maximum in characters, twice over in bytes; no such instance exists.
		n := contract.Default().Constraints().KooPhone.InstanceIDMaxLength
		return f.send(t, specfacts.KooPhone, f.koo(ids(strings.Repeat("é", n))))
	},
	specfacts.AmbKooPhoneDuplicateInstanceIDs: func(t *testing.T, f fixture) probed {
		id := f.t.KooPhone.OwnedInstanceIDs[0]
		return f.send(t, specfacts.KooPhone, f.koo(ids(id, id)), id, id)
	},
	specfacts.AmbKooPhoneRebackupCode: func(t *testing.T, f fixture) probed {
		id := f.t.KooPhone.OwnedInstanceIDs[0]
		first := f.send(t, specfacts.KooPhone, f.koo(ids(id)), id)
		if first.status != http.StatusOK {
			t.Fatalf("the first backup answered %d %s", first.status, first.body)
		}
		p := f.send(t, specfacts.KooPhone, f.koo(ids(id)), id)
		p.earlierJobs = jobsOf(first)
		return p
	},
	specfacts.AmbKooPhoneErrorStatus: func(t *testing.T, f fixture) probed {
		return f.send(t, specfacts.KooPhone, f.koo(ids(f.t.KooPhone.ForeignInstanceIDs[0])))
	},
	specfacts.AmbKooPhoneUnknownFields: func(t *testing.T, f fixture) probed {
		id := f.t.KooPhone.OwnedInstanceIDs[0]
		return f.send(t, specfacts.KooPhone, f.koo(map[string]any{"instance_ids": []string{id}, "note": "x"}), id)
	},
	specfacts.AmbKooPhoneContentType: func(t *testing.T, f fixture) probed {
		id := f.t.KooPhone.OwnedInstanceIDs[0]
		return f.send(t, specfacts.KooPhone, f.koo(ids(id)).with("Content-Type", "text/plain"), id)
	},
	specfacts.AmbKooPhoneOversizedBodyStatus: func(t *testing.T, f fixture) probed {
		return f.send(t, specfacts.KooPhone, f.koo(padded(ids(f.t.KooPhone.ForeignInstanceIDs[0]))))
	},
	specfacts.AmbKooPhoneUndocumentedCodes: func(t *testing.T, f fixture) probed {
		return f.send(t, specfacts.KooPhone, f.koo(map[string]any{"instance_ids": "not-a-list"}))
	},
	specfacts.AmbKooPhoneFaultPrecedence: func(t *testing.T, f fixture) probed {
		r := f.koo(ids(f.t.KooPhone.OwnedInstanceIDs[0])).with("x-auth-token", f.t.KooPhone.UnknownTenantToken).without("x-request-id")
		return f.send(t, specfacts.KooPhone, r)
	},
	specfacts.AmbKooPhoneEmptyRequestID: func(t *testing.T, f fixture) probed {
		id := f.t.KooPhone.OwnedInstanceIDs[0]
		return f.send(t, specfacts.KooPhone, f.koo(ids(id)).with("x-request-id", ""), id)
	},

	specfacts.AmbVBSAuthHeader: func(t *testing.T, f fixture) probed {
		v := f.t.VBS
		return f.send(t, specfacts.VBS, f.vbs(resources(v.BackupPolicyID, v.VolumeIDs[0])).without("X-Auth-Token"))
	},
	specfacts.AmbVBSStatusMapping: func(t *testing.T, f fixture) probed {
		v := f.t.VBS
		r := f.vbs(resources(v.BackupPolicyID, v.VolumeIDs[0]))
		r.path = contract.Default().Constraints().VBS.Path("another-project")
		return f.send(t, specfacts.VBS, r)
	},
	specfacts.AmbVBSUnknownPolicyReporting: func(t *testing.T, f fixture) probed {
		v := f.t.VBS
		p := f.send(t, specfacts.VBS, f.vbs(resources(v.UnknownBackupPolicyID, v.VolumeIDs[0])), v.VolumeIDs[0])
		p.about = p.requested
		return p
	},
	specfacts.AmbVBSUnknownVolumeReporting: func(t *testing.T, f fixture) probed {
		v := f.t.VBS
		p := f.send(t, specfacts.VBS, f.vbs(resources(v.BackupPolicyID, v.VolumeIDs[0], v.UnknownVolumeIDs[0])), v.VolumeIDs[0], v.UnknownVolumeIDs[0])
		p.about = []string{v.UnknownVolumeIDs[0]}
		return p
	},
	specfacts.AmbVBSUnsupportedResourceType: func(t *testing.T, f fixture) probed {
		v := f.t.VBS
		body := map[string]any{"backup_policy_id": v.BackupPolicyID, "resources": []map[string]string{
			{"resource_id": v.VolumeIDs[0], "resource_type": string(specfacts.ResourceTypeVolume)},
			{"resource_id": v.VolumeIDs[1], "resource_type": "server"},
		}}
		p := f.send(t, specfacts.VBS, f.vbs(body), v.VolumeIDs[0], v.VolumeIDs[1])
		p.about = []string{v.VolumeIDs[1]}
		return p
	},
	specfacts.AmbVBSEmptyResources: func(t *testing.T, f fixture) probed {
		return f.send(t, specfacts.VBS, f.vbs(resources(f.t.VBS.BackupPolicyID)))
	},
	specfacts.AmbVBSDuplicateResources: func(t *testing.T, f fixture) probed {
		v := f.t.VBS
		return f.send(t, specfacts.VBS, f.vbs(resources(v.BackupPolicyID, v.VolumeIDs[0], v.VolumeIDs[0])), v.VolumeIDs[0], v.VolumeIDs[0])
	},
	specfacts.AmbVBSReassociate: func(t *testing.T, f fixture) probed {
		v := f.t.VBS
		if first := f.send(t, specfacts.VBS, f.vbs(resources(v.BackupPolicyID, v.VolumeIDs[0]))); first.status != http.StatusOK {
			t.Fatalf("the first association answered %d %s", first.status, first.body)
		}
		p := f.send(t, specfacts.VBS, f.vbs(resources(v.BackupPolicyID, v.VolumeIDs[0])), v.VolumeIDs[0])
		p.about = p.requested
		return p
	},
	specfacts.AmbVBSResponseListsOptional: func(t *testing.T, f fixture) probed {
		v := f.t.VBS
		return f.send(t, specfacts.VBS, f.vbs(resources(v.BackupPolicyID, v.VolumeIDs[0])), v.VolumeIDs[0])
	},
	specfacts.AmbVBSResponseItemFieldsOptional: func(t *testing.T, f fixture) probed {
		v := f.t.VBS
		return f.send(t, specfacts.VBS, f.vbs(resources(v.BackupPolicyID, v.VolumeIDs[0])), v.VolumeIDs[0])
	},
	specfacts.AmbVBSErrorCodeFormat: func(t *testing.T, f fixture) probed {
		return f.send(t, specfacts.VBS, f.vbs(map[string]any{"backup_policy_id": f.t.VBS.BackupPolicyID}))
	},
	specfacts.AmbVBSErrorBodyUnder200: func(t *testing.T, f fixture) probed {
		return f.send(t, specfacts.VBS, f.vbs(map[string]any{"backup_policy_id": f.t.VBS.BackupPolicyID}))
	},
	specfacts.AmbVBSUnknownFields: func(t *testing.T, f fixture) probed {
		v := f.t.VBS
		body := resources(v.BackupPolicyID, v.VolumeIDs[0])
		body["note"] = "x"
		return f.send(t, specfacts.VBS, f.vbs(body), v.VolumeIDs[0])
	},
	specfacts.AmbVBSContentType: func(t *testing.T, f fixture) probed {
		v := f.t.VBS
		return f.send(t, specfacts.VBS, f.vbs(resources(v.BackupPolicyID, v.VolumeIDs[0])).with("Content-Type", "text/plain"), v.VolumeIDs[0])
	},
	specfacts.AmbVBSOversizedBodyStatus: func(t *testing.T, f fixture) probed {
		v := f.t.VBS
		p := f.send(t, specfacts.VBS, f.vbs(padded(resources(v.BackupPolicyID, v.UnknownVolumeIDs[0]))), v.UnknownVolumeIDs[0])
		p.about = p.requested
		return p
	},
	specfacts.AmbVBSMethodNotAllowed: func(t *testing.T, f fixture) probed {
		r := f.vbs(nil)
		r.method, r.body = http.MethodGet, nil
		return f.send(t, specfacts.VBS, r)
	},
	specfacts.AmbVBSNotAcceptable: func(t *testing.T, f fixture) probed {
		v := f.t.VBS
		return f.send(t, specfacts.VBS, f.vbs(resources(v.BackupPolicyID, v.VolumeIDs[0])).with("Accept", "application/xml"), v.VolumeIDs[0])
	},
	specfacts.AmbVBSEmptyPolicyID: func(t *testing.T, f fixture) probed {
		v := f.t.VBS
		p := f.send(t, specfacts.VBS, f.vbs(resources("", v.VolumeIDs[0])), v.VolumeIDs[0])
		p.about = p.requested
		return p
	},
	specfacts.AmbVBSEmptyResourceID: func(t *testing.T, f fixture) probed {
		v := f.t.VBS
		p := f.send(t, specfacts.VBS, f.vbs(resources(v.BackupPolicyID, v.VolumeIDs[0], "")), v.VolumeIDs[0], "")
		p.about = []string{""}
		return p
	},
	specfacts.AmbVBSEmptyProjectID: func(t *testing.T, f fixture) probed {
		v := f.t.VBS
		r := f.vbs(resources(v.BackupPolicyID, v.VolumeIDs[0]))
		r.path = contract.Default().Constraints().VBS.Path("")
		return f.send(t, specfacts.VBS, r)
	},
	specfacts.AmbVBSFaultPrecedence: func(t *testing.T, f fixture) probed {
		body := map[string]any{"backup_policy_id": f.t.VBS.BackupPolicyID}
		return f.send(t, specfacts.VBS, f.vbs(body).without("X-Auth-Token"))
	},
}

// Every reading of every register entry, taken alone by the mock, answers the entry's probe
// as the reading's outcome in the register says: the mock's rule for each reading and the
// register cannot drift apart unnoticed, and this is checked in-process, without the suites.
func TestEveryReadingAnswersItsOutcome(t *testing.T) {
	for _, a := range catalog.Default().Ambiguities {
		probe, ok := registerProbes[specfacts.AmbiguityID(a.ID)]
		if !ok {
			t.Errorf("%s: no probe; add one to registerProbes", a.ID)
			continue
		}
		for _, r := range a.Readings {
			t.Run(a.ID+"="+r.ID, func(t *testing.T) {
				f := newFixture(t, WithReading(a.ID, r.ID))
				p := probe(t, f)
				var why []string
				for _, o := range r.Outcome {
					problem := p.misses(o)
					if problem == "" {
						return
					}
					why = append(why, fmt.Sprintf("%s: %s", o, problem))
				}
				t.Errorf("answered %d %.300s, outside the reading's outcome:\n  %s", p.status, p.body, strings.Join(why, "\n  "))
			})
		}
	}
	for id := range registerProbes {
		if _, ok := catalog.Default().Ambiguity(string(id)); !ok {
			t.Errorf("registerProbes names %s, which the register does not have", id)
		}
	}
}

// The check can fail: an answer of another reading is outside the outcome.
func TestReadingOutcomeCheckRefusesOtherAnswers(t *testing.T) {
	a, _ := catalog.Default().Ambiguity(string(specfacts.AmbKooPhoneUnknownInstanceCode))
	f := newFixture(t, WithEntryReadings(specfacts.ReadingKooPhoneUnknownInstanceCodeParameterIncorrect))
	p := registerProbes[specfacts.AmbKooPhoneUnknownInstanceCode](t, f)
	strict, _ := a.Reading(a.Strict)
	if p.misses(strict.Outcome[0]) == "" {
		t.Fatalf("the parameter-incorrect answer %s passes as the %s reading", p.body, a.Strict)
	}
	g := newFixture(t, WithEntryReadings(specfacts.ReadingVBSReassociateConflict))
	q := registerProbes[specfacts.AmbVBSReassociate](t, g)
	idem, _ := catalog.Default().Ambiguities[slices.IndexFunc(catalog.Default().Ambiguities, func(x catalog.Ambiguity) bool { return x.ID == string(specfacts.AmbVBSReassociate) })].Reading("idempotent")
	if q.misses(idem.Outcome[0]) == "" {
		t.Fatalf("a 409 passes as the idempotent reading: %s", q.body)
	}
}

var gatewayCode = regexp.MustCompile(catalog.GatewayCodePattern)

// misses returns what of the outcome the answer does not show, "" when it shows all of it.
func (p probed) misses(o catalog.Outcome) string {
	status := o.Statuses
	if o.Gateway && len(status) == 0 {
		status = []int{catalog.GatewayStatus}
	}
	if len(status) > 0 && !slices.Contains(status, p.status) {
		return fmt.Sprintf("status %d", p.status)
	}
	if len(o.Codes) > 0 {
		code, _ := p.json["error_code"].(string)
		ok := false
		for _, name := range o.Codes {
			ec := contract.Default().Constraints().KooPhone.Code(specfacts.ErrorCodeName(name))
			if strings.EqualFold(code, ec.Code) && p.status == ec.Status {
				ok = true
			}
		}
		if !ok {
			return fmt.Sprintf("error_code %q under %d", code, p.status)
		}
	}
	if o.Envelope {
		env, _ := p.json["error"].(map[string]any)
		code, okCode := env["code"].(string)
		_, okMsg := env["message"].(string)
		if !okCode || code == "" || !okMsg {
			return "no error envelope"
		}
	}
	if o.CodePrefix != "" {
		if code, _ := p.json["error_code"].(string); !strings.HasPrefix(code, o.CodePrefix) {
			return fmt.Sprintf("error_code %q", code)
		}
	}
	if o.Gateway {
		code, _ := p.json["error_code"].(string)
		_, okMsg := p.json["error_msg"].(string)
		_, okID := p.json["request_id"].(string)
		if !gatewayCode.MatchString(code) || !okMsg || !okID {
			return "not an API gateway's body"
		}
	}
	results := p.resultItems()
	if o.Success {
		if p.status != http.StatusOK {
			return "not carried out"
		}
		for _, id := range p.requested {
			if results[id] == nil || (p.api == specfacts.VBS && results[id][0] != catalog.ResourceListSuccess) {
				return fmt.Sprintf("%q not carried out", id)
			}
		}
	}
	if o.ResourceIn != "" {
		for _, id := range p.requested {
			want := catalog.ResourceListSuccess
			if slices.Contains(p.about, id) {
				want = o.ResourceIn
			}
			if len(results[id]) != 1 || results[id][0] != want {
				return fmt.Sprintf("%q reported in %v, want %s", id, results[id], want)
			}
		}
	}
	if o.Repeats != "" {
		for _, id := range p.requested {
			n := len(results[id])
			if o.Repeats == catalog.RepeatsOnce && n != 1 {
				return fmt.Sprintf("%q reported %d times, want once", id, n)
			}
			if o.Repeats == catalog.RepeatsPerEntry && n != countOf(p.requested, id) {
				return fmt.Sprintf("%q reported %d times, want once per mention", id, n)
			}
		}
	}
	if o.SameJobs {
		jobs := jobsOf(p)
		for id, job := range p.earlierJobs {
			if jobs[id] != job {
				return fmt.Sprintf("%q: job %q, the earlier call started %q", id, jobs[id], job)
			}
		}
	}
	return ""
}

// resultItems lists, for every id the answer reports, where: a KooPhone job ("cmd_jobs") or
// a VBS list, once per report.
func (p probed) resultItems() map[string][]string {
	out := map[string][]string{}
	if p.api == specfacts.KooPhone {
		data, _ := p.json["data"].(map[string]any)
		jobs, _ := data["cmd_jobs"].([]any)
		for _, j := range jobs {
			job, _ := j.(map[string]any)
			id, _ := job["instance_id"].(string)
			out[id] = append(out[id], "cmd_jobs")
		}
		return out
	}
	for _, list := range []string{catalog.ResourceListSuccess, catalog.ResourceListFail} {
		items, _ := p.json[list].([]any)
		for _, it := range items {
			item, _ := it.(map[string]any)
			id, _ := item["resource_id"].(string)
			out[id] = append(out[id], list)
		}
	}
	return out
}

// jobsOf returns the job id of each instance of a KooPhone 200.
func jobsOf(p probed) map[string]string {
	out := map[string]string{}
	data, _ := p.json["data"].(map[string]any)
	jobs, _ := data["cmd_jobs"].([]any)
	for _, j := range jobs {
		job, _ := j.(map[string]any)
		id, _ := job["instance_id"].(string)
		out[id], _ = job["job_id"].(string)
	}
	return out
}

func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}
