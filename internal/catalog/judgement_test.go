package catalog

import (
	"testing"

	"github.com/koobackup/conformance/internal/specfacts"
)

// Every register entry records the judgement principle's reasoning (issue 12), and an entry
// whose default profile lost a reading says why under rejected.
func TestEntriesRecordTheirJudgement(t *testing.T) {
	for _, a := range Default().Ambiguities {
		if len(a.Judgement) < 80 {
			t.Errorf("%s: judgement %q does not give the principle's reasoning", a.ID, a.Judgement)
		}
	}
	for _, id := range []specfacts.AmbiguityID{
		specfacts.AmbKooPhoneResponseFieldsOptional, specfacts.AmbKooPhoneDuplicateInstanceIDs,
		specfacts.AmbVBSDuplicateResources, specfacts.AmbVBSResponseListsOptional, specfacts.AmbVBSResponseItemFieldsOptional,
	} {
		a, ok := Default().Ambiguity(string(id))
		if !ok || len(a.Rejected) == 0 {
			t.Errorf("%s: the reading judged not legitimate is not recorded under rejected", id)
		}
	}
}
