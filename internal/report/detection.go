package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// DetectionPowerFile is the file `conformance prove` writes beside the reports and
// `report build --prove` reads.
const DetectionPowerFile = "prove.json"

// DetectionPower is what `conformance prove` found: the fault catalog planted on the
// reference mock configured as this run observed the target — its readings, its mode — and
// how many of those planted deviations the run's suites catch. The report carries it as a
// section (conformance.json `detection_power`, summary.md, conformance.html); it does not
// change the report's verdict.
type DetectionPower struct {
	// RunDigest identifies the Ginkgo JSON report the readings were taken from
	// (RunDigest); report build refuses a result of another run.
	RunDigest     string `json:"run_digest"`
	AllowMutating bool   `json:"allow_mutating"`
	Profile       string `json:"profile"`
	// Unobserved says what the mock read for register entries the run never observed:
	// "strict", or "worst" (the worst outcome over the strict reading and both lenient
	// extremes).
	Unobserved string `json:"unobserved"`
	// APIs are the APIs whose faults were planted: those the run reached.
	APIs []string `json:"apis"`
	// ObservedEntries counts the register entries whose reading the run observed, of
	// RegisterEntries.
	ObservedEntries int `json:"observed_entries"`
	RegisterEntries int `json:"register_entries"`
	// Readings are the non-strict readings the mock took because the run observed them.
	Readings []DetectionReading `json:"readings"`
	// Configurations name the mock configurations the faults ran on.
	Configurations []string `json:"configurations"`
	// Caught counts the faults killed on every configuration; Total the faults planted.
	Caught int `json:"caught"`
	Total  int `json:"total"`
	// Summary is the sentence the reports show.
	Summary string `json:"summary"`
	// Valid is false when the mock configured as observed failed the suites without any
	// fault; Problems say why (and note readings the mock could not take).
	Valid    bool     `json:"valid"`
	Problems []string `json:"problems"`
	// NotDistinguishable are the faults no spec failed on, whose violated requirements the
	// run reports as not settled (inconclusive, partially evaluated, not evaluated).
	NotDistinguishable []UndetectedFault `json:"not_distinguishable"`
	// Survivors are the faults no spec failed on while the report calls a requirement they
	// violate a pass (or whose run could not be read): the run's pass is not evidence there.
	Survivors []UndetectedFault `json:"survivors"`
}

// DetectionReading is one register entry's reading the mock took.
type DetectionReading struct {
	Entry   string `json:"entry"`
	Reading string `json:"reading"`
	// Note says when the run observed several readings, or one the mock cannot take.
	Note string `json:"note,omitempty"`
}

// UndetectedFault is a planted deviation no spec failed on, with the worst configuration
// and the statuses its violated requirements got there.
type UndetectedFault struct {
	Fault         string                 `json:"fault"`
	API           string                 `json:"api"`
	Description   string                 `json:"description"`
	Outcome       string                 `json:"outcome"`
	Configuration string                 `json:"configuration"`
	Requirements  []DetectionRequirement `json:"requirements"`
}

// DetectionRequirement is one violated requirement's status in the mutant's run.
type DetectionRequirement struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// RunDigest identifies a Ginkgo JSON report by its bytes.
func RunDigest(raw []byte) string {
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ErrOtherRun is wrapped when a detection-power result was computed from another run.
var ErrOtherRun = errors.New("the prove result was computed from another run")

// LoadDetectionPower reads a prove.json and checks that it belongs to the run whose Ginkgo
// JSON report has the given digest.
func LoadDetectionPower(path, runDigest string) (*DetectionPower, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read prove result: %w", err)
	}
	var d DetectionPower
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("%s: not a prove result: %w", path, err)
	}
	if d.RunDigest == "" || d.Summary == "" {
		return nil, fmt.Errorf("%s: not a prove result: no run_digest or summary", path)
	}
	if d.RunDigest != runDigest {
		return nil, fmt.Errorf("%s: %w (%s, this run is %s): run `conformance prove` again", path, ErrOtherRun, d.RunDigest, runDigest)
	}
	return &d, nil
}

// WriteDetectionPower writes a prove.json.
func WriteDetectionPower(path string, d *DetectionPower) error {
	raw, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return fmt.Errorf("encode prove result: %w", err)
	}
	if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("write prove result: %w", err)
	}
	return nil
}
