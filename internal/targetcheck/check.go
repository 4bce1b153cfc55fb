package targetcheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/koobackup/conformance/internal/ledger"
	"github.com/koobackup/conformance/internal/run/launch"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/target"
	"github.com/onsi/ginkgo/v2/types"
)

// Result is what a target file enables.
type Result struct {
	File          string `json:"file"`
	Name          string `json:"name,omitempty"`
	APIs          []API  `json:"apis"`
	AllowMutating bool   `json:"allow_mutating"`
	// ExploreBudget is how many pooled ids explore's call sequences may name per run; nil
	// when the file states none.
	ExploreBudget  *target.ExploreBudget `json:"explore_budget,omitempty"`
	FaultInjection bool                  `json:"fault_injection"`
	Profile        string                `json:"profile"`
	Timeout        string                `json:"timeout"`
	Secrets        []target.SecretSource `json:"secrets"`
	// Auth is the outcome of obtaining a token (--auth); nil when not tried.
	Auth *AuthResult `json:"auth_check,omitempty"`
	// Ledger is the target's record of ids earlier runs consumed (internal/ledger): where it
	// is and, per pool, how many listed ids are still fresh. LedgerError says why it could
	// not be read.
	Ledger      *ledger.Summary `json:"ledger,omitempty"`
	LedgerError string          `json:"ledger_error,omitempty"`
	// ResetBeforeRun is true for the reference mock, which a run resets (every id fresh).
	ResetBeforeRun bool `json:"reset_before_run,omitempty"`
	// Specs is nil when the plan was not run.
	Specs []Spec `json:"specs,omitempty"`
}

// API is one API section of the file.
type API struct {
	Name    string         `json:"name"`
	Present bool           `json:"present"`
	BaseURL string         `json:"base_url,omitempty"`
	Pools   map[string]int `json:"pools,omitempty"`
}

// Spec is one spec and whether the file lets it run.
type Spec struct {
	API    string   `json:"api"`
	Text   string   `json:"text"`
	Labels []string `json:"labels"`
	Runs   bool     `json:"runs"`
	// Reason says why a spec is skipped (the suite's own skip reason).
	Reason string `json:"reason,omitempty"`
}

// Static describes the parsed file without running anything.
func Static(path string, t *target.Target) *Result {
	r := &Result{
		File: path, Name: t.Name, AllowMutating: t.AllowMutating, ExploreBudget: t.ExploreBudget, FaultInjection: t.FaultInjection,
		Profile: t.Profile, Timeout: t.RequestTimeout().String(), Secrets: t.SecretSources(),
	}
	if r.Profile == "" {
		r.Profile = "default"
	}
	k := API{Name: "koophone"}
	if t.KooPhone != nil {
		k = API{Name: "koophone", Present: true, BaseURL: t.KooPhone.BaseURL, Pools: map[string]int{
			"koophone.owned_instance_ids":   len(t.KooPhone.OwnedInstanceIDs),
			"koophone.foreign_instance_ids": len(t.KooPhone.ForeignInstanceIDs),
		}}
	}
	v := API{Name: "vbs"}
	if t.VBS != nil {
		v = API{Name: "vbs", Present: true, BaseURL: t.VBS.BaseURL, Pools: map[string]int{
			"vbs.volume_ids":         len(t.VBS.VolumeIDs),
			"vbs.unknown_volume_ids": len(t.VBS.UnknownVolumeIDs),
		}}
	}
	r.APIs = []API{k, v}
	r.ResetBeforeRun = t.ReferenceMock != nil
	if l, err := ledger.Status(t); err != nil {
		r.LedgerError = err.Error()
	} else {
		r.Ledger = l
	}
	return r
}

// Plan runs the suites of root in plan mode (runrecord.PlanEnvVar) against the target file
// and returns every spec with whether it runs. The process environment is passed on, so the
// suites resolve *_env keys exactly as a real run would.
func Plan(ctx context.Context, root, targetFile string) ([]Spec, error) {
	build, err := launch.Compile(ctx, root)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	dir, err := os.MkdirTemp("", "target-check-")
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	defer os.RemoveAll(dir)
	res, err := launch.Run(ctx, launch.Job{Suites: build.Suites, Mode: launch.Plan, TargetFile: targetFile, Out: dir})
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	raw, err := os.ReadFile(res.GinkgoReport)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	var reports []types.Report
	if err := json.Unmarshal(raw, &reports); err != nil {
		return nil, fmt.Errorf("plan: decode report: %w", err)
	}
	specs, err := specsOf(reports)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	sort.SliceStable(specs, func(i, j int) bool {
		if specs[i].API != specs[j].API {
			return specs[i].API < specs[j].API
		}
		return specs[i].Text < specs[j].Text
	})
	return specs, nil
}

// specsOf reads the plan run's report. A spec stopped at its first request carries the
// plan entry; one that finished without sending any request ran too; one skipped before
// that carries the suite's skip reason. A failure in plan mode is the suite's or the
// file's problem and is reported, not guessed around.
func specsOf(reports []types.Report) ([]Spec, error) {
	var out []Spec
	var failures []string
	for _, r := range reports {
		if !r.SuiteSucceeded && len(r.SpecReports) == 0 {
			return nil, errors.New("the suite did not start: " + strings.Join(r.SpecialSuiteFailureReasons, "; "))
		}
		for _, s := range r.SpecReports {
			switch s.LeafNodeType {
			case types.NodeTypeIt:
			case types.NodeTypeSynchronizedBeforeSuite, types.NodeTypeBeforeSuite:
				if s.State.Is(types.SpecStateFailureStates) {
					return nil, fmt.Errorf("the suite set-up failed: %s", s.Failure.Message)
				}
				continue
			default:
				continue
			}
			sp := Spec{Text: strings.TrimSpace(s.FullText()), Labels: s.Labels()}
			for _, l := range sp.Labels {
				if strings.HasPrefix(l, "api:") {
					sp.API = strings.TrimPrefix(l, "api:")
				}
			}
			planned := false
			reason := ""
			for _, e := range s.ReportEntries {
				switch e.Name {
				case runrecord.EntryPlanWouldRun:
					planned = true
				case runrecord.EntrySkipReason:
					reason = e.StringRepresentation()
				}
			}
			switch {
			case planned, s.State == types.SpecStatePassed:
				sp.Runs = true
			case s.State == types.SpecStateSkipped:
				if reason == "" {
					reason = s.Failure.Message
				}
				sp.Reason = reason
			default:
				failures = append(failures, fmt.Sprintf("%s: %s %s", sp.Text, s.State, s.Failure.Message))
				continue
			}
			out = append(out, sp)
		}
	}
	if len(failures) > 0 {
		return nil, fmt.Errorf("%d specs failed in plan mode (a bug in the suite or the plan): %s", len(failures), strings.Join(failures, "; "))
	}
	return out, nil
}

// FindRoot returns the repository root: the nearest directory at or above dir whose go.mod
// declares this module.
func FindRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if raw, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.Contains(string(raw), "module github.com/koobackup/conformance\n") {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no checkout of github.com/koobackup/conformance at or above %s", dir)
		}
	}
}
