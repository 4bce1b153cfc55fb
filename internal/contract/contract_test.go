package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/specs"
	"go.yaml.in/yaml/v3"
)

// Both embedded documents load and pass kin-openapi's document validation with its default
// options, examples included.
func TestLoadValidatesDocuments(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	for _, api := range specfacts.APIs() {
		doc := c.Document(api)
		if doc == nil {
			t.Fatalf("no document for %s", api)
		}
		if err := doc.Validate(context.Background()); err != nil {
			t.Fatalf("%s: %v", api, err)
		}
	}
}

// The seed's own KooPhone example request, kept in x-seed-example because it contradicts the
// parameter table (koophone-example-request-shape), fails validation for the missing
// instance_ids and for nothing else.
func TestSeedExampleRequestIsRefused(t *testing.T) {
	c := Default()
	k := c.Constraints().KooPhone
	op, err := c.onlyOperation(specfacts.KooPhone)
	if err != nil {
		t.Fatal(err)
	}
	var ex struct {
		Value map[string]any `json:"value"`
	}
	mt := op.op.RequestBody.Value.Content.Get("application/json")
	if err := remarshal(mt.Extensions["x-seed-example"], &ex); err != nil || len(ex.Value) == 0 {
		t.Fatalf("x-seed-example: %v %v", ex, err)
	}
	body, _ := json.Marshal(ex.Value)
	if !bytes.Equal(body, k.SeedExample) {
		t.Fatalf("Constraints().KooPhone.SeedExample is %s, x-seed-example is %s", k.SeedExample, body)
	}
	r := httptest.NewRequest(k.Method, k.Path, nil)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(k.RequestIDHeader, "example-request")
	r.Header.Set(k.TokenHeader, "example-token")
	vs := c.ValidateRequest(r, body)
	if len(vs) != 1 || vs[0].Rule != specfacts.RuleRequestBodySchema || vs[0].Location != "/request/body/instance_ids" ||
		vs[0].RequirementID != specfacts.ReqKooPhoneInstanceIDsRequired {
		t.Fatalf("want one request-body-schema violation at /request/body/instance_ids, got %v", vs)
	}
}

// Every example in both documents validates clean as a request or response of its
// operation.
func TestDocumentExamples(t *testing.T) {
	c := Default()
	k := c.Constraints().KooPhone
	checked := 0
	for _, o := range c.operations {
		path := o.template
		if o.api == specfacts.VBS {
			path = c.Constraints().VBS.Path("0605767b5c00d4c42f3cc0131ce8a4a2")
		}
		newRequest := func() *http.Request {
			r := httptest.NewRequest(o.method, "http://any-host:1234"+path, nil)
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set(k.RequestIDHeader, "example-request")
			r.Header.Set(k.TokenHeader, "example-token")
			r.Header.Set(c.Constraints().VBS.TokenHeader, "example-token")
			return r
		}
		if rb := o.op.RequestBody; rb != nil {
			for name, value := range examplesOf(rb.Value.Content.Get("application/json")) {
				body, _ := json.Marshal(value)
				vs := c.ValidateRequest(newRequest(), body)
				checked++
				if len(vs) != 0 {
					t.Errorf("%s request example %q: %v", o.id, name, vs)
				}
			}
		}
		for code, ref := range o.op.Responses.Map() {
			status, _ := strconv.Atoi(code)
			for name, value := range examplesOf(ref.Value.Content.Get("application/json")) {
				body, _ := json.Marshal(value)
				vs := c.ValidateResponse(newRequest(), status, http.Header{"Content-Type": {"application/json"}}, body)
				checked++
				if len(vs) != 0 {
					t.Errorf("%s %s response example %q: %v", o.id, code, name, vs)
				}
			}
		}
	}
	if checked < 6 {
		t.Fatalf("only %d examples found; the walk is broken", checked)
	}
}

func examplesOf(mt *openapi3.MediaType) map[string]any {
	out := map[string]any{}
	if mt == nil {
		return out
	}
	if mt.Example != nil {
		out["example"] = mt.Example
	}
	for name, ex := range mt.Examples {
		out[name] = ex.Value.Value
	}
	return out
}

