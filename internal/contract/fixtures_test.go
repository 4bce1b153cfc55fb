package contract

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/specfacts"
	"go.yaml.in/yaml/v3"
)

// fixtureDir is the repository's fixtures folder, relative to this package.
const fixtureDir = "../../fixtures"

type expectedViolation struct {
	Rule     string `yaml:"rule"`
	Location string `yaml:"location"`
}

type fixtureRequest struct {
	Method string `yaml:"method"`
	Path   string `yaml:"path"`
}

// fixtureCase is one labelled exchange; see fixtures/README.md.
type fixtureCase struct {
	API          string              `yaml:"api"`
	Name         string              `yaml:"name"`
	Method       string              `yaml:"method"`
	Path         string              `yaml:"path"`
	Request      *fixtureRequest     `yaml:"request"`
	Status       int                 `yaml:"status"`
	Headers      map[string]*string  `yaml:"headers"`
	Body         string              `yaml:"body"`
	Valid        *bool               `yaml:"valid"`
	Violations   []expectedViolation `yaml:"violations"`
	Requirements []string            `yaml:"requirements"`

	file string
}

type fixtureFile struct {
	Defaults fixtureCase   `yaml:"defaults"`
	Cases    []fixtureCase `yaml:"cases"`
}

// expansion is the fixtures' notation for long bodies: <<list N|TEXT>> is N copies of TEXT
// joined by commas, <<times N|TEXT>> is N copies run together; %i in TEXT is the index.
var expansion = regexp.MustCompile(`<<(list|times) (\d+)\|(.*?)>>`)

func expand(body string) string {
	return expansion.ReplaceAllStringFunc(body, func(m string) string {
		g := expansion.FindStringSubmatch(m)
		n, _ := strconv.Atoi(g[2])
		parts := make([]string, n)
		for i := range parts {
			parts[i] = strings.ReplaceAll(g[3], "%i", strconv.Itoa(i))
		}
		if g[1] == "list" {
			return strings.Join(parts, ",")
		}
		return strings.Join(parts, "")
	})
}

// loadFixtures reads every case of fixtures/<kind>/*.yaml with the file defaults applied.
func loadFixtures(t *testing.T, kind string) []fixtureCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(fixtureDir, kind, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in %s/%s: %v", fixtureDir, kind, err)
	}
	var out []fixtureCase
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ff fixtureFile
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		dec.KnownFields(true)
		if err := dec.Decode(&ff); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		d := ff.Defaults
		for _, c := range ff.Cases {
			c.file = filepath.Base(f)
			c.API = cmp(c.API, d.API)
			c.Method = cmp(c.Method, d.Method)
			c.Path = cmp(c.Path, d.Path)
			if c.Request == nil {
				c.Request = d.Request
			}
			headers := map[string]*string{}
			for k, v := range d.Headers {
				headers[k] = v
			}
			for k, v := range c.Headers {
				headers[k] = v
			}
			c.Headers = headers
			c.Body = expand(c.Body)
			out = append(out, c)
		}
	}
	return out
}

func cmp(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

func (c fixtureCase) header() http.Header {
	h := http.Header{}
	for k, v := range c.Headers {
		if v != nil {
			h.Set(k, *v)
		}
	}
	return h
}

func (c fixtureCase) check(t *testing.T, cat *catalog.Catalog) {
	t.Helper()
	if c.Name == "" || c.API == "" || c.Valid == nil || len(c.Requirements) == 0 {
		t.Fatalf("%s: case %q needs name, api, valid and requirements", c.file, c.Name)
	}
	if *c.Valid != (len(c.Violations) == 0) {
		t.Fatalf("%s: case %q: valid is %v but %d violations are expected", c.file, c.Name, *c.Valid, len(c.Violations))
	}
	for _, id := range c.Requirements {
		r, ok := cat.Requirement(id)
		if !ok {
			t.Fatalf("%s: case %q names unknown requirement %q", c.file, c.Name, id)
		}
		if r.API != c.API {
			t.Fatalf("%s: case %q of api %s names %s requirement %q", c.file, c.Name, c.API, r.API, id)
		}
	}
}

func compareViolations(t *testing.T, got Violations, want []expectedViolation) {
	t.Helper()
	var g, w []string
	for _, v := range got {
		g = append(g, string(v.Rule)+" "+v.Location)
		if v.Message == "" {
			t.Errorf("violation %s at %s has no message", v.Rule, v.Location)
		}
	}
	for _, v := range want {
		w = append(w, v.Rule+" "+v.Location)
	}
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("violations differ\n got: %q\nwant: %q\nfull: %v", g, w, got)
	}
}

