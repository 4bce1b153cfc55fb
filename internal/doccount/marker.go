package doccount

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Regenerate is the command that rewrites every marker; drift messages name it.
const Regenerate = "go generate ./internal/doccount (make doc-counts)"

// Inventory is the document internal/inventory generates whole, figures included, and checks
// for drift itself; it carries no markers and is left out of the search for figures.
const Inventory = "docs/conformance-inventory.md"

var (
	markerRe = regexp.MustCompile(`<!--\s*count:([a-z][a-z-]*)\s*-->([^<]*)<!--\s*/count\s*-->`)
	openRe   = regexp.MustCompile(`<!--\s*/?count\b`)
)

// Drift is a marker whose figure is not its source's.
type Drift struct {
	File   string
	Line   int
	Key    string
	Stated string
	Actual int
}

func (d Drift) Error() string {
	what := d.Key
	if s, ok := lookup(d.Key); ok {
		what = s.What
	}
	return fmt.Sprintf("%s:%d: count:%s states %q, but there are %d %s; run %s and commit", d.File, d.Line, d.Key, d.Stated, d.Actual, what, Regenerate)
}

// Update returns doc (named file in messages) with the figure of every marker set to its
// count, and the markers whose figure differed. A marker naming no source, or a marker
// opened and not closed, is an error: the figure it was meant to guard would go unchecked.
func Update(file string, doc []byte, counts map[string]int) ([]byte, []Drift, error) {
	matches := markerRe.FindAllSubmatchIndex(doc, -1)
	if n := len(openRe.FindAllIndex(doc, -1)); n != 2*len(matches) {
		return nil, nil, fmt.Errorf("%s: %d count marker tag(s), %d of them in well-formed pairs <!-- count:KEY -->N<!-- /count -->", file, n, 2*len(matches))
	}
	var out bytes.Buffer
	var drifts []Drift
	last := 0
	for _, m := range matches {
		key, stated := string(doc[m[2]:m[3]]), string(doc[m[4]:m[5]])
		line := 1 + bytes.Count(doc[:m[0]], []byte("\n"))
		n, ok := counts[key]
		if !ok {
			return nil, nil, fmt.Errorf("%s:%d: count:%s names no figure; known: %s", file, line, key, strings.Join(keys(), ", "))
		}
		if stated != strconv.Itoa(n) {
			drifts = append(drifts, Drift{File: file, Line: line, Key: key, Stated: stated, Actual: n})
		}
		out.Write(doc[last:m[4]])
		out.WriteString(strconv.Itoa(n))
		last = m[5]
	}
	out.Write(doc[last:])
	return out.Bytes(), drifts, nil
}

func keys() []string {
	var out []string
	for _, s := range Sources() {
		out = append(out, s.Key)
	}
	return out
}

// Documents are the files whose figures are kept: README.md and docs/*.md, relative to root.
func Documents(root string) ([]string, error) {
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		return nil, fmt.Errorf("list docs: %w", err)
	}
	out := []string{"README.md"}
	for _, d := range docs {
		rel, err := filepath.Rel(root, d)
		if err != nil {
			return nil, fmt.Errorf("list docs: %w", err)
		}
		out = append(out, filepath.ToSlash(rel))
	}
	return out, nil
}

// Sync checks the markers of every document of the module at root against Counts and, when
// write is set, rewrites the documents that drifted. It returns the drifts it found.
func Sync(root string, write bool) ([]Drift, error) {
	counts, err := Counts(root)
	if err != nil {
		return nil, err
	}
	docs, err := Documents(root)
	if err != nil {
		return nil, err
	}
	var drifts []Drift
	for _, rel := range docs {
		path := filepath.Join(root, filepath.FromSlash(rel))
		doc, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", rel, err)
		}
		updated, d, err := Update(rel, doc, counts)
		if err != nil {
			return nil, err
		}
		drifts = append(drifts, d...)
		if write && len(d) > 0 {
			if err := os.WriteFile(path, updated, 0o644); err != nil {
				return nil, fmt.Errorf("write %s: %w", rel, err)
			}
		}
	}
	return drifts, nil
}
