package contract

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// bodySchemas lists every request and response body schema of both contracts.
func bodySchemas(t *testing.T) map[string]*openapi3.Schema {
	t.Helper()
	out := map[string]*openapi3.Schema{}
	for _, o := range Default().operations {
		if rb := o.op.RequestBody; rb != nil && rb.Value != nil {
			for ct, mt := range rb.Value.Content {
				if mt.Schema != nil && mt.Schema.Value != nil {
					out[o.id+" request "+ct] = mt.Schema.Value
				}
			}
		}
		for status, ref := range o.op.Responses.Map() {
			if ref.Value == nil {
				continue
			}
			for ct, mt := range ref.Value.Content {
				if mt.Schema != nil && mt.Schema.Value != nil {
					out[o.id+" "+status+" "+ct] = mt.Schema.Value
				}
			}
		}
	}
	if len(out) < 4 {
		t.Fatalf("found only %d body schemas", len(out))
	}
	return out
}

// mutations returns v and variants of it with one change each: every member removed,
// every value replaced by values of each JSON type, strings lengthened, arrays emptied and
// grown, and an "error" member added to every object.
func mutations(v any) []any {
	out := []any{v}
	replacements := []any{nil, "", "x", strings.Repeat("é", 300), 1.5, float64(3), true, []any{}, map[string]any{}}
	var walk func(cur any, rebuild func(any) any)
	walk = func(cur any, rebuild func(any) any) {
		for _, r := range replacements {
			out = append(out, rebuild(r))
		}
		switch c := cur.(type) {
		case map[string]any:
			withError := clone(c)
			withError["error"] = map[string]any{"code": "X", "message": "m"}
			out = append(out, rebuild(withError))
			for k, sub := range c {
				without := clone(c)
				delete(without, k)
				out = append(out, rebuild(without))
				walk(sub, func(nv any) any {
					m := clone(c)
					m[k] = nv
					return rebuild(m)
				})
			}
		case []any:
			if len(c) > 0 {
				grown := make([]any, 0, 200)
				for len(grown) < 200 {
					grown = append(grown, c...)
				}
				out = append(out, rebuild(grown))
				for i, sub := range c {
					walk(sub, func(nv any) any {
						a := append([]any(nil), c...)
						a[i] = nv
						return rebuild(a)
					})
				}
			}
		}
	}
	walk(v, func(nv any) any { return nv })
	return out
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// The fast path never accepts what kin-openapi refuses, and accepts everything kin-openapi accepts, on every fixture body and its mutations against every body schema.
func TestFastPathAgreesWithKinOpenAPI(t *testing.T) {
	schemas := bodySchemas(t)
	var bodies []any
	for _, kind := range []string{"requests", "responses"} {
		for _, c := range loadFixtures(t, kind) {
			var v any
			if err := json.Unmarshal([]byte(expand(c.Body)), &v); err == nil {
				bodies = append(bodies, v)
			}
		}
	}
	if len(bodies) < 50 {
		t.Fatalf("only %d JSON fixture bodies", len(bodies))
	}
	checked, accepted := 0, 0
	for name, s := range schemas {
		f := compiled(s)
		for _, opts := range [][]openapi3.SchemaValidationOption{requestSchemaOptions, responseSchemaOptions} {
			for _, b := range bodies {
				for _, v := range mutations(b) {
					fast := f.matches(v, opts)
					kin := s.VisitJSON(v, opts...) == nil
					checked++
					if fast {
						accepted++
					}
					if fast != kin {
						raw, _ := json.Marshal(v)
						t.Fatalf("%s: fast path says %v, kin-openapi says %v for %.300s", name, fast, kin, raw)
					}
				}
			}
		}
	}
	if accepted == 0 || accepted == checked {
		t.Fatalf("%d of %d values accepted: the corpus does not exercise both answers", accepted, checked)
	}
	t.Logf("%d values compared, %d accepted", checked, accepted)
}

// The schemas of both contracts compile to the fast path at their roots (no node of a body's top level is left to kin-openapi).
func TestBodySchemasCompile(t *testing.T) {
	for name, s := range bodySchemas(t) {
		if compiled(s).kin {
			t.Errorf("%s: root not compiled; a keyword outside the fast path is used: %s", name, fmt.Sprint(s.Type))
		}
	}
}
