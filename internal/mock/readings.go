package mock

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/specfacts"
)

// Readings is the reading the mock takes for each register entry, keyed by entry id. An
// entry it does not name takes the register's strict reading.
type Readings map[string]string

// StrictReadings are the register's strict readings: the reference mock.
func StrictReadings() Readings {
	out := Readings{}
	for _, a := range catalog.Default().Ambiguities {
		out[a.ID] = a.Strict
	}
	return out
}

// LenientReadings take, for every entry with more than one legitimate reading, the first
// one the register lists after the strict one — a conformant implementation that is the
// strict one nowhere it need not be.
func LenientReadings() Readings { return nonStrictReadings(false) }

// LastLenientReadings take, for every entry with more than one legitimate reading, the last
// non-strict one the register lists: with LenientReadings they cover every reading of
// every entry that has at most three.
func LastLenientReadings() Readings { return nonStrictReadings(true) }

func nonStrictReadings(last bool) Readings {
	out := Readings{}
	for _, a := range catalog.Default().Ambiguities {
		out[a.ID] = a.Strict
		for _, r := range a.Default {
			if r != a.Strict {
				out[a.ID] = r
				if !last {
					break
				}
			}
		}
	}
	return out
}

// ReadingError says why ENTRY=READING cannot be taken.
type ReadingError struct {
	Entry, Reading string
	Reason         string
}

func (e *ReadingError) Error() string {
	return fmt.Sprintf("reading %s=%s: %s", e.Entry, e.Reading, e.Reason)
}

// CheckReading returns a *ReadingError unless reading is a legitimate reading (one the
// default profile accepts) of the register entry, so that a command line can refuse a
// misspelt --reading before building the mock.
func CheckReading(entry, reading string) error {
	cat := catalog.Default()
	a, ok := cat.Ambiguity(entry)
	if !ok {
		ids := make([]string, 0, len(cat.Ambiguities))
		for _, a := range cat.Ambiguities {
			ids = append(ids, a.ID)
		}
		sort.Strings(ids)
		return &ReadingError{Entry: entry, Reading: reading, Reason: "no such register entry; entries: " + strings.Join(ids, ", ")}
	}
	if !a.Tolerates(reading) {
		return &ReadingError{Entry: entry, Reading: reading, Reason: fmt.Sprintf("not a legitimate reading of the entry; readings: %s", strings.Join(a.Default, ", "))}
	}
	return nil
}

// ParseReading reads ENTRY=READING and checks it.
func ParseReading(s string) (entry, reading string, err error) {
	entry, reading, ok := strings.Cut(s, "=")
	if !ok || entry == "" || reading == "" {
		return "", "", &ReadingError{Entry: s, Reason: "want ENTRY=READING, e.g. koophone-unknown-instance-code=parameter-incorrect"}
	}
	return entry, reading, CheckReading(entry, reading)
}

// WithReadings makes the mock take these readings (on top of any chosen before). New panics
// on one CheckReading refuses: that is a programming error.
func WithReadings(rs Readings) Option {
	return func(m *Mock) {
		for entry, reading := range rs {
			if err := CheckReading(entry, reading); err != nil {
				panic(fmt.Sprintf("mock.WithReadings: %v", err))
			}
			m.readings[entry] = reading
		}
	}
}

// WithReading makes the mock take one reading of one register entry.
func WithReading(entry, reading string) Option { return WithReadings(Readings{entry: reading}) }

// WithEntryReadings makes the mock take each of the readings, named by the generated
// constants.
func WithEntryReadings(rs ...specfacts.EntryReading) Option {
	out := Readings{}
	for _, r := range rs {
		out[string(r.Entry())] = string(r.Reading())
	}
	return WithReadings(out)
}

// WithLenient makes the mock take LenientReadings.
func WithLenient() Option { return WithReadings(LenientReadings()) }

// Readings returns the reading the mock takes for every register entry.
func (m *Mock) Readings() Readings {
	out := StrictReadings()
	for e, r := range m.readings {
		out[e] = r
	}
	return out
}

