package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
)

// Request is one HTTP request a spec sends. Headers are set exactly as given: the request
// builders (KooPhoneRequest, VBSRequest) fill in the valid defaults that a spec then removes
// or spoils to provoke one fault at a time.
type Request struct {
	API    specfacts.API
	Method string
	// Path is the API path (/v1/instances/backup); it is appended to the base URL and is
	// also what the contract routes on, whatever prefix the base URL carries.
	Path   string
	Header http.Header
	Body   []byte
	// Faults lists X-Mock-Fault values; only the reference mock honours them.
	Faults []string
}

// WithoutHeader returns a copy of the request without the named header.
func (r Request) WithoutHeader(name string) Request {
	r.Header = r.Header.Clone()
	r.Header.Del(name)
	return r
}

// WithHeader returns a copy of the request with the header set to value.
func (r Request) WithHeader(name, value string) Request {
	r.Header = r.Header.Clone()
	r.Header.Set(name, value)
	return r
}

// Exchange is a request sent and what came back.
type Exchange struct {
	Request    Request
	URL        string
	Status     int
	Header     http.Header
	Body       []byte
	Elapsed    time.Duration
	Violations contract.Violations
	// Err is a transport failure: timeout, reset, a body over the read bound.
	Err error
}

// JSON decodes the body into v.
func (x *Exchange) JSON(v any) error {
	if err := json.Unmarshal(x.Body, v); err != nil {
		return fmt.Errorf("response body is not the expected JSON: %w", err)
	}
	return nil
}

// Object decodes the body as a JSON object; nil when it is not one.
func (x *Exchange) Object() map[string]any {
	var m map[string]any
	if json.Unmarshal(x.Body, &m) != nil {
		return nil
	}
	return m
}

// ContractViolations returns the contract violations of this exchange; a register reading
// that allows an undocumented answer says so in its outcome, not by hiding violations.
func (x *Exchange) ContractViolations() contract.Violations { return x.Violations }

// baseURL returns the configured base URL of an API.
func (e *Env) baseURL(api specfacts.API) string {
	switch api {
	case specfacts.KooPhone:
		return strings.TrimRight(e.Target.KooPhone.BaseURL, "/")
	case specfacts.VBS:
		return strings.TrimRight(e.Target.VBS.BaseURL, "/")
	}
	return ""
}

// Send performs the request under the target's timeout for the whole exchange (see
// roundTrip), checks request and response against the contract, and records the exchange as
// evidence. It never fails the spec itself: the expectations do, with the evidence. When
// the target has left several exchanges in a row unanswered it aborts the suite (see
// abortIfGone), since every further spec would only wait out its timeout.
func (e *Env) Send(req Request) *Exchange {
	GinkgoHelper()
	x := e.roundTrip(context.Background(), req)
	if x.Err == nil {
		x.Violations = e.validate(x)
	}
	e.record(x)
	e.noteConsumption(x)
	e.abortIfGone(x)
	return x
}

// validate checks the exchange against the contract, routing on the API path alone so a
// base URL with a prefix or another host still finds its operation.
func (e *Env) validate(x *Exchange) contract.Violations {
	u := &url.URL{Scheme: "http", Host: "contract.invalid", Path: x.Request.Path}
	vr, err := http.NewRequest(x.Request.Method, u.String(), bytes.NewReader(x.Request.Body))
	if err != nil {
		return contract.Violations{{Rule: specfacts.RuleRouteNotFound, Location: "/request/path", Message: err.Error()}}
	}
	vr.Header = x.Request.Header.Clone()
	if vr.Header == nil {
		vr.Header = http.Header{}
	}
	return e.Contract.ValidateResponse(vr, x.Status, x.Header, x.Body)
}

// evidenceMaxBody bounds the body excerpts kept in reports.
const evidenceMaxBody = runrecord.ExcerptBytes

type evidenceMessage = runrecord.Message

// Evidence is the report entry of one exchange (docs/architecture.md).
type Evidence = runrecord.Evidence

func excerpt(b []byte) string {
	if len(b) > evidenceMaxBody {
		return fmt.Sprintf("%s… (%d bytes in all)", b[:evidenceMaxBody], len(b))
	}
	return string(b)
}

// evidence builds the redacted evidence of an exchange.
func (e *Env) evidence(x *Exchange) Evidence {
	ev := Evidence{
		Requirements: requirementsOfCurrentSpec(),
		Request: evidenceMessage{
			Method:  x.Request.Method,
			URL:     e.Redactor.String(x.URL),
			Headers: e.Redactor.Header(x.Request.Header),
			Body:    excerpt(e.Redactor.Bytes(x.Request.Body)),
		},
		ElapsedMS: x.Elapsed.Milliseconds(),
	}
	if x.Status != 0 {
		ev.Response = &evidenceMessage{
			Method:  x.Request.Method,
			Status:  x.Status,
			Headers: e.Redactor.Header(x.Header),
			Body:    excerpt(e.Redactor.Bytes(x.Body)),
		}
	}
	if x.Err != nil {
		ev.Error = e.Redactor.String(x.Err.Error())
	}
	for _, v := range x.ContractViolations() {
		v.Message = e.Redactor.String(v.Message)
		v.Reason = e.Redactor.String(v.Reason)
		ev.Violations = append(ev.Violations, v)
	}
	return ev
}

func (e *Env) record(x *Exchange) {
	AddReportEntry(runrecord.EntryEvidence, e.evidence(x), ReportEntryVisibilityNever)
}

func requirementsOfCurrentSpec() []specfacts.RequirementID {
	return runrecord.RequirementsOf(CurrentSpecReport().Labels())
}
