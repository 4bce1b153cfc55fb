package preflight

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
)

// HandoffEnvVar names the handoff file the suites read (see the package comment). Only
// `make conformance` and `conformance run` set it; a direct ginkgo or go test run has none,
// and each suite then probes its API itself.
const HandoffEnvVar = "CONFORMANCE_PREFLIGHT"

// HandoffFile is the handoff file's name in the reports directory.
const HandoffFile = "preflight.json"

// Handoff is the preflight's verdict as the suites of the same run read it.
type Handoff struct {
	// Answered names the APIs that gave an HTTP answer, with its status.
	Answered []Answer `json:"answered"`
	// Unreachable are the APIs that did not; their suites stop before any request.
	Unreachable []runrecord.Unreachable `json:"unreachable"`
}

// Answer is an API that answered the preflight.
type Answer struct {
	API       string `json:"api"`
	URL       string `json:"url"`
	Status    int    `json:"status"`
	ElapsedMS int64  `json:"elapsed_ms"`
}

// NewHandoff sums up the results.
func NewHandoff(results []Result) Handoff {
	h := Handoff{Answered: []Answer{}, Unreachable: []runrecord.Unreachable{}}
	for _, r := range results {
		if r.Unreachable != nil {
			h.Unreachable = append(h.Unreachable, *r.Unreachable)
			continue
		}
		h.Answered = append(h.Answered, Answer{API: string(r.API), URL: r.URL, Status: r.Status, ElapsedMS: r.Elapsed.Milliseconds()})
	}
	return h
}

// Write writes the handoff file.
func (h Handoff) Write(path string) error {
	raw, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return fmt.Errorf("preflight handoff: %w", err)
	}
	if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("preflight handoff: %w", err)
	}
	return nil
}

// ReadHandoff reads the handoff file at path.
func ReadHandoff(path string) (*Handoff, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("preflight handoff ($%s): %w", HandoffEnvVar, err)
	}
	var h Handoff
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("preflight handoff ($%s): %s: %w", HandoffEnvVar, path, err)
	}
	return &h, nil
}

// Recorded returns the unreachable record the run's preflight left for the API at the
// (redacted) base URL url, or nil when $CONFORMANCE_PREFLIGHT is unset or names no such
// record. The URL must match, so that a handoff file of another target cannot stop a suite.
func Recorded(api specfacts.API, url string) (*runrecord.Unreachable, error) {
	path := os.Getenv(HandoffEnvVar)
	if path == "" {
		return nil, nil
	}
	h, err := ReadHandoff(path)
	if err != nil {
		return nil, err
	}
	for _, u := range h.Unreachable {
		if u.API == string(api) && u.URL == url {
			return &u, nil
		}
	}
	return nil, nil
}
