package mock

import (
	"fmt"
	"sort"
	"strings"
)

// Fault is a planted deviation from the contract: a way the mock can be made to misbehave
// so that mutation testing can prove the suites notice. Requirements names the catalog
// entries (specs/requirements.yaml) a suite must fail when the fault is on.
type Fault struct {
	Name         string
	API          string // "koophone" or "vbs"
	Description  string
	Requirements []string
}

// Fault names. Adding a fault is one constant, one catalog entry and one `m.on(name)` hook
// in the handler where the deviation happens.
const (
	FaultKooPhoneAccepts101IDs            = "koophone-accepts-101-ids"
	FaultKooPhoneIDLength33Accepted       = "koophone-id-length-33-accepted"
	FaultKooPhoneUnknownTenantCode1000    = "koophone-unknown-tenant-code-1000"
	FaultKooPhoneForeignInstanceAccepted  = "koophone-foreign-instance-accepted"
	FaultKooPhoneJobForUnrequested        = "koophone-job-for-unrequested-instance"
	FaultKooPhoneDuplicateJobIDs          = "koophone-duplicate-job-ids"
	FaultKooPhone500OnMalformedJSON       = "koophone-500-on-malformed-json"
	FaultKooPhoneMissingRequestIDAccepted = "koophone-missing-request-id-accepted"
	FaultKooPhoneErrorStatus500           = "koophone-error-status-500"
	FaultKooPhoneRebackupAccepted         = "koophone-rebackup-accepted"
	FaultKooPhoneRejectedRequestReleases  = "koophone-rejected-request-releases"

	FaultVBSAuthNotEnforced        = "vbs-auth-not-enforced"
	FaultVBSProjectMismatchIgnored = "vbs-project-mismatch-ignored"
	FaultVBSUnknownVolumeSucceeds  = "vbs-unknown-volume-succeeds"
	FaultVBSResourceDropped        = "vbs-resource-dropped"
	FaultVBSResourceInBothLists    = "vbs-resource-in-both-lists"
	FaultVBSUnknownPolicy200       = "vbs-unknown-policy-200"
	FaultVBSErrorEnvelopeFlat      = "vbs-error-envelope-flat"
	FaultVBSWrongContentType       = "vbs-wrong-content-type"
	FaultVBSHang                   = "vbs-hang"
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

	{FaultVBSAuthNotEnforced, "vbs", "A missing or unknown X-Auth-Token is treated as the project's own token.", []string{"vbs-auth-token-required", "vbs-invalid-token"}},
	{FaultVBSProjectMismatchIgnored, "vbs", "A token of another project is accepted for the project in the path.", []string{"vbs-project-mismatch"}},
	{FaultVBSUnknownVolumeSucceeds, "vbs", "A volume that does not exist is reported in success_resources.", []string{"vbs-unknown-volume-fails"}},
	{FaultVBSResourceDropped, "vbs", "The last requested resource appears in neither list.", []string{"vbs-each-resource-once"}},
	{FaultVBSResourceInBothLists, "vbs", "The first associated resource is also listed in fail_resources.", []string{"vbs-each-resource-once"}},
	{FaultVBSUnknownPolicy200, "vbs", "An unknown backup policy is answered 200 with the volumes associated to it.", []string{"vbs-unknown-policy"}},
	{FaultVBSErrorEnvelopeFlat, "vbs", "Error bodies are {\"code\",\"message\"} without the \"error\" wrapper.", []string{"vbs-error-envelope-shape"}},
	{FaultVBSWrongContentType, "vbs", "Every VBS response is labelled text/plain although its body is JSON.", []string{"vbs-response-200-shape"}},
	{FaultVBSHang, "vbs", "A valid association request is never answered (until the client gives up).", []string{"vbs-associate-operation"}},
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

// on reports whether a planted fault is switched on; it is the hook every deviation sits
// behind.
func (m *Mock) on(fault string) bool { return m.faults[fault] }
