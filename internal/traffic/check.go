package traffic

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
)

// This package adds three rules of specs/rules.yaml to the contract's, for what the contract
// cannot see: bodies too large to buffer (specfacts.RuleRequestBodyOversized,
// RuleResponseBodyOversized) and upstream answers that are not HTTP at all
// (RuleResponseMalformed). The requirement each breaks is the operation's
// x-rule-requirements entry for the rule.

// httpRequest rebuilds the request line and headers the contract validates; the body is
// passed separately, as the contract asks.
func httpRequest(r Request) (*http.Request, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return nil, fmt.Errorf("request url %q: %w", r.URL, err)
	}
	req := &http.Request{Method: r.Method, URL: u, Header: r.Header, Host: u.Host}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	return req, nil
}

// CheckRequest validates the request side of ex. A truncated body cannot be validated and
// is reported as oversized instead.
func CheckRequest(c *contract.Contract, ex Exchange) contract.Violations {
	req, err := httpRequest(ex.Request)
	if err != nil {
		return contract.Violations{{Rule: specfacts.RuleRouteNotFound, Location: "/request/url", Message: err.Error()}}
	}
	return checkRequest(c, req, ex)
}

// CheckParsed validates both sides of ex, like CheckRequest and CheckResponse, for a
// caller that already holds the request line and headers as req (the proxy), so the
// recorded URL is not parsed again. It also returns the API of the route ("" when none).
func CheckParsed(c *contract.Contract, req *http.Request, ex Exchange) (api specfacts.API, reqVs, respVs contract.Violations) {
	api, _, routeErr := c.Route(req.Method, req.URL.Path)
	reqVs = checkRequest(c, req, ex)
	if routeErr == nil {
		respVs = checkResponse(c, req, api, ex)
	}
	return api, reqVs, respVs
}

func checkRequest(c *contract.Contract, req *http.Request, ex Exchange) contract.Violations {
	if ex.Request.Truncated {
		api, _, _ := c.Route(req.Method, req.URL.Path)
		return contract.Violations{{
			Rule:          specfacts.RuleRequestBodyOversized,
			Location:      "/request/body",
			Message:       fmt.Sprintf("request body of %d bytes is over the %d bytes the proxy validates; it was streamed through unvalidated", ex.Request.Size, len(ex.Request.Body)-1),
			HowToFix:      "send a body the contract allows: no valid request of these APIs comes near this size",
			RequirementID: c.RuleRequirement(api, specfacts.RuleRequestBodyOversized),
		}}
	}
	return c.ValidateRequest(req, ex.Request.Body)
}

// CheckResponse validates the response side of ex against the operation of its request;
// it returns nothing when there is no response.
func CheckResponse(c *contract.Contract, ex Exchange) contract.Violations {
	if ex.Response == nil {
		return nil
	}
	req, err := httpRequest(ex.Request)
	if err != nil {
		return nil
	}
	api, _, err := c.Route(req.Method, req.URL.Path)
	if err != nil {
		// The request side already reports the unknown route; a response to it has no
		// operation to be checked against.
		return nil
	}
	return checkResponse(c, req, api, ex)
}

func checkResponse(c *contract.Contract, req *http.Request, api specfacts.API, ex Exchange) contract.Violations {
	if ex.Response == nil {
		return nil
	}
	if ex.Response.Truncated {
		return contract.Violations{{
			Rule:          specfacts.RuleResponseBodyOversized,
			Location:      "/response/body",
			Message:       fmt.Sprintf("response body of at least %d bytes is over the %d bytes the proxy validates; it was streamed through unvalidated", ex.Response.Size, len(ex.Response.Body)-1),
			RequirementID: c.RuleRequirement(api, specfacts.RuleResponseBodyOversized),
		}}
	}
	return c.ValidateResponse(req, ex.Response.Status, ex.Response.Header, ex.Response.Body)
}

// MalformedResponse is the violation of an upstream whose answer was not a complete HTTP
// response (garbage, a dropped connection, a body shorter than announced).
func MalformedResponse(c *contract.Contract, ex Exchange, cause error) contract.Violation {
	var api specfacts.API
	if req, err := httpRequest(ex.Request); err == nil {
		api, _, _ = c.Route(req.Method, req.URL.Path)
	}
	return contract.Violation{
		Rule:          specfacts.RuleResponseMalformed,
		Location:      "/response",
		Message:       "the upstream's answer is not a complete HTTP response: " + cause.Error(),
		HowToFix:      "answer every request with a documented status and a complete JSON body; never drop the connection",
		RequirementID: c.RuleRequirement(api, specfacts.RuleResponseMalformed),
	}
}

// Check validates both sides of a recorded exchange; an exchange recorded with a malformed
// upstream answer is reported as such again.
func Check(c *contract.Contract, ex Exchange) contract.Violations {
	vs := append(CheckRequest(c, ex), CheckResponse(c, ex)...)
	if ex.Response == nil && ex.ErrorKind == ErrorMalformedResponse {
		vs = append(vs, MalformedResponse(c, ex, errors.New(ex.Error)))
	}
	return vs.Sort()
}
