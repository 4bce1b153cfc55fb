package conformance

import (
	"github.com/koobackup/conformance/internal/specfacts"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/target"
)

// An inconclusive reason asks for state only from a target that has none to offer: a target
// that already allows state-changing requests is told that no request can settle the probe.
func TestInconclusiveReasonNamesWhatDecides(t *testing.T) {
	e := &Env{Target: &target.Target{AllowMutating: false}}
	if got := e.whatDecides(specfacts.KooPhone); !strings.Contains(got, "allow_mutating: true and owned ids") {
		t.Errorf("read-only KooPhone target: %q", got)
	}
	if got := e.whatDecides(specfacts.VBS); !strings.Contains(got, "allow_mutating: true and free volume_ids") {
		t.Errorf("read-only VBS target: %q", got)
	}
	e.Target.AllowMutating = true
	for _, api := range []specfacts.API{specfacts.KooPhone, specfacts.VBS} {
		if got := e.whatDecides(api); strings.Contains(got, "allow_mutating: true and") || !strings.Contains(got, "no request can tell") {
			t.Errorf("mutating %s target: %q", api, got)
		}
	}
}