// The constraints are read from the documents: limits, success code, error codes, enums.
func TestConstraints(t *testing.T) {
	k, v := Default().Constraints().KooPhone, Default().Constraints().VBS
	if k.Method != http.MethodPost || k.Path != "/v1/instances/backup" || k.TokenHeader != "x-auth-token" || k.RequestIDHeader != "x-request-id" {
		t.Errorf("KooPhone operation: %+v", k)
	}
	if k.InstanceIDsMaxItems != 100 || k.InstanceIDMaxLength != 32 || k.SuccessCode != "0" {
		t.Errorf("KooPhone limits: max items %d, max length %d, success %q", k.InstanceIDsMaxItems, k.InstanceIDMaxLength, k.SuccessCode)
	}
	// The codes are checked against the document's YAML read without kin-openapi, so that
	// a decoding slip cannot pass for the document's content.
	want := rawErrorCodes(t)
	if len(k.ErrorCodes) != len(want) || len(want) != len(specfacts.ErrorCodeNames()) {
		t.Errorf("KooPhone error codes: %+v, document: %+v", k.ErrorCodes, want)
	}
	for _, name := range specfacts.ErrorCodeNames() {
		got := k.Code(name)
		if w := want[name]; got.Code != w.Code || got.Status != w.Status || got.Meaning != w.Meaning || got.Source.Clause == "" {
			t.Errorf("Code(%s) = %+v, want %+v with a source", name, got, w)
		}
	}
	if k.Code(specfacts.CodeInternalError).Status != http.StatusInternalServerError || k.Code(specfacts.CodeParameterIncorrect).Status != http.StatusBadRequest {
		t.Error("error code statuses not read")
	}
	if k.BodyLimit != specfacts.RequestBodyLimit || v.BodyLimit != specfacts.RequestBodyLimit {
		t.Errorf("body limits %d, %d; x-request-body-limit is %d", k.BodyLimit, v.BodyLimit, specfacts.RequestBodyLimit)
	}
	if !slices.Equal(k.Statuses, []int{200, 400, 500}) {
		t.Errorf("KooPhone statuses %v", k.Statuses)
	}
	if v.Method != http.MethodPost || v.PathTemplate != "/v2/{project_id}/backuppolicyresources" || v.TokenHeader != "X-Auth-Token" {
		t.Errorf("VBS operation: %+v", v)
	}
	if !slices.Equal(v.ResourceTypes, []string{string(specfacts.ResourceTypeVolume)}) || len(v.Statuses) != 15 || v.Statuses[0] != 200 {
		t.Errorf("VBS enums/statuses: %v %v", v.ResourceTypes, v.Statuses)
	}
	if got := v.Path("p1"); got != "/v2/p1/backuppolicyresources" {
		t.Errorf("Path(p1) = %q", got)
	}
}

// rawErrorCodes reads KooPhone's x-error-codes from the document's YAML by hand.
func rawErrorCodes(t *testing.T) map[specfacts.ErrorCodeName]ErrorCode {
	t.Helper()
	raw, err := specs.Read(specs.KooPhoneFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Codes []ErrorCode `yaml:"x-error-codes"`
				}
			}
		}
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[specfacts.ErrorCodeName]ErrorCode{}
	for _, s := range doc.Components.Schemas {
		for _, p := range s.Properties {
			for _, c := range p.Codes {
				out[c.Name] = c
			}
		}
	}
	return out
}

// Each operation names, for every operation-level rule, a catalog requirement of its own
// API; the keys are rules of specs/rules.yaml.
func TestRuleRequirements(t *testing.T) {
	cat := catalog.Default()
	c := Default()
	operationLevel := []specfacts.RuleID{
		specfacts.RuleRequestBodyMissing, specfacts.RuleRequestBodyInvalidJSON, specfacts.RuleRequestContentType,
		specfacts.RuleRequestBodyOversized, specfacts.RuleResponseStatusUndocumented, specfacts.RuleResponseContentType,
		specfacts.RuleResponseBodyOversized, specfacts.RuleResponseMalformed,
	}
	for _, o := range c.operations {
		for rule, id := range o.ruleRequirements {
			if !slices.Contains(specfacts.RuleIDs(), rule) {
				t.Errorf("%s: x-rule-requirements key %q is not a rule of specs/rules.yaml", o.id, rule)
			}
			if r, ok := cat.Requirement(string(id)); !ok || specfacts.API(r.API) != o.api {
				t.Errorf("%s: x-rule-requirements %s names %q, not a requirement of %s", o.id, rule, id, o.api)
			}
		}
		for _, rule := range operationLevel {
			if o.ruleRequirements[rule] == "" {
				t.Errorf("%s: x-rule-requirements has no entry for %s", o.id, rule)
			}
		}
	}
}

// Code panics on a name that is not in x-error-codes: a caller's programming error.
func TestCodePanicsOnUnknownName(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Code(no-such-code) did not panic")
		}
	}()
	Default().Constraints().KooPhone.Code("no-such-code")
}

