package inventory

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/koobackup/conformance/internal/runrecord"
)

// DryRun runs the Ginkgo suites of the given packages in dry-run mode (no request is sent,
// no set-up runs) and returns every spec Ginkgo reports, read through runrecord, with its
// source file relative to root.
func DryRun(root string, pkgs ...string) ([]runrecord.Spec, error) {
	dir, err := os.MkdirTemp("", "inventory-")
	if err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	defer os.RemoveAll(dir)
	var out []runrecord.Spec
	for i, pkg := range pkgs {
		report := filepath.Join(dir, fmt.Sprintf("report-%d.json", i))
		cmd := exec.Command("go", "test", "-count=1", pkg, "-args", "-ginkgo.dry-run", "-ginkgo.no-color", "-ginkgo.json-report="+report)
		cmd.Dir = root
		if msg, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("dry run of %s: %w\n%s", pkg, err, msg)
		}
		run, err := runrecord.ReadFile(report)
		if err != nil {
			return nil, fmt.Errorf("dry run of %s: %w", pkg, err)
		}
		for _, s := range run.Suites {
			for _, sp := range s.Specs {
				if !sp.IsSpec() {
					continue
				}
				if rel, err := filepath.Rel(root, sp.File); err == nil {
					sp.File = filepath.ToSlash(rel)
				}
				out = append(out, sp)
			}
		}
	}
	return out, nil
}
