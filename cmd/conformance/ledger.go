package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/koobackup/conformance/internal/ledger"
	"github.com/koobackup/conformance/internal/target"
)

// prepareLedger readies the target before a run: the reference mock is reset through its
// admin API, so that every pooled id is fresh. A failed reset is said, not fatal: the
// preflight right after it tells whether the target answers at all.
func prepareLedger(ctx context.Context, t *target.Target, stderr io.Writer) {
	reset, err := ledger.Prepare(ctx, t)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "conformance: %v\n", err)
	case reset:
		fmt.Fprintf(stderr, "conformance: reset the reference mock at %s: every pooled id is fresh\n", t.ReferenceMock.AdminURL)
	}
}

// recordLedger writes consumed.json beside the reports and adds the run's consumed ids to
// the target's ledger (none for the built-in mock: targetFlag and $CONFORMANCE_TARGET
// empty). It runs whatever the verdict; a failure is said, and the verdict stands.
func recordLedger(ginkgoReport, out, targetFlag string, stdout, stderr io.Writer) {
	path := targetFlag
	if path == "" {
		path = os.Getenv(target.EnvVar)
	}
	s, err := ledger.Record(ginkgoReport, out, path)
	if err != nil {
		fmt.Fprintf(stderr, "conformance: %v (the next run may count on ids this run consumed)\n", err)
		return
	}
	for _, l := range s.Lines() {
		fmt.Fprintf(stdout, "conformance: %s\n", l)
	}
}
