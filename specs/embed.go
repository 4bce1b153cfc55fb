// Package specs embeds the hand-written contracts of the two APIs — the OpenAPI documents,
// the requirement catalog, the ambiguity register and the violation rule ids — so that
// binaries and suites never depend on the working directory.
package specs

import "embed"

// FS holds every contract file of this folder by its file name.
//
//go:embed *.yaml
var FS embed.FS

// File names of the contract documents inside FS.
const (
	KooPhoneFile     = "koophone-instance-backup.yaml"
	VBSFile          = "vbs-backup-policy-resources.yaml"
	RequirementsFile = "requirements.yaml"
	AmbiguitiesFile  = "ambiguities.yaml"
	// RulesFile lists the stable ids of the validator's violation rules.
	RulesFile = "rules.yaml"
)

// Read returns the bytes of one embedded contract file.
func Read(name string) ([]byte, error) { return FS.ReadFile(name) }
