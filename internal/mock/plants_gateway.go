package mock

import (
	"net/http"

	"github.com/koobackup/conformance/internal/specfacts"
)

// gatewayPlants are the planted faults of the API gateway's answer, for both APIs: the
// gateway's body under a status a gateway does not refuse a token with.
var gatewayPlants = map[string]plant{
	FaultKooPhoneGatewayBody403: {request: func(c *plantCall, w http.ResponseWriter) bool {
		return c.api == specfacts.KooPhone && c.gatewayBodyUnder403(w, c.m.cons.KooPhone.TokenHeader)
	}},
	FaultVBSGatewayBody403: {request: func(c *plantCall, w http.ResponseWriter) bool {
		return c.api == specfacts.VBS && c.gatewayBodyUnder403(w, c.m.cons.VBS.TokenHeader)
	}},
}

// gatewayBodyUnder403 answers a request without a token with the gateway's body and 403.
func (c *plantCall) gatewayBodyUnder403(w http.ResponseWriter, tokenHeader string) bool {
	if c.requestHeader(tokenHeader) != "" {
		return false
	}
	writeJSON(w, http.StatusForbidden, gatewayErrorBody{ErrorCode: gatewayAuthCode, ErrorMsg: "Incorrect IAM authentication information", RequestID: randomHex()})
	return true
}
