package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
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

// Kinds lists the requirement kinds, in the order reports present them: the enum of the
// catalog's schema (specs/requirements.schema.json).
var Kinds = schemaEnum(specs.RequirementsFile, "/$defs/requirement/properties/kind/enum")

// APIs lists the API names requirements and ambiguities may name: the OpenAPI documents'
// info.x-api, through specfacts.
var APIs = func() []string {
	var out []string
	for _, a := range specfacts.APIs() {
		out = append(out, string(a))
	}
	return out
}()

// Levels lists the RFC 2119 levels a requirement may take: the enum of the catalog's schema.
var Levels = schemaEnum(specs.RequirementsFile, "/$defs/requirement/properties/level/enum")

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
// register, each checked first against the JSON Schema of its format (specs/*.schema.json):
// a departure is a *SchemaError naming the file, the line, the JSON pointer and the rule, and
// a misspelt key is one, so that it cannot silently drop data.
func Parse(requirementsYAML, ambiguitiesYAML []byte) (*Catalog, error) {
	var problems []error
	for _, f := range []struct {
		name string
		data []byte
	}{{specs.RequirementsFile, requirementsYAML}, {specs.AmbiguitiesFile, ambiguitiesYAML}} {
		if err := validateFormat(f.name, f.data); err != nil {
			if joined, ok := err.(interface{ Unwrap() []error }); ok {
				problems = append(problems, joined.Unwrap()...)
			} else {
				problems = append(problems, err)
			}
		}
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
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

// CheckError is one problem of the catalog or the register that the schemas of their
// formats cannot see: a duplicate id, a reference that does not resolve, an outcome that
// does not fit its entry's API.
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

// Check verifies what the schemas of the formats (Parse) cannot: unique ids, an api that is
// an OpenAPI document's, outcomes that fit their entry's API and name known KooPhone codes,
// default readings that exist with the strict reading among them, and cross references that
// resolve. It returns every problem found, joined, each a *CheckError.
func (c *Catalog) Check() error {
	var errs []error
	bad := func(file, id string, index int, field, format string, args ...any) {
		errs = append(errs, &CheckError{File: file, ID: id, Index: index, Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	const rf, af = specs.RequirementsFile, specs.AmbiguitiesFile

	reqSeen := map[string]bool{}
	for i, r := range c.Requirements {
		if reqSeen[r.ID] {
			bad(rf, r.ID, i, "id", "duplicate id")
		}
		reqSeen[r.ID] = true
		if !slices.Contains(APIs, r.API) {
			bad(rf, r.ID, i, "api", "%q is not one of %v", r.API, APIs)
		}
		for j, a := range r.Ambiguities {
			if _, ok := c.Ambiguity(a); !ok {
				bad(rf, r.ID, i, fmt.Sprintf("ambiguities[%d]", j), "names unknown ambiguity %q", a)
			}
		}
	}

	ambSeen := map[string]bool{}
	for i, a := range c.Ambiguities {
		if ambSeen[a.ID] {
			bad(af, a.ID, i, "id", "duplicate id")
		}
		ambSeen[a.ID] = true
		if !slices.Contains(APIs, a.API) {
			bad(af, a.ID, i, "api", "%q is not one of %v", a.API, APIs)
		}
		readings := map[string]bool{}
		for j, r := range a.Readings {
			if readings[r.ID] {
				bad(af, a.ID, i, fmt.Sprintf("readings[%d].id", j), "duplicate reading %q", r.ID)
			}
			readings[r.ID] = true
			for k, o := range r.Outcome {
				for _, problem := range checkOutcome(a.API, o) {
					bad(af, a.ID, i, fmt.Sprintf("readings[%d].outcome[%d]", j, k), "reading %q: %s", r.ID, problem)
				}
			}
		}
		for j, d := range a.Default {
			if !readings[d] {
				bad(af, a.ID, i, fmt.Sprintf("default[%d]", j), "names unknown reading %q", d)
			}
		}
		if !slices.Contains(a.Default, a.Strict) {
			bad(af, a.ID, i, "strict", "reading %q is not among the default readings %v", a.Strict, a.Default)
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
	}
	return errors.Join(errs...)
}
