package mock

import (
	"fmt"
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
	{FaultKooPhoneAccepts101IDs, "koophone", "instance_ids of one item over the maximum is accepted.", []string{"koophone-instance-ids-max-items"}},
	{FaultKooPhoneIDLength33Accepted, "koophone", "An instance id one character over the maximum length passes the length check.", []string{"koophone-instance-id-max-length"}},
	{FaultKooPhoneUnknownTenantCode1000, "koophone", "A token naming no tenant is answered KOOPHONE.API.1000 instead of 0000.", []string{"koophone-unknown-tenant"}},
	{FaultKooPhoneForeignInstanceAccepted, "koophone", "Another tenant's instances are backed up instead of refused with 1001.", []string{"koophone-instance-permissions"}},
	{FaultKooPhoneJobForUnrequested, "koophone", "A 200 carries an extra job for an instance the request did not name.", []string{"koophone-cmd-jobs-cover-request"}},
	{FaultKooPhoneDuplicateJobIDs, "koophone", "Every job of a 200 carries the same job_id.", []string{"koophone-job-ids-distinct"}},
	{FaultKooPhone500OnMalformedJSON, "koophone", "A malformed JSON body is answered 500 KOOPHONE.API.9999 instead of 400 1000.", []string{"koophone-malformed-json", "koophone-client-errors-are-400"}},
	{FaultKooPhoneMissingRequestIDAccepted, "koophone", "A request without x-request-id is processed.", []string{"koophone-request-id-required"}},
	{FaultKooPhoneErrorStatus500, "koophone", "Every request error (0000, 1000, 1001) is sent with status 500.", []string{"koophone-client-errors-are-400"}},
	{FaultKooPhoneRebackupAccepted, "koophone", "An instance already backed up and released is backed up again with 200.", []string{"koophone-released-instance-refused"}},
	{FaultKooPhoneRejectedRequestReleases, "koophone", "A request refused for a foreign or unknown instance still releases the caller's own instances in it.", []string{"koophone-rejected-request-changes-nothing"}},
	{FaultKooPhoneEmptyTaskID, "koophone", "A 200 carries an empty task_id.", []string{"koophone-response-200-shape", "koophone-job-ids-distinct"}},
	{FaultKooPhoneCmdJobsNull, "koophone", "A 200 carries cmd_jobs: null instead of the array of jobs.", []string{"koophone-response-200-shape", "koophone-cmd-jobs-cover-request"}},
	{FaultKooPhoneSuccessCarriesErrorCode, "koophone", "A 200 carries error_code KOOPHONE.API.1000 instead of \"0\".", []string{"koophone-response-200-shape"}},
	{FaultKooPhoneErrorCodeWithoutPrefix, "koophone", "Error codes are sent as the bare number (\"1000\") without the KOOPHONE.API. prefix.", []string{"koophone-error-envelope-shape"}},
	{FaultKooPhoneWrongContentType, "koophone", "Every KooPhone response is labelled text/plain although its body is JSON.", []string{"koophone-documented-status"}},
	{FaultKooPhoneSuccessStatus201, "koophone", "A successful backup is answered 201, a status the page does not document.", []string{"koophone-documented-status", "koophone-backup-operation"}},
	{FaultKooPhoneMissingInstanceIDs500, "koophone", "A body without instance_ids is answered with a 500 instead of 400 1000.", []string{"koophone-instance-ids-required"}},
	{FaultKooPhoneStringInstanceIDsAccepted, "koophone", "An instance_ids given as a single string is read as a one-element list.", []string{"koophone-instance-ids-type"}},
	{FaultKooPhoneEmptyList500, "koophone", "An empty instance_ids list is answered with a 500.", []string{"koophone-instance-ids-min-items"}},
	{FaultKooPhoneMissingTokenAccepted, "koophone", "A request without x-auth-token is processed as the tenant's own.", []string{"koophone-auth-token-required"}},
	{FaultKooPhoneInternalErrorCode1000, "koophone", "An internal failure is answered 500 with KOOPHONE.API.1000 instead of 9999.", []string{"koophone-internal-error"}},
	{FaultKooPhoneDuplicateIDs500, "koophone", "A list naming the same instance twice is answered with a 500.", []string{"koophone-duplicate-instance-ids"}},
	{FaultKooPhoneContentType500, "koophone", "A body whose Content-Type is not JSON is answered with a 500.", []string{"koophone-content-type"}},
	{FaultKooPhoneOversizedDropped, "koophone", "A body over the size limit gets the connection dropped instead of an answer.", []string{"koophone-oversized-body"}},
	{FaultKooPhoneUnknownField500, "koophone", "A body with an unknown member is answered with a 500.", []string{"koophone-unknown-fields"}},
	{FaultKooPhoneHang, "koophone", "A valid backup request is never answered (until the client gives up).", []string{"koophone-backup-operation"}},
	{FaultKooPhoneJobDropped, "koophone", "The last job of a 200 is left out, so one requested instance has no job.", []string{"koophone-cmd-jobs-cover-request"}},

	{FaultVBSAuthNotEnforced, "vbs", "A missing or unknown X-Auth-Token is treated as the project's own token.", []string{"vbs-auth-token-required", "vbs-invalid-token"}},
	{FaultVBSProjectMismatchIgnored, "vbs", "A token of another project is accepted for the project in the path.", []string{"vbs-project-mismatch"}},
	{FaultVBSUnknownVolumeSucceeds, "vbs", "A volume that does not exist is reported in success_resources.", []string{"vbs-unknown-volume-fails"}},
	{FaultVBSResourceDropped, "vbs", "The last requested resource appears in neither list.", []string{"vbs-each-resource-once"}},
	{FaultVBSResourceInBothLists, "vbs", "The first associated resource is also listed in fail_resources.", []string{"vbs-each-resource-once"}},
	{FaultVBSUnknownPolicy200, "vbs", "An unknown backup policy is answered 200 with the volumes associated to it.", []string{"vbs-unknown-policy"}},
	{FaultVBSErrorEnvelopeFlat, "vbs", "Error bodies are {\"code\",\"message\"} without the \"error\" wrapper.", []string{"vbs-error-envelope-shape"}},
	{FaultVBSWrongContentType, "vbs", "Every VBS response is labelled text/plain although its body is JSON.", []string{"vbs-response-200-shape"}},
	{FaultVBSHang, "vbs", "A valid association request is never answered (until the client gives up).", []string{"vbs-associate-operation"}},
	{FaultVBSMissingPolicyID500, "vbs", "A body without backup_policy_id is answered with a 500.", []string{"vbs-backup-policy-id-required"}},
	{FaultVBSMissingResources500, "vbs", "A body without resources is answered with a 500.", []string{"vbs-resources-required"}},
	{FaultVBSMissingResourceField500, "vbs", "A resource without resource_id or resource_type is answered with a 500.", []string{"vbs-resource-fields-required"}},
	{FaultVBSWrongType500, "vbs", "A body member of the wrong JSON type is answered with a 500.", []string{"vbs-field-types"}},
	{FaultVBSUnsupportedTypeAssociated, "vbs", "A resource of an undocumented resource_type is reported in success_resources.", []string{"vbs-resource-type-enum"}},
	{FaultVBSEmptyResources500, "vbs", "An empty resources list is answered with a 500.", []string{"vbs-empty-resources"}},
	{FaultVBSInternalError400, "vbs", "An internal failure is answered 400 instead of 500.", []string{"vbs-internal-error"}},
	{FaultVBSFreeVolumeFailedBesideUnknown, "vbs", "When a request also names an unknown volume, its free volumes are reported failed and not associated.", []string{"vbs-partial-failure"}},
	{FaultVBSResourceTypeChanged, "vbs", "success_resources report the resource_type upper-cased, not as requested.", []string{"vbs-resource-type-echo"}},
	{FaultVBSReassociate500, "vbs", "Associating a volume already bound to the policy is answered with a 500.", []string{"vbs-reassociate"}},
	{FaultVBSDuplicateResources500, "vbs", "A list naming the same volume twice is answered with a 500.", []string{"vbs-duplicate-resources"}},
	{FaultVBSMalformedJSON500, "vbs", "A body that is not a JSON object is answered with a 500.", []string{"vbs-malformed-json"}},
	{FaultVBSContentType500, "vbs", "A body whose Content-Type is not JSON is answered with a 500.", []string{"vbs-content-type"}},
	{FaultVBSOversizedDropped, "vbs", "A body over the size limit gets the connection dropped instead of an answer.", []string{"vbs-oversized-body"}},
	{FaultVBSUnknownField500, "vbs", "A body with an unknown member is answered with a 500.", []string{"vbs-unknown-fields"}},
	{FaultVBSUnknownPolicy422, "vbs", "An unknown backup policy is answered 422, a status the page does not document.", []string{"vbs-unknown-policy", "vbs-documented-status"}},
	{FaultVBSErrorCodeEmpty, "vbs", "Error envelopes carry an empty code.", []string{"vbs-error-envelope-shape"}},
	{FaultVBSFailItemWithoutCode, "vbs", "fail_resources entries carry an empty code and message.", []string{"vbs-response-200-shape"}},
	{FaultVBSInvalidToken403, "vbs", "A token that is not valid is answered 403 instead of 401.", []string{"vbs-invalid-token"}},
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
