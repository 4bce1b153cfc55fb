package catalog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/specs"
	"go.yaml.in/yaml/v3"
)

// The embedded catalog and register parse and pass every structural check.
func TestEmbeddedCatalogPassesCheck(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if err := c.Check(); err != nil {
		t.Fatalf("Check:\n%v", err)
	}
	if len(c.Requirements) == 0 || len(c.Ambiguities) == 0 {
		t.Fatalf("empty catalog: %d requirements, %d ambiguities", len(c.Requirements), len(c.Ambiguities))
	}
	if Default() == nil {
		t.Fatal("Default returned nil")
	}
}

// Lookups find entries by id, report absence, and filter by API.
func TestLookups(t *testing.T) {
	c := Default()
	id := specfacts.ReqKooPhoneInstanceIDsMaxItems
	r, ok := c.Requirement(string(id))
	if !ok || r.API != string(specfacts.KooPhone) || r.Kind != "limit" {
		t.Fatalf("Requirement(%s) = %+v, %v", id, r, ok)
	}
	if _, ok := c.Requirement("no-such-requirement"); ok {
		t.Fatal("Requirement found an id that does not exist")
	}
	a, ok := c.Ambiguity("koophone-error-code-case")
	if !ok || a.Strict != "upper-case" {
		t.Fatalf("Ambiguity(koophone-error-code-case) = %+v, %v", a, ok)
	}
	if !a.Tolerates("mixed-case") || a.Tolerates("lower-case") {
		t.Fatalf("Tolerates: default readings are %v", a.Default)
	}
	if _, ok := c.Ambiguity("no-such-ambiguity"); ok {
		t.Fatal("Ambiguity found an id that does not exist")
	}
	for _, api := range APIs {
		rs := c.RequirementsFor(api)
		if len(rs) == 0 {
			t.Fatalf("no requirements for %s", api)
		}
		for _, r := range rs {
			if r.API != api {
				t.Fatalf("RequirementsFor(%s) returned %s of api %s", api, r.ID, r.API)
			}
		}
	}
}

// Collapse folds runs of white space, including newlines, to one space and trims.
func TestCollapse(t *testing.T) {
	for in, want := range map[string]string{
		"  a \n|\n b\t\tc ": "a | b c",
		"":                  "",
		"one":               "one",
	} {
		if got := Collapse(in); got != want {
			t.Errorf("Collapse(%q) = %q, want %q", in, got, want)
		}
	}
}

const validRequirements = `
version: 1
requirements:
  - id: koophone-a
    api: koophone
    level: MUST
    kind: limit
    statement: A MUST hold.
    source: {seed: s.txt, clause: "a"}
    ambiguities: [koophone-x]
`

const validAmbiguities = `
version: 1
ambiguities:
  - id: koophone-x
    api: koophone
    clauses: [{seed: s.txt, clause: "a"}]
    question: Which?
    judgement: Both readings answer the question reasonably.
    readings:
      - {id: one, description: One., outcome: {status: 400, code: parameter-incorrect}}
      - {id: two, description: Two., outcome: [{status: 200, success: true}, {status: 413}]}
    default: [one, two]
    strict: one
    requirements: [koophone-a]
`

