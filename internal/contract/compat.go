package contract

import "github.com/koobackup/conformance/internal/specfacts"

// Transitional names. The API type and the rule ids live in package specfacts, generated
// from specs/; these aliases keep code that has not been swept yet compiling: internal/bench
// (contract.API, contract.KooPhone, contract.VBS), internal/proxy (contract.API, contract.KooPhone,
// contract.VBS) and internal/mock (the two rules). The lead removes each alias once nothing
// refers to it; new code uses the specfacts names.

// API is specfacts.API.
type API = specfacts.API

// The two APIs.
const (
	KooPhone = specfacts.KooPhone
	VBS      = specfacts.VBS
)

// Rule ids internal/mock still names here.
const (
	RuleRequestContentType         = specfacts.RuleRequestContentType
	RuleResponseStatusUndocumented = specfacts.RuleResponseStatusUndocumented
)
