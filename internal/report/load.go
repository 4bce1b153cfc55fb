package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

// LoadGinkgo reads the file `ginkgo --json-report` writes: one types.Report per suite.
func LoadGinkgo(path string) ([]ginkgotypes.Report, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read ginkgo report: %w", err)
	}
	var suites []ginkgotypes.Report
	if err := json.Unmarshal(raw, &suites); err != nil {
		return nil, fmt.Errorf("%s: not a Ginkgo JSON report (want the array --json-report writes): %w", path, err)
	}
	return suites, nil
}

// Load reads a conformance.json written by WriteAll.
func Load(path string) (*Report, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read conformance report: %w", err)
	}
	var r Report
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("%s: not a conformance report: %w", path, err)
	}
	if r.SchemaVersion != SchemaVersion {
		return nil, &VersionError{Path: path, Got: r.SchemaVersion}
	}
	if r.Verdict == "" {
		return nil, fmt.Errorf("%s: %w", path, errNoVerdict)
	}
	return &r, nil
}

var errNoVerdict = errors.New("not a conformance report: no verdict")

// VersionError says a conformance.json was written in a format this version cannot read.
type VersionError struct {
	Path string
	Got  int
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("%s: schema_version %d, this tool reads %d", e.Path, e.Got, SchemaVersion)
}
