package mock

// Reading ids of the ambiguity register (specs/ambiguities.yaml), keyed by entry id. The
// handlers branch on these ids, never on a mode flag, so that the table below is the one
// place that says which reading each variant of the mock takes.
const (
	ambKooPhoneExampleShape   = "koophone-example-request-shape"
	ambKooPhoneCodeCase       = "koophone-error-code-case"
	ambKooPhoneMinItems       = "koophone-instance-ids-min-items"
	ambKooPhoneResponseFields = "koophone-response-fields-optional"
	ambKooPhoneMissingToken   = "koophone-missing-token-code"
	ambKooPhoneUnknownInst    = "koophone-unknown-instance-code"
	ambKooPhoneEmptyID        = "koophone-instance-id-empty-string"
	ambKooPhoneLengthUnit     = "koophone-id-length-unit"
	ambKooPhoneDuplicates     = "koophone-duplicate-instance-ids"
	ambKooPhoneRebackup       = "koophone-rebackup-code"
	ambKooPhoneErrorStatus    = "koophone-error-status"
	ambKooPhoneUnknownFields  = "koophone-unknown-fields"
	ambKooPhoneContentType    = "koophone-content-type"
	ambKooPhoneOversized      = "koophone-oversized-body-status"

	ambVBSAuthHeader        = "vbs-auth-header"
	ambVBSStatusMapping     = "vbs-status-mapping"
	ambVBSUnknownPolicy     = "vbs-unknown-policy-reporting"
	ambVBSUnknownVolume     = "vbs-unknown-volume-reporting"
	ambVBSUnsupportedType   = "vbs-unsupported-resource-type"
	ambVBSEmptyResources    = "vbs-empty-resources"
	ambVBSDuplicates        = "vbs-duplicate-resources"
	ambVBSReassociate       = "vbs-reassociate"
	ambVBSListsOptional     = "vbs-response-lists-optional"
	ambVBSItemFields        = "vbs-response-item-fields-optional"
	ambVBSErrorCodeFormat   = "vbs-error-code-format"
	ambVBSErrorBodyUnder200 = "vbs-error-body-under-200"
	ambVBSUnknownFields     = "vbs-unknown-fields"
	ambVBSContentType       = "vbs-content-type"
	ambVBSOversized         = "vbs-oversized-body-status"
)

// ReadingChoice is what one variant of the mock does about one register entry.
type ReadingChoice struct {
	// Strict is the register's strict reading, which the default mock takes.
	Strict string
	// Lenient is the reading WithLenient takes: another legitimate reading wherever the
	// register lists more than one, so the suites' default profile is exercised on a
	// conformant implementation that is not the strict one.
	Lenient string
}

// Readings is the reading table of the mock, keyed by register entry id. A test checks it
// against specs/ambiguities.yaml: every entry present, Strict equal to the register's strict
// reading, Lenient a listed reading that differs from Strict whenever the entry has more
// than one.
var Readings = map[string]ReadingChoice{
	ambKooPhoneExampleShape:   {Strict: "table-authoritative", Lenient: "example-as-alias"},
	ambKooPhoneCodeCase:       {Strict: "upper-case", Lenient: "mixed-case"},
	ambKooPhoneMinItems:       {Strict: "reject-empty", Lenient: "accept-empty"},
	ambKooPhoneResponseFields: {Strict: "all-present", Lenient: "status-only"},
	ambKooPhoneMissingToken:   {Strict: "parameter-incorrect", Lenient: "tenant-does-not-exist"},
	ambKooPhoneUnknownInst:    {Strict: "permissions", Lenient: "parameter-incorrect"},
	ambKooPhoneEmptyID:        {Strict: "parameter-incorrect", Lenient: "permissions"},
	ambKooPhoneLengthUnit:     {Strict: "characters", Lenient: "bytes"},
	ambKooPhoneDuplicates:     {Strict: "reject", Lenient: "deduplicate"},
	ambKooPhoneRebackup:       {Strict: "parameter-incorrect", Lenient: "permissions"},
	ambKooPhoneErrorStatus:    {Strict: "by-meaning", Lenient: "by-meaning"},
	ambKooPhoneUnknownFields:  {Strict: "ignore", Lenient: "reject"},
	ambKooPhoneContentType:    {Strict: "reject", Lenient: "sniff"},
	ambKooPhoneOversized:      {Strict: "documented-400", Lenient: "transport-413"},

	ambVBSAuthHeader:        {Strict: "x-auth-token", Lenient: "x-auth-token"},
	ambVBSStatusMapping:     {Strict: "preferred", Lenient: "not-found-project"},
	ambVBSUnknownPolicy:     {Strict: "request-error", Lenient: "all-failed"},
	ambVBSUnknownVolume:     {Strict: "per-resource", Lenient: "request-error"},
	ambVBSUnsupportedType:   {Strict: "per-resource", Lenient: "request-error"},
	ambVBSEmptyResources:    {Strict: "reject", Lenient: "accept"},
	ambVBSDuplicates:        {Strict: "reject", Lenient: "deduplicate"},
	ambVBSReassociate:       {Strict: "per-resource-failure", Lenient: "idempotent"},
	ambVBSListsOptional:     {Strict: "both-present", Lenient: "omit-empty"},
	ambVBSItemFields:        {Strict: "all-present", Lenient: "id-only"},
	ambVBSErrorCodeFormat:   {Strict: "any-non-empty", Lenient: "any-non-empty"},
	ambVBSErrorBodyUnder200: {Strict: "error-status", Lenient: "error-status"},
	ambVBSUnknownFields:     {Strict: "ignore", Lenient: "reject"},
	ambVBSContentType:       {Strict: "reject", Lenient: "sniff"},
	ambVBSOversized:         {Strict: "documented-400", Lenient: "transport-413"},
}

// takes reports whether this mock takes the given reading of a register entry. An entry
// missing from the table is a programming error caught by the readings test, so it reads
// as "not this reading" rather than panicking on a client's request.
func (m *Mock) takes(entry, reading string) bool {
	c, ok := Readings[entry]
	if !ok {
		return false
	}
	if m.lenient {
		return c.Lenient == reading
	}
	return c.Strict == reading
}
