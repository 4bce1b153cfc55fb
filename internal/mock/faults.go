package mock

import (
	"fmt"
	"sort"
	"strings"

	"github.com/koobackup/conformance/internal/specfacts"
)

// Fault is a planted deviation from the contract: a way the mock can be made to misbehave
// so that mutation testing can prove the suites notice. Requirements names the catalog
// entries (specs/requirements.yaml) a suite must fail when the fault is on. A planted fault
// lives outside the reference handlers (plant.go, plants_koophone.go, plants_vbs.go), so
// that it applies on top of any combination of readings.
type Fault struct {
	Name         string
	API          specfacts.API
	Description  string
	Requirements []specfacts.RequirementID
}

// RequirementList spells the fault's requirements for people, comma-separated.
func (f Fault) RequirementList() string {
	out := make([]string, len(f.Requirements))
	for i, id := range f.Requirements {
		out[i] = string(id)
	}
	return strings.Join(out, ", ")
}

// reqs lists a fault's requirements.
func reqs(ids ...specfacts.RequirementID) []specfacts.RequirementID { return ids }

// Fault names. Adding a fault is one constant, one catalog entry, and one plant (a
// request-side and/or response-side deviation) in plants_koophone.go or plants_vbs.go.
const (
	FaultKooPhoneAccepts101IDs             = "koophone-accepts-101-ids"
	FaultKooPhoneIDLength33Accepted        = "koophone-id-length-33-accepted"
	FaultKooPhoneUnknownTenantCode1000     = "koophone-unknown-tenant-code-1000"
	FaultKooPhoneForeignInstanceAccepted   = "koophone-foreign-instance-accepted"
	FaultKooPhoneJobForUnrequested         = "koophone-job-for-unrequested-instance"
	FaultKooPhoneDuplicateJobIDs           = "koophone-duplicate-job-ids"
	FaultKooPhone500OnMalformedJSON        = "koophone-500-on-malformed-json"
	FaultKooPhoneMissingRequestIDAccepted  = "koophone-missing-request-id-accepted"
	FaultKooPhoneErrorStatus500            = "koophone-error-status-500"
	FaultKooPhoneRebackupAccepted          = "koophone-rebackup-accepted"
	FaultKooPhoneRejectedRequestReleases   = "koophone-rejected-request-releases"
	FaultKooPhoneEmptyTaskID               = "koophone-empty-task-id"
	FaultKooPhoneCmdJobsNull               = "koophone-cmd-jobs-null"
	FaultKooPhoneSuccessCarriesErrorCode   = "koophone-success-carries-error-code"
	FaultKooPhoneErrorCodeWithoutPrefix    = "koophone-error-code-without-prefix"
	FaultKooPhoneWrongContentType          = "koophone-wrong-content-type"
	FaultKooPhoneSuccessStatus201          = "koophone-success-status-201"
	FaultKooPhoneMissingInstanceIDs500     = "koophone-missing-instance-ids-500"
	FaultKooPhoneStringInstanceIDsAccepted = "koophone-string-instance-ids-accepted"
	FaultKooPhoneEmptyList500              = "koophone-empty-list-500"
	FaultKooPhoneMissingTokenAccepted      = "koophone-missing-token-accepted"
	FaultKooPhoneInternalErrorCode1000     = "koophone-internal-error-code-1000"
	FaultKooPhoneDuplicateIDs500           = "koophone-duplicate-ids-500"
	FaultKooPhoneContentType500            = "koophone-content-type-500"
	FaultKooPhoneOversizedDropped          = "koophone-oversized-body-dropped"
	FaultKooPhoneUnknownField500           = "koophone-unknown-field-500"
	FaultKooPhoneHang                      = "koophone-hang"
	FaultKooPhoneJobDropped                = "koophone-job-dropped"

	FaultKooPhoneSuccessWithoutCode      = "koophone-success-without-error-code"
	FaultKooPhoneErrorWithoutMsg         = "koophone-error-without-error-msg"
	FaultKooPhoneDuplicateJobPerEntry    = "koophone-duplicate-ids-job-per-entry"
	FaultKooPhoneRebackup500             = "koophone-rebackup-500"
	FaultKooPhoneCharsetRefused          = "koophone-json-charset-refused"
	FaultKooPhoneTaskIDReused            = "koophone-task-id-reused"
	FaultKooPhoneGatewayBody403          = "koophone-gateway-body-403"
	FaultKooPhoneEmptyRequestID500       = "koophone-empty-request-id-500"
	FaultKooPhoneTwoFaultsAccepted       = "koophone-two-faults-accepted"
	FaultKooPhoneUndocumentedPermissions = "koophone-undocumented-code-for-permissions"
	FaultVBSGatewayBody403               = "vbs-gateway-body-403"

	FaultVBSAuthNotEnforced               = "vbs-auth-not-enforced"
	FaultVBSProjectMismatchIgnored        = "vbs-project-mismatch-ignored"
	FaultVBSUnknownVolumeSucceeds         = "vbs-unknown-volume-succeeds"
	FaultVBSResourceDropped               = "vbs-resource-dropped"
	FaultVBSResourceInBothLists           = "vbs-resource-in-both-lists"
	FaultVBSUnknownPolicy200              = "vbs-unknown-policy-200"
	FaultVBSErrorEnvelopeFlat             = "vbs-error-envelope-flat"
	FaultVBSWrongContentType              = "vbs-wrong-content-type"
	FaultVBSHang                          = "vbs-hang"
	FaultVBSMissingPolicyID500            = "vbs-missing-policy-id-500"
	FaultVBSMissingResources500           = "vbs-missing-resources-500"
	FaultVBSMissingResourceField500       = "vbs-missing-resource-field-500"
	FaultVBSWrongType500                  = "vbs-wrong-type-500"
	FaultVBSUnsupportedTypeAssociated     = "vbs-unsupported-type-associated"
	FaultVBSEmptyResources500             = "vbs-empty-resources-500"
	FaultVBSInternalError400              = "vbs-internal-error-400"
	FaultVBSFreeVolumeFailedBesideUnknown = "vbs-free-volume-failed-beside-unknown"
	FaultVBSResourceTypeChanged           = "vbs-resource-type-changed"
	FaultVBSReassociate500                = "vbs-reassociate-500"
	FaultVBSDuplicateResources500         = "vbs-duplicate-resources-500"
	FaultVBSMalformedJSON500              = "vbs-malformed-json-500"
	FaultVBSContentType500                = "vbs-content-type-500"
	FaultVBSOversizedDropped              = "vbs-oversized-body-dropped"
	FaultVBSUnknownField500               = "vbs-unknown-field-500"
	FaultVBSUnknownPolicy422              = "vbs-unknown-policy-422"
	FaultVBSErrorCodeEmpty                = "vbs-error-code-empty"
	FaultVBSFailItemWithoutCode           = "vbs-fail-item-without-code"
	FaultVBSInvalidToken403               = "vbs-invalid-token-403"
	// Deviations from what the judgement principle requires, and answers to the probes of
	// other methods, Accept, charset, empty ids and fault precedence.
	FaultVBSDuplicateReportedPerEntry = "vbs-duplicate-reported-per-entry"
	FaultVBSEmptyListNull             = "vbs-empty-list-null"
	FaultVBSEmptyListOmitted          = "vbs-empty-list-omitted"
	FaultVBSAssociatedWithoutAZ       = "vbs-associated-without-az"
	FaultVBSErrorWithoutMessage       = "vbs-error-without-message"
	FaultVBSGetAnswered200            = "vbs-get-answered-200"
	FaultVBSJSONCharsetRefused        = "vbs-json-charset-refused"
	FaultVBSEmptyPolicyIDSucceeds     = "vbs-empty-policy-id-succeeds"
	FaultVBSEmptyResourceIDAssociated = "vbs-empty-resource-id-associated"
	FaultVBSEmptyProjectIDServed      = "vbs-empty-project-id-served"
	FaultVBSTwoFaults200              = "vbs-two-faults-200"
	FaultVBSNotAcceptable500          = "vbs-not-acceptable-500"
)

