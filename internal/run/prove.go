package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/koobackup/conformance/internal/mutation"
	"github.com/koobackup/conformance/internal/prove"
	"github.com/koobackup/conformance/internal/report"
	"github.com/koobackup/conformance/internal/runrecord"
)

// ProveMarkdownFile holds the fault × configuration matrix prove computed.
const ProveMarkdownFile = "prove.md"

// Prove measures a finished run's detection power (internal/prove) from its Ginkgo report
// and writes prove.json and prove.md into out. It returns the section for the reports and
// the exit code: 0 every planted deviation is caught or reported as not distinguishable, 1
// one would pass unnoticed or the mock configured as observed fails without a fault.
func Prove(ctx context.Context, ginkgoReport, out string, opts prove.Options, stdout, stderr io.Writer) (*report.DetectionPower, int, error) {
	raw, err := os.ReadFile(ginkgoReport)
	if err != nil {
		return nil, 2, err
	}
	rec, err := runrecord.Read(raw)
	if err != nil {
		return nil, 2, fmt.Errorf("%s: %w", ginkgoReport, err)
	}
	// A result of an earlier run must not be picked up as this one's.
	if err := os.Remove(filepath.Join(out, report.DetectionPowerFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, 2, err
	}
	if opts.Mutation.Progress == nil {
		opts.Mutation.Progress = func(configuration string, m mutation.Mutant) {
			fmt.Fprintf(stderr, "%s %-26s %-44s %s\n", time.Now().Format(time.TimeOnly), configuration, m.Fault, m.Outcome)
		}
	}
	res, err := prove.Prove(ctx, rec, report.RunDigest(raw), opts)
	if err != nil {
		return nil, 2, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, 2, err
	}
	if err := report.WriteDetectionPower(filepath.Join(out, report.DetectionPowerFile), res.DetectionPower); err != nil {
		return nil, 2, err
	}
	md := "# Detection power\n\n" + res.DetectionPower.Summary + "\n\n" + mutation.MatrixMarkdown(res.Matrix)
	if err := os.WriteFile(filepath.Join(out, ProveMarkdownFile), []byte(md), 0o644); err != nil {
		return nil, 2, err
	}
	fmt.Fprintln(stdout, res.DetectionPower.Summary)
	for _, p := range res.DetectionPower.Problems {
		fmt.Fprintf(stdout, "  note: %s\n", p)
	}
	if !res.OK() {
		return res.DetectionPower, 1, nil
	}
	return res.DetectionPower, 0, nil
}