// lenient reports whether the mock takes a non-strict reading anywhere (its target name
// says so).
func (m *Mock) lenient() bool {
	for e, r := range m.readings {
		if a, ok := catalog.Default().Ambiguity(e); ok && a.Strict != r {
			return true
		}
	}
	return false
}

// takes reports whether the mock takes the reading. The decisions below are the only
// callers: each entry's logic is in one function of this file. The generated constants name
// only readings the register has; CheckReading refused every other one before the mock was
// built.
func (m *Mock) takes(r specfacts.EntryReading) bool {
	entry, reading := string(r.Entry()), string(r.Reading())
	if taken, ok := m.readings[entry]; ok {
		return taken == reading
	}
	a, _ := catalog.Default().Ambiguity(entry)
	return a.Strict == reading
}

// ---------------------------------------------------------------- KooPhone decisions

// kooCodeSpelling spells a documented code (koophone-error-code-case): upper-case as in
// the error tables, or the prefix as the specification sentence writes it.
func (m *Mock) kooCodeSpelling(code string) string {
	if m.takes(specfacts.ReadingKooPhoneErrorCodeCaseMixedCase) {
		return mixedCaseCode(code)
	}
	return code
}

// kooExampleAlias (koophone-example-request-shape): whether instance_id (and the
// example's user_id) is understood as a one-element instance_ids.
func (m *Mock) kooExampleAlias() bool {
	return m.takes(specfacts.ReadingKooPhoneExampleRequestShapeExampleAsAlias)
}

// kooRejectsEmptyList (koophone-instance-ids-min-items).
func (m *Mock) kooRejectsEmptyList() bool {
	return m.takes(specfacts.ReadingKooPhoneInstanceIDsMinItemsRejectEmpty)
}

// koophone-response-fields-optional has one legitimate reading (all-present): every 200
// carries error_code "0" and error_msg, so the mock has nothing to decide.

// kooGatewayRefusesMissingToken (koophone-missing-token-code: api-gateway): whether an API
// gateway in front of the service answers a missing or empty token, before the service.
func (m *Mock) kooGatewayRefusesMissingToken() bool {
	return m.takes(specfacts.ReadingKooPhoneMissingTokenCodeAPIGateway)
}

// kooMissingTokenCode (koophone-missing-token-code): the code of a missing token.
func (m *Mock) kooMissingTokenCode() specfacts.ErrorCodeName {
	if m.takes(specfacts.ReadingKooPhoneMissingTokenCodeTenantDoesNotExist) {
		return kooTenantNotFound
	}
	return kooParameterIncorrect
}

// kooUnknownInstanceCode (koophone-unknown-instance-code).
func (m *Mock) kooUnknownInstanceCode() specfacts.ErrorCodeName {
	if m.takes(specfacts.ReadingKooPhoneUnknownInstanceCodeParameterIncorrect) {
		return kooParameterIncorrect
	}
	return kooInstancePermissions
}

// kooEmptyIDMalformed (koophone-instance-id-empty-string): whether "" is malformed (1000)
// rather than an instance the caller does not own (1001, the ownership check).
func (m *Mock) kooEmptyIDMalformed() bool {
	return m.takes(specfacts.ReadingKooPhoneInstanceIDEmptyStringParameterIncorrect)
}

// kooIDLength (koophone-id-length-unit): the length of an id in the unit the mock counts.
func (m *Mock) kooIDLength(id string) (n int, unit string) {
	if m.takes(specfacts.ReadingKooPhoneIDLengthUnitBytes) {
		return len(id), "bytes"
	}
	return len([]rune(id)), "characters"
}

// kooRejectsDuplicates (koophone-duplicate-instance-ids): reject, or keep one job per
// instance.
func (m *Mock) kooRejectsDuplicates() bool {
	return m.takes(specfacts.ReadingKooPhoneDuplicateInstanceIDsReject)
}

// kooRebackupIdempotent (koophone-rebackup-code: idempotent): whether a released instance
// is answered 200 again with the job that released it.
func (m *Mock) kooRebackupIdempotent() bool {
	return m.takes(specfacts.ReadingKooPhoneRebackupCodeIdempotent)
}

