package run

import (
	"context"
	"fmt"
	"io"

	"github.com/koobackup/conformance/internal/ledger"
	"github.com/koobackup/conformance/internal/target"
)

// prepareTarget readies a target before the preflight: the reference mock is reset through
// its admin API, so that every pooled id is fresh. A failed reset is said, not fatal: the
// preflight right after it tells whether the target answers at all.
func prepareTarget(ctx context.Context, t *target.Target, stderr io.Writer) {
	reset, err := ledger.Prepare(ctx, t)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "conformance: %v\n", err)
	case reset:
		fmt.Fprintf(stderr, "conformance: reset the reference mock at %s: every pooled id is fresh\n", t.ReferenceMock.AdminURL)
	}
}

// recordConsumedIDs is the stage after the suites that writes consumed.json beside the
// reports and keeps the ledger of the owned instances and volumes the run consumed, so
// that the next run against the same target skips them. The in-process reference mock
// (no target file) keeps no ledger: it is new every run. A failure is said, and the
// verdict stands.
func recordConsumedIDs(ctx context.Context, st *stage) error {
	s, err := ledger.Record(st.GinkgoReport, st.Out, st.Options.TargetFile)
	if err != nil {
		fmt.Fprintf(st.Stderr, "conformance: %v (the next run may count on ids this run consumed)\n", err)
		return nil
	}
	for _, l := range s.Lines() {
		fmt.Fprintf(st.Stdout, "conformance: %s\n", l)
	}
	return nil
}
