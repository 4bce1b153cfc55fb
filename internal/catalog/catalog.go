package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/specs"
	"go.yaml.in/yaml/v3"
)

// Source points at the clause of a seed document a statement is taken from. Clause is
// verbatim after collapsing runs of white space (see Collapse).
type Source struct {
	Seed   string `yaml:"seed" json:"seed"`
	Clause string `yaml:"clause" json:"clause"`
}

// Requirement is one testable statement of a seed document.
type Requirement struct {
	ID          string   `yaml:"id" json:"id"`
	API         string   `yaml:"api" json:"api"`
	Level       string   `yaml:"level" json:"level"`
	Kind        string   `yaml:"kind" json:"kind"`
	Statement   string   `yaml:"statement" json:"statement"`
	Source      Source   `yaml:"source" json:"source"`
	Inferred    bool     `yaml:"inferred,omitempty" json:"inferred,omitempty"`
	Reasoning   string   `yaml:"reasoning,omitempty" json:"reasoning,omitempty"`
	Ambiguities []string `yaml:"ambiguities,omitempty" json:"ambiguities,omitempty"`
}

// Reading is one legitimate interpretation of an ambiguous passage, with the answer a
// target taking it gives to the entry's probe.
type Reading struct {
	ID          string   `yaml:"id" json:"id"`
	Description string   `yaml:"description" json:"description"`
	Outcome     Outcomes `yaml:"outcome" json:"outcome"`
}

// Rejected is an interpretation the project considered and judged not legitimate.
type Rejected struct {
	Description string `yaml:"description" json:"description"`
}

// Ambiguity is one entry of the register: where the seeds contradict themselves or stay
// silent, the readings an implementation may take, and what each profile accepts.
type Ambiguity struct {
	ID           string     `yaml:"id" json:"id"`
	API          string     `yaml:"api" json:"api"`
	Clauses      []Source   `yaml:"clauses" json:"clauses"`
	Question     string     `yaml:"question" json:"question"`
	Readings     []Reading  `yaml:"readings" json:"readings"`
	Default      []string   `yaml:"default" json:"default"`
	Strict       string     `yaml:"strict" json:"strict"`
	Requirements []string   `yaml:"requirements" json:"requirements"`
	Rejected     []Rejected `yaml:"rejected,omitempty" json:"rejected,omitempty"`
	// Judgement records how the judgement principle was applied to the entry (register
	// header): why its readings are legitimate and why its rejected ones are not.
	Judgement string `yaml:"judgement" json:"judgement"`
}

// Tolerates reports whether the default profile accepts the reading.
func (a Ambiguity) Tolerates(reading string) bool { return slices.Contains(a.Default, reading) }

// Reading returns the reading with the id.
func (a Ambiguity) Reading(id string) (Reading, bool) {
	for _, r := range a.Readings {
		if r.ID == id {
			return r, true
		}
	}
	return Reading{}, false
}

// Catalog is the requirement catalog together with the ambiguity register.
type Catalog struct {
	Requirements []Requirement `json:"requirements"`
	Ambiguities  []Ambiguity   `json:"ambiguities"`

	requirementIndex map[string]int
	ambiguityIndex   map[string]int
}

// Kinds lists the requirement kinds, in the order reports present them.
var Kinds = []string{"shape", "limit", "error-semantics", "behaviour", "auth", "robustness"}

// APIs lists the API names requirements and ambiguities may name: the OpenAPI documents'
// info.x-api, through specfacts.
var APIs = func() []string {
	var out []string
	for _, a := range specfacts.APIs() {
		out = append(out, string(a))
	}
	return out
}()

// Levels lists the RFC 2119 levels a requirement may take.
var Levels = []string{"MUST", "SHOULD", "MAY"}

type requirementsFile struct {
	Version      int           `yaml:"version"`
	Requirements []Requirement `yaml:"requirements"`
}

type ambiguitiesFile struct {
	Version     int         `yaml:"version"`
	Ambiguities []Ambiguity `yaml:"ambiguities"`
}

// Load parses the catalog and the register embedded in package specs. It does not run
// Check, so that a caller can report structural problems itself.
func Load() (*Catalog, error) {
	reqs, err := specs.Read(specs.RequirementsFile)
	if err != nil {
		return nil, fmt.Errorf("read requirement catalog: %w", err)
	}
	ambs, err := specs.Read(specs.AmbiguitiesFile)
	if err != nil {
		return nil, fmt.Errorf("read ambiguity register: %w", err)
	}
	return Parse(reqs, ambs)
}

