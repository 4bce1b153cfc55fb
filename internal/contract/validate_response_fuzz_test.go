package contract

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/koobackup/conformance/internal/specfacts"
)

// FuzzValidateResponse judges fuzzed answers (status, Content-Type, body) to each API's
// operation. It must never panic, every violation must name its rule and what was wrong,
// and an answer judged without violations must have a documented status and, where that
// status documents a body, a well-formed UTF-8 JSON one: a malformed answer is never a
// silent pass.
func FuzzValidateResponse(f *testing.F) {
	c := Default()
	f.Fuzz(func(t *testing.T, vbs bool, status int, contentType string, body []byte) {
		api, path := specfacts.KooPhone, c.Constraints().KooPhone.Path
		if vbs {
			api, path = specfacts.VBS, c.Constraints().VBS.Path("p1")
		}
		o, err := c.onlyOperation(api)
		if err != nil {
			t.Fatal(err)
		}
		r, err := http.NewRequest(o.method, "http://contract.invalid"+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		vs := c.ValidateResponse(r, status, h, body)
		for _, v := range vs {
			if v.Rule == "" || v.Location == "" || v.Message == "" {
				t.Fatalf("violation without a rule, a location or a message: %+v", v)
			}
		}
		if len(vs) > 0 {
			return
		}
		if !slices.Contains(o.statuses, status) {
			t.Fatalf("undocumented status %d passed", status)
		}
		if ref := o.op.Responses.Status(status); ref != nil && ref.Value != nil && len(ref.Value.Content) > 0 {
			if !utf8.Valid(body) || !json.Valid(body) {
				t.Fatalf("status %d with a body that is not UTF-8 JSON passed: %q", status, body)
			}
		}
	})
}

// A body whose JSON strings hold bytes that are not UTF-8 is not JSON, although
// encoding/json would decode it; the violation says which byte.
func TestResponseBodyNotUTF8IsInvalidJSON(t *testing.T) {
	c := Default()
	k := c.Constraints().KooPhone
	r := httptest.NewRequest(k.Method, k.Path, nil)
	h := http.Header{"Content-Type": {"application/json"}}
	body := []byte("{\"error_code\":\"0\",\"error_msg\":\"ok\xff\",\"data\":{\"task_id\":\"RM_1\",\"cmd_jobs\":[{\"instance_id\":\"a1\",\"job_id\":\"j1\"}]}}")
	vs := c.ValidateResponse(r, http.StatusOK, h, body)
	if len(vs) != 1 || vs[0].Rule != specfacts.RuleResponseBodyInvalidJSON || !strings.Contains(vs[0].Message, "byte 33 ") {
		t.Fatalf("got %v; want one %s naming byte 33", vs, specfacts.RuleResponseBodyInvalidJSON)
	}
	body[33] = 'k'
	if vs := c.ValidateResponse(r, http.StatusOK, h, body); len(vs) != 0 {
		t.Fatalf("the same body in UTF-8: %v", vs)
	}
}

// A number beyond a double's range is well-formed JSON that no reader can hold; the
// violation says so rather than calling the body malformed.
func TestResponseNumberBeyondRangeIsNamed(t *testing.T) {
	c := Default()
	k := c.Constraints().KooPhone
	r := httptest.NewRequest(k.Method, k.Path, nil)
	h := http.Header{"Content-Type": {"application/json"}}
	body := []byte(`{"error_code":"0","error_msg":"ok","data":{"task_id":"RM_1","n":1e999999,"cmd_jobs":[{"instance_id":"a1","job_id":"j1"}]}}`)
	vs := c.ValidateResponse(r, http.StatusOK, h, body)
	if len(vs) != 1 || vs[0].Rule != specfacts.RuleResponseBodyInvalidJSON || !strings.Contains(vs[0].Message, "beyond the range of an IEEE 754 double") || strings.Contains(vs[0].Message, "syntax") {
		t.Fatalf("got %v; want one %s naming the out-of-range number", vs, specfacts.RuleResponseBodyInvalidJSON)
	}
}
