package launch

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// suiteModule writes a module with one suite package and a library its tests import into a
// new directory, and returns the directory.
func suiteModule(t *testing.T, lib string) string {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module example.com/keyed\n\ngo 1.22\n", 0o644)
	write(t, filepath.Join(dir, "lib", "lib.go"), lib, 0o644)
	write(t, filepath.Join(dir, "suites", "one", "one.go"), "package one\n", 0o644)
	write(t, filepath.Join(dir, "suites", "one", "one_test.go"),
		"package one\n\nimport (\n\t\"testing\"\n\n\t\"example.com/keyed/lib\"\n)\n\nfunc TestOne(t *testing.T) { _ = lib.Answer }\n", 0o644)
	return dir
}

func keyOf(t *testing.T, root string) string {
	t.Helper()
	key, pkgs, err := buildKey(context.Background(), root, SuitesPattern)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"example.com/keyed/suites/one"}; !slices.Equal(pkgs, want) {
		t.Fatalf("suite packages %v, want %v", pkgs, want)
	}
	return key
}

// The key of a suite build is the content the suites are built from together with the
// checkout's path (a compiled suite reports its specs' locations as absolute paths): the same
// checkout unchanged keeps its build, another checkout of the same content gets its own, a
// changed file the suites import gets a new one, and a file they do not import changes nothing.
func TestBuildKeyFollowsContentAndCheckout(t *testing.T) {
	const lib = "package lib\n\nconst Answer = 42\n"
	a, b := suiteModule(t, lib), suiteModule(t, lib)
	first := keyOf(t, a)
	if again := keyOf(t, a); again != first {
		t.Errorf("the same checkout unchanged: key %s, then %s", first, again)
	}
	if other := keyOf(t, b); other == first {
		t.Errorf("two checkouts of the same content share key %s", first)
	}
	write(t, filepath.Join(a, "NOTES.md"), "not Go\n", 0o644)
	if notes := keyOf(t, a); notes != first {
		t.Errorf("a file the suites are not built from changed the key: %s, then %s", first, notes)
	}
	write(t, filepath.Join(a, "lib", "lib.go"), "package lib\n\nconst Answer = 43\n", 0o644)
	if changed := keyOf(t, a); changed == first {
		t.Errorf("a changed file of a package the suites import kept key %s", first)
	}
	write(t, filepath.Join(a, "lib", "lib.go"), lib, 0o644)
	if back := keyOf(t, a); back != first {
		t.Errorf("the checkout restored to its first content: key %s, want %s", back, first)
	}
}

// The build key hashes what compiling the suites reads: the sources of every package, and
// test files only of the suites themselves, so an edit to another package's tests keeps the
// compiled suites while an edit to a suite's own tests rebuilds them.
func TestBuildFilesAreWhatTheSuitesCompile(t *testing.T) {
	const suite = "example.com/m/suites/koophone"
	suites := map[string]bool{suite: true}
	cases := []struct {
		name string
		p    listed
		want []string
	}{
		{"a package the suite imports", listed{ImportPath: "example.com/m/internal/mock", GoFiles: []string{"mock.go", "b.go"},
			EmbedFiles: []string{"world.yaml"}, TestGoFiles: []string{"mock_test.go"}, XTestGoFiles: []string{"x_test.go"},
			TestEmbedFiles: []string{"testdata/t.json"}}, []string{"b.go", "mock.go", "world.yaml"}},
		{"the suite package", listed{ImportPath: suite, GoFiles: []string{"doc.go"}, XTestGoFiles: []string{"suite_test.go", "backup_test.go"}},
			[]string{"backup_test.go", "doc.go", "suite_test.go"}},
		{"the suite's external test package", listed{ImportPath: suite + "_test [" + suite + ".test]", ForTest: suite,
			GoFiles: []string{"suite_test.go", "backup_test.go"}}, []string{"backup_test.go", "suite_test.go"}},
	}
	for _, c := range cases {
		if got := buildFiles(c.p, suites); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
