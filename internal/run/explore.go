package run

import "context"

// explore is the stage after the suites and the ledger that sends generated requests and
// call sequences to the target, judged by the register and the reference model; its
// findings join the run's record before the reports are built. It does nothing yet.
func explore(ctx context.Context, st *stage) error { return nil }