// Each kind of broken catalog is rejected with a typed error naming the entry and field.
func TestCheckRejectsBrokenCatalogs(t *testing.T) {
	if c, err := Parse([]byte(validRequirements), []byte(validAmbiguities)); err != nil || c.Check() != nil {
		t.Fatalf("the valid base case must pass: parse %v, check %v", err, c.Check())
	}
	cases := []struct {
		name       string
		reqs, ambs string
		id, field  string
	}{
		{"duplicate requirement id", validRequirements + `
  - id: koophone-a
    api: koophone
    level: MUST
    kind: limit
    statement: Again.
    source: {seed: s.txt, clause: "a"}
`, validAmbiguities, "koophone-a", "id"},
		{"dangling ambiguity reference", strings.Replace(validRequirements, "[koophone-x]", "[koophone-missing]", 1), validAmbiguities, "koophone-a", "ambiguities[0]"},
		{"dangling requirement reference", validRequirements, strings.Replace(validAmbiguities, "requirements: [koophone-a]", "requirements: [koophone-gone]", 1), "koophone-x", "requirements[0]"},
		{"strict not in default", validRequirements, strings.Replace(validAmbiguities, "default: [one, two]", "default: [two]", 1), "koophone-x", "strict"},
		{"default names no reading", validRequirements, strings.Replace(validAmbiguities, "default: [one, two]", "default: [one, three]", 1), "koophone-x", "default[1]"},
		{"unknown code name", validRequirements, strings.Replace(validAmbiguities, "code: parameter-incorrect", "code: parameter-wrong", 1), "koophone-x", "readings[0].outcome[0]"},
		{"envelope on a KooPhone entry", validRequirements, strings.Replace(validAmbiguities, "{status: 413}", "{status: 413, envelope: true}", 1), "koophone-x", "readings[1].outcome[1]"},
		{"bad api", strings.Replace(validRequirements, "api: koophone\n    level", "api: other\n    level", 1), validAmbiguities, "koophone-a", "api"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.reqs), []byte(tc.ambs))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = c.Check()
			if err == nil {
				t.Fatal("Check accepted a broken catalog")
			}
			if !strings.Contains(err.Error(), tc.id) {
				t.Fatalf("error does not name %q: %v", tc.id, err)
			}
			found := false
			for _, e := range unjoin(err) {
				var ce *CheckError
				if errors.As(e, &ce) && ce.ID == tc.id && ce.Field == tc.field {
					found = true
				}
			}
			if !found {
				t.Fatalf("no CheckError for %s field %s in:\n%v", tc.id, tc.field, err)
			}
		})
	}
}

