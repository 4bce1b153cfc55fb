package catalog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Collapse turns every run of white space into one space and trims the ends, so that a
// clause quoted on one line matches the seed where a table cell spans several.
func Collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// Quote is one quoted clause and where the quote sits (for the error message).
type Quote struct {
	Where  string
	Source Source
}

// NotVerbatimError reports a quote that does not occur in its seed.
type NotVerbatimError struct {
	Where  string
	Source Source
	// Reason is "seed not found" or "clause not in seed".
	Reason string
}

func (e *NotVerbatimError) Error() string {
	return fmt.Sprintf("%s: %s in %s: %q", e.Where, e.Reason, e.Source.Seed, e.Source.Clause)
}

// CheckVerbatim checks that every quote's clause occurs in the collapsed text of its seed
// file inside seedDir. It returns every failing quote, joined, each a *NotVerbatimError.
func CheckVerbatim(seedDir string, quotes []Quote) error {
	seeds := map[string]string{}
	var errs []error
	for _, q := range quotes {
		text, ok := seeds[q.Source.Seed]
		if !ok {
			// A seed name with a separator could escape the folder; a clause never needs one.
			if q.Source.Seed == "" || strings.ContainsAny(q.Source.Seed, `/\`) {
				errs = append(errs, &NotVerbatimError{Where: q.Where, Source: q.Source, Reason: "seed not found"})
				continue
			}
			raw, err := os.ReadFile(filepath.Join(seedDir, q.Source.Seed))
			if err != nil {
				errs = append(errs, &NotVerbatimError{Where: q.Where, Source: q.Source, Reason: "seed not found"})
				continue
			}
			text = Collapse(string(raw))
			seeds[q.Source.Seed] = text
		}
		clause := Collapse(q.Source.Clause)
		if clause == "" || !strings.Contains(text, clause) {
			errs = append(errs, &NotVerbatimError{Where: q.Where, Source: q.Source, Reason: "clause not in seed"})
		}
	}
	return errors.Join(errs...)
}

// Quotes lists every clause the catalog and the register quote, each located by the file
// and id that quotes it.
func (c *Catalog) Quotes() []Quote {
	var out []Quote
	for _, r := range c.Requirements {
		out = append(out, Quote{Where: "requirements.yaml: " + r.ID + ": source", Source: r.Source})
	}
	for _, a := range c.Ambiguities {
		for i, cl := range a.Clauses {
			out = append(out, Quote{Where: fmt.Sprintf("ambiguities.yaml: %s: clauses[%d]", a.ID, i), Source: cl})
		}
	}
	return out
}