// Parse builds a catalog from the YAML text of a requirement catalog and an ambiguity
// register. Unknown keys are refused so that a misspelt field cannot silently drop data.
func Parse(requirementsYAML, ambiguitiesYAML []byte) (*Catalog, error) {
	var rf requirementsFile
	if err := decodeStrict(requirementsYAML, &rf); err != nil {
		return nil, fmt.Errorf("parse %s: %w", specs.RequirementsFile, err)
	}
	var af ambiguitiesFile
	if err := decodeStrict(ambiguitiesYAML, &af); err != nil {
		return nil, fmt.Errorf("parse %s: %w", specs.AmbiguitiesFile, err)
	}
	c := &Catalog{Requirements: rf.Requirements, Ambiguities: af.Ambiguities}
	c.index()
	return c, nil
}

func decodeStrict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(v)
}

func (c *Catalog) index() {
	c.requirementIndex = make(map[string]int, len(c.Requirements))
	for i, r := range c.Requirements {
		if _, dup := c.requirementIndex[r.ID]; !dup {
			c.requirementIndex[r.ID] = i
		}
	}
	c.ambiguityIndex = make(map[string]int, len(c.Ambiguities))
	for i, a := range c.Ambiguities {
		if _, dup := c.ambiguityIndex[a.ID]; !dup {
			c.ambiguityIndex[a.ID] = i
		}
	}
}

var (
	defaultOnce    sync.Once
	defaultCatalog *Catalog
)

// Default returns the embedded catalog, loaded and checked once. It panics only when the
// embedded files are broken, which the package's tests rule out before a release.
func Default() *Catalog {
	defaultOnce.Do(func() {
		c, err := Load()
		if err == nil {
			err = c.Check()
		}
		if err != nil {
			panic(fmt.Sprintf("embedded requirement catalog is broken: %v", err))
		}
		defaultCatalog = c
	})
	return defaultCatalog
}

// Requirement returns the requirement with the id.
func (c *Catalog) Requirement(id string) (Requirement, bool) {
	if c.requirementIndex == nil {
		c.index()
	}
	i, ok := c.requirementIndex[id]
	if !ok {
		return Requirement{}, false
	}
	return c.Requirements[i], true
}

// Ambiguity returns the register entry with the id.
func (c *Catalog) Ambiguity(id string) (Ambiguity, bool) {
	if c.ambiguityIndex == nil {
		c.index()
	}
	i, ok := c.ambiguityIndex[id]
	if !ok {
		return Ambiguity{}, false
	}
	return c.Ambiguities[i], true
}

// RequirementsFor returns the requirements of one API in catalog order.
func (c *Catalog) RequirementsFor(api string) []Requirement {
	var out []Requirement
	for _, r := range c.Requirements {
		if r.API == api {
			out = append(out, r)
		}
	}
	return out
}

// CheckError is one structural problem of the catalog or the register.
type CheckError struct {
	// File is the catalog file the entry lives in.
	File string
	// ID is the entry's id ("" when the id itself is missing; Index then locates it).
	ID    string
	Index int
	// Field names the offending field, e.g. "kind" or "ambiguities[2]".
	Field   string
	Problem string
}

