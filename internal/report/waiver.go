package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/koobackup/conformance/internal/catalog"
	"go.yaml.in/yaml/v3"
)

// waiverDateLayout is the format of a waiver's expiry date.
const waiverDateLayout = "2006-01-02"

// AnyTarget in a waiver's target field matches every target name.
const AnyTarget = "*"

// Waiver lets a team ship with a known deviation until a date.
type Waiver struct {
	Requirement string `yaml:"requirement"`
	Target      string `yaml:"target"`
	Reason      string `yaml:"reason"`
	// Expires is the last day (UTC) on which the waiver applies, YYYY-MM-DD.
	Expires string `yaml:"expires"`

	expires time.Time
}

type waiverFile struct {
	Waivers []Waiver `yaml:"waivers"`
}

// WaiverError names the waiver entry and field that is wrong.
type WaiverError struct {
	Index  int
	Field  string
	Reason string
}

func (e *WaiverError) Error() string {
	return fmt.Sprintf("waivers[%d].%s: %s", e.Index, e.Field, e.Reason)
}

// LoadWaivers reads and checks a waiver file against the catalog.
func LoadWaivers(path string, cat *catalog.Catalog) ([]Waiver, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read waiver file: %w", err)
	}
	ws, err := ParseWaivers(raw, cat)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ws, nil
}

// ParseWaivers decodes a waiver file; unknown keys, unknown requirement ids, missing
// reasons and malformed dates are errors, because a waiver that silently does nothing would
// let a failure through review unnoticed — or block a release for no visible reason.
func ParseWaivers(raw []byte, cat *catalog.Catalog) ([]Waiver, error) {
	var f waiverFile
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) || len(bytes.TrimSpace(raw)) == 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("waiver file: %w", err)
	}
	var errs []error
	for i := range f.Waivers {
		w := &f.Waivers[i]
		bad := func(field, reason string) { errs = append(errs, &WaiverError{Index: i, Field: field, Reason: reason}) }
		if w.Requirement == "" {
			bad("requirement", "is required")
		} else if cat != nil {
			if _, ok := cat.Requirement(w.Requirement); !ok {
				bad("requirement", fmt.Sprintf("%q is not in the requirement catalog", w.Requirement))
			}
		}
		if w.Target == "" {
			bad("target", `is required (a target name, or "*" for every target)`)
		}
		if w.Reason == "" {
			bad("reason", "is required: say why shipping with this deviation is acceptable")
		}
		if w.Expires == "" {
			bad("expires", "is required (YYYY-MM-DD)")
		} else if t, err := time.Parse(waiverDateLayout, w.Expires); err != nil {
			bad("expires", fmt.Sprintf("%q is not a date of the form YYYY-MM-DD", w.Expires))
		} else {
			w.expires = t
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return f.Waivers, nil
}

// expiredAt reports whether the waiver no longer applies at now: it is valid through the
// whole of its expiry day (UTC).
func (w Waiver) expiredAt(now time.Time) bool {
	exp := w.expires
	if exp.IsZero() {
		t, err := time.Parse(waiverDateLayout, w.Expires)
		if err != nil {
			return true
		}
		exp = t
	}
	return !now.UTC().Before(exp.AddDate(0, 0, 1))
}

func (w Waiver) matchesTarget(name string) bool { return w.Target == AnyTarget || w.Target == name }

// applyWaivers turns a failing requirement into waived where a matching, unexpired waiver
// covers it, and says what became of every waiver.
func applyWaivers(r *Report, waivers []Waiver, now time.Time) []WaiverResult {
	out := []WaiverResult{}
	for _, w := range waivers {
		res := WaiverResult{Requirement: w.Requirement, Target: w.Target, Reason: w.Reason, Expires: w.Expires}
		idx := slices.IndexFunc(r.Requirements, func(q Requirement) bool { return q.ID == w.Requirement })
		switch {
		case !w.matchesTarget(r.Target.Name):
			res.State, res.Note = WaiverUnused, fmt.Sprintf("names target %q, this run tested %q", w.Target, r.Target.Name)
		case idx < 0:
			res.State, res.Note = WaiverUnused, "the requirement is not in the catalog"
		default:
			req := &r.Requirements[idx]
			switch req.Status {
			case StatusPass:
				res.State, res.Note = WaiverStale, "the requirement passes; remove the waiver"
			case StatusNotEvaluated, StatusPartiallyEvaluated, StatusInconclusive:
				res.State, res.Note = WaiverUnused, "the requirement did not fail in this run ("+req.Status+")"
			case StatusWaived:
				res.State, res.Note = WaiverUnused, "another waiver already applies"
			case StatusFail:
				if w.expiredAt(now) {
					res.State, res.Note = WaiverExpired, "expired on "+w.Expires+"; the failure counts again"
					req.Reason = "waiver expired on " + w.Expires + " (" + w.Reason + ")"
				} else {
					res.State, res.Note = WaiverApplied, "failure waived until "+w.Expires
					req.Status = StatusWaived
					req.Reason = "waived until " + w.Expires + ": " + w.Reason
				}
			}
		}
		out = append(out, res)
	}
	return out
}
