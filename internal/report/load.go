package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

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
	// Version 1 is read as is: its statuses and fields are a subset of version 2's.
	if r.SchemaVersion != SchemaVersion && r.SchemaVersion != 1 {
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
