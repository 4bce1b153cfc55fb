package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/koobackup/conformance/internal/specfacts"
)

// Schema validation options of requests: collect all errors, and leave values and schema
// dumps out of kin-openapi's messages (they could carry request data).
var (
	requestSchemaOptions = []openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsRequest()}
	parameterOptions     = []openapi3.SchemaValidationOption{openapi3.MultiErrors()}
)

// ValidateRequest checks a request against its operation: route, security, parameters,
// Content-Type and body. body is the request body already read by the caller; r.Body is
// not touched. It never returns nil for a request that departs from the contract.
func (c *Contract) ValidateRequest(r *http.Request, body []byte) Violations {
	o, pathParams, err := c.find(r.Method, r.URL.Path)
	if err != nil {
		return Violations{routeViolation(err)}
	}
	var vs Violations
	vs = o.checkSecurity(r, vs)
	vs = o.checkParameters(r, pathParams, vs)
	vs = o.checkRequestBody(r.Header, body, vs)
	return vs.Sort()
}

func routeViolation(err error) Violation {
	var re *RouteError
	if errors.As(err, &re) && re.MethodNotAllowed() {
		return Violation{Rule: specfacts.RuleMethodNotAllowed, Location: "/request/method", Message: re.Error(),
			HowToFix: "use one of " + strings.Join(re.Allowed, ", ")}
	}
	return Violation{Rule: specfacts.RuleRouteNotFound, Location: "/request/path", Message: err.Error(),
		HowToFix: "send the request to a path documented by the contracts"}
}

// checkSecurity requires every scheme of at least one security alternative to be present
// and non-empty. Tokens are never quoted: the message names the header only.
func (o *operation) checkSecurity(r *http.Request, vs Violations) Violations {
	if len(o.security) == 0 {
		return vs
	}
	var firstMissing []*openapi3.SecurityScheme
	for i, alt := range o.security {
		var missing []*openapi3.SecurityScheme
		for name := range alt {
			s := o.schemes[name]
			if s == nil || !credentialPresent(r, s) {
				missing = append(missing, s)
			}
		}
		if len(missing) == 0 {
			return vs
		}
		if i == 0 {
			firstMissing = missing
		}
	}
	for _, s := range firstMissing {
		if s == nil {
			continue
		}
		where, what := credentialLocation(s)
		vs = append(vs, Violation{
			Rule:          specfacts.RuleRequestSecurityMissing,
			Location:      where,
			Message:       what + " is missing or empty",
			HowToFix:      "send the credential in " + what,
			RequirementID: first(requirementsOf(s.Extensions)),
			Source:        sourceOf(s.Extensions),
		})
	}
	return vs
}

func credentialPresent(r *http.Request, s *openapi3.SecurityScheme) bool {
	switch s.Type {
	case "apiKey":
		switch s.In {
		case "header":
			return strings.TrimSpace(r.Header.Get(s.Name)) != ""
		case "query":
			return r.URL.Query().Get(s.Name) != ""
		case "cookie":
			ck, err := r.Cookie(s.Name)
			return err == nil && ck.Value != ""
		}
	case "http", "oauth2", "openIdConnect":
		return strings.TrimSpace(r.Header.Get("Authorization")) != ""
	}
	return false
}

func credentialLocation(s *openapi3.SecurityScheme) (string, string) {
	if s.Type == "apiKey" {
		switch s.In {
		case "query":
			return "/request/query/" + escapePointer(s.Name), "query parameter " + s.Name
		case "cookie":
			return "/request/cookies/" + escapePointer(s.Name), "cookie " + s.Name
		}
		return "/request/headers/" + escapePointer(strings.ToLower(s.Name)), "header " + s.Name
	}
	return "/request/headers/authorization", "header Authorization"
}

