package conformance

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/iam"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
	. "github.com/onsi/ginkgo/v2"
)

// Env is everything a spec needs about the implementation under test. One exists per
// Ginkgo process; Current returns it.
type Env struct {
	Target   *target.Target
	Profile  Profile
	Contract *contract.Contract
	Catalog  *catalog.Catalog
	Redactor *redact.Redactor
	Client   *http.Client
	// MaxResponseBytes bounds how much of a response body is read; a larger body is a
	// failure of the exchange, so an endless body cannot hang or exhaust the suite.
	MaxResponseBytes int64
	// BuiltIn is true when the target is the reference mock started by the suite.
	BuiltIn bool
	// streak counts unanswered exchanges in a row (transport.go).
	streak noAnswerStreak

	iam *iam.Source // tokens from the target file's auth: block (auth.go)
}

var current *Env

// Current returns the environment of this process. It fails the spec when the suite
// set-up did not run (a programming error in the suite).
func Current() *Env {
	GinkgoHelper()
	if current == nil {
		Fail("conformance: the suite did not call conformance.Setup")
	}
	return current
}

// DefaultMaxResponseBytes is the read bound for response bodies: the request body limit of
// the specs, since no documented answer comes near the size of the largest valid request.
const DefaultMaxResponseBytes = specfacts.RequestBodyLimit

// BuiltIn starts the implementation a suite runs against when CONFORMANCE_TARGET names no
// target file, and returns the target describing it and how to stop it. The suites pass
// referencemock.Start; the engine itself links no implementation.
type BuiltIn func(ctx context.Context) (t *target.Target, stop func(), err error)

// Setup registers the suite-level nodes every conformance suite needs: the target is
// loaded (or builtIn started, once, on process 1, and shared by all processes so that state
// behaves as on a real server), pools are resolved identically in every process, and a
// BeforeEach skips, with the reason, the specs the target cannot take: its section of the
// file is absent, or the spec could change state and the file does not allow it.
// Call it from a package-level var in the suite:
// `var _ = conformance.Setup(specfacts.KooPhone, referencemock.Start)`.
func Setup(api specfacts.API, builtIn BuiltIn) bool {
	var stop func()
	SynchronizedBeforeSuite(func(ctx SpecContext) []byte {
		raw, stopBuiltIn, err := loadOrStartTarget(ctx, builtIn)
		if err != nil {
			Fail(err.Error())
		}
		stop = stopBuiltIn
		preflightSuite(ctx, api, raw, stop != nil)
		return withLedger(raw, stop != nil)
	}, func(payload []byte) {
		env, err := newEnv(fromPayload(payload))
		if err != nil {
			Fail(err.Error())
		}
		env.BuiltIn = os.Getenv(target.EnvVar) == ""
		current = env
		resolvePools(env.Target)
		AddReportEntry(runrecord.EntryTarget, env.targetEntry(), ReportEntryVisibilityNever)
	})
	SynchronizedAfterSuite(func() {}, func() {
		if stop != nil {
			stop()
		}
	})
	AfterEach(failOnStrictDeviations)
	BeforeEach(func() {
		strictDeviations = nil
		env := Current()
		env.renewIAMTokenOrFail()
		if !env.hasSection(api) {
			skipWithReason(fmt.Sprintf("the target file has no %s section: %s is not evaluated", api, api))
		}
		if !env.Target.AllowMutating && hasLabel(CurrentSpecReport().Labels(), MutatingLabel) {
			skipWithReason("the target file does not say allow_mutating: true, and this spec could change state")
		}
	})
	return true
}

func hasLabel(labels []string, want string) bool {
	for _, l := range labels {
		if l == want {
			return true
		}
	}
	return false
}

// SkipBecause skips the current spec and records why, so the report can say why its
// requirements were not evaluated.
func SkipBecause(reason string) {
	GinkgoHelper()
	skipWithReason(reason)
}

// skipWithReason skips the current spec and records why, for the report.
func skipWithReason(reason string) {
	GinkgoHelper()
	AddReportEntry(runrecord.EntrySkipReason, skipReason{Reason: reason}, ReportEntryVisibilityNever)
	Skip(reason)
}

type skipReason = runrecord.SkipReason

// loadOrStartTarget returns the target file bytes: the file named by CONFORMANCE_TARGET, or
// a description of the implementation builtIn starts, with the function that stops it.
func loadOrStartTarget(ctx context.Context, builtIn BuiltIn) ([]byte, func(), error) {
	if path := os.Getenv(target.EnvVar); path != "" {
		t, err := target.Load(path)
		if err != nil {
			return nil, nil, fmt.Errorf("conformance: %w", err)
		}
		raw, err := t.Marshal()
		if err != nil {
			return nil, nil, fmt.Errorf("conformance: %w", err)
		}
		return raw, nil, nil
	}
	if builtIn == nil {
		return nil, nil, fmt.Errorf("conformance: $%s names no target file, and the suite has no built-in implementation", target.EnvVar)
	}
	t, stop, err := builtIn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("conformance: %w", err)
	}
	raw, err := t.Marshal()
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("conformance: %w", err)
	}
	return raw, stop, nil
}

func newEnv(raw []byte) (*Env, error) {
	t, err := target.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("conformance: %w", err)
	}
	profile, err := resolveProfile(t.Profile)
	if err != nil {
		return nil, err
	}
	c, err := contract.Load()
	if err != nil {
		return nil, fmt.Errorf("conformance: load contract: %w", err)
	}
	cat, err := catalog.Load()
	if err != nil {
		return nil, fmt.Errorf("conformance: load catalog: %w", err)
	}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: t.RequestTimeout(),
		DisableCompression:    true,
	}
	env := &Env{
		Target:           t,
		Profile:          profile,
		Contract:         c,
		Catalog:          cat,
		Redactor:         redact.New(t.Tokens()...),
		Client:           &http.Client{Transport: transport, Timeout: t.RequestTimeout(), CheckRedirect: noRedirects},
		MaxResponseBytes: DefaultMaxResponseBytes,
	}
	if planning() {
		env.Client.Transport = planTransport{}
		return env, nil
	}
	if err := env.startIAM(); err != nil {
		return nil, err
	}
	return env, nil
}

// noRedirects keeps the suite from following a redirect to a host the target file does not
// name: a redirect is itself the answer under test.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func (e *Env) hasSection(api specfacts.API) bool {
	switch api {
	case specfacts.KooPhone:
		return e.Target.KooPhone != nil
	case specfacts.VBS:
		return e.Target.VBS != nil
	}
	return false
}

// Strict reports whether the strict profile is in force.
func (e *Env) Strict() bool { return e.Profile == StrictProfile }

type targetEntry = runrecord.Target

func (e *Env) targetEntry() targetEntry {
	te := targetEntry{
		Name:           e.Target.Name,
		Profile:        string(e.Profile),
		AllowMutating:  e.Target.AllowMutating,
		FaultInjection: e.Target.FaultInjection,
		BuiltIn:        e.BuiltIn,
		Timeout:        e.Target.RequestTimeout().String(),
	}
	if te.Name == "" && e.BuiltIn {
		te.Name = "reference-mock"
	}
	if e.Target.KooPhone != nil {
		te.KooPhoneURL = e.Redactor.String(e.Target.KooPhone.BaseURL)
	}
	if e.Target.VBS != nil {
		te.VBSURL = e.Redactor.String(e.Target.VBS.BaseURL)
	}
	return te
}
