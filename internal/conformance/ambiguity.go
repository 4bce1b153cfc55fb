package conformance

import (
	"fmt"
	"strings"

	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
)

// Observation is the report entry saying which reading of a register entry the target took.
type Observation = runrecord.Observation

// Observe records that the target took reading of the register entry id, and judges it:
// a reading the register does not list is a spec bug (fails loudly); a legitimate reading
// other than the strict one is tolerated by the default profile — saying so, naming the
// entry — and fails under the strict profile. It returns whether the reading was accepted.
func (e *Env) Observe(id, reading string) bool {
	GinkgoHelper()
	a, ok := e.Catalog.Ambiguity(id)
	if !ok {
		Fail(fmt.Sprintf("suite bug: ambiguity %q is not in specs/ambiguities.yaml", id))
	}
	known := false
	for _, r := range a.Readings {
		if r.ID == reading {
			known = true
		}
	}
	if !known {
		Fail(fmt.Sprintf("suite bug: %q is not a reading of register entry %s", reading, id))
	}
	obs := Observation{ID: specfacts.AmbiguityID(id), Reading: reading, Strict: a.Strict, Tolerated: reading != a.Strict}
	AddReportEntry(runrecord.EntryAmbiguity, obs, ReportEntryVisibilityFailureOrVerbose)
	if reading == a.Strict {
		return true
	}
	if !a.Tolerates(reading) {
		Fail(fmt.Sprintf("register entry %s: reading %q is not accepted by any profile", id, reading))
		return false
	}
	if e.Strict() {
		// Collected rather than failed at once, so one spec reports every register entry
		// the target deviates on, not just the first (the fairness check counts them).
		strictDeviations = append(strictDeviations, fmt.Sprintf("strict profile: register entry %s requires reading %q; the target takes %q (the default profile tolerates it)\n  question: %s", id, a.Strict, reading, a.Question))
		return false
	}
	By(fmt.Sprintf("tolerated per register entry %s: reading %q", id, reading))
	return true
}

// strictDeviations are the strict-profile deviations of the running spec; a process runs
// one spec at a time, so a package variable reset per spec is enough.
var strictDeviations []string

// failOnStrictDeviations fails the spec with every strict deviation it observed.
func failOnStrictDeviations() {
	GinkgoHelper()
	devs := strictDeviations
	strictDeviations = nil
	if len(devs) > 0 {
		Fail(strings.Join(devs, "\n"))
	}
}
