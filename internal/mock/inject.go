package mock

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/koobackup/conformance/internal/specfacts"
)

// InjectedFailureHeader is the request header, honoured only by this mock, that injects a
// failure a client cannot otherwise provoke (docs/architecture.md, "Injected failures").
// An injected failure is the mock failing on request, at the client's asking, within the
// contract; a deviation from the contract is a fault of faults.go.
const InjectedFailureHeader = specfacts.MockFaultHeader

// maxInjectedLatency bounds latency=<d> so that a typo cannot park a connection for hours.
const maxInjectedLatency = 2 * time.Minute

// InjectedInternalError is the injected failure that answers with the API's internal error;
// it is named after the KooPhone code it produces.
const InjectedInternalError = string(specfacts.CodeInternalError)

// InjectedFailure is one injected failure: an internal error, a delay, or a dropped
// connection.
type InjectedFailure struct {
	kind    failureKind
	latency time.Duration
}

type failureKind int

const (
	injectInternalError failureKind = iota + 1
	injectLatency
	injectDropConnection
)

// InjectInternalError makes the request fail with the API's internal error (500).
func InjectInternalError() InjectedFailure { return InjectedFailure{kind: injectInternalError} }

// InjectLatency delays the answer by d.
func InjectLatency(d time.Duration) InjectedFailure {
	return InjectedFailure{kind: injectLatency, latency: d}
}

// InjectDropConnection closes the connection without an answer.
func InjectDropConnection() InjectedFailure { return InjectedFailure{kind: injectDropConnection} }

func (i InjectedFailure) String() string {
	switch i.kind {
	case injectInternalError:
		return InjectedInternalError
	case injectLatency:
		return "latency=" + i.latency.String()
	case injectDropConnection:
		return "drop-connection"
	}
	return "none"
}

// InjectedFailureError says what is wrong with an X-Mock-Fault header value.
type InjectedFailureError struct {
	Item   string
	Reason string
}

func (e *InjectedFailureError) Error() string {
	return fmt.Sprintf("%s: %q %s; want internal-error, latency=<duration> or drop-connection", InjectedFailureHeader, e.Item, e.Reason)
}

// ParseInjectedFailures reads an X-Mock-Fault header value: a comma-separated list of internal-error,
// latency=<Go duration> and drop-connection.
func ParseInjectedFailures(value string) ([]InjectedFailure, error) {
	var out []InjectedFailure
	for _, item := range strings.Split(value, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
			continue
		case item == InjectedInternalError:
			out = append(out, InjectInternalError())
		case item == "drop-connection":
			out = append(out, InjectDropConnection())
		case strings.HasPrefix(item, "latency="):
			d, err := time.ParseDuration(strings.TrimPrefix(item, "latency="))
			if err != nil {
				return nil, &InjectedFailureError{Item: item, Reason: "has no valid duration"}
			}
			if d < 0 || d > maxInjectedLatency {
				return nil, &InjectedFailureError{Item: item, Reason: fmt.Sprintf("is outside 0..%s", maxInjectedLatency)}
			}
			out = append(out, InjectLatency(d))
		default:
			return nil, &InjectedFailureError{Item: item, Reason: "is not a known injected failure"}
		}
	}
	return out, nil
}

// applyInjectedFailures honours WithInjectedFailures and the X-Mock-Fault header, after
// routing and before anything reads the body or touches the world. It reports whether to go
// on.
func (m *Mock) applyInjectedFailures(w http.ResponseWriter, r *http.Request, which specfacts.API) bool {
	list := m.injected
	if v := r.Header.Get(InjectedFailureHeader); v != "" {
		parsed, err := ParseInjectedFailures(v)
		if err != nil {
			m.requestError(w, which, err.Error())
			return false
		}
		list = append(append([]InjectedFailure(nil), list...), parsed...)
	}
	for _, in := range list {
		if in.kind == injectLatency && !m.wait(r.Context(), in.latency) {
			return false
		}
	}
	for _, in := range list {
		if in.kind == injectDropConnection {
			noteInjected(r, in)
			dropConnection(w)
			return false
		}
	}
	for _, in := range list {
		if in.kind == injectInternalError {
			noteInjected(r, in)
			m.internalError(w, which, "internal error injected by "+InjectedFailureHeader)
			return false
		}
	}
	return true
}

// waitFor waits d, or until ctx is done; it reports whether d passed.
func waitFor(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
