// Package contract holds the two OpenAPI documents in their machine-checkable form. It loads
// the embedded specs once, routes a request to its operation by path alone (whatever host
// the target lives on), validates requests and responses with kin-openapi's schema
// validator, and returns every mismatch as a Violation with a stable rule, a JSON-pointer
// location, a message naming the field and the limit, and the requirement it breaks.
//
// It also exposes the limits, codes and enums of the contracts (Constraints) so that the
// mock and the suites read them from the specs instead of repeating literals. Names that code
// spells (API names, rule and requirement ids, error-code names) are package specfacts'
// generated constants.
package contract
