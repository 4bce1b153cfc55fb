package run

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/preflight"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/target"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

// preflightOutcome is what the preflight leaves the rest of the run.
type preflightOutcome struct {
	// Handoff is the handoff file (absolute) the suites read.
	Handoff string
	// NotStarted, when not nil, is the record of a run whose suites are not started because
	// no API of the target answered: the reports are built from it.
	NotStarted *runrecord.Run
}

// runPreflight probes every API of the target at once and writes the handoff file into
// out. A run whose target is the mock it started itself has nothing to probe.
func runPreflight(ctx context.Context, tgt *resolved, profile, out string, builtIn bool, stderr io.Writer) (*preflightOutcome, error) {
	handoff, err := filepath.Abs(filepath.Join(out, preflight.HandoffFile))
	if err != nil {
		return nil, fmt.Errorf("preflight: %w", err)
	}
	o := &preflightOutcome{Handoff: handoff}
	if builtIn {
		return o, preflight.NewHandoff(nil).Write(handoff)
	}
	prepareTarget(ctx, tgt.Target, stderr)
	c, err := contract.Load()
	if err != nil {
		return nil, fmt.Errorf("preflight: %w", err)
	}
	red := redact.New(tgt.Target.Tokens()...)
	client := preflight.NewClient(tgt.Target)
	defer client.CloseIdleConnections()
	start := time.Now()
	results := preflight.All(ctx, client, tgt.Target, c, red)
	end := time.Now()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("preflight: interrupted: %w", err)
	}
	for _, r := range results {
		if r.Unreachable != nil {
			fmt.Fprintln(stderr, r.Unreachable.String())
		} else {
			fmt.Fprintf(stderr, "conformance preflight: %s answered %d in %s (%s)\n", r.API, r.Status, r.Elapsed.Round(time.Millisecond), r.URL)
		}
	}
	h := preflight.NewHandoff(results)
	if err := h.Write(handoff); err != nil {
		return nil, err
	}
	if len(h.Answered) == 0 && len(h.Unreachable) > 0 {
		fmt.Fprintln(stderr, "conformance preflight: no API of the target answered; the suites are not run")
		o.NotStarted = notStarted(targetRecord(tgt.Target, profile, red), h.Unreachable, start, end)
	}
	return o, nil
}

// notStarted is the record of a run whose suites did not start because no API answered:
// per unreachable API, one aborted set-up node carrying the target and the unreachable
// records, as a suite stopped by its own preflight records them (internal/conformance), so
// that internal/report reads both alike. Nothing is written as if a suite had run.
func notStarted(tgt runrecord.Target, unreachable []runrecord.Unreachable, start, end time.Time) *runrecord.Run {
	run := &runrecord.Run{}
	for _, u := range unreachable {
		run.Suites = append(run.Suites, runrecord.Suite{
			Description: u.API + " conformance (not started: the preflight got no answer)",
			Path:        "suites/" + u.API,
			StartTime:   start, EndTime: end,
			Specs: []runrecord.Spec{{
				Text: "conformance preflight", Node: ginkgotypes.NodeTypeSynchronizedBeforeSuite,
				State: ginkgotypes.SpecStateAborted, RunTime: end.Sub(start),
				Failure:     &runrecord.Failure{Message: u.String()},
				Targets:     []runrecord.Target{tgt},
				Unreachable: []runrecord.Unreachable{u},
			}},
		})
	}
	return run
}

// targetRecord is the target entry a suite would have recorded for t (no tokens, URLs
// redacted).
func targetRecord(t *target.Target, profile string, red *redact.Redactor) runrecord.Target {
	if profile == "" {
		profile = runrecord.ProfileDefault
	}
	rec := runrecord.Target{Name: red.String(t.Name), Profile: profile, AllowMutating: t.AllowMutating,
		FaultInjection: t.FaultInjection, Timeout: t.RequestTimeout().String()}
	if t.KooPhone != nil {
		rec.KooPhoneURL = red.String(t.KooPhone.BaseURL)
	}
	if t.VBS != nil {
		rec.VBSURL = red.String(t.VBS.BaseURL)
	}
	return rec
}

// profileOf is the run's profile: the flag, else $CONFORMANCE_PROFILE, else the file's.
func profileOf(flag string, t *target.Target) (string, error) {
	p := flag
	if p == "" {
		p = os.Getenv(ProfileEnvVar)
	}
	if p == "" {
		p = t.Profile
	}
	switch p {
	case "", runrecord.ProfileDefault, runrecord.ProfileStrict:
		return p, nil
	}
	return "", fmt.Errorf("profile %q is not a profile; want %q or %q", p, runrecord.ProfileDefault, runrecord.ProfileStrict)
}
