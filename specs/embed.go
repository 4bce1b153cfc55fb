// Package specs embeds the hand-written contracts of the two APIs — the OpenAPI documents,
// the requirement catalog, the ambiguity register and the violation rule ids — and the JSON
// Schemas of the catalog's and the register's formats, so that binaries and suites never
// depend on the working directory.
package specs

import "embed"

// FS holds every contract file of this folder by its file name.
//
//go:embed *.yaml *.schema.json
var FS embed.FS

// File names of the contract documents inside FS.
const (
	KooPhoneFile     = "koophone-instance-backup.yaml"
	VBSFile          = "vbs-backup-policy-resources.yaml"
	RequirementsFile = "requirements.yaml"
	AmbiguitiesFile  = "ambiguities.yaml"
	// RulesFile lists the stable ids of the validator's violation rules.
	RulesFile = "rules.yaml"

	// RequirementsSchemaFile and AmbiguitiesSchemaFile are the JSON Schemas of the formats
	// of RequirementsFile and AmbiguitiesFile; internal/catalog loads the files through them.
	RequirementsSchemaFile = "requirements.schema.json"
	AmbiguitiesSchemaFile  = "ambiguities.schema.json"
)

// Read returns the bytes of one embedded contract file.
func Read(name string) ([]byte, error) { return FS.ReadFile(name) }
