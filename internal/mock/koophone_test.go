package mock

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
)

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// A valid batch is answered 200 with one distinct job per instance in request order, and the
// instances are released.
func TestKooPhoneBackupReleasesInstances(t *testing.T) {
	f := newFixture(t)
	owned := f.t.KooPhone.OwnedInstanceIDs[:3]
	ex := f.do(t, f.koo(ids(owned...)).with("Content-Type", "application/json; charset=utf-8"))
	if ex.status != http.StatusOK || ex.json["error_code"] != "0" || ex.json["error_msg"] != "ok" {
		t.Fatalf("got %d %s", ex.status, ex.body)
	}
	data := ex.json["data"].(map[string]any)
	task := data["task_id"].(string)
	if !strings.HasPrefix(task, "RM_") || !hex32.MatchString(strings.TrimPrefix(task, "RM_")) {
		t.Fatalf("task_id %q", task)
	}
	jobs := data["cmd_jobs"].([]any)
	if len(jobs) != len(owned) {
		t.Fatalf("%d jobs for %d instances", len(jobs), len(owned))
	}
	seen := map[string]bool{}
	for i, j := range jobs {
		job := j.(map[string]any)
		id := job["job_id"].(string)
		if job["instance_id"] != owned[i] || !hex32.MatchString(id) || seen[id] {
			t.Fatalf("job %d: %v", i, job)
		}
		seen[id] = true
		if !f.m.World().Released(owned[i]) {
			t.Fatalf("%s not released", owned[i])
		}
	}
}

// Instances of exactly the maximum length, and a batch of exactly the maximum size, are
// accepted; unknown members are ignored (koophone-unknown-fields: ignore).
func TestKooPhoneBoundariesAccepted(t *testing.T) {
	f := newFixture(t)
	k := contract.Default().Constraints().KooPhone
	var long []string
	for _, id := range f.t.KooPhone.OwnedInstanceIDs {
		if utf8.RuneCountInString(id) == k.InstanceIDMaxLength {
			long = append(long, id)
		}
	}
	body := map[string]any{"instance_ids": long, "user_id": "1008600000104285462"}
	if ex := f.do(t, f.koo(body)); ex.status != http.StatusOK {
		t.Fatalf("32-character ids: %d %s", ex.status, ex.body)
	}
	var batch []string
	for _, id := range f.t.KooPhone.OwnedInstanceIDs {
		if !f.m.World().Released(id) && len(batch) < k.InstanceIDsMaxItems {
			batch = append(batch, id)
		}
	}
	ex := f.do(t, f.koo(ids(batch...)))
	if ex.status != http.StatusOK || len(ex.json["data"].(map[string]any)["cmd_jobs"].([]any)) != k.InstanceIDsMaxItems {
		t.Fatalf("full batch: %d %.200s", ex.status, ex.body)
	}
}

