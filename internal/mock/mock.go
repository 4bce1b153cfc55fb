package mock

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
)

// Mock serves both APIs over one World. It is safe for concurrent use.
type Mock struct {
	world    *World
	contract *contract.Contract
	cons     contract.Constraints
	log      *slog.Logger
	redactor *redact.Redactor
	readings map[string]string // register entry -> reading, where not the strict one
	faults   []string
	plants   []plant
	// serve answers a routed request: serveReference, or the planted faults around it.
	serve     func(w http.ResponseWriter, r *http.Request, which specfacts.API, projectID string)
	injected  []InjectedFailure
	vbsPrefix string // PathTemplate up to {project_id}
	vbsSuffix string // PathTemplate after {project_id}

	startWorld *World // WithWorld, read by Start only

	ext extensions // admin API, journal, IAM (admin.go, journal.go, iam.go)

	// beforeServe, nil outside tests, runs inside the recovery of ServeHTTP so a test can
	// prove that a bug's panic becomes the API's internal error.
	beforeServe func(*http.Request)
	// afterServe, nil outside tests, runs when ServeHTTP has finished with a request, the
	// journal and the access log written, so a test can wait for that instead of polling.
	afterServe func(*http.Request)
	// wait holds an injected latency back; it reports false when the client went away
	// first. Tests replace it to see the latency without spending it.
	wait func(ctx context.Context, d time.Duration) bool
}

// Option configures a Mock.
type Option func(*Mock)

// WithLogger sets the access log (accesslog.go): a record per request at Info, server
// errors at Error, tokens redacted; the logger's level picks which are kept
// (NewAccessLogger). Without it the mock logs nothing.
func WithLogger(l *slog.Logger) Option { return func(m *Mock) { m.log = l } }

// WithFault switches on a planted fault of the catalog (faults.go), on top of whatever
// readings the mock takes. New panics on a name that is not in the catalog: that is a
// programming error, and CheckFault lets a command line refuse it first.
func WithFault(name string) Option {
	return func(m *Mock) {
		if err := CheckFault(name); err != nil {
			panic(fmt.Sprintf("mock.WithFault: %v", err))
		}
		m.faults = append(m.faults, name)
	}
}

// WithInjectedFailures applies the injected failures to every request, as the
// X-Mock-Fault header does for one.
func WithInjectedFailures(in ...InjectedFailure) Option {
	return func(m *Mock) { m.injected = append(m.injected, in...) }
}

// New returns a mock serving w. A nil w is replaced by a fresh default world.
func New(w *World, opts ...Option) *Mock {
	if w == nil {
		var err error
		if w, err = DefaultWorld(); err != nil {
			// The default world is embedded and checked by the tests; failing here means
			// the binary itself is broken.
			panic(fmt.Errorf("%w: %w", errNoWorld, err))
		}
	}
	c := contract.Default()
	m := &Mock{
		world:    w,
		contract: c,
		cons:     c.Constraints(),
		log:      slog.New(slog.DiscardHandler),
		readings: map[string]string{},
		wait:     waitFor,
	}
	// The world file's readings first, so that options (the command line) override them.
	for entry, reading := range w.desc.MockReadings {
		m.readings[entry] = reading
	}
	for _, o := range opts {
		o(m)
	}
	m.serve = m.serveReference
	if len(m.faults) > 0 {
		m.plantFaults()
	}
	secrets := append(w.desc.Tokens(), w.foreignToken)
	m.redactor = redact.New(secrets...)
	tmpl := m.cons.VBS.PathTemplate
	if i := strings.Index(tmpl, "{"); i >= 0 {
		m.vbsPrefix = tmpl[:i]
		if j := strings.Index(tmpl[i:], "}"); j >= 0 {
			m.vbsSuffix = tmpl[i+j+1:]
		}
	}
	return m
}

// World returns the state the mock serves, for tests that check transitions.
func (m *Mock) World() *World { return m.world }

// Target returns a target file describing this mock served at baseURL: the world's ids and
// tokens, mutating allowed, and fault_injection on since the mock honours the injected
// failure header.
func (m *Mock) Target(baseURL string) *target.Target {
	d := m.world.desc
	t := d
	t.AllowMutating = true
	t.FaultInjection = true
	if m.lenient() {
		t.Name = "reference-mock-lenient"
	} else if t.Name == "" {
		t.Name = "reference-mock"
	}
	base := strings.TrimRight(baseURL, "/")
	if d.KooPhone != nil {
		k := *d.KooPhone
		k.BaseURL = base
		k.OwnedInstanceIDs = append([]string(nil), k.OwnedInstanceIDs...)
		k.ForeignInstanceIDs = append([]string(nil), k.ForeignInstanceIDs...)
		t.KooPhone = &k
	}
	if d.VBS != nil {
		v := *d.VBS
		v.BaseURL = base
		v.VolumeIDs = append([]string(nil), v.VolumeIDs...)
		v.UnknownVolumeIDs = append([]string(nil), v.UnknownVolumeIDs...)
		t.VBS = &v
	}
	t.Secrets = append([]string(nil), d.Secrets...)
	t.MockReadings = nil
	strict := StrictReadings()
	for entry, reading := range m.Readings() {
		if reading != strict[entry] {
			if t.MockReadings == nil {
				t.MockReadings = map[string]string{}
			}
			t.MockReadings[entry] = reading
		}
	}
	return &t
}
