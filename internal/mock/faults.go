package mock

import (
	"fmt"
	"github.com/koobackup/conformance/internal/specfacts"
	"sort"
	"strings"
)

// Fault is a planted deviation from the contract: a way the mock can be made to misbehave
// so that mutation testing can prove the suites notice. Requirements names the catalog
// entries (specs/requirements.yaml) a suite must fail when the fault is on. A planted fault
// lives outside the reference handlers (plant.go, plants_koophone.go, plants_vbs.go), so
// that it applies on top of any combination of readings.
type Fault struct {
	Name         string
	API          string // "koophone" or "vbs"
	Description  string
	Requirements []string
}

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
)

var faultCatalog = []Fault{
	{FaultKooPhoneAccepts101IDs, "koophone", "instance_ids of one item over the maximum is accepted.", []string{string(specfacts.ReqKooPhoneInstanceIDsMaxItems)}},
	{FaultKooPhoneIDLength33Accepted, "koophone", "An instance id one character over the maximum length passes the length check.", []string{string(specfacts.ReqKooPhoneInstanceIDMaxLength)}},
	{FaultKooPhoneUnknownTenantCode1000, "koophone", "A token naming no tenant is answered with the parameter-incorrect code instead of the tenant-not-found one.", []string{string(specfacts.ReqKooPhoneUnknownTenant)}},
	{FaultKooPhoneForeignInstanceAccepted, "koophone", "Another tenant's instances are backed up instead of refused with 1001.", []string{string(specfacts.ReqKooPhoneInstancePermissions)}},
	{FaultKooPhoneJobForUnrequested, "koophone", "A 200 carries an extra job for an instance the request did not name.", []string{string(specfacts.ReqKooPhoneCmdJobsCoverRequest)}},
	{FaultKooPhoneDuplicateJobIDs, "koophone", "Every job of a 200 carries the same job_id.", []string{string(specfacts.ReqKooPhoneJobIDsDistinct)}},
	{FaultKooPhone500OnMalformedJSON, "koophone", "A malformed JSON body is answered 500 with the internal-error code instead of 400 parameter-incorrect.", []string{string(specfacts.ReqKooPhoneMalformedJSON), string(specfacts.ReqKooPhoneClientErrorsAre400)}},
	{FaultKooPhoneMissingRequestIDAccepted, "koophone", "A request without x-request-id is processed.", []string{string(specfacts.ReqKooPhoneRequestIDRequired)}},
	{FaultKooPhoneErrorStatus500, "koophone", "Every request error (0000, 1000, 1001) is sent with status 500.", []string{string(specfacts.ReqKooPhoneClientErrorsAre400)}},
	{FaultKooPhoneRebackupAccepted, "koophone", "An instance already backed up and released is backed up again with 200.", []string{string(specfacts.ReqKooPhoneReleasedInstanceRefused)}},
	{FaultKooPhoneRejectedRequestReleases, "koophone", "A request refused for a foreign or unknown instance still releases the caller's own instances in it.", []string{string(specfacts.ReqKooPhoneRejectedRequestChangesNothing)}},
	{FaultKooPhoneEmptyTaskID, "koophone", "A 200 carries an empty task_id.", []string{string(specfacts.ReqKooPhoneResponse200Shape), string(specfacts.ReqKooPhoneJobIDsDistinct)}},
	{FaultKooPhoneCmdJobsNull, "koophone", "A 200 carries cmd_jobs: null instead of the array of jobs.", []string{string(specfacts.ReqKooPhoneResponse200Shape), string(specfacts.ReqKooPhoneCmdJobsCoverRequest)}},
	{FaultKooPhoneSuccessCarriesErrorCode, "koophone", "A 200 carries the parameter-incorrect error_code instead of \"0\".", []string{string(specfacts.ReqKooPhoneResponse200Shape)}},
	{FaultKooPhoneErrorCodeWithoutPrefix, "koophone", "Error codes are sent as the bare number (\"1000\") without the prefix.", []string{string(specfacts.ReqKooPhoneErrorEnvelopeShape)}},
	{FaultKooPhoneWrongContentType, "koophone", "Every KooPhone response is labelled text/plain although its body is JSON.", []string{string(specfacts.ReqKooPhoneDocumentedStatus)}},
	{FaultKooPhoneSuccessStatus201, "koophone", "A successful backup is answered 201, a status the page does not document.", []string{string(specfacts.ReqKooPhoneDocumentedStatus), string(specfacts.ReqKooPhoneBackupOperation)}},
	{FaultKooPhoneMissingInstanceIDs500, "koophone", "A body without instance_ids is answered with a 500 instead of 400 1000.", []string{string(specfacts.ReqKooPhoneInstanceIDsRequired)}},
	{FaultKooPhoneStringInstanceIDsAccepted, "koophone", "An instance_ids given as a single string is read as a one-element list.", []string{string(specfacts.ReqKooPhoneInstanceIDsType)}},
	{FaultKooPhoneEmptyList500, "koophone", "An empty instance_ids list is answered with a 500.", []string{string(specfacts.ReqKooPhoneInstanceIDsMinItems)}},
	{FaultKooPhoneMissingTokenAccepted, "koophone", "A request without x-auth-token is processed as the tenant's own.", []string{string(specfacts.ReqKooPhoneAuthTokenRequired)}},
	{FaultKooPhoneInternalErrorCode1000, "koophone", "An internal failure is answered 500 with the parameter-incorrect code instead of internal-error.", []string{string(specfacts.ReqKooPhoneInternalError)}},
	{FaultKooPhoneDuplicateIDs500, "koophone", "A list naming the same instance twice is answered with a 500.", []string{string(specfacts.ReqKooPhoneDuplicateInstanceIDs)}},
	{FaultKooPhoneContentType500, "koophone", "A body whose Content-Type is not JSON is answered with a 500.", []string{string(specfacts.ReqKooPhoneContentType)}},
	{FaultKooPhoneOversizedDropped, "koophone", "A body over the size limit gets the connection dropped instead of an answer.", []string{string(specfacts.ReqKooPhoneOversizedBody)}},
	{FaultKooPhoneUnknownField500, "koophone", "A body with an unknown member is answered with a 500.", []string{string(specfacts.ReqKooPhoneUnknownFields)}},
	{FaultKooPhoneHang, "koophone", "A valid backup request is never answered (until the client gives up).", []string{string(specfacts.ReqKooPhoneBackupOperation)}},
	{FaultKooPhoneJobDropped, "koophone", "The last job of a 200 is left out, so one requested instance has no job.", []string{string(specfacts.ReqKooPhoneCmdJobsCoverRequest)}},

	{FaultVBSAuthNotEnforced, "vbs", "A missing or unknown X-Auth-Token is treated as the project's own token.", []string{string(specfacts.ReqVBSAuthTokenRequired), string(specfacts.ReqVBSInvalidToken)}},
	{FaultVBSProjectMismatchIgnored, "vbs", "A token of another project is accepted for the project in the path.", []string{string(specfacts.ReqVBSProjectMismatch)}},
	{FaultVBSUnknownVolumeSucceeds, "vbs", "A volume that does not exist is reported in success_resources.", []string{string(specfacts.ReqVBSUnknownVolumeFails)}},
	{FaultVBSResourceDropped, "vbs", "The last requested resource appears in neither list.", []string{string(specfacts.ReqVBSEachResourceOnce)}},
	{FaultVBSResourceInBothLists, "vbs", "The first associated resource is also listed in fail_resources.", []string{string(specfacts.ReqVBSEachResourceOnce)}},
	{FaultVBSUnknownPolicy200, "vbs", "An unknown backup policy is answered 200 with the volumes associated to it.", []string{string(specfacts.ReqVBSUnknownPolicy)}},
	{FaultVBSErrorEnvelopeFlat, "vbs", "Error bodies are {\"code\",\"message\"} without the \"error\" wrapper.", []string{string(specfacts.ReqVBSErrorEnvelopeShape)}},
	{FaultVBSWrongContentType, "vbs", "Every VBS response is labelled text/plain although its body is JSON.", []string{string(specfacts.ReqVBSResponse200Shape)}},
	{FaultVBSHang, "vbs", "A valid association request is never answered (until the client gives up).", []string{string(specfacts.ReqVBSAssociateOperation)}},
	{FaultVBSMissingPolicyID500, "vbs", "A body without backup_policy_id is answered with a 500.", []string{string(specfacts.ReqVBSBackupPolicyIDRequired)}},
	{FaultVBSMissingResources500, "vbs", "A body without resources is answered with a 500.", []string{string(specfacts.ReqVBSResourcesRequired)}},
	{FaultVBSMissingResourceField500, "vbs", "A resource without resource_id or resource_type is answered with a 500.", []string{string(specfacts.ReqVBSResourceFieldsRequired)}},
	{FaultVBSWrongType500, "vbs", "A body member of the wrong JSON type is answered with a 500.", []string{string(specfacts.ReqVBSFieldTypes)}},
	{FaultVBSUnsupportedTypeAssociated, "vbs", "A resource of an undocumented resource_type is reported in success_resources.", []string{string(specfacts.ReqVBSResourceTypeEnum)}},
	{FaultVBSEmptyResources500, "vbs", "An empty resources list is answered with a 500.", []string{string(specfacts.ReqVBSEmptyResources)}},
	{FaultVBSInternalError400, "vbs", "An internal failure is answered 400 instead of 500.", []string{string(specfacts.ReqVBSInternalError)}},
	{FaultVBSFreeVolumeFailedBesideUnknown, "vbs", "When a request also names an unknown volume, its free volumes are reported failed and not associated.", []string{string(specfacts.ReqVBSPartialFailure)}},
	{FaultVBSResourceTypeChanged, "vbs", "success_resources report the resource_type upper-cased, not as requested.", []string{string(specfacts.ReqVBSResourceTypeEcho)}},
	{FaultVBSReassociate500, "vbs", "Associating a volume already bound to the policy is answered with a 500.", []string{string(specfacts.ReqVBSReassociate)}},
	{FaultVBSDuplicateResources500, "vbs", "A list naming the same volume twice is answered with a 500.", []string{string(specfacts.ReqVBSDuplicateResources)}},
	{FaultVBSMalformedJSON500, "vbs", "A body that is not a JSON object is answered with a 500.", []string{string(specfacts.ReqVBSMalformedJSON)}},
	{FaultVBSContentType500, "vbs", "A body whose Content-Type is not JSON is answered with a 500.", []string{string(specfacts.ReqVBSContentType)}},
	{FaultVBSOversizedDropped, "vbs", "A body over the size limit gets the connection dropped instead of an answer.", []string{string(specfacts.ReqVBSOversizedBody)}},
	{FaultVBSUnknownField500, "vbs", "A body with an unknown member is answered with a 500.", []string{string(specfacts.ReqVBSUnknownFields)}},
	{FaultVBSUnknownPolicy422, "vbs", "An unknown backup policy is answered 422, a status the page does not document.", []string{string(specfacts.ReqVBSUnknownPolicy), string(specfacts.ReqVBSDocumentedStatus)}},
	{FaultVBSErrorCodeEmpty, "vbs", "Error envelopes carry an empty code.", []string{string(specfacts.ReqVBSErrorEnvelopeShape)}},
	{FaultVBSFailItemWithoutCode, "vbs", "fail_resources entries carry an empty code and message.", []string{string(specfacts.ReqVBSResponse200Shape)}},
	{FaultVBSInvalidToken403, "vbs", "A token that is not valid is answered 403 instead of 401.", []string{string(specfacts.ReqVBSInvalidToken)}},
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
