package specfacts

// The facts of specs/ are spelt in Go only by the generated constants. This test is the
// repository's grep for literal facts; the same check from a shell, at the module root:
//
//	ids=$(sed -n 's/^  - id: //p' specs/requirements.yaml | paste -sd'|' -)
//	rules=$(sed -n 's/^  - id: //p' specs/rules.yaml | paste -sd'|' -)
//	codes=$(awk '/- code: /{getline; sub(/.*name: /, ""); print}' specs/*.yaml | paste -sd'|' -)
//	git grep -nE \
//	  -e '(KOOPHONE|KooPhone)\.API\.[0-9]{4}' \
//	  -e "\"($codes|$rules)\"" \
//	  -e "(^|[^a-z0-9-])($ids)([^a-z0-9-]|\$)" \
//	  -e '1[[:space:]]*<<[[:space:]]*20([^0-9]|$)' -e '1048576' \
//	  -e '"[Xx]-[Mm]ock-[Ff]ault"' -e '\\?"volume\\?"' \
//	  -- '*.go' ':!specs/' ':!internal/specfacts/literals_test.go' \
//	  $(git grep -lE '^// Code generated .* DO NOT EDIT\.$' -- '*.go' | sed 's/^/:!/')
//
// It prints nothing when the repository is clean. While notYetSwept is not empty, matches in
// those directories are expected.

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// notYetSwept lists the directories whose Go files may still spell facts as literals,
// because another change is rewriting them. The lead removes each entry as the directory is
// swept; the test fails when a listed directory is already clean, so the list only shrinks.
// Do not add entries.
var notYetSwept = []string{
	"suites",
	"internal/mock",
	"internal/conformance",
	"internal/bench",     // a scanner buffer of 1<<20 and two requirement ids in workload.go
	"internal/inventory", // test data naming requirement ids
	"internal/mutation",  // tests naming register entries that equal requirement ids
}

// generatedHeader is Go's convention for generated files (go help generate).
var generatedHeader = regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.$`)

func alternation[T ~string](vals []T) string {
	quoted := make([]string, len(vals))
	for i, v := range vals {
		quoted[i] = regexp.QuoteMeta(string(v))
	}
	return strings.Join(quoted, "|")
}

// literalPatterns are the shell command's patterns, built from the generated lists.
func literalPatterns() map[string]*regexp.Regexp {
	return map[string]*regexp.Regexp{
		"error code":         regexp.MustCompile(`(KOOPHONE|KooPhone)\.API\.[0-9]{4}`),
		"error-code name":    regexp.MustCompile(`"(` + alternation(ErrorCodeNames()) + `)"`),
		"rule id":            regexp.MustCompile(`"(` + alternation(RuleIDs()) + `)"`),
		"requirement id":     regexp.MustCompile(`(^|[^a-z0-9-])(` + alternation(RequirementIDs()) + `)([^a-z0-9-]|$)`),
		"body limit":         regexp.MustCompile(`1[[:space:]]*<<[[:space:]]*20([^0-9]|$)|1048576`),
		"mock fault header":  regexp.MustCompile(`"[Xx]-[Mm]ock-[Ff]ault"`),
		"resource type enum": regexp.MustCompile(`\\?"(` + alternation(ResourceTypes()) + `)\\?"`),
	}
}

type finding struct {
	file string
	line int
	kind string
	text string
}

// scan returns every literal fact in the Go files under root, except in specs/, generated
// files and this file.
func scan(t *testing.T, root string) []finding {
	t.Helper()
	patterns := literalPatterns()
	kinds := make([]string, 0, len(patterns))
	for k := range patterns {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	var out []finding
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "specs" || (rel != "." && strings.HasPrefix(d.Name(), ".")) || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || rel == "internal/specfacts/literals_test.go" {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		var found []finding
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if generatedHeader.MatchString(line) {
				return nil
			}
			for _, k := range kinds {
				if m := patterns[k].FindString(line); m != "" {
					found = append(found, finding{file: rel, line: n, kind: k, text: strings.TrimSpace(m)})
				}
			}
		}
		out = append(out, found...)
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func inDir(file, dir string) bool { return file == dir || strings.HasPrefix(file, dir+"/") }

// No Go file outside specs/ and generated code spells an error code, an error-code name, a
// rule id, a requirement id, the body limit, the mock fault header or a resource type as a
// literal; each is a specfacts constant or read through package contract.
func TestNoLiteralFacts(t *testing.T) {
	findings := scan(t, filepath.Join("..", ".."))
	pending := map[string]int{}
	for _, f := range findings {
		if i := slices.IndexFunc(notYetSwept, func(d string) bool { return inDir(f.file, d) }); i >= 0 {
			pending[notYetSwept[i]]++
			continue
		}
		t.Errorf("%s:%d: literal %s %s; use the specfacts constant or read it through package contract", f.file, f.line, f.kind, f.text)
	}
	for _, d := range notYetSwept {
		if pending[d] == 0 {
			t.Errorf("%s spells no fact as a literal any more: remove it from notYetSwept", d)
		}
	}
}

// The scan finds each kind of literal it is meant to find, on the right line, and skips
// generated files.
func TestScanFindsLiterals(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code := "KOOPHONE" + ".API." + "1000"
	write("a/a.go", strings.Join([]string{
		"package a",
		`var c = "` + code + `"`,
		`var n = "` + string(CodeParameterIncorrect) + `"`,
		`var r = "` + string(RuleRequestBodySchema) + `"`,
		`var q = "req:` + string(ReqKooPhoneInstanceIDsMaxItems) + `"`,
		"const limit = 1 " + "<< 20",
		`const h = "` + MockFaultHeader + `"`,
		"var body = `{\"resource_type\":\"" + string(ResourceTypeVolume) + "\"}`",
		`var fine = "` + string(ReqKooPhoneInstanceIDsMaxItems) + `-not-an-id"`,
	}, "\n"))
	write("b/gen.go", "// Code generated by x; DO NOT EDIT.\n\npackage b\n\nconst c = \""+code+"\"\n")
	write("specs/s.go", "package specs\n\nconst c = \""+code+"\"\n")
	got := map[string]int{}
	for _, f := range scan(t, dir) {
		if f.file != "a/a.go" {
			t.Errorf("%s:%d: found %s in a file the check skips", f.file, f.line, f.kind)
		}
		got[f.kind] = f.line
	}
	want := map[string]int{"error code": 2, "error-code name": 3, "rule id": 4, "requirement id": 5,
		"body limit": 6, "mock fault header": 7, "resource type enum": 8}
	for k, line := range want {
		if got[k] != line {
			t.Errorf("%s: found on line %d, want %d", k, got[k], line)
		}
	}
	if len(got) != len(want) {
		t.Errorf("found kinds %v, want %v", got, want)
	}
}
