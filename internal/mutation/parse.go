package mutation

import (
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
)

// ParsedReport is what mutation testing needs from one suite's Ginkgo JSON report.
type ParsedReport struct {
	// Specs counts the specs that ran (neither skipped nor pending); Passed those that passed.
	Specs    int
	Passed   int
	Failures []FailedSpec
	// Inconclusive are the specs that ran but could not tell (conformance.Inconclusive):
	// on a mutant they neither kill it nor let it pass unnoticed.
	Inconclusive []InconclusiveSpec
}

// InconclusiveSpec is a spec whose probe could not tell a conformant server from a
// deviating one, with the reasons it recorded.
type InconclusiveSpec struct {
	Suite        string   `json:"suite,omitempty"`
	Text         string   `json:"text"`
	Requirements []string `json:"requirements,omitempty"`
	Reasons      []string `json:"reasons"`
}

// ReportError says a Ginkgo JSON report could not be read.
type ReportError = runrecord.ReportError

// maxMessage bounds a failure message kept in the reports; the first lines say what failed.
const maxMessage = 600

// ParseGinkgoReport reads the file --ginkgo.json-report writes (through runrecord) and
// returns the spec counts, the inconclusive specs and every failed node: specs, and
// suite-level nodes such as a failing BeforeSuite, which fail the run just the same.
func ParseGinkgoReport(raw []byte) (ParsedReport, error) {
	run, err := runrecord.Read(raw)
	if err != nil {
		return ParsedReport{}, err
	}
	return parseRun(run), nil
}

// parseRun is ParseGinkgoReport on a report already read.
func parseRun(run *runrecord.Run) ParsedReport {
	strict := false
	if t := run.Target(); t != nil {
		strict = t.Profile == runrecord.ProfileStrict
	}
	var p ParsedReport
	for _, s := range run.Suites {
		for _, sp := range s.Specs {
			if sp.IsSpec() && !sp.Skipped() && !sp.Pending() {
				p.Specs++
				if sp.Passed() {
					p.Passed++
				}
			}
			if reasons := sp.Inconclusive(); len(reasons) > 0 && !sp.Failed() {
				p.Inconclusive = append(p.Inconclusive, InconclusiveSpec{Suite: s.Description, Text: sp.Text,
					Requirements: sortedUnique(idStrings(sp.Requirements())), Reasons: reasons})
			}
			if !sp.Failed() {
				continue
			}
			text := sp.Text
			if text == "" {
				text = "[" + sp.Node.String() + "]"
			}
			f := FailedSpec{Suite: s.Description, Text: text, Requirements: sortedUnique(idStrings(sp.Requirements())),
				Message: excerptHead(sp.Failure.Message, maxMessage), Explore: sp.Explore()}
			if strict {
				f.StrictEntries = strictEntries(sp.Observations)
			}
			p.Failures = append(p.Failures, f)
		}
	}
	return p
}

// strictEntries are the register entries on which the spec observed a non-strict reading.
func strictEntries(obs []runrecord.Observation) []string {
	var out []string
	for _, o := range obs {
		if o.StrictDeviation() {
			out = append(out, string(o.ID))
		}
	}
	return sortedUnique(out)
}

func excerptHead(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// StrictFlags returns the register entries the failures name as strict deviations, sorted.
func StrictFlags(failures []FailedSpec) []string {
	var out []string
	for _, f := range failures {
		out = append(out, f.StrictEntries...)
	}
	return sortedUnique(out)
}

// idStrings spells requirement ids as the mutation report's JSON keeps them.
func idStrings(ids []specfacts.RequirementID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}
