package mutation

import (
	"context"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/mock"
)

// The runner runs a configuration's baseline and its mutants side by side against mocks
// served from this process, and gathers their outcomes into one matrix: built with the race
// detector (make test's race job), this is the test that watches it do so; the matrix tests
// of matrix_test.go, built without it, check the verdicts at scale.
func TestMatrixRunsJobsSideBySide(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cols, err := RunMatrix(ctx, Options{Faults: []string{mock.FaultKooPhoneErrorStatus500}, Parallel: 2}, []Configuration{StrictConfiguration})
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 1 || !cols[0].Baseline.Passed {
		t.Fatalf("the pristine mock did not pass: %+v", cols)
	}
	if len(cols[0].Mutants) != 1 || !cols[0].Mutants[0].Killed() {
		t.Fatalf("%s was not killed: %+v", mock.FaultKooPhoneErrorStatus500, cols[0].Mutants)
	}
}
