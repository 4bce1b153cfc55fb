package catalog

import (
	"regexp"
	"testing"

	"github.com/koobackup/conformance/internal/specfacts"
)

// Every register entry records the judgement principle's reasoning, stated on its own (the
// register is read as it stands, not as a change log), and an entry that judged a reading
// not legitimate says why under rejected.
func TestEntriesRecordTheirJudgement(t *testing.T) {
	history := regexp.MustCompile(`(?i)\bunchanged\b|\bformerly\b|\bpreviously\b|\bissue [0-9]+|\bmoved to rejected\b`)
	for _, a := range Default().Ambiguities {
		if len(a.Judgement) < 80 {
			t.Errorf("%s: judgement %q does not give the principle's reasoning", a.ID, a.Judgement)
		}
		texts := []string{a.Question, a.Judgement}
		for _, r := range a.Readings {
			texts = append(texts, r.Description)
		}
		for _, r := range a.Rejected {
			texts = append(texts, r.Description)
		}
		for _, s := range texts {
			if w := history.FindString(s); w != "" {
				t.Errorf("%s: %q narrates the register's history; state the reasoning as it stands: %.120s", a.ID, w, s)
			}
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
