package inventory

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
)

// CheckBlocks verifies that every requirement a comment block names is in the catalog.
func CheckBlocks(inv *Inventory, cat *catalog.Catalog) error {
	var errs []error
	for _, b := range inv.Blocks {
		for _, id := range b.Requirements {
			if _, ok := cat.Requirement(id); !ok {
				errs = append(errs, &BlockError{File: b.File, Line: b.Line, Reason: fmt.Sprintf("names unknown requirement %q", id)})
			}
		}
	}
	return errors.Join(errs...)
}

// CheckLabels holds the blocks against the specs Ginkgo reports (a dry run): each It and
// Entry of the source is exactly one spec of the run and the other way round (so the
// inventory's count is the run's), and each block's Requirement line agrees with the req:
// labels of the specs it describes. For a block above one It or Entry, every id of the line
// is a req: label of that spec. For a block above a DescribeTable, every id of the line is a
// label of one of its entries, and every entry carries at least one id of the line. Labels
// may name more requirements than the line (the shared envelope and status requirements).
// Undescribed specs are matched with the run too, though they have no line to check.
func CheckLabels(inv *Inventory, specs []runrecord.Spec) error {
	type key struct {
		file string
		line int
	}
	ran := map[key][]runrecord.Spec{}
	for _, s := range specs {
		k := key{s.File, s.Line}
		ran[k] = append(ran[k], s)
	}
	var errs []error
	described := map[key]bool{}
	for _, sp := range inv.Undescribed {
		k := key{sp.File, sp.Line}
		described[k] = true
		if n := len(ran[k]); n != 1 {
			errs = append(errs, &BlockError{File: sp.File, Line: sp.Line, Reason: fmt.Sprintf("%s %q is %d specs in the dry run, want 1", sp.Node, sp.Text, n)})
		}
	}
	for _, b := range inv.Blocks {
		labelled := map[specfacts.RequirementID]bool{}
		for _, sp := range b.Specs {
			k := key{sp.File, sp.Line}
			described[k] = true
			got := ran[k]
			if len(got) != 1 {
				errs = append(errs, &BlockError{File: sp.File, Line: sp.Line, Reason: fmt.Sprintf("%s %q is %d specs in the dry run, want 1", sp.Node, sp.Text, len(got))})
				continue
			}
			reqs := got[0].Requirements()
			for _, id := range reqs {
				labelled[id] = true
			}
			if len(b.Specs) == 1 {
				continue
			}
			if !slices.ContainsFunc(b.Requirements, func(id string) bool { return slices.Contains(reqs, specfacts.RequirementID(id)) }) {
				errs = append(errs, &BlockError{File: sp.File, Line: sp.Line, Reason: fmt.Sprintf("%s %q is labelled %s, none of the requirements its block %q names (%s)",
					sp.Node, sp.Text, labelList(reqs), b.Testname, strings.Join(b.Requirements, ", "))})
			}
		}
		for _, id := range b.Requirements {
			if !labelled[specfacts.RequirementID(id)] {
				errs = append(errs, &BlockError{File: b.File, Line: b.Line, Reason: fmt.Sprintf("block %q names requirement %s, but no spec it describes is labelled req:%s", b.Testname, id, id)})
			}
		}
	}
	var stray []string
	for k, ss := range ran {
		if !described[k] {
			stray = append(stray, fmt.Sprintf("%s:%d: spec %q is in the dry run but is no It or Entry call the inventory sees", k.file, k.line, ss[0].Text))
		}
	}
	sort.Strings(stray)
	for _, s := range stray {
		errs = append(errs, errors.New(s))
	}
	return errors.Join(errs...)
}

func labelList(ids []specfacts.RequirementID) string {
	if len(ids) == 0 {
		return "with no req: label"
	}
	labels := make([]string, len(ids))
	for i, id := range ids {
		labels[i] = runrecord.RequirementLabelPrefix + string(id)
	}
	return strings.Join(labels, ", ")
}

// Coverage compares the requirement labels the specs carry with the catalog. It returns an
// error naming each requirement without a spec and each spec label naming no requirement.
func Coverage(specs []runrecord.Spec, cat *catalog.Catalog) error {
	covered := map[specfacts.RequirementID]bool{}
	var errs []error
	sorted := slices.Clone(specs)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Text < sorted[j].Text })
	for _, s := range sorted {
		for _, id := range s.Requirements() {
			if _, ok := cat.Requirement(string(id)); !ok {
				errs = append(errs, fmt.Errorf("spec %q names unknown requirement %q", s.Text, id))
				continue
			}
			covered[id] = true
		}
	}
	for _, r := range cat.Requirements {
		if !covered[specfacts.RequirementID(r.ID)] {
			errs = append(errs, fmt.Errorf("requirement %s has no conformance spec", r.ID))
		}
	}
	return errors.Join(errs...)
}
