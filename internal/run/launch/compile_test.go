package launch

import (
	"slices"
	"testing"
)

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