// Every documented refusal answers its status, code and a message naming the field and the
// rule, and changes nothing in the world.
func TestKooPhoneRefusals(t *testing.T) {
	k := contract.Default().Constraints().KooPhone
	base := newFixture(t)
	own := base.t.KooPhone.OwnedInstanceIDs
	foreign := base.t.KooPhone.ForeignInstanceIDs[0]
	tooMany := make([]string, k.InstanceIDsMaxItems+1)
	copy(tooMany, own)
	for i := range tooMany {
		if tooMany[i] == "" {
			tooMany[i] = fmt.Sprintf("x%d", i)
		}
	}
	cases := []struct {
		name  string
		build func(f fixture) req
		code  specfacts.ErrorCodeName
		msg   string
	}{
		{"missing token", func(f fixture) req { return f.koo(ids(own[0])).without("x-auth-token") }, kooParameterIncorrect, "x-auth-token: header is required"},
		{"empty token", func(f fixture) req { return f.koo(ids(own[0])).with("x-auth-token", " ") }, kooParameterIncorrect, "x-auth-token: header is required"},
		{"missing request id", func(f fixture) req { return f.koo(ids(own[0])).without("x-request-id") }, kooParameterIncorrect, "x-request-id: header is required"},
		{"text/plain", func(f fixture) req { return f.koo(ids(own[0])).with("Content-Type", "text/plain") }, kooParameterIncorrect, `Content-Type: "text/plain" is not application/json`},
		{"no content type", func(f fixture) req { return f.koo(ids(own[0])).without("Content-Type") }, kooParameterIncorrect, "Content-Type"},
		{"malformed JSON", func(f fixture) req { return f.koo(`{"instance_ids": [`) }, kooParameterIncorrect, "body: is not valid JSON"},
		{"empty body", func(f fixture) req { return f.koo(``) }, kooParameterIncorrect, "body: is empty"},
		{"trailing data", func(f fixture) req { return f.koo(`{"instance_ids":["a"]} {}`) }, kooParameterIncorrect, "after the JSON value"},
		{"array body", func(f fixture) req { return f.koo(`["a"]`) }, kooParameterIncorrect, "body: must be a JSON object, got an array"},
		{"missing instance_ids", func(f fixture) req { return f.koo(`{}`) }, kooParameterIncorrect, "instance_ids: is required"},
		{"seed example shape", func(f fixture) req { return f.koo(`{"user_id":"1008600000104285462","instance_id":"iRJEVP9"}`) }, kooParameterIncorrect, "instance_ids: is required"},
		{"null list", func(f fixture) req { return f.koo(`{"instance_ids":null}`) }, kooParameterIncorrect, "instance_ids: must be an array of strings, got null"},
		{"string list", func(f fixture) req { return f.koo(`{"instance_ids":"a44uhlf7"}`) }, kooParameterIncorrect, "instance_ids: must be an array of strings, got a string"},
		{"number item", func(f fixture) req { return f.koo(fmt.Sprintf(`{"instance_ids":[%q,7]}`, own[0])) }, kooParameterIncorrect, "instance_ids[1]: must be a string, got a number"},
		{"null item", func(f fixture) req { return f.koo(fmt.Sprintf(`{"instance_ids":[%q,null]}`, own[0])) }, kooParameterIncorrect, "instance_ids[1]: must be a string, got null"},
		{"101 items", func(f fixture) req { return f.koo(ids(tooMany...)) }, kooParameterIncorrect, fmt.Sprintf("instance_ids: %d items, at most %d allowed", k.InstanceIDsMaxItems+1, k.InstanceIDsMaxItems)},
		{"33 characters", func(f fixture) req { return f.koo(ids(own[0], strings.Repeat("a", k.InstanceIDMaxLength+1))) }, kooParameterIncorrect, fmt.Sprintf("instance_ids[1]: %d characters, at most %d allowed", k.InstanceIDMaxLength+1, k.InstanceIDMaxLength)},
		{"empty list", func(f fixture) req { return f.koo(ids()) }, kooParameterIncorrect, "instance_ids: is empty"},
		{"empty id", func(f fixture) req { return f.koo(ids(own[0], "")) }, kooParameterIncorrect, "instance_ids[1]: is empty"},
		{"duplicate", func(f fixture) req { return f.koo(ids(own[0], own[1], own[0])) }, kooParameterIncorrect, "instance_ids[2]: \"" + own[0] + "\" repeats instance_ids[0]"},
		{"unknown tenant", func(f fixture) req { return f.koo(ids(own[0])).with("x-auth-token", f.t.KooPhone.UnknownTenantToken) }, kooTenantNotFound, "x-auth-token: the token names no tenant"},
		{"foreign instance", func(f fixture) req { return f.koo(ids(own[0], foreign)) }, kooInstancePermissions, fmt.Sprintf("instance_ids[1]: instance %q is not an instance of this tenant", foreign)},
		{"unknown instance", func(f fixture) req { return f.koo(ids(own[0], "nosuch1")) }, kooInstancePermissions, `instance_ids[1]: instance "nosuch1" is not an instance of this tenant`},
		{"multibyte id of 32 characters is unknown", func(f fixture) req { return f.koo(ids(own[0], strings.Repeat("é", k.InstanceIDMaxLength))) }, kooInstancePermissions, "is not an instance of this tenant"},
		{"other tenant's token on own ids", func(f fixture) req {
			return f.koo(ids(own[0])).with("x-auth-token", f.m.World().ForeignTenantToken())
		}, kooInstancePermissions, "is not an instance of this tenant"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			ex := f.do(t, c.build(f))
			wantKooError(t, ex, http.StatusBadRequest, c.code, c.msg)
			if id := releasedAny(f.m.World(), own[:3]...); id != "" {
				t.Fatalf("refused request released %s", id)
			}
		})
	}
}