func (o *operation) checkParameters(r *http.Request, pathParams map[string]string, vs Violations) Violations {
	for _, pr := range o.op.Parameters {
		p := pr.Value
		if p == nil {
			continue
		}
		var raw string
		var found bool
		var where string
		switch p.In {
		case openapi3.ParameterInHeader:
			where = "/request/headers/" + escapePointer(strings.ToLower(p.Name))
			if vals := r.Header.Values(p.Name); len(vals) > 0 {
				raw, found = vals[0], true
			}
		case openapi3.ParameterInPath:
			where = "/request/path/" + escapePointer(p.Name)
			raw, found = pathParams[p.Name]
		case openapi3.ParameterInQuery:
			where = "/request/query/" + escapePointer(p.Name)
			q := r.URL.Query()
			if vals, ok := q[p.Name]; ok && len(vals) > 0 {
				raw, found = vals[0], true
			}
		case openapi3.ParameterInCookie:
			where = "/request/cookies/" + escapePointer(p.Name)
			if ck, err := r.Cookie(p.Name); err == nil {
				raw, found = ck.Value, true
			}
		}
		if !found {
			if p.Required {
				req, src := first(requirementsOf(p.Extensions)), sourceOf(p.Extensions)
				rule := specfacts.RuleRequestParameterSchema
				what := p.In + " parameter " + p.Name
				if p.In == openapi3.ParameterInHeader {
					rule, what = specfacts.RuleRequestHeaderMissing, "header "+p.Name
				}
				vs = append(vs, Violation{Rule: rule, Location: where, Message: what + " is required but missing",
					HowToFix: "send " + what, RequirementID: req, Source: src})
			}
			continue
		}
		if p.Schema == nil || p.Schema.Value == nil {
			continue
		}
		value, err := coerceParameter(raw, p.Schema.Value)
		if err == nil {
			err = visitBody(p.Schema.Value, value, parameterOptions)
		}
		if err != nil {
			vs = schemaViolations(err, p.Schema.Value, specfacts.RuleRequestParameterSchema, where, first(requirementsOf(p.Extensions)), sourceOf(p.Extensions), vs)
		}
	}
	return vs
}

// coerceParameter turns the raw text of a parameter or header into the JSON type its schema
// expects.
func coerceParameter(raw string, s *openapi3.Schema) (any, error) {
	switch {
	case s.Type.Is(openapi3.TypeInteger), s.Type.Is(openapi3.TypeNumber):
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, &openapi3.SchemaError{Schema: s, SchemaField: "type", Reason: "value must be a number"}
		}
		return f, nil
	case s.Type.Is(openapi3.TypeBoolean):
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, &openapi3.SchemaError{Schema: s, SchemaField: "type", Reason: "value must be a boolean"}
		}
		return b, nil
	}
	return raw, nil
}

func (o *operation) checkRequestBody(h http.Header, body []byte, vs Violations) Violations {
	rb := o.op.RequestBody
	if rb == nil || rb.Value == nil {
		return vs
	}
	req := rb.Value
	if len(body) == 0 {
		if req.Required {
			vs = append(vs, Violation{Rule: specfacts.RuleRequestBodyMissing, Location: "/request/body",
				Message: "request body is required but empty", HowToFix: "send a JSON body",
				RequirementID: o.ruleRequirements[specfacts.RuleRequestBodyMissing], Source: o.source})
		}
		return vs
	}
	ct := h.Get("Content-Type")
	mt := mediaTypeFor(req.Content, ct)
	if mt == nil {
		got := "no Content-Type"
		if ct != "" {
			got = fmt.Sprintf("Content-Type %q", ct)
		}
		return append(vs, Violation{Rule: specfacts.RuleRequestContentType, Location: "/request/headers/content-type",
			Message:       fmt.Sprintf("%s; the operation accepts %s", got, strings.Join(contentTypes(req.Content), ", ")),
			HowToFix:      "send Content-Type: " + strings.Join(contentTypes(req.Content), ", "),
			RequirementID: o.ruleRequirements[specfacts.RuleRequestContentType], Source: o.source})
	}
	if mt.Schema == nil || mt.Schema.Value == nil {
		return vs
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return append(vs, Violation{Rule: specfacts.RuleRequestBodyInvalidJSON, Location: "/request/body",
			Message: "body is not valid JSON: " + jsonProblem(body, err), HowToFix: "send a well-formed JSON object",
			RequirementID: o.ruleRequirements[specfacts.RuleRequestBodyInvalidJSON], Source: o.source})
	}
	if err := visitBody(mt.Schema.Value, value, requestSchemaOptions); err != nil {
		vs = schemaViolations(err, mt.Schema.Value, specfacts.RuleRequestBodySchema, "/request/body", first(requirementsOf(o.op.Extensions)), sourceOf(mt.Schema.Value.Extensions), vs)
	}
	return vs
}
