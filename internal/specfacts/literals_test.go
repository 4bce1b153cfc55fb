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
//	  $(git grep -lE '^// Code generated .* DO NOT EDIT\.$' -- '*.go' | sed 's/^/:!/') |
//	  grep -vE '^[^:]+:[0-9]+:[[:space:]]*(//|/?\*|[A-Z][a-z]+:|[A-Za-z(])'
//
// The last filter drops comment lines (Kubernetes-style comment blocks name requirement ids
// and codes on purpose); the Go test below tokenizes instead, so a fact in a comment never
// counts and one in code always does.
//
// It prints nothing when the repository is clean.

import (
	"bytes"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

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
		"body limit":         regexp.MustCompile(`(^|[^0-9])1[[:space:]]*<<[[:space:]]*20([^0-9]|$)|1048576`),
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
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if generatedHeader.Match(firstLines(src)) {
			return nil
		}
		lines := codeLines(src)
		var found []finding
		for _, n := range sortedLineNumbers(lines) {
			for _, k := range kinds {
				if m := patterns[k].FindString(lines[n]); m != "" {
					found = append(found, finding{file: rel, line: n, kind: k, text: strings.TrimSpace(m)})
				}
			}
		}
		out = append(out, found...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// codeLines is a file's Go tokens, comments left out, joined per line: a fact named in a
// comment (the Kubernetes-style blocks that the inventory reads name requirement ids and
// codes on purpose) is prose, not a second source of truth.
func codeLines(src []byte) map[int]string {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var sc scanner.Scanner
	sc.Init(file, src, nil, 0)
	lines := map[int]string{}
	for {
		pos, tok, lit := sc.Scan()
		if tok == token.EOF {
			return lines
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue
		}
		text := lit
		if text == "" {
			text = tok.String()
		}
		n := file.Line(pos)
		if lines[n] != "" {
			lines[n] += " "
		}
		lines[n] += text
	}
}

// firstLines is the part of a file where Go's generated-code header may stand.
func firstLines(src []byte) []byte {
	for _, l := range bytes.SplitAfterN(src, []byte("\n"), 20) {
		if generatedHeader.Match(bytes.TrimRight(l, "\r\n")) {
			return bytes.TrimRight(l, "\r\n")
		}
	}
	return nil
}

func sortedLineNumbers(lines map[int]string) []int {
	out := make([]int, 0, len(lines))
	for n := range lines {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// No Go file outside specs/ and generated code spells an error code, an error-code name, a
// rule id, a requirement id, the body limit, the mock fault header or a resource type as a
// literal; each is a specfacts constant or read through package contract.
func TestNoLiteralFacts(t *testing.T) {
	for _, f := range scan(t, filepath.Join("..", "..")) {
		t.Errorf("%s:%d: literal %s %s; use the specfacts constant or read it through package contract", f.file, f.line, f.kind, f.text)
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
