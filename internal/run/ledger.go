package run

import "context"

// recordConsumedIDs is the stage after the suites that keeps the ledger of the owned
// instances and volumes the run consumed, so that the next run against the same target
// skips them. It sees the finished suites' merged record and the run's output directory.
// It does nothing yet.
func recordConsumedIDs(ctx context.Context, st *stage) error { return nil }