// kooRebackupCode (koophone-rebackup-code): the code that refuses a released instance.
func (m *Mock) kooRebackupCode() specfacts.ErrorCodeName {
	if m.takes(specfacts.ReadingKooPhoneRebackupCodePermissions) {
		return kooInstancePermissions
	}
	return kooParameterIncorrect
}

// kooValidationFirst (koophone-fault-precedence): whether the request's parameters
// (x-request-id) are checked before the token, rather than after.
func (m *Mock) kooValidationFirst() bool {
	return m.takes(specfacts.ReadingKooPhoneFaultPrecedenceValidationFirst)
}

// kooAcceptsEmptyRequestID (koophone-empty-request-id): whether an x-request-id that is
// present with an empty value counts as present.
func (m *Mock) kooAcceptsEmptyRequestID() bool {
	return m.takes(specfacts.ReadingKooPhoneEmptyRequestIDAccepted)
}

// kooRejectsUnknownMembers (koophone-unknown-fields).
func (m *Mock) kooRejectsUnknownMembers() bool {
	return m.takes(specfacts.ReadingKooPhoneUnknownFieldsReject)
}

// kooChecksMediaType (koophone-content-type): reject a body not sent as JSON, or sniff it.
func (m *Mock) kooChecksMediaType() bool { return !m.takes(specfacts.ReadingKooPhoneContentTypeSniff) }

// kooBodyLimit and kooOversizedStatus (koophone-oversized-body-status): the size limit
// (none below the suites' test body under parsed) and the status over it (0: the code's).
func (m *Mock) kooBodyLimit() int64 {
	return bodyLimit(m.takes(specfacts.ReadingKooPhoneOversizedBodyStatusParsed))
}

func (m *Mock) kooOversizedStatus() int {
	if m.takes(specfacts.ReadingKooPhoneOversizedBodyStatusTransport413) {
		return http.StatusRequestEntityTooLarge
	}
	return 0
}

// ---------------------------------------------------------------- VBS decisions

// vbsGatewayRefusesToken (vbs-auth-header: api-gateway): whether an API gateway in front of
// the service answers a missing or invalid token, before the service.
func (m *Mock) vbsGatewayRefusesToken() bool {
	return m.takes(specfacts.ReadingVBSAuthHeaderAPIGateway)
}

// vbsMismatchStatus (vbs-status-mapping): a valid token on a project it does not belong to.
func (m *Mock) vbsMismatchStatus() (status int, code string) {
	if m.takes(specfacts.ReadingVBSStatusMappingNotFoundProject) {
		return http.StatusNotFound, VBSCodeNotFound
	}
	return http.StatusForbidden, VBSCodeForbidden
}

// vbsUnknownPolicy (vbs-unknown-policy-reporting): the status of a request naming an
// unknown policy, 200 when every resource fails instead.
func (m *Mock) vbsUnknownPolicy() int {
	switch {
	case m.takes(specfacts.ReadingVBSUnknownPolicyReportingAllFailed):
		return http.StatusOK
	case m.takes(specfacts.ReadingVBSUnknownPolicyReportingBadRequest):
		return http.StatusBadRequest
	}
	return http.StatusNotFound
}

// vbsUnknownVolumeRefusesRequest (vbs-unknown-volume-reporting).
func (m *Mock) vbsUnknownVolumeRefusesRequest() bool {
	return m.takes(specfacts.ReadingVBSUnknownVolumeReportingRequestError)
}

// vbsUnsupportedTypeRefusesRequest (vbs-unsupported-resource-type).
func (m *Mock) vbsUnsupportedTypeRefusesRequest() bool {
	return m.takes(specfacts.ReadingVBSUnsupportedResourceTypeRequestError)
}

// vbsRejectsEmpty (vbs-empty-resources).
func (m *Mock) vbsRejectsEmpty() bool { return m.takes(specfacts.ReadingVBSEmptyResourcesReject) }

// vbsRejectsDuplicates (vbs-duplicate-resources): reject, or associate and report the
// volume once (per-entry reporting is a rejected reading).
func (m *Mock) vbsRejectsDuplicates() bool {
	return m.takes(specfacts.ReadingVBSDuplicateResourcesReject)
}