// A released instance is refused on a second backup with 1000 (koophone-rebackup-code:
// parameter-incorrect), and a batch mixing it with a restored instance releases neither.
func TestKooPhoneRebackupRefused(t *testing.T) {
	f := newFixture(t)
	own := f.t.KooPhone.OwnedInstanceIDs
	if ex := f.do(t, f.koo(ids(own[0]))); ex.status != http.StatusOK {
		t.Fatalf("first backup: %d %s", ex.status, ex.body)
	}
	ex := f.do(t, f.koo(ids(own[1], own[0])))
	wantKooError(t, ex, http.StatusBadRequest, kooParameterIncorrect, fmt.Sprintf("instance_ids[1]: instance %q is already backed up and released", own[0]))
	if f.m.World().Released(own[1]) {
		t.Fatal("refused batch released its restored instance")
	}
}

// Parallel double-submits of the same instance: exactly one succeeds, the others are refused.
func TestKooPhoneConcurrentDoubleSubmit(t *testing.T) {
	f := newFixture(t)
	id := f.t.KooPhone.OwnedInstanceIDs[5]
	const n = 16
	var wg sync.WaitGroup
	statuses := make(chan exchange, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- f.doUnchecked(t, f.koo(ids(id)))
		}()
	}
	wg.Wait()
	close(statuses)
	ok := 0
	for ex := range statuses {
		switch {
		case ex.status == http.StatusOK:
			ok++
		case ex.code() != codeOf(kooParameterIncorrect):
			t.Errorf("loser answered %d %s", ex.status, ex.body)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d double-submits succeeded, want exactly 1", ok, n)
	}
}

// A body over the size limit is a 400 1000 naming the limit, never a 5xx.
func TestKooPhoneOversizedBody(t *testing.T) {
	f := newFixture(t)
	body := `{"instance_ids":["` + strings.Repeat("a", MaxBodyBytes) + `"]}`
	ex := f.do(t, f.koo(body))
	wantKooError(t, ex, http.StatusBadRequest, kooParameterIncorrect, fmt.Sprintf("body: larger than %d bytes", MaxBodyBytes))
}

// A wrong method on the KooPhone path is 405 with Allow and the KooPhone envelope.
func TestKooPhoneWrongMethod(t *testing.T) {
	f := newFixture(t)
	r := f.koo(ids("a"))
	r.method = http.MethodGet
	ex := f.doUnchecked(t, r)
	if ex.status != http.StatusMethodNotAllowed || ex.header.Get("Allow") != http.MethodPost || ex.code() != codeOf(kooParameterIncorrect) || !strings.Contains(ex.message(), "GET") {
		t.Fatalf("got %d Allow=%q %s", ex.status, ex.header.Get("Allow"), ex.body)
	}
}

// The injected failure internal-error (X-Mock-Fault) answers 500 9999 and changes nothing.
func TestKooPhoneInjectedInternalError(t *testing.T) {
	f := newFixture(t)
	id := f.t.KooPhone.OwnedInstanceIDs[0]
	ex := f.do(t, f.koo(ids(id)).with(InjectedFailureHeader, string(specfacts.CodeInternalError)))
	wantKooError(t, ex, http.StatusInternalServerError, kooInternalError, "internal error")
	if f.m.World().Released(id) {
		t.Fatal("internal error released the instance")
	}
	bad := f.do(t, f.koo(ids(id)).with(InjectedFailureHeader, "explode"))
	wantKooError(t, bad, http.StatusBadRequest, kooParameterIncorrect, `X-Mock-Fault: "explode" is not a known injected failure`)
}
