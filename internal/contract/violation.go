package contract

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/specfacts"
)

// Violation is one way an exchange departs from the contract.
type Violation struct {
	// Rule is the stable kebab-case id of the check that failed (specs/rules.yaml).
	Rule specfacts.RuleID `json:"rule"`
	// Location is a JSON pointer into the exchange: /request/headers/x-request-id,
	// /request/body/instance_ids/3, /response/status.
	Location string `json:"location"`
	// Message names the field and the limit, e.g. "instance_ids: 101 items, at most 100 allowed".
	Message string `json:"message"`
	// Reason is kin-openapi's own wording, when it produced the finding.
	Reason string `json:"reason,omitempty"`
	// HowToFix says what a conforming exchange would do instead.
	HowToFix string `json:"how_to_fix,omitempty"`
	// RequirementID is the catalog requirement the finding breaks, best effort.
	RequirementID specfacts.RequirementID `json:"requirement_id,omitempty"`
	// Source is the nearest x-source of the spec element that failed.
	Source *catalog.Source `json:"source,omitempty"`
}

func (v Violation) Error() string {
	return fmt.Sprintf("%s at %s: %s", v.Rule, v.Location, v.Message)
}

// Violations is the outcome of one validation, sorted by (Location, Rule, Message) so that
// output is stable from run to run.
type Violations []Violation

func (vs Violations) Error() string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.Error()
	}
	return strings.Join(parts, "; ")
}

// Err returns the violations as an error, or nil when there are none.
func (vs Violations) Err() error {
	if len(vs) == 0 {
		return nil
	}
	return vs
}

// Sort orders the violations by (Location, Rule, Message) in place and returns them, so that
// callers merging several validations print them in the same stable order.
func (vs Violations) Sort() Violations {
	sort.SliceStable(vs, func(i, j int) bool {
		a, b := vs[i], vs[j]
		if a.Location != b.Location {
			return a.Location < b.Location
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
	return vs
}

// RouteError says a request matches no operation of either contract.
type RouteError struct {
	Method, Path string
	// Allowed lists the methods the path supports; empty when no path matches at all.
	Allowed []string
}

func (e *RouteError) Error() string {
	if len(e.Allowed) == 0 {
		return fmt.Sprintf("no operation for %s %s: path not in either contract", e.Method, e.Path)
	}
	return fmt.Sprintf("no operation for %s %s: method not allowed, the path supports %s", e.Method, e.Path, strings.Join(e.Allowed, ", "))
}

// MethodNotAllowed reports whether the path exists with other methods.
func (e *RouteError) MethodNotAllowed() bool { return len(e.Allowed) > 0 }

// ErrRouteNotFound and ErrMethodNotAllowed classify a *RouteError with errors.Is.
var (
	ErrRouteNotFound    = errors.New("route not found")
	ErrMethodNotAllowed = errors.New("method not allowed")
)

// Is lets errors.Is(err, ErrRouteNotFound) and errors.Is(err, ErrMethodNotAllowed) work.
func (e *RouteError) Is(target error) bool {
	switch target {
	case ErrRouteNotFound:
		return !e.MethodNotAllowed()
	case ErrMethodNotAllowed:
		return e.MethodNotAllowed()
	}
	return false
}
