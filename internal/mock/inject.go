package mock

import (
	"fmt"
	"strings"
	"time"
)

// FaultHeader is the request header, honoured only by this mock, that injects what a
// client cannot otherwise provoke (docs/architecture.md, "Mock fault header").
const FaultHeader = "X-Mock-Fault"

// maxInjectedLatency bounds latency=<d> so that a typo cannot park a connection for hours.
const maxInjectedLatency = 2 * time.Minute

// Injection is one injected failure: an internal error, a delay, or a dropped connection.
type Injection struct {
	kind    injectionKind
	latency time.Duration
}

type injectionKind int

const (
	injectInternalError injectionKind = iota + 1
	injectLatency
	injectDropConnection
)

// InjectInternalError makes the request fail with the API's internal error (500).
func InjectInternalError() Injection { return Injection{kind: injectInternalError} }

// InjectLatency delays the answer by d.
func InjectLatency(d time.Duration) Injection { return Injection{kind: injectLatency, latency: d} }

// InjectDropConnection closes the connection without an answer.
func InjectDropConnection() Injection { return Injection{kind: injectDropConnection} }

func (i Injection) String() string {
	switch i.kind {
	case injectInternalError:
		return "internal-error"
	case injectLatency:
		return "latency=" + i.latency.String()
	case injectDropConnection:
		return "drop-connection"
	}
	return "none"
}

// InjectionError says what is wrong with a fault header value.
type InjectionError struct {
	Item   string
	Reason string
}

func (e *InjectionError) Error() string {
	return fmt.Sprintf("%s: %q %s; want internal-error, latency=<duration> or drop-connection", FaultHeader, e.Item, e.Reason)
}

// ParseInjections reads a fault header value: a comma-separated list of internal-error,
// latency=<Go duration> and drop-connection.
func ParseInjections(value string) ([]Injection, error) {
	var out []Injection
	for _, item := range strings.Split(value, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
			continue
		case item == "internal-error":
			out = append(out, InjectInternalError())
		case item == "drop-connection":
			out = append(out, InjectDropConnection())
		case strings.HasPrefix(item, "latency="):
			d, err := time.ParseDuration(strings.TrimPrefix(item, "latency="))
			if err != nil {
				return nil, &InjectionError{Item: item, Reason: "has no valid duration"}
			}
			if d < 0 || d > maxInjectedLatency {
				return nil, &InjectionError{Item: item, Reason: fmt.Sprintf("is outside 0..%s", maxInjectedLatency)}
			}
			out = append(out, InjectLatency(d))
		default:
			return nil, &InjectionError{Item: item, Reason: "is not a known fault"}
		}
	}
	return out, nil
}
