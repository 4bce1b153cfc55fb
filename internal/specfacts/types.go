package specfacts

import "strings"

// API names one of the two contracts, as requirement `api:` fields, `api:` labels and
// reports spell it. It is the one API type of the module.
type API string

// RequirementID is the stable id of one requirement of specs/requirements.yaml. Reports,
// waivers and diffs key on it.
type RequirementID string

// AmbiguityID is the stable id of one entry of the ambiguity register,
// specs/ambiguities.yaml. Several equal a requirement id; the types keep them apart.
type AmbiguityID string

// ReadingID is the id of one reading of a register entry, unique within its entry only.
type ReadingID string

// EntryReading names one reading of one register entry, spelt ENTRY=READING (the mock's
// --reading syntax). The generated constants are the only values code needs.
type EntryReading string

// Entry is the register entry the reading belongs to.
func (r EntryReading) Entry() AmbiguityID {
	e, _, _ := strings.Cut(string(r), "=")
	return AmbiguityID(e)
}

// Reading is the reading's id within its entry.
func (r EntryReading) Reading() ReadingID {
	_, id, _ := strings.Cut(string(r), "=")
	return ReadingID(id)
}

// RuleID is the stable kebab-case id of one violation rule of specs/rules.yaml.
type RuleID string

// ErrorCodeName is the stable name of one of KooPhone's x-error-codes (tenant-not-found, …);
// suites and the mock use it instead of the code string.
type ErrorCodeName string

// ResourceType is one value of the VBS resource_type enum.
type ResourceType string
