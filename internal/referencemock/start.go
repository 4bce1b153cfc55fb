package referencemock

import (
	"context"
	"fmt"

	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/target"
)

// Start serves the reference mock on a free loopback port until stop is called, and
// returns the target that describes it.
func Start(ctx context.Context) (t *target.Target, stop func(), err error) {
	srv, err := mock.Start(context.WithoutCancel(ctx), "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("start the reference mock: %w", err)
	}
	return srv.Target(), func() { _ = srv.Close() }, nil
}