// vbsReassociate (vbs-reassociate): fail the volume, report it associated again, or refuse
// the request with 409.
func (m *Mock) vbsReassociate() (idempotent, conflict bool) {
	return m.takes(specfacts.ReadingVBSReassociateIdempotent), m.takes(specfacts.ReadingVBSReassociateConflict)
}

// vbsRejectsUnknownMembers (vbs-unknown-fields).
func (m *Mock) vbsRejectsUnknownMembers() bool {
	return m.takes(specfacts.ReadingVBSUnknownFieldsReject)
}

// vbsChecksMediaType (vbs-content-type).
func (m *Mock) vbsChecksMediaType() bool { return !m.takes(specfacts.ReadingVBSContentTypeSniff) }

// vbsBodyLimit and vbsOversizedStatus (vbs-oversized-body-status).
func (m *Mock) vbsBodyLimit() int64 {
	return bodyLimit(m.takes(specfacts.ReadingVBSOversizedBodyStatusParsed))
}

func (m *Mock) vbsOversizedStatus() int {
	if m.takes(specfacts.ReadingVBSOversizedBodyStatusTransport413) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// vbsOtherMethodStatus (vbs-method-not-allowed): 405 with the envelope, or 404 as a router
// that finds no route for the method would answer.
func (m *Mock) vbsOtherMethodStatus() (status int, code string) {
	if m.takes(specfacts.ReadingVBSMethodNotAllowedRouter) {
		return http.StatusNotFound, VBSCodeNotFound
	}
	return http.StatusMethodNotAllowed, VBSCodeMethodNotAllowed
}

// vbsHonoursAccept (vbs-not-acceptable): whether an Accept the mock cannot satisfy (no JSON)
// gets 406, rather than being disregarded; ownBody is a 406 a framework in front of the
// handler writes as plain text, without the envelope.
func (m *Mock) vbsHonoursAccept() (honours, ownBody bool) {
	ownBody = m.takes(specfacts.ReadingVBSNotAcceptableFramework)
	return ownBody || m.takes(specfacts.ReadingVBSNotAcceptableNotAcceptable), ownBody
}

// vbsEmptyPolicyMalformed (vbs-empty-policy-id): "" is a malformed id (400) rather than a
// policy that does not exist.
func (m *Mock) vbsEmptyPolicyMalformed() bool {
	return m.takes(specfacts.ReadingVBSEmptyPolicyIDBadRequest)
}

// vbsEmptyResourceMalformed (vbs-empty-resource-id): likewise for resource_id.
func (m *Mock) vbsEmptyResourceMalformed() bool {
	return m.takes(specfacts.ReadingVBSEmptyResourceIDBadRequest)
}

// vbsEmptyProjectStatus (vbs-empty-project-id): the status of an empty project_id segment.
func (m *Mock) vbsEmptyProjectStatus() (status int, code string) {
	switch {
	case m.takes(specfacts.ReadingVBSEmptyProjectIDRouter):
		return http.StatusBadRequest, VBSCodeBadRequest
	case m.takes(specfacts.ReadingVBSEmptyProjectIDForbidden):
		return http.StatusForbidden, VBSCodeForbidden
	}
	return http.StatusNotFound, VBSCodeNotFound
}

// vbsBodyFirst (vbs-fault-precedence): whether the body is validated before the token.
func (m *Mock) vbsBodyFirst() bool { return m.takes(specfacts.ReadingVBSFaultPrecedenceBodyFirst) }

// bodyLimit is MaxBodyBytes, or under the parsed reading a limit well above any body the
// suites send, so that the body is judged on its content.
func bodyLimit(parsed bool) int64 {
	if parsed {
		return parsedBodyLimit
	}
	return MaxBodyBytes
}

// parsedBodyLimit bounds what the mock reads under the parsed readings of the oversized
// entries: no limit at all would let one request exhaust memory.
const parsedBodyLimit = 8 << 20

// sortedKeysOf returns the keys of a string map in order, for stable messages.
func sortedKeysOf(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
