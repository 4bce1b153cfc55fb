package doccheck

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// `make help` is built from the targets' ## comments; a make variable or escaped $ written
// there is printed literally, not expanded, so none may appear.
func TestMakeHelpIsCleanText(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("make", "--no-print-directory", "help")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("make help: %v", err)
	}
	text := string(out)
	if !strings.Contains(text, "conformance") || !strings.Contains(text, "test") {
		t.Fatalf("make help lists no targets:\n%s", text)
	}
	for i, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "$") {
			t.Errorf("make help line %d prints a make variable literally: %q", i+1, line)
		}
	}
}
