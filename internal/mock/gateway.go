package mock

import "net/http"

// gatewayAuthCode is the error_code Huawei Cloud's API gateway answers an authentication
// failure with ("Incorrect IAM authentication information"). It is the gateway's, not a
// fact of either document; the register's gateway key accepts any APIGW.NNNN.
const gatewayAuthCode = "APIGW.0301"

// gatewayErrorBody is the API gateway's own error body.
type gatewayErrorBody struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
	RequestID string `json:"request_id"`
}

// gatewayRefuse answers as an API gateway in front of the service does when a request
// carries no valid token (the api-gateway readings of koophone-missing-token-code and
// vbs-auth-header): 401 with the gateway's body; the service never sees the request.
func gatewayRefuse(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusUnauthorized, gatewayErrorBody{ErrorCode: gatewayAuthCode, ErrorMsg: msg, RequestID: randomHex()})
}

// gatewayPlants are the planted faults of the API gateway's answer, for both APIs: the
// gateway's body under a status a gateway does not refuse a token with.
var gatewayPlants = map[string]plant{
	FaultKooPhoneGatewayBody403: {request: func(c *plantCall, w http.ResponseWriter) bool {
		return c.api == apiKooPhone && c.gatewayBodyUnder403(w, c.m.cons.KooPhone.TokenHeader)
	}},
	FaultVBSGatewayBody403: {request: func(c *plantCall, w http.ResponseWriter) bool {
		return c.api == apiVBS && c.gatewayBodyUnder403(w, c.m.cons.VBS.TokenHeader)
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