// Every request fixture yields exactly the expected set of (rule, location) violations.
func TestRequestFixtures(t *testing.T) {
	c, cat := Default(), catalog.Default()
	for _, fc := range loadFixtures(t, "requests") {
		t.Run(fc.file+"/"+fc.Name, func(t *testing.T) {
			fc.check(t, cat)
			r := httptest.NewRequest(fc.Method, "http://target.example"+fc.Path, nil)
			r.Header = fc.header()
			vs := c.ValidateRequest(r, []byte(fc.Body))
			compareViolations(t, vs, fc.Violations)
			if api, _, err := c.Route(fc.Method, fc.Path); err == nil && string(api) != fc.API {
				t.Errorf("routed to %s, fixture says %s", api, fc.API)
			}
		})
	}
}

// Every response fixture yields exactly the expected set of (rule, location) violations.
func TestResponseFixtures(t *testing.T) {
	c, cat := Default(), catalog.Default()
	for _, fc := range loadFixtures(t, "responses") {
		t.Run(fc.file+"/"+fc.Name, func(t *testing.T) {
			fc.check(t, cat)
			if fc.Request == nil || fc.Status == 0 {
				t.Fatalf("response case %q needs request and status", fc.Name)
			}
			r := httptest.NewRequest(fc.Request.Method, "http://target.example"+fc.Request.Path, nil)
			vs := c.ValidateResponse(r, fc.Status, fc.header(), []byte(fc.Body))
			compareViolations(t, vs, fc.Violations)
		})
	}
}

// awaitingSuites lists the requirements no fixture can exercise (they need a stateful
// target); the Ginkgo suites cover them with req:<id> labels. A new requirement must be
// added either to a fixture or here, so that nothing is silently uncovered.
var awaitingSuites = []specfacts.RequirementID{
	specfacts.ReqKooPhoneBackupOperation,
	specfacts.ReqKooPhoneCmdJobsCoverRequest,
	specfacts.ReqKooPhoneJobIDsDistinct,
	specfacts.ReqKooPhoneReleasedInstanceRefused,
	specfacts.ReqKooPhoneRejectedRequestChangesNothing,
	specfacts.ReqKooPhoneOversizedBody,
	specfacts.ReqKooPhoneTaskIDsDistinct,
	specfacts.ReqVBSAssociateOperation,
	specfacts.ReqVBSInvalidToken,
	specfacts.ReqVBSProjectMismatch,
	specfacts.ReqVBSPartialFailure,
	specfacts.ReqVBSEachResourceOnce,
	specfacts.ReqVBSResourceTypeEcho,
	specfacts.ReqVBSReassociate,
	specfacts.ReqVBSOversizedBody,
	// The request of these probes departs from no schema (another method, an Accept
	// header, two faults at once): only the suites can judge their answers.
	specfacts.ReqVBSMethodNotAllowed,
	specfacts.ReqVBSNotAcceptable,
	specfacts.ReqVBSFaultPrecedence,
}

// Every shape, limit and error-semantics requirement is exercised by a fixture, and every
// other requirement is either exercised or explicitly listed as awaiting the suites.
func TestFixtureCoverage(t *testing.T) {
	covered := map[string]bool{}
	for _, kind := range []string{"requests", "responses"} {
		for _, fc := range loadFixtures(t, kind) {
			for _, id := range fc.Requirements {
				covered[id] = true
			}
		}
	}
	cat := catalog.Default()
	for _, id := range awaitingSuites {
		r, ok := cat.Requirement(string(id))
		switch {
		case !ok:
			t.Errorf("awaitingSuites names unknown requirement %q", id)
		case covered[string(id)]:
			t.Errorf("%s is covered by a fixture; remove it from awaitingSuites", id)
		case r.Kind == "shape" || r.Kind == "limit" || r.Kind == "error-semantics":
			t.Errorf("%s is of kind %s, which a fixture must cover", id, r.Kind)
		}
	}
	for _, r := range cat.Requirements {
		if !covered[r.ID] && !slices.Contains(awaitingSuites, specfacts.RequirementID(r.ID)) {
			t.Errorf("requirement %s (%s) is neither exercised by a fixture nor listed in awaitingSuites", r.ID, r.Kind)
		}
	}
}

// The expansion notation produces the sizes the boundary fixtures rely on.
func TestFixtureExpansion(t *testing.T) {
	got := expand(`[<<list 3|"i-%i">>] <<times 4|é>>`)
	if want := `["i-0","i-1","i-2"] éééé`; got != want {
		t.Fatalf("expand = %q, want %q", got, want)
	}
	if s := fmt.Sprint(expand("<<list 0|x>>")); s != "" {
		t.Fatalf("a list of zero is %q, want empty", s)
	}
}
