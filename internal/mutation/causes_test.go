package mutation

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/mock"
)

// One planted deviation is one finding: with each fault of the catalog planted alone on
// the strict mock (mutating allowed), the report built from the run (report.Build, what a
// user gets) groups the failures into a median of one cause and never more than
// MaxCausesPerFault, and fails the requirements the fault violates. It runs the whole
// catalog (a few minutes); the full fault × configuration matrix runs beside it.
func TestOneCausePerPlantedFault(t *testing.T) {
	if os.Getenv(MatrixEnvVar) != "full" {
		t.Skip("runs the suites against every planted fault: make test-mutation (MUTATION_MATRIX=full) runs it")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	fcs, err := CausesPerFault(ctx, Options{}, StrictConfiguration)
	if err != nil {
		t.Fatal(err)
	}
	if len(fcs) != len(mock.Faults()) {
		t.Fatalf("read %d mutants, the catalog has %d faults", len(fcs), len(mock.Faults()))
	}
	var table strings.Builder
	bad := false
	for _, fc := range fcs {
		mark := ""
		switch {
		case fc.Error != "":
			mark = "  <- no report: " + fc.Error
		case len(fc.Causes) == 0:
			mark = "  <- no cause"
		case len(fc.Causes) > MaxCausesPerFault:
			mark = fmt.Sprintf("  <- more than %d causes", MaxCausesPerFault)
		case len(fc.Missing) > 0:
			mark = fmt.Sprintf("  <- does not fail %v", fc.Missing)
		}
		if mark != "" {
			bad = true
		}
		fmt.Fprintf(&table, "%d %s%s\n", len(fc.Causes), fc.Fault, mark)
		for _, c := range fc.Causes {
			fmt.Fprintf(&table, "    - %s\n", c)
		}
	}
	median, most := CauseCounts(fcs)
	if median != MedianCausesPerFault || most > MaxCausesPerFault || bad {
		t.Errorf("causes per fault: median %g (want %d), at most %d (want ≤ %d)\n%s", median, MedianCausesPerFault, most, MaxCausesPerFault, table.String())
	}
}