// A file that departs from the schema of its format is refused by Parse with a
// *SchemaError naming the file, the line, the JSON pointer of the value and the rule.
func TestParseRefusesWhatTheSchemaForbids(t *testing.T) {
	cases := []struct {
		name       string
		reqs, ambs string
		file       string
		line       int
		pointer    string
		rule, says string
	}{
		{"misspelt key", strings.Replace(validRequirements, "statement:", "statment:", 1), validAmbiguities,
			specs.RequirementsFile, 4, "/requirements/0", "#/$defs/requirement/additionalProperties", "statment"},
		{"missing judgement", validRequirements, strings.Replace(validAmbiguities, "    judgement: Both readings answer the question reasonably.\n", "", 1),
			specs.AmbiguitiesFile, 4, "/ambiguities/0", "#/$defs/ambiguity/required", "judgement"},
		{"blank judgement", validRequirements, strings.Replace(validAmbiguities, "judgement: Both readings answer the question reasonably.", `judgement: "  "`, 1),
			specs.AmbiguitiesFile, 8, "/ambiguities/0/judgement", "#/$defs/text/pattern", "does not match"},
		{"reading without outcome", validRequirements, strings.Replace(validAmbiguities, ", outcome: {status: 400, code: parameter-incorrect}", "", 1),
			specs.AmbiguitiesFile, 10, "/ambiguities/0/readings/0", "#/$defs/reading/required", "outcome"},
		{"unknown outcome key", validRequirements, strings.Replace(validAmbiguities, "code: parameter-incorrect}", "code: parameter-incorrect, colour: red}", 1),
			specs.AmbiguitiesFile, 10, "/ambiguities/0/readings/0/outcome", "#/$defs/outcome/additionalProperties", "colour"},
		{"status out of range in a list", validRequirements, strings.Replace(validAmbiguities, "{status: 413}", "{status: [413, 999]}", 1),
			specs.AmbiguitiesFile, 11, "/ambiguities/0/readings/1/outcome/1/status/1", "#/$defs/status/maximum", "999"},
		{"empty outcome", validRequirements, strings.Replace(validAmbiguities, "{status: 413}", "{}", 1),
			specs.AmbiguitiesFile, 11, "/ambiguities/0/readings/1/outcome/1", "#/$defs/outcome/minProperties", "want 1"},
		{"bad kind", strings.Replace(validRequirements, "kind: limit", "kind: vibes", 1), validAmbiguities,
			specs.RequirementsFile, 7, "/requirements/0/kind", "#/$defs/requirement/properties/kind/enum", "robustness"},
		{"bad level", strings.Replace(validRequirements, "level: MUST", "level: MUSTN'T", 1), validAmbiguities,
			specs.RequirementsFile, 6, "/requirements/0/level", "#/$defs/requirement/properties/level/enum", "SHOULD"},
		{"not kebab-case", strings.Replace(validRequirements, "id: koophone-a", "id: KooPhone_A", 1), validAmbiguities,
			specs.RequirementsFile, 4, "/requirements/0/id", "#/$defs/kebab/pattern", "KooPhone_A"},
		{"inferred without reasoning", validRequirements + "    inferred: true\n", validAmbiguities,
			specs.RequirementsFile, 4, "/requirements/0", "#/$defs/requirement/then/required", "reasoning"},
		{"wrong version", strings.Replace(validRequirements, "version: 1", "version: 2", 1), validAmbiguities,
			specs.RequirementsFile, 2, "/version", "#/properties/version/const", "1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.reqs), []byte(tc.ambs))
			if err == nil {
				t.Fatal("Parse accepted a file its schema forbids")
			}
			var found []string
			for _, e := range unjoin(err) {
				var se *SchemaError
				if !errors.As(e, &se) {
					t.Errorf("not a *SchemaError: %v", e)
					continue
				}
				found = append(found, se.Error())
				if se.File == tc.file && se.Line == tc.line && se.Pointer == tc.pointer && strings.HasSuffix(se.Rule, tc.rule) &&
					strings.HasPrefix(se.Rule, formats[tc.file]) && strings.Contains(se.Message, tc.says) &&
					strings.Contains(se.Error(), tc.file+":") && strings.Contains(se.Error(), tc.pointer) {
					return
				}
			}
			t.Fatalf("no *SchemaError for %s:%d %s (rule …%s, saying %q) in:\n%s", tc.file, tc.line, tc.pointer, tc.rule, tc.says, strings.Join(found, "\n"))
		})
	}
}

