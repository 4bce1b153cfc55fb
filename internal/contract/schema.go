package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/specfacts"
)

// schemaViolations turns kin-openapi's schema errors into violations located under base.
// root is the schema that was validated; fallbackReq and fallbackSrc apply when no schema
// on the way to the failing value names a requirement or a source.
func schemaViolations(err error, root *openapi3.Schema, rule specfacts.RuleID, base string, fallbackReq specfacts.RequirementID, fallbackSrc *catalog.Source, vs Violations) Violations {
	quoteValues := rule == specfacts.RuleRequestBodySchema || rule == specfacts.RuleResponseBodySchema
	for _, se := range flattenSchemaErrors(err) {
		tokens := se.JSONPointer()
		var loc strings.Builder
		loc.WriteString(base)
		for _, t := range tokens {
			loc.WriteByte('/')
			loc.WriteString(escapePointer(t))
		}
		label := strings.Join(tokens, "/")
		if label == "" {
			label = base[strings.LastIndexByte(base, '/')+1:]
		}
		chain := schemaChain(root, tokens)
		req := pickRequirement(chain, se.SchemaField, fallbackReq)
		src := fallbackSrc
		for i := len(chain) - 1; i >= 0; i-- {
			if s := sourceOf(chain[i].Extensions); s != nil {
				src = s
				break
			}
		}
		msg, fix := describe(se, label, quoteValues)
		vs = append(vs, Violation{Rule: rule, Location: loc.String(), Message: msg, Reason: se.Reason,
			HowToFix: fix, RequirementID: req, Source: src})
	}
	return vs
}

// flattenSchemaErrors unpacks MultiError trees into their SchemaErrors; any other error is
// wrapped as a SchemaError at the root so that nothing is lost.
func flattenSchemaErrors(err error) []*openapi3.SchemaError {
	var out []*openapi3.SchemaError
	var walk func(error)
	walk = func(e error) {
		var me openapi3.MultiError
		if errors.As(e, &me) {
			for _, x := range me {
				walk(x)
			}
			return
		}
		var se *openapi3.SchemaError
		if errors.As(e, &se) {
			out = append(out, se)
			return
		}
		out = append(out, &openapi3.SchemaError{Reason: e.Error()})
	}
	walk(err)
	return out
}

// schemaChain returns the schemas from root down to the value the pointer names, as far
// as the schema describes it.
func schemaChain(root *openapi3.Schema, tokens []string) []*openapi3.Schema {
	chain := []*openapi3.Schema{root}
	s := root
	for _, t := range tokens {
		var next *openapi3.SchemaRef
		if p, ok := s.Properties[t]; ok {
			next = p
		} else if _, err := strconv.Atoi(t); err == nil && s.Items != nil {
			next = s.Items
		} else if s.AdditionalProperties.Schema != nil {
			next = s.AdditionalProperties.Schema
		}
		if next == nil || next.Value == nil {
			break
		}
		s = next.Value
		chain = append(chain, s)
	}
	return chain
}

// requirementSuffixes maps a failing schema keyword to the id endings of the requirements
// that state it, so that a property carrying several requirements yields the right one.
var requirementSuffixes = map[string][]string{
	"required":  {"-required"},
	"maxItems":  {"-max-items"},
	"minItems":  {"-min-items"},
	"maxLength": {"-max-length"},
	"minLength": {"-min-length", "-empty-string"},
	"type":      {"-type", "-types"},
	"nullable":  {"-type", "-types"},
	"enum":      {"-enum"},
}

// pickRequirement chooses, from the nearest schema upwards, the x-requirements id that
// matches the failing keyword; failing that the nearest id at all; failing that fallback.
func pickRequirement(chain []*openapi3.Schema, field string, fallback specfacts.RequirementID) specfacts.RequirementID {
	var nearest specfacts.RequirementID
	suffixes := requirementSuffixes[field]
	for i := len(chain) - 1; i >= 0; i-- {
		ids := requirementsOf(chain[i].Extensions)
		if len(ids) > 0 && nearest == "" {
			nearest = ids[0]
		}
		for _, id := range ids {
			for _, suf := range suffixes {
				if strings.HasSuffix(string(id), suf) {
					return id
				}
			}
		}
	}
	if nearest != "" {
		return nearest
	}
	return fallback
}

// describe writes the message and the fix of one schema error, naming the field and limit.
func describe(se *openapi3.SchemaError, label string, quoteValues bool) (string, string) {
	s := se.Schema
	if s == nil {
		return label + ": " + se.Reason, "match the documented schema"
	}
	switch se.SchemaField {
	case "required":
		return label + ": required member missing", fmt.Sprintf("add the member %q", label[strings.LastIndexByte(label, '/')+1:])
	case "maxItems":
		if s.MaxItems != nil {
			return fmt.Sprintf("%s: %d items, at most %d allowed", label, arrayLen(se.Value), *s.MaxItems),
				fmt.Sprintf("send at most %d items", *s.MaxItems)
		}
	case "minItems":
		return fmt.Sprintf("%s: %d items, at least %d required", label, arrayLen(se.Value), s.MinItems),
			fmt.Sprintf("send at least %d items", s.MinItems)
	case "maxLength":
		if s.MaxLength != nil {
			return fmt.Sprintf("%s: %d characters, at most %d allowed", label, stringLen(se.Value), *s.MaxLength),
				fmt.Sprintf("send at most %d characters", *s.MaxLength)
		}
	case "minLength":
		return fmt.Sprintf("%s: %d characters, at least %d required", label, stringLen(se.Value), s.MinLength),
			fmt.Sprintf("send at least %d characters", s.MinLength)
	case "type":
		want := strings.Join(s.Type.Slice(), " or ")
		return fmt.Sprintf("%s: must be %s, got %s", label, article(want), jsonType(se.Value)), "send " + article(want)
	case "nullable":
		return fmt.Sprintf("%s: must not be null", label), "send a value instead of null"
	case "enum":
		allowed := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			allowed[i] = quote(e)
		}
		if quoteValues {
			return fmt.Sprintf("%s: %s is not one of %s", label, quote(se.Value), strings.Join(allowed, ", ")),
				"use one of " + strings.Join(allowed, ", ")
		}
		return fmt.Sprintf("%s: not one of %s", label, strings.Join(allowed, ", ")), "use one of " + strings.Join(allowed, ", ")
	case "pattern":
		if quoteValues {
			return fmt.Sprintf("%s: %s does not match %s", label, quote(se.Value), s.Pattern), "match the pattern " + s.Pattern
		}
		return fmt.Sprintf("%s: does not match %s", label, s.Pattern), "match the pattern " + s.Pattern
	}
	return label + ": " + se.Reason, "match the documented schema"
}

func arrayLen(v any) int {
	if a, ok := v.([]any); ok {
		return len(a)
	}
	return 0
}

func stringLen(v any) int {
	if s, ok := v.(string); ok {
		return utf8.RuneCountInString(s)
	}
	return 0
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64, json.Number, int, int64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func article(t string) string {
	if t == "" {
		return "a value of the documented type"
	}
	if strings.ContainsRune("aeiou", rune(t[0])) {
		return "an " + t
	}
	return "a " + t
}

// quote renders a JSON value for a message, cut short so a huge value cannot flood a report.
func quote(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	const limit = 64
	if len(b) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(b[cut]) {
			cut--
		}
		return string(b[:cut]) + "…"
	}
	return string(b)
}