func (e *CheckError) Error() string {
	who := e.ID
	if who == "" {
		who = fmt.Sprintf("entry #%d", e.Index+1)
	}
	return fmt.Sprintf("%s: %s: %s: %s", e.File, who, e.Field, e.Problem)
}

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Check verifies the structure of the catalog and the register: unique kebab-case ids,
// known api, level and kind, reasoning for inferred requirements, an outcome in the
// register's vocabulary for every reading (known keys, known code names), default readings
// that exist with the strict reading among them, and cross references that resolve. It returns
// every problem found, joined, each a *CheckError.
func (c *Catalog) Check() error {
	var errs []error
	bad := func(file, id string, index int, field, format string, args ...any) {
		errs = append(errs, &CheckError{File: file, ID: id, Index: index, Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	const rf, af = specs.RequirementsFile, specs.AmbiguitiesFile

	reqSeen := map[string]bool{}
	for i, r := range c.Requirements {
		switch {
		case r.ID == "":
			bad(rf, "", i, "id", "missing")
		case !kebab.MatchString(r.ID):
			bad(rf, r.ID, i, "id", "not kebab-case")
		case reqSeen[r.ID]:
			bad(rf, r.ID, i, "id", "duplicate id")
		}
		reqSeen[r.ID] = true
		if !slices.Contains(APIs, r.API) {
			bad(rf, r.ID, i, "api", "%q is not one of %v", r.API, APIs)
		}
		if !slices.Contains(Levels, r.Level) {
			bad(rf, r.ID, i, "level", "%q is not one of %v", r.Level, Levels)
		}
		if !slices.Contains(Kinds, r.Kind) {
			bad(rf, r.ID, i, "kind", "%q is not one of %v", r.Kind, Kinds)
		}
		if r.Statement == "" {
			bad(rf, r.ID, i, "statement", "missing")
		}
		if r.Source.Seed == "" || r.Source.Clause == "" {
			bad(rf, r.ID, i, "source", "seed and clause are both required")
		}
		if r.Inferred && r.Reasoning == "" {
			bad(rf, r.ID, i, "reasoning", "an inferred requirement must give its reasoning")
		}
		for j, a := range r.Ambiguities {
			if _, ok := c.Ambiguity(a); !ok {
				bad(rf, r.ID, i, fmt.Sprintf("ambiguities[%d]", j), "names unknown ambiguity %q", a)
			}
		}
	}

	ambSeen := map[string]bool{}
	for i, a := range c.Ambiguities {
		switch {
		case a.ID == "":
			bad(af, "", i, "id", "missing")
		case !kebab.MatchString(a.ID):
			bad(af, a.ID, i, "id", "not kebab-case")
		case ambSeen[a.ID]:
			bad(af, a.ID, i, "id", "duplicate id")
		}
		ambSeen[a.ID] = true
		if !slices.Contains(APIs, a.API) {
			bad(af, a.ID, i, "api", "%q is not one of %v", a.API, APIs)
		}
		if a.Question == "" {
			bad(af, a.ID, i, "question", "missing")
		}
		// The judgement principle (register header) is applied to every entry, and the
		// reasoning is part of the entry: a reader must see why its readings are legitimate.
		if strings.TrimSpace(a.Judgement) == "" {
			bad(af, a.ID, i, "judgement", "missing: say how the judgement principle applies to the entry")
		}
		if len(a.Clauses) == 0 {
			bad(af, a.ID, i, "clauses", "at least one clause is required")
		}
		for j, cl := range a.Clauses {
			if cl.Seed == "" || cl.Clause == "" {
				bad(af, a.ID, i, fmt.Sprintf("clauses[%d]", j), "seed and clause are both required")
			}
		}
		readings := map[string]bool{}
		for j, r := range a.Readings {
			switch {
			case r.ID == "":
				bad(af, a.ID, i, fmt.Sprintf("readings[%d].id", j), "missing")
			case !kebab.MatchString(r.ID):
				bad(af, a.ID, i, fmt.Sprintf("readings[%d].id", j), "%q is not kebab-case", r.ID)
			case readings[r.ID]:
				bad(af, a.ID, i, fmt.Sprintf("readings[%d].id", j), "duplicate reading %q", r.ID)
			}
			readings[r.ID] = true
			if len(r.Outcome) == 0 {
				bad(af, a.ID, i, fmt.Sprintf("readings[%d].outcome", j), "missing: every reading states its observable outcome")
			}
			for k, o := range r.Outcome {
				for _, problem := range checkOutcome(a.API, o) {
					bad(af, a.ID, i, fmt.Sprintf("readings[%d].outcome[%d]", j, k), "reading %q: %s", r.ID, problem)
				}
			}
		}
		if len(a.Default) == 0 {
			bad(af, a.ID, i, "default", "at least one reading is required")
		}
		for j, d := range a.Default {
			if !readings[d] {
				bad(af, a.ID, i, fmt.Sprintf("default[%d]", j), "names unknown reading %q", d)
			}
		}
		if !slices.Contains(a.Default, a.Strict) {
			bad(af, a.ID, i, "strict", "reading %q is not among the default readings %v", a.Strict, a.Default)
		}
		if len(a.Requirements) == 0 {
			bad(af, a.ID, i, "requirements", "at least one requirement is required")
		}
		for j, rid := range a.Requirements {
			r, ok := c.Requirement(rid)
			if !ok {
				bad(af, a.ID, i, fmt.Sprintf("requirements[%d]", j), "names unknown requirement %q", rid)
				continue
			}
			if r.API != a.API {
				bad(af, a.ID, i, fmt.Sprintf("requirements[%d]", j), "requirement %q is of api %q, not %q", rid, r.API, a.API)
			}
		}
		for j, rj := range a.Rejected {
			if rj.Description == "" {
				bad(af, a.ID, i, fmt.Sprintf("rejected[%d]", j), "description missing")
			}
		}
	}
	return errors.Join(errs...)
}