// The vocabularies the schemas fix are the ones the code names: the outcome keys, the VBS
// lists and the repeats values, and the requirement kinds and levels read from the schema.
func TestSchemasMatchTheCode(t *testing.T) {
	if _, err := compiledSchemas(); err != nil {
		t.Fatal(err)
	}
	outcome := schemaDocs[specs.AmbiguitiesFile].(map[string]any)["$defs"].(map[string]any)["outcome"].(map[string]any)["properties"].(map[string]any)
	var keys []string
	for k := range outcome {
		keys = append(keys, k)
	}
	if got, want := sortedCopy(keys), sortedCopy(OutcomeKeys); !slices.Equal(got, want) {
		t.Errorf("the schema's outcome keys %v, the code's %v", got, want)
	}
	for ptr, want := range map[string][]string{
		"/$defs/outcome/properties/resource_in/enum": {ResourceListSuccess, ResourceListFail},
		"/$defs/outcome/properties/repeats/enum":     {RepeatsOnce, RepeatsPerEntry},
	} {
		if got := schemaEnum(specs.AmbiguitiesFile, ptr); !slices.Equal(got, want) {
			t.Errorf("%s: schema %v, code %v", ptr, got, want)
		}
	}
	if len(Kinds) != 6 || Kinds[0] != "shape" || !slices.Contains(Levels, "MUST") {
		t.Errorf("kinds %v, levels %v", Kinds, Levels)
	}
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// seedDir finds ../shared/seeds relative to the repository root by walking up from the
// package folder; "" when the seeds are not on this machine.
func seedDir(t *testing.T) string {
	t.Helper()
	if env := os.Getenv(seedsEnv); env != "" {
		if st, err := os.Stat(env); err != nil || !st.IsDir() {
			t.Fatalf("%s=%s is not a directory", seedsEnv, env)
		}
		return env
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			seeds := filepath.Join(dir, "..", "shared", "seeds")
			if st, err := os.Stat(seeds); err == nil && st.IsDir() {
				return seeds
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// seedsEnv names the seed folder where it does not sit beside the repository root.
const seedsEnv = "CONFORMANCE_SEEDS"

// missingSeedsFail decides, from the CI variable, whether absent seeds fail the verbatim
// check: a developer's checkout may lack them, a CI run must not silently drop the check.
func missingSeedsFail(ci string) bool {
	on, err := strconv.ParseBool(strings.TrimSpace(ci))
	return err == nil && on
}

// In CI (CI=true or any true value) absent seeds fail the verbatim check; elsewhere they
// skip it.
func TestMissingSeedsFailOnlyInCI(t *testing.T) {
	for ci, want := range map[string]bool{"true": true, "1": true, "TRUE": true, "": false, "false": false, "0": false, "yes": false} {
		if got := missingSeedsFail(ci); got != want {
			t.Errorf("CI=%q: fail %v, want %v", ci, got, want)
		}
	}
}

// specQuotes walks an OpenAPI document's YAML tree and returns every x-source it holds,
// located by its path in the tree.
func specQuotes(t *testing.T, file string) []Quote {
	t.Helper()
	raw, err := specs.Read(file)
	if err != nil {
		t.Fatal(err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var out []Quote
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, fmt.Sprintf("%s/%d", path, i))
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := path + "/" + k.Value
				if k.Value == "x-source" {
					var s Source
					if err := v.Decode(&s); err != nil {
						t.Fatalf("%s %s: %v", file, p, err)
					}
					out = append(out, Quote{Where: file + " " + p, Source: s})
					continue
				}
				walk(v, p)
			}
		}
	}
	walk(&root, "")
	return out
}

// Every clause quoted by the catalog, the register and the x-source of both OpenAPI
// documents occurs verbatim (white space collapsed) in its seed document.
func TestQuotesAreVerbatim(t *testing.T) {
	dir := seedDir(t)
	if dir == "" {
		const why = "the verbatim check could not run: ../shared/seeds was not found beside the repository root and " +
			seedsEnv + " is not set"
		if missingSeedsFail(os.Getenv("CI")) {
			t.Fatal(why + "; CI=true, where the check must run, so this fails instead of skipping")
		}
		t.Skip(why)
	}
	quotes := Default().Quotes()
	for _, f := range []string{specs.KooPhoneFile, specs.VBSFile} {
		q := specQuotes(t, f)
		if len(q) < 10 {
			t.Fatalf("%s: only %d x-source found; the walk is broken", f, len(q))
		}
		quotes = append(quotes, q...)
	}
	if err := CheckVerbatim(dir, quotes); err != nil {
		t.Fatalf("quotes not verbatim:\n%v", err)
	}
}

// CheckVerbatim reports a clause absent from its seed and a seed that does not exist.
func TestCheckVerbatimRejects(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "s.txt"), []byte("alpha |\n beta\tgamma"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := CheckVerbatim(dir, []Quote{{Where: "ok", Source: Source{Seed: "s.txt", Clause: "alpha | beta gamma"}}}); err != nil {
		t.Fatalf("collapsed clause rejected: %v", err)
	}
	err := CheckVerbatim(dir, []Quote{
		{Where: "q1", Source: Source{Seed: "s.txt", Clause: "delta"}},
		{Where: "q2", Source: Source{Seed: "missing.txt", Clause: "alpha"}},
		{Where: "q3", Source: Source{Seed: "../s.txt", Clause: "alpha"}},
	})
	var nv *NotVerbatimError
	if !errors.As(err, &nv) || len(unjoin(err)) != 3 {
		t.Fatalf("want three NotVerbatimErrors, got %v", err)
	}
	for _, w := range []string{"q1: clause not in seed", "q2: seed not found", "q3: seed not found"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
}

// A misspelt code name is refused with a message naming the entry, the reading, the name and
// the vocabulary it should have come from.
func TestOutcomeErrorsNameWhatIsWrong(t *testing.T) {
	bad := strings.Replace(validAmbiguities, "code: parameter-incorrect}", "code: parameter-wrong, resource_in: fail_resources}", 1)
	c, err := Parse([]byte(validRequirements), []byte(bad))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	msg := fmt.Sprint(c.Check())
	for _, want := range []string{`koophone-x`, `reading "one"`, `unknown code name "parameter-wrong"`, string(specfacts.CodeParameterIncorrect), "resource_in"} {
		if !strings.Contains(msg, want) {
			t.Errorf("check error does not say %q:\n%s", want, msg)
		}
	}
}

// Every reading of the embedded register states an outcome, and status and code take one
// value or a list.
func TestEmbeddedReadingsHaveOutcomes(t *testing.T) {
	c := Default()
	for _, a := range c.Ambiguities {
		for _, r := range a.Readings {
			if len(r.Outcome) == 0 {
				t.Errorf("%s/%s has no outcome", a.ID, r.ID)
			}
		}
	}
	a, _ := c.Ambiguity("vbs-unknown-volume-reporting")
	r, _ := a.Reading("request-error")
	if got := r.Outcome[0].Statuses; len(got) != 2 || got[0] != 400 || got[1] != 404 || !r.Outcome[0].Envelope {
		t.Errorf("vbs-unknown-volume-reporting/request-error outcome = %+v", r.Outcome)
	}
	a, _ = c.Ambiguity("vbs-oversized-body-status")
	if r, _ := a.Reading("parsed"); len(r.Outcome) != 2 {
		t.Errorf("vbs-oversized-body-status/parsed has %d alternatives, want 2", len(r.Outcome))
	}
}

// The gateway outcome parses, is checked against the vocabulary, and cannot be mixed with
// the API's own body keys or another status than the gateway's.
func TestGatewayOutcome(t *testing.T) {
	for _, api := range []specfacts.API{specfacts.KooPhone, specfacts.VBS} {
		if p := checkOutcome(string(api), Outcome{Statuses: []int{GatewayStatus}, Gateway: true}); len(p) != 0 {
			t.Errorf("%s: a gateway outcome is refused: %v", api, p)
		}
	}
	if p := checkOutcome(string(specfacts.KooPhone), Outcome{Gateway: true, Codes: []string{string(specfacts.CodeParameterIncorrect)}}); len(p) == 0 {
		t.Error("gateway together with code is accepted")
	}
	if p := checkOutcome(string(specfacts.VBS), Outcome{Statuses: []int{403}, Gateway: true}); len(p) == 0 {
		t.Error("gateway with status 403 is accepted")
	}
	if p := checkOutcome(string(specfacts.VBS), Outcome{Success: true, SameJobs: true}); len(p) == 0 {
		t.Error("same_jobs on a VBS outcome is accepted")
	}
	a, _ := Default().Ambiguity(string(specfacts.AmbKooPhoneMissingTokenCode))
	r, ok := a.Reading("api-gateway")
	if !ok || !r.Outcome[0].Gateway || !a.Tolerates(r.ID) || a.Strict == r.ID {
		t.Errorf("koophone-missing-token-code/api-gateway = %+v (default %v, strict %s)", r, a.Default, a.Strict)
	}
	if !r.Outcome[0].JudgesBody() {
		t.Error("a gateway outcome does not judge the body")
	}
}