var faultCatalog = []Fault{
	{FaultKooPhoneAccepts101IDs, specfacts.KooPhone, "instance_ids of one item over the maximum is accepted.", reqs(specfacts.ReqKooPhoneInstanceIDsMaxItems)},
	{FaultKooPhoneIDLength33Accepted, specfacts.KooPhone, "An instance id one character over the maximum length passes the length check.", reqs(specfacts.ReqKooPhoneInstanceIDMaxLength)},
	{FaultKooPhoneUnknownTenantCode1000, specfacts.KooPhone, "A token naming no tenant is answered with the parameter-incorrect code instead of the tenant-not-found one.", reqs(specfacts.ReqKooPhoneUnknownTenant)},
	{FaultKooPhoneForeignInstanceAccepted, specfacts.KooPhone, "Another tenant's instances are backed up instead of refused with 1001.", reqs(specfacts.ReqKooPhoneInstancePermissions)},
	{FaultKooPhoneJobForUnrequested, specfacts.KooPhone, "A 200 carries an extra job for an instance the request did not name.", reqs(specfacts.ReqKooPhoneCmdJobsCoverRequest)},
	{FaultKooPhoneDuplicateJobIDs, specfacts.KooPhone, "Every job of a 200 carries the same job_id.", reqs(specfacts.ReqKooPhoneJobIDsDistinct)},
	{FaultKooPhone500OnMalformedJSON, specfacts.KooPhone, "A malformed JSON body is answered 500 with the internal-error code instead of 400 parameter-incorrect.", reqs(specfacts.ReqKooPhoneMalformedJSON, specfacts.ReqKooPhoneClientErrorsAre400)},
	{FaultKooPhoneMissingRequestIDAccepted, specfacts.KooPhone, "A request without x-request-id is processed.", reqs(specfacts.ReqKooPhoneRequestIDRequired)},
	{FaultKooPhoneErrorStatus500, specfacts.KooPhone, "Every request error (0000, 1000, 1001) is sent with status 500.", reqs(specfacts.ReqKooPhoneClientErrorsAre400)},
	{FaultKooPhoneRebackupAccepted, specfacts.KooPhone, "An instance already backed up and released is backed up again with 200 and a new job.", reqs(specfacts.ReqKooPhoneReleasedInstanceRefused)},
	{FaultKooPhoneRejectedRequestReleases, specfacts.KooPhone, "A request refused for a foreign or unknown instance still releases the caller's own instances in it.", reqs(specfacts.ReqKooPhoneRejectedRequestChangesNothing)},
	{FaultKooPhoneEmptyTaskID, specfacts.KooPhone, "A 200 carries an empty task_id.", reqs(specfacts.ReqKooPhoneResponse200Shape, specfacts.ReqKooPhoneJobIDsDistinct)},
	{FaultKooPhoneCmdJobsNull, specfacts.KooPhone, "A 200 carries cmd_jobs: null instead of the array of jobs.", reqs(specfacts.ReqKooPhoneResponse200Shape, specfacts.ReqKooPhoneCmdJobsCoverRequest)},
	{FaultKooPhoneSuccessCarriesErrorCode, specfacts.KooPhone, "A 200 carries the parameter-incorrect error_code instead of \"0\".", reqs(specfacts.ReqKooPhoneResponse200Shape)},
	{FaultKooPhoneErrorCodeWithoutPrefix, specfacts.KooPhone, "Error codes are sent as the bare number (\"1000\") without the prefix.", reqs(specfacts.ReqKooPhoneErrorEnvelopeShape)},
	{FaultKooPhoneWrongContentType, specfacts.KooPhone, "Every KooPhone response is labelled text/plain although its body is JSON.", reqs(specfacts.ReqKooPhoneDocumentedStatus)},
	{FaultKooPhoneSuccessStatus201, specfacts.KooPhone, "A successful backup is answered 201, a status the page does not document.", reqs(specfacts.ReqKooPhoneDocumentedStatus, specfacts.ReqKooPhoneBackupOperation)},
	{FaultKooPhoneMissingInstanceIDs500, specfacts.KooPhone, "A body without instance_ids is answered with a 500 instead of 400 1000.", reqs(specfacts.ReqKooPhoneInstanceIDsRequired)},
	{FaultKooPhoneStringInstanceIDsAccepted, specfacts.KooPhone, "An instance_ids given as a single string is read as a one-element list.", reqs(specfacts.ReqKooPhoneInstanceIDsType)},
	{FaultKooPhoneEmptyList500, specfacts.KooPhone, "An empty instance_ids list is answered with a 500.", reqs(specfacts.ReqKooPhoneInstanceIDsMinItems)},
	{FaultKooPhoneMissingTokenAccepted, specfacts.KooPhone, "A request without x-auth-token is processed as the tenant's own.", reqs(specfacts.ReqKooPhoneAuthTokenRequired)},
	{FaultKooPhoneInternalErrorCode1000, specfacts.KooPhone, "An internal failure is answered 500 with the parameter-incorrect code instead of internal-error.", reqs(specfacts.ReqKooPhoneInternalError)},
	{FaultKooPhoneDuplicateIDs500, specfacts.KooPhone, "A list naming the same instance twice is answered with a 500.", reqs(specfacts.ReqKooPhoneDuplicateInstanceIDs)},
	{FaultKooPhoneContentType500, specfacts.KooPhone, "A body whose Content-Type is not JSON is answered with a 500.", reqs(specfacts.ReqKooPhoneContentType)},
	{FaultKooPhoneOversizedDropped, specfacts.KooPhone, "A body over the size limit gets the connection dropped instead of an answer.", reqs(specfacts.ReqKooPhoneOversizedBody)},
	{FaultKooPhoneUnknownField500, specfacts.KooPhone, "A body with an unknown member is answered with a 500.", reqs(specfacts.ReqKooPhoneUnknownFields)},
	{FaultKooPhoneHang, specfacts.KooPhone, "A valid backup request is never answered (until the client gives up).", reqs(specfacts.ReqKooPhoneBackupOperation)},
	{FaultKooPhoneJobDropped, specfacts.KooPhone, "The last job of a 200 is left out, so one requested instance has no job.", reqs(specfacts.ReqKooPhoneCmdJobsCoverRequest)},
	{FaultKooPhoneSuccessWithoutCode, specfacts.KooPhone, "A 200 leaves out error_code and error_msg.", reqs(specfacts.ReqKooPhoneResponse200Shape)},
	{FaultKooPhoneErrorWithoutMsg, specfacts.KooPhone, "Error bodies leave out error_msg.", reqs(specfacts.ReqKooPhoneErrorEnvelopeShape)},
	{FaultKooPhoneDuplicateJobPerEntry, specfacts.KooPhone, "A list naming the same instance twice is answered 200 with one job per mention.", reqs(specfacts.ReqKooPhoneDuplicateInstanceIDs)},
	{FaultKooPhoneRebackup500, specfacts.KooPhone, "Backing up an instance already released is answered with a 500.", reqs(specfacts.ReqKooPhoneReleasedInstanceRefused)},
	{FaultKooPhoneCharsetRefused, specfacts.KooPhone, "A body sent as application/json with a charset parameter is refused with 400 parameter-incorrect.", reqs(specfacts.ReqKooPhoneJSONCharsetAccepted)},
	{FaultKooPhoneTaskIDReused, specfacts.KooPhone, "Every 200 carries the task_id of the first backup the server answered.", reqs(specfacts.ReqKooPhoneTaskIDsDistinct)},
	{FaultKooPhoneGatewayBody403, specfacts.KooPhone, "A request without x-auth-token is answered with an API gateway's body under 403 instead of 401.", reqs(specfacts.ReqKooPhoneAuthTokenRequired)},
	{FaultKooPhoneEmptyRequestID500, specfacts.KooPhone, "A request whose x-request-id is present but empty is answered with a 500.", reqs(specfacts.ReqKooPhoneRequestIDRequired)},
	{FaultKooPhoneTwoFaultsAccepted, specfacts.KooPhone, "A request whose token names no tenant and which has no x-request-id is processed as the tenant's own.", reqs(specfacts.ReqKooPhoneSeveralFaultsRefused)},
	{FaultKooPhoneUndocumentedPermissions, specfacts.KooPhone, "Instance-permission refusals carry the next, undocumented code of the documented form instead of the permissions code.", reqs(specfacts.ReqKooPhoneErrorEnvelopeShape, specfacts.ReqKooPhoneInstancePermissions)},
	{FaultVBSGatewayBody403, specfacts.VBS, "A request without X-Auth-Token is answered with an API gateway's body under 403 instead of 401.", reqs(specfacts.ReqVBSAuthTokenRequired)},

	{FaultVBSAuthNotEnforced, specfacts.VBS, "A missing or unknown X-Auth-Token is treated as the project's own token.", reqs(specfacts.ReqVBSAuthTokenRequired, specfacts.ReqVBSInvalidToken)},
	{FaultVBSProjectMismatchIgnored, specfacts.VBS, "A token of another project is accepted for the project in the path.", reqs(specfacts.ReqVBSProjectMismatch)},
	{FaultVBSUnknownVolumeSucceeds, specfacts.VBS, "A volume that does not exist is reported in success_resources.", reqs(specfacts.ReqVBSUnknownVolumeFails)},
	{FaultVBSResourceDropped, specfacts.VBS, "The last requested resource appears in neither list.", reqs(specfacts.ReqVBSEachResourceOnce)},
	{FaultVBSResourceInBothLists, specfacts.VBS, "The first associated resource is also listed in fail_resources.", reqs(specfacts.ReqVBSEachResourceOnce)},
	{FaultVBSUnknownPolicy200, specfacts.VBS, "An unknown backup policy is answered 200 with the volumes associated to it.", reqs(specfacts.ReqVBSUnknownPolicy)},
	{FaultVBSErrorEnvelopeFlat, specfacts.VBS, "Error bodies are {\"code\",\"message\"} without the \"error\" wrapper.", reqs(specfacts.ReqVBSErrorEnvelopeShape)},
	{FaultVBSWrongContentType, specfacts.VBS, "Every VBS response is labelled text/plain although its body is JSON.", reqs(specfacts.ReqVBSResponse200Shape)},
	{FaultVBSHang, specfacts.VBS, "A valid association request is never answered (until the client gives up).", reqs(specfacts.ReqVBSAssociateOperation)},
	{FaultVBSMissingPolicyID500, specfacts.VBS, "A body without backup_policy_id is answered with a 500.", reqs(specfacts.ReqVBSBackupPolicyIDRequired)},
	{FaultVBSMissingResources500, specfacts.VBS, "A body without resources is answered with a 500.", reqs(specfacts.ReqVBSResourcesRequired)},
	{FaultVBSMissingResourceField500, specfacts.VBS, "A resource without resource_id or resource_type is answered with a 500.", reqs(specfacts.ReqVBSResourceFieldsRequired)},
	{FaultVBSWrongType500, specfacts.VBS, "A body member of the wrong JSON type is answered with a 500.", reqs(specfacts.ReqVBSFieldTypes)},
	{FaultVBSUnsupportedTypeAssociated, specfacts.VBS, "A resource of an undocumented resource_type is reported in success_resources.", reqs(specfacts.ReqVBSResourceTypeEnum)},
	{FaultVBSEmptyResources500, specfacts.VBS, "An empty resources list is answered with a 500.", reqs(specfacts.ReqVBSEmptyResources)},
	{FaultVBSInternalError400, specfacts.VBS, "An internal failure is answered 400 instead of 500.", reqs(specfacts.ReqVBSInternalError)},
	{FaultVBSFreeVolumeFailedBesideUnknown, specfacts.VBS, "When a request also names an unknown volume, its free volumes are reported failed and not associated.", reqs(specfacts.ReqVBSPartialFailure)},
	{FaultVBSResourceTypeChanged, specfacts.VBS, "success_resources report the resource_type upper-cased, not as requested.", reqs(specfacts.ReqVBSResourceTypeEcho)},
	{FaultVBSReassociate500, specfacts.VBS, "Associating a volume already bound to the policy is answered with a 500.", reqs(specfacts.ReqVBSReassociate)},
	{FaultVBSDuplicateResources500, specfacts.VBS, "A list naming the same volume twice is answered with a 500.", reqs(specfacts.ReqVBSDuplicateResources)},
	{FaultVBSMalformedJSON500, specfacts.VBS, "A body that is not a JSON object is answered with a 500.", reqs(specfacts.ReqVBSMalformedJSON)},
	{FaultVBSContentType500, specfacts.VBS, "A body whose Content-Type is not JSON is answered with a 500.", reqs(specfacts.ReqVBSContentType)},
	{FaultVBSOversizedDropped, specfacts.VBS, "A body over the size limit gets the connection dropped instead of an answer.", reqs(specfacts.ReqVBSOversizedBody)},
	{FaultVBSUnknownField500, specfacts.VBS, "A body with an unknown member is answered with a 500.", reqs(specfacts.ReqVBSUnknownFields)},
	{FaultVBSUnknownPolicy422, specfacts.VBS, "An unknown backup policy is answered 422, a status the page does not document.", reqs(specfacts.ReqVBSUnknownPolicy, specfacts.ReqVBSDocumentedStatus)},
	{FaultVBSErrorCodeEmpty, specfacts.VBS, "Error envelopes carry an empty code.", reqs(specfacts.ReqVBSErrorEnvelopeShape)},
	{FaultVBSFailItemWithoutCode, specfacts.VBS, "fail_resources entries carry an empty code and message.", reqs(specfacts.ReqVBSResponse200Shape)},
	{FaultVBSInvalidToken403, specfacts.VBS, "A token that is not valid is answered 403 instead of 401.", reqs(specfacts.ReqVBSInvalidToken)},
	{FaultVBSDuplicateReportedPerEntry, specfacts.VBS, "A volume named twice is associated and reported once per entry (success, then failed as already associated).", reqs(specfacts.ReqVBSDuplicateResources)},
	{FaultVBSEmptyListNull, specfacts.VBS, "An empty success_resources or fail_resources of a 200 is written as null.", reqs(specfacts.ReqVBSResponse200Shape)},
	{FaultVBSEmptyListOmitted, specfacts.VBS, "An empty success_resources or fail_resources of a 200 is left out.", reqs(specfacts.ReqVBSResponse200Shape)},
	{FaultVBSAssociatedWithoutAZ, specfacts.VBS, "Associated volumes are reported without availability_zone and os_vol_host_attr.", reqs(specfacts.ReqVBSResponse200Shape)},
	{FaultVBSErrorWithoutMessage, specfacts.VBS, "Error envelopes carry a code but no message.", reqs(specfacts.ReqVBSErrorEnvelopeShape)},
	{FaultVBSGetAnswered200, specfacts.VBS, "A GET on the operation's path is answered 200 with empty lists.", reqs(specfacts.ReqVBSMethodNotAllowed)},
	{FaultVBSJSONCharsetRefused, specfacts.VBS, "A JSON body sent as application/json;charset=UTF-8 is refused with 400.", reqs(specfacts.ReqVBSJSONCharset)},
	{FaultVBSEmptyPolicyIDSucceeds, specfacts.VBS, "An empty backup_policy_id is read as the project's policy and the volumes are associated.", reqs(specfacts.ReqVBSEmptyIDs)},
	{FaultVBSEmptyResourceIDAssociated, specfacts.VBS, "A resource with an empty resource_id is reported in success_resources.", reqs(specfacts.ReqVBSEmptyIDs)},
	{FaultVBSEmptyProjectIDServed, specfacts.VBS, "An empty project_id path segment is served as the token's project.", reqs(specfacts.ReqVBSEmptyIDs)},
	{FaultVBSTwoFaults200, specfacts.VBS, "A request without X-Auth-Token whose body lacks resources is answered 200.", reqs(specfacts.ReqVBSFaultPrecedence)},
	{FaultVBSNotAcceptable500, specfacts.VBS, "A request whose Accept admits no JSON is answered with a 500.", reqs(specfacts.ReqVBSNotAcceptable)},
}

// Faults returns the fault catalog sorted by name.
func Faults() []Fault {
	out := make([]Fault, len(faultCatalog))
	copy(out, faultCatalog)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LookupFault finds a fault of the catalog by name.
func LookupFault(name string) (Fault, bool) {
	for _, f := range faultCatalog {
		if f.Name == name {
			return f, true
		}
	}
	return Fault{}, false
}

// UnknownFaultError names a fault that is not in the catalog.
type UnknownFaultError struct{ Name string }

func (e *UnknownFaultError) Error() string {
	names := make([]string, 0, len(faultCatalog))
	for _, f := range Faults() {
		names = append(names, f.Name)
	}
	return fmt.Sprintf("unknown fault %q; known faults: %s", e.Name, strings.Join(names, ", "))
}

// CheckFault returns an *UnknownFaultError when name is not in the catalog, so that a
// command line can refuse a misspelt --fault before building the mock.
func CheckFault(name string) error {
	if _, ok := LookupFault(name); !ok {
		return &UnknownFaultError{Name: name}
	}
	return nil
}
