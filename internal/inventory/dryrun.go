package inventory

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

// DryRunLabels runs the Ginkgo suites of the given packages in dry-run mode (no request is
// sent, no set-up runs) and returns the labels of every spec, keyed by its full text.
func DryRunLabels(root string, pkgs ...string) (Labels, error) {
	dir, err := os.MkdirTemp("", "inventory-")
	if err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	defer os.RemoveAll(dir)
	out := Labels{}
	for i, pkg := range pkgs {
		report := filepath.Join(dir, fmt.Sprintf("report-%d.json", i))
		cmd := exec.Command("go", "test", "-count=1", pkg, "-args", "-ginkgo.dry-run", "-ginkgo.no-color", "-ginkgo.json-report="+report)
		cmd.Dir = root
		if msg, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("dry run of %s: %w\n%s", pkg, err, msg)
		}
		raw, err := os.ReadFile(report)
		if err != nil {
			return nil, fmt.Errorf("dry run of %s: %w", pkg, err)
		}
		var reports []types.Report
		if err := json.Unmarshal(raw, &reports); err != nil {
			return nil, fmt.Errorf("dry run of %s: decode report: %w", pkg, err)
		}
		for _, r := range reports {
			for _, s := range r.SpecReports {
				if s.LeafNodeType != types.NodeTypeIt {
					continue
				}
				text := strings.TrimSpace(s.FullText())
				out[text] = append(out[text], s.Labels()...)
			}
		}
	}
	return out, nil
}
