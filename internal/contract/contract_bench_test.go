package contract_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
)

// exchange is one request/response pair the validation benchmark checks.
type exchange struct {
	api               string
	req               *http.Request
	reqBody, respBody []byte
	respHeader        http.Header
}

// benchExchanges builds a KooPhone backup of the most ids the contract allows with its 200
// answer, and a VBS association of the seed example's two volumes with its 200 answer.
func benchExchanges(b *testing.B) []exchange {
	b.Helper()
	c := contract.Default().Constraints()
	kc, vc := c.KooPhone, c.VBS
	ids := make([]string, kc.InstanceIDsMaxItems)
	jobs := make([]map[string]string, len(ids))
	for i := range ids {
		ids[i] = fmt.Sprintf("inst%04d", i)
		jobs[i] = map[string]string{"instance_id": ids[i], "job_id": fmt.Sprintf("job-%04d", i)}
	}
	kReq := marshal(b, map[string]any{"instance_ids": ids})
	kResp := marshal(b, map[string]any{"data": map[string]any{"task_id": "task-1", "cmd_jobs": jobs}, "error_code": kc.SuccessCode, "error_msg": "ok"})
	kr := httptest.NewRequest(kc.Method, kc.Path, nil)
	kr.Header.Set("Content-Type", "application/json")
	kr.Header.Set(kc.TokenHeader, "token")
	kr.Header.Set(kc.RequestIDHeader, "request-1")

	vols := []string{"0f187b65-8d0e-4fc0-9096-3b55d330531e", "0f187b65-8d0e-4fc0-9096-3b55d330531d"}
	res := make([]map[string]string, len(vols))
	ok := make([]map[string]string, len(vols))
	for i, v := range vols {
		res[i] = map[string]string{"resource_id": v, "resource_type": vc.ResourceTypes[0]}
		ok[i] = map[string]string{"resource_id": v, "resource_type": vc.ResourceTypes[0], "availability_zone": "ap-southeast-1", "os_vol_host_attr": "pod01.ap-southeast-1"}
	}
	vReq := marshal(b, map[string]any{"backup_policy_id": "915d1fd8-63cb-4054-a2b0-2778210e3a75", "resources": res})
	vResp := marshal(b, map[string]any{"success_resources": ok, "fail_resources": []any{}})
	vr := httptest.NewRequest(vc.Method, vc.Path("project-1"), nil)
	vr.Header.Set("Content-Type", "application/json")
	vr.Header.Set(vc.TokenHeader, "token")

	h := http.Header{"Content-Type": {"application/json"}}
	return []exchange{
		{api: string(specfacts.KooPhone), req: kr, reqBody: kReq, respBody: kResp, respHeader: h},
		{api: string(specfacts.VBS), req: vr, reqBody: vReq, respBody: vResp, respHeader: h},
	}
}

func marshal(b *testing.B, v any) []byte {
	b.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

// BenchmarkValidation measures validating one request and one 200 response of each
// operation against the floor: encoding/json decoding the same body into any. Each pair
// (contract, decode) is compared by the bench report; a violation fails the benchmark, so
// the figure is always for the full, passing validation path.
func BenchmarkValidation(b *testing.B) {
	c := contract.Default()
	for _, ex := range benchExchanges(b) {
		b.Run(ex.api+"/request/contract", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if vs := c.ValidateRequest(ex.req, ex.reqBody); len(vs) != 0 {
					b.Fatal(vs)
				}
			}
		})
		b.Run(ex.api+"/request/decode", func(b *testing.B) { decodeFloor(b, ex.reqBody) })
		b.Run(ex.api+"/response/contract", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if vs := c.ValidateResponse(ex.req, http.StatusOK, ex.respHeader, ex.respBody); len(vs) != 0 {
					b.Fatal(vs)
				}
			}
		})
		b.Run(ex.api+"/response/decode", func(b *testing.B) { decodeFloor(b, ex.respBody) })
	}
}

func decodeFloor(b *testing.B, body []byte) {
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
	}
	if !strings.HasPrefix(string(body), "{") {
		b.Fatal("the floor decodes an object body")
	}
}
