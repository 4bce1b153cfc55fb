package runrecord

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzRead decodes fuzzed reports. A report carries bytes the target chose (headers and
// body excerpts in evidence), so Read must never panic on it; whatever it refuses is a
// ReportError that says why, and what it accepts is well-formed JSON with at least one
// suite.
func FuzzRead(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		run, err := Read(raw)
		if err != nil {
			var re *ReportError
			if !errors.As(err, &re) || err.Error() == "" {
				t.Fatalf("refused without a ReportError that says why: %#v", err)
			}
			return
		}
		if !json.Valid(raw) {
			t.Fatalf("accepted a report that is not JSON: %q", raw)
		}
		if run == nil || len(run.Suites) == 0 {
			t.Fatalf("accepted a report without a suite: %+v", run)
		}
	})
}
