package conformance

import (
	"fmt"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// problems collects what is wrong with one exchange; judge fails the spec with all of them
// and the context a developer needs: the requirements, their seed clauses, the evidence.
type problems []string

func (p *problems) addf(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// answered adds the problems every expectation shares: the exchange must have completed,
// with a JSON body and no contract violation beyond those the caller tolerated.
func (p *problems) answered(x *Exchange) bool {
	if x.Err != nil {
		p.addf("no usable answer: %v", x.Err)
		return false
	}
	for _, v := range x.ContractViolations() {
		msg := fmt.Sprintf("contract violation [%s] at %s: %s", v.Rule, v.Location, v.Message)
		if v.RequirementID != "" {
			msg += " (requirement " + string(v.RequirementID) + ")"
		}
		*p = append(*p, msg)
	}
	return true
}

// judge fails the current spec when there are problems.
func (e *Env) judge(x *Exchange, expected string, p problems) {
	GinkgoHelper()
	if len(p) == 0 {
		return
	}
	Expect([]string(p)).To(BeEmpty(), e.failureContext(x, expected))
}

func (e *Env) failureContext(x *Exchange, expected string) string {
	var b strings.Builder
	for _, id := range requirementsOfCurrentSpec() {
		if r, ok := e.Catalog.Requirement(id); ok {
			fmt.Fprintf(&b, "requirement %s (%s): %s\n  seed %s: %q\n", r.ID, r.Level, r.Statement, r.Source.Seed, r.Source.Clause)
		}
	}
	fmt.Fprintf(&b, "expected: %s\n", expected)
	if x != nil {
		if x.Status != 0 {
			fmt.Fprintf(&b, "got: status %d\n", x.Status)
		}
		b.WriteString(e.evidence(x).String())
	}
	return b.String()
}

// ExpectNoServerError fails when the answer is a 5xx, a transport failure or, unless the
// caller tolerated it, a contract violation; it is the floor under every robustness spec.
func (e *Env) ExpectNoServerError(x *Exchange) {
	GinkgoHelper()
	var p problems
	if p.answered(x) && x.Status >= 500 {
		p.addf("a client mistake was answered with server error %d", x.Status)
	}
	e.judge(x, "a request error (4xx), never a 5xx or a dropped connection", p)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