// Route finds operations by path alone and reports not-found and method-not-allowed as
// typed errors carrying the allowed methods.
func TestRoute(t *testing.T) {
	c := Default()
	api, op, err := c.Route("POST", "/v1/instances/backup")
	if err != nil || api != specfacts.KooPhone || op != "backupInstances" {
		t.Fatalf("Route KooPhone = %s %s %v", api, op, err)
	}
	api, op, err = c.Route("post", "/v2/abc/backuppolicyresources")
	if err != nil || api != specfacts.VBS || op != "associateResourcesWithBackupPolicy" {
		t.Fatalf("Route VBS = %s %s %v", api, op, err)
	}
	_, _, err = c.Route("GET", "/v1/instances/backup")
	var re *RouteError
	if !errors.As(err, &re) || !errors.Is(err, ErrMethodNotAllowed) || errors.Is(err, ErrRouteNotFound) || !slices.Equal(re.Allowed, []string{"POST"}) {
		t.Fatalf("GET: %v", err)
	}
	for _, p := range []string{"/", "", "/v1/instances", "/v1/instances/backup/", "/v2/abc/backuppolicyresources/x", "/v2//backuppolicyresources", "v1/instances/backup"} {
		_, _, err = c.Route("POST", p)
		if !errors.As(err, &re) || !errors.Is(err, ErrRouteNotFound) || re.MethodNotAllowed() {
			t.Errorf("POST %q: want route not found, got %v", p, err)
		}
	}
}

// Violations are sorted by location, rule and message, and marshal with the documented tags.
func TestViolationsSortedAndJSON(t *testing.T) {
	r := httptest.NewRequest("POST", "/v1/instances/backup", nil)
	r.Header.Set("Content-Type", "application/json")
	vs := Default().ValidateRequest(r, []byte(`{"instance_ids": [1, "`+strings.Repeat("a", 33)+`"]}`))
	if len(vs) != 4 {
		t.Fatalf("want 4 violations, got %v", vs)
	}
	if !slices.IsSortedFunc(vs, func(a, b Violation) int {
		return strings.Compare(a.Location+"\x00"+string(a.Rule)+"\x00"+a.Message, b.Location+"\x00"+string(b.Rule)+"\x00"+b.Message)
	}) {
		t.Fatalf("not sorted: %v", vs)
	}
	raw, err := json.Marshal(vs)
	if err != nil {
		t.Fatal(err)
	}
	var generic []map[string]any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	first := generic[0]
	for _, key := range []string{"rule", "location", "message", "requirement_id", "source"} {
		if _, ok := first[key]; !ok {
			t.Errorf("JSON of %v lacks %q: %s", vs[0], key, raw)
		}
	}
	if vs.Err() == nil || Violations(nil).Err() != nil {
		t.Error("Err must be nil exactly when there are no violations")
	}
}

// Messages name the field and the limit; requirement ids and sources come from the spec.
func TestViolationDetails(t *testing.T) {
	c := Default()
	k := c.Constraints().KooPhone
	r := httptest.NewRequest("POST", "/v1/instances/backup", nil)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(k.TokenHeader, "secret-token-value")
	r.Header.Set(k.RequestIDHeader, "r1")
	ids := strings.Repeat(`"a",`, k.InstanceIDsMaxItems) + `"` + strings.Repeat("é", k.InstanceIDMaxLength+1) + `"`
	vs := c.ValidateRequest(r, []byte(`{"instance_ids": [`+ids+`]}`))
	byLoc := map[string]Violation{}
	for _, v := range vs {
		byLoc[v.Location] = v
		if strings.Contains(v.Error(), "secret-token-value") {
			t.Errorf("token leaked: %v", v)
		}
	}
	items := byLoc["/request/body/instance_ids"]
	if items.Message != "instance_ids: 101 items, at most 100 allowed" || items.RequirementID != specfacts.ReqKooPhoneInstanceIDsMaxItems ||
		items.Source == nil || items.Source.Clause != "the list can contain a maximum of 100 columns" {
		t.Errorf("max items violation: %+v", items)
	}
	long := byLoc["/request/body/instance_ids/100"]
	if long.Message != "instance_ids/100: 33 characters, at most 32 allowed" || long.RequirementID != specfacts.ReqKooPhoneInstanceIDMaxLength {
		t.Errorf("max length violation: %+v", long)
	}
	resp := c.ValidateResponse(r, 404, http.Header{"Content-Type": {"application/json"}}, []byte(`{}`))
	if len(resp) != 1 || resp[0].RequirementID != specfacts.ReqKooPhoneDocumentedStatus {
		t.Errorf("undocumented status: %v", resp)
	}
	wrongCode := k.Code(specfacts.CodeParameterIncorrect).Code
	resp = c.ValidateResponse(r, 200, http.Header{"Content-Type": {"application/json"}}, []byte(`{"data": {"task_id": "t", "cmd_jobs": []}, "error_code": "`+wrongCode+`", "error_msg": "m"}`))
	if len(resp) != 1 || resp[0].RequirementID != specfacts.ReqKooPhoneResponse200Shape || !strings.Contains(resp[0].Message, `"0"`) {
		t.Errorf("200 error code: %+v", resp)
	}
	rv := httptest.NewRequest("POST", "/v2/p/backuppolicyresources", nil)
	rv.Header.Set("Content-Type", "application/json")
	vs = c.ValidateRequest(rv, []byte(`{"backup_policy_id": "p", "resources": [{"resource_id": "v", "resource_type": "disk"}]}`))
	if len(vs) != 2 {
		t.Fatalf("want token and enum violations, got %v", vs)
	}
	for _, v := range vs {
		want := map[string]specfacts.RequirementID{"/request/body/resources/0/resource_type": specfacts.ReqVBSResourceTypeEnum, "/request/headers/x-auth-token": specfacts.ReqVBSAuthTokenRequired}[v.Location]
		if v.RequirementID != want {
			t.Errorf("%s: requirement %q, want %q", v.Location, v.RequirementID, want)
		}
	}
}

