package inventory

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/koobackup/conformance/internal/run/launch"
	"github.com/koobackup/conformance/internal/runrecord"
)

// DryRun runs the suites of the module at root in Ginkgo's dry-run mode (no request is
// sent, no set-up runs) and returns every spec Ginkgo reports, read through runrecord, with
// its source file relative to root.
func DryRun(ctx context.Context, root string) ([]runrecord.Spec, error) {
	build, err := launch.Compile(ctx, root)
	if err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	dir, err := os.MkdirTemp("", "inventory-")
	if err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	defer os.RemoveAll(dir)
	res, err := launch.Run(ctx, launch.Job{Suites: build.Suites, Mode: launch.DryRun, Out: dir})
	if err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	run, err := runrecord.ReadFile(res.GinkgoReport)
	if err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	var out []runrecord.Spec
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
	return out, nil
}
