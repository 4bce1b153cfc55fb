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
