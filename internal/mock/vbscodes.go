package mock

// Error codes of the mock's VBS answers. The VBS page shows the code only as "XXXX" and
// points to a table on another page (vbs-error-code-format: any non-empty string), so these
// codes are the mock's own choice, stable so that client teams can match on them. They
// appear in the error envelope {"error":{"code","message"}} and in fail_resources entries.
const (
	// VBSCodeBadRequest: malformed, incomplete or mistyped request (400).
	VBSCodeBadRequest = "VBS.0001"
	// VBSCodeUnauthorized: X-Auth-Token missing, empty or unknown (401).
	VBSCodeUnauthorized = "VBS.0002"
	// VBSCodeForbidden: the token belongs to another project (403).
	VBSCodeForbidden = "VBS.0003"
	// VBSCodePolicyNotFound: backup_policy_id names no policy of the project (404).
	VBSCodePolicyNotFound = "VBS.0004"
	// VBSCodeNotFound: no operation at this path, or (lenient) a project or volume that
	// the caller cannot see (404).
	VBSCodeNotFound = "VBS.0005"
	// VBSCodeMethodNotAllowed: a method other than the operation's on its path (405).
	VBSCodeMethodNotAllowed = "VBS.0006"
	// VBSCodeNotAcceptable: the Accept header admits no JSON answer (406).
	VBSCodeNotAcceptable = "VBS.0008"
	// VBSCodeBodyTooLarge: request body over the mock's size limit (400, or 413 lenient).
	VBSCodeBodyTooLarge = "VBS.0007"
	// VBSCodeInternal: internal failure, injected or recovered (500).
	VBSCodeInternal = "VBS.0500"

	// Per-resource failure codes, in fail_resources.

	// VBSCodeVolumeNotFound: the volume does not exist in the project.
	VBSCodeVolumeNotFound = "VBS.1001"
	// VBSCodeAlreadyAssociated: the volume is already bound to this policy.
	VBSCodeAlreadyAssociated = "VBS.1002"
	// VBSCodeBoundElsewhere: the volume is bound to another policy.
	VBSCodeBoundElsewhere = "VBS.1003"
	// VBSCodeUnsupportedType: resource_type is not one the operation supports.
	VBSCodeUnsupportedType = "VBS.1004"
)