// Every x-requirements id in both documents names a requirement of the catalog.
func TestSpecRequirementIDsResolve(t *testing.T) {
	cat := catalog.Default()
	c := Default()
	seen := 0
	var walk func(s *openapi3.Schema, depth int)
	check := func(ext map[string]any, where string) {
		for _, id := range requirementsOf(ext) {
			seen++
			if _, ok := cat.Requirement(string(id)); !ok {
				t.Errorf("%s: x-requirements names unknown requirement %q", where, id)
			}
		}
	}
	walk = func(s *openapi3.Schema, depth int) {
		if s == nil || depth > 8 {
			return
		}
		check(s.Extensions, s.Title)
		for name, p := range s.Properties {
			check(p.Value.Extensions, name)
			walk(p.Value, depth+1)
		}
		if s.Items != nil {
			walk(s.Items.Value, depth+1)
		}
	}
	for _, api := range specfacts.APIs() {
		doc := c.Document(api)
		for name, s := range doc.Components.Schemas {
			check(s.Value.Extensions, name)
			walk(s.Value, 0)
		}
		for name, s := range doc.Components.SecuritySchemes {
			check(s.Value.Extensions, name)
		}
		for _, o := range c.operations {
			check(o.op.Extensions, o.id)
			for _, p := range o.op.Parameters {
				check(p.Value.Extensions, p.Value.Name)
			}
		}
	}
	if seen < 10 {
		t.Fatalf("only %d x-requirements ids found; the walk is broken", seen)
	}
}

// BenchmarkValidateExchange measures one request and one response validation of a
// typical KooPhone exchange.
func BenchmarkValidateExchange(b *testing.B) {
	c := Default()
	r := httptest.NewRequest("POST", "/v1/instances/backup", nil)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("x-auth-token", "t")
	r.Header.Set("x-request-id", "r")
	req := []byte(`{"instance_ids": ["a44uhlf7", "efjy72gs"]}`)
	resp := []byte(`{"data": {"task_id": "t1", "cmd_jobs": [{"instance_id": "a44uhlf7", "job_id": "j1"}, {"instance_id": "efjy72gs", "job_id": "j2"}]}, "error_code": "0", "error_msg": "ok"}`)
	h := http.Header{"Content-Type": {"application/json"}}
	b.ReportAllocs()
	for b.Loop() {
		if vs := c.ValidateRequest(r, req); len(vs) != 0 {
			b.Fatal(vs)
		}
		if vs := c.ValidateResponse(r, 200, h, resp); len(vs) != 0 {
			b.Fatal(vs)
		}
	}
}

// LoadEdited applies the edit before validation and indexing, and names the document whose
// edit failed.
func TestLoadEdited(t *testing.T) {
	c, err := LoadEdited(func(api specfacts.API, doc *openapi3.T) error {
		if api == specfacts.VBS {
			doc.Info.Title += " (edited)"
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Document(specfacts.VBS).Info.Title; !strings.HasSuffix(got, " (edited)") {
		t.Errorf("the edit was not applied: title %q", got)
	}
	if got := Default().Document(specfacts.VBS).Info.Title; strings.HasSuffix(got, " (edited)") {
		t.Errorf("the edit leaked into the default contract: title %q", got)
	}
	_, err = LoadEdited(func(api specfacts.API, doc *openapi3.T) error { return errors.New("boom") })
	if err == nil || !strings.Contains(err.Error(), specs.KooPhoneFile) || !strings.Contains(err.Error(), "boom") {
		t.Errorf("a failing edit: %v", err)
	}
}
