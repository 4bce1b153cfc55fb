package mock

import (
	"fmt"

	"github.com/koobackup/conformance/internal/target"
)

// NewModel returns a fresh reference implementation of the world a target file describes,
// taking the given readings (entries not named take the strict one): the model that
// generated call sequences (internal/explore) predict a target's answers with. The
// target's tokens, ids, project and policy are the world's; an API the file leaves out gets
// a placeholder section, since a world serves both; the file's mock_readings are not
// taken, because the model answers as the run observed the target, not as the file says.
func NewModel(t *target.Target, readings Readings) (*Mock, error) {
	if t == nil {
		return nil, &WorldError{Reason: "no target file"}
	}
	d := *t
	d.MockReadings = nil
	if d.KooPhone == nil {
		d.KooPhone = &target.KooPhone{BaseURL: placeholderURL, AuthToken: "model-koophone-token", UnknownTenantToken: "model-koophone-no-tenant"}
	}
	if d.VBS == nil {
		d.VBS = &target.VBS{BaseURL: placeholderURL, AuthToken: "model-vbs-token", ProjectID: "model-project", BackupPolicyID: "model-policy", UnknownBackupPolicyID: "model-no-policy"}
	}
	for entry, reading := range readings {
		if err := CheckReading(entry, reading); err != nil {
			return nil, fmt.Errorf("mock model: %w", err)
		}
	}
	w, err := LoadWorld(&d)
	if err != nil {
		return nil, err
	}
	return New(w, WithReadings(readings)), nil
}

// placeholderURL stands for the base URL of an API a model's target leaves out: nothing is
// ever sent to it.
const placeholderURL = "http://model.invalid"
