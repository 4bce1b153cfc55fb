package contract

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/specfacts"
)

// responseSchemaOptions: collect all errors, judge readOnly/writeOnly as a response, and leave
// values and schema dumps out of kin-openapi's messages.
var responseSchemaOptions = []openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsResponse()}

// ValidateResponse checks a response against the operation of the request it answers:
// documented status, Content-Type, JSON body and schema, documented headers. Only the
// request's method and path are read.
func (c *Contract) ValidateResponse(r *http.Request, status int, h http.Header, body []byte) Violations {
	o, _, err := c.find(r.Method, r.URL.Path)
	if err != nil {
		return Violations{routeViolation(err)}
	}
	var vs Violations
	ref := o.op.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return append(vs, Violation{
			Rule:          specfacts.RuleResponseStatusUndocumented,
			Location:      "/response/status",
			Message:       fmt.Sprintf("status %d is not documented; documented statuses are %s", status, joinInts(o.statuses)),
			HowToFix:      "answer with one of the documented statuses and its body",
			RequirementID: o.ruleRequirements[specfacts.RuleResponseStatusUndocumented],
			Source:        o.source,
		})
	}
	resp := ref.Value
	resSource := o.responseSources[resp]
	// The shape requirement of the response is the one its JSON schema names.
	bodyReq := o.ruleRequirements[specfacts.RuleResponseContentType]
	if s := responseSchema(o.op, status); s != nil {
		if ids := requirementsOf(s.Extensions); len(ids) > 0 {
			bodyReq = ids[0]
		}
	}
	for name, hr := range resp.Headers {
		if strings.EqualFold(name, "Content-Type") || hr.Value == nil {
			continue
		}
		vs = checkResponseHeader(name, hr.Value, h, bodyReq, resSource, vs)
	}
	if len(resp.Content) == 0 {
		return vs.Sort()
	}
	ct := h.Get("Content-Type")
	mt := mediaTypeFor(resp.Content, ct)
	if mt == nil {
		got := "no Content-Type"
		if ct != "" {
			got = fmt.Sprintf("Content-Type %q", ct)
		}
		vs = append(vs, Violation{
			Rule:          specfacts.RuleResponseContentType,
			Location:      "/response/headers/content-type",
			Message:       fmt.Sprintf("%s; status %d is documented with %s", got, status, strings.Join(contentTypes(resp.Content), ", ")),
			HowToFix:      "send the documented media type in Content-Type",
			RequirementID: o.ruleRequirements[specfacts.RuleResponseContentType],
			Source:        resSource,
		})
		return vs.Sort()
	}
	if mt.Schema == nil || mt.Schema.Value == nil {
		return vs.Sort()
	}
	// JSON text is UTF-8 (RFC 8259 §8.1); encoding/json would quietly turn the bad bytes
	// into U+FFFD and judge a body the target did not send.
	if n := invalidUTF8At(body); n >= 0 {
		return append(vs, Violation{
			Rule:          specfacts.RuleResponseBodyInvalidJSON,
			Location:      "/response/body",
			Message:       fmt.Sprintf("body is not valid JSON: byte %d of %d is not UTF-8", n, len(body)),
			HowToFix:      "send a JSON document in UTF-8 matching the documented schema",
			RequirementID: bodyReq,
			Source:        resSource,
		}).Sort()
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return append(vs, Violation{
			Rule:          specfacts.RuleResponseBodyInvalidJSON,
			Location:      "/response/body",
			Message:       "body cannot be read as JSON: " + jsonProblem(body, err),
			HowToFix:      "send a JSON document matching the documented schema",
			RequirementID: bodyReq,
			Source:        resSource,
		}).Sort()
	}
	if err := visitBody(mt.Schema.Value, value, responseSchemaOptions); err != nil {
		vs = schemaViolations(err, mt.Schema.Value, specfacts.RuleResponseBodySchema, "/response/body", bodyReq, resSource, vs)
	}
	return vs.Sort()
}

// checkResponseHeader validates one documented response header.
func checkResponseHeader(name string, hd *openapi3.Header, h http.Header, req specfacts.RequirementID, src *catalog.Source, vs Violations) Violations {
	where := "/response/headers/" + escapePointer(strings.ToLower(name))
	vals := h.Values(name)
	if len(vals) == 0 {
		if hd.Required {
			vs = append(vs, Violation{Rule: specfacts.RuleResponseHeaderSchema, Location: where,
				Message: "header " + name + " is required but missing", HowToFix: "send header " + name,
				RequirementID: req, Source: src})
		}
		return vs
	}
	if hd.Schema == nil || hd.Schema.Value == nil {
		return vs
	}
	value, err := coerceParameter(vals[0], hd.Schema.Value)
	if err == nil {
		err = hd.Schema.Value.VisitJSON(value, parameterOptions...)
	}
	if err != nil {
		vs = schemaViolations(err, hd.Schema.Value, specfacts.RuleResponseHeaderSchema, where, req, src, vs)
	}
	return vs
}

// invalidUTF8At returns the offset of the first byte of b that is not UTF-8, or -1.
func invalidUTF8At(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}
