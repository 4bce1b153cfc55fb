package factgen

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/koobackup/conformance/specs"
)

// Kebab-case ids become exported Go names with Go's initialisms.
func TestGoName(t *testing.T) {
	for in, want := range map[string]string{
		"koophone-widget-ids-max-items": "KooPhoneWidgetIDsMaxItems",
		"vbs-reply-201-shape":           "VBSReply201Shape",
		"reply-invalid-json":            "ReplyInvalidJSON",
		"disk":                          "Disk",
		"api-url-id":                    "APIURLID",
	} {
		if got := GoName(in); got != want {
			t.Errorf("GoName(%q) = %q, want %q", in, got, want)
		}
	}
}

// specsCopy returns the embedded specs with some files' text edited.
func specsCopy(t *testing.T, edit func(name, text string) string) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	names, err := fs.Glob(specs.FS, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := specs.FS.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = &fstest.MapFile{Data: []byte(edit(n, string(b)))}
	}
	return out
}

// The embedded specs yield every kind of fact, and the source starts with the generated-code
// header.
func TestGenerateFromSpecs(t *testing.T) {
	f, err := Read(specs.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.APIs) != 2 || len(f.Requirements) < 40 || len(f.Rules) < 10 || len(f.ErrorCodes) == 0 ||
		len(f.ResourceTypes) == 0 || f.RequestBodyLimit <= 0 || f.MockFaultHeader == "" {
		t.Fatalf("facts incomplete: %+v", f)
	}
	src, err := Render(f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(src), Header+"\n") {
		t.Fatalf("source does not start with the header:\n%.200s", src)
	}
}

// A spec that cannot yield one fact unambiguously is refused with the file and the problem.
func TestReadRefusesBrokenSpecs(t *testing.T) {
	for _, c := range []struct {
		name, want string
		edit       func(name, text string) string
	}{
		{"limits disagree", "different x-request-body-limit", func(n, s string) string {
			if n == specs.VBSFile {
				return regexp.MustCompile(`bytes: [0-9]+`).ReplaceAllString(s, "bytes: 7")
			}
			return s
		}},
		{"limit without reasoning", "needs a positive bytes", func(n, s string) string {
			return strings.Replace(s, "reasoning: |", "reasonin: |", 1)
		}},
		{"no fault header", "no server entry declares x-mock-fault-header", func(n, s string) string {
			return strings.ReplaceAll(s, "x-mock-fault-header:", "x-other:")
		}},
		{"requirement of unknown api", "is no OpenAPI document's info.x-api", func(n, s string) string {
			if n == specs.RequirementsFile {
				return strings.Replace(s, "api: vbs", "api: ebs", 1)
			}
			return s
		}},
		{"rule without side", "needs a kebab-case id, side request or response", func(n, s string) string {
			if n == specs.RulesFile {
				return strings.Replace(s, "    side: request", "    side: both", 1)
			}
			return s
		}},
		{"reading not kebab-case", "readings[1] id \"Mixed_Case\" is not kebab-case", func(n, s string) string {
			if n == specs.AmbiguitiesFile {
				return strings.Replace(s, "- id: mixed-case", "- id: Mixed_Case", 1)
			}
			return s
		}},
		{"two readings of one entry, one Go name", "both become the Go name", func(n, s string) string {
			if n == specs.AmbiguitiesFile {
				return strings.Replace(s, "- id: mixed-case", "- id: upper-case", 1)
			}
			return s
		}},
		{"two ids, one Go name", "both become the Go name", func(n, s string) string {
			if n == specs.RulesFile {
				return strings.Replace(s, "- id: route-not-found", "- id: method-not-allowed", 1)
			}
			return s
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(specsCopy(t, c.edit))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an error containing %q, got %v", c.want, err)
			}
		})
	}
}
