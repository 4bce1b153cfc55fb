package contract

import (
	"reflect"
	"sync"
	"unicode/utf16"

	"github.com/getkin/kin-openapi/openapi3"
)

// The fast path answers "does this value match this schema?" with a compiled tree for the
// keywords the two contracts use (type, nullable, enum of strings, not, string lengths,
// array sizes and items, properties and required). Only a yes is final: a value the fast
// path refuses, and every schema node using anything else, goes to kin-openapi, whose
// errors become the violations. So the messages are kin-openapi's, and the verdict is its
// too: TestFastPathAgreesWithKinOpenAPI checks the two agree on every fixture and on
// mutations of each. It exists because kin-openapi's visitor costs as much as decoding the
// body again (BenchmarkValidation).

// visitBody validates a decoded body against s the way VisitJSON(value, opts...) does,
// taking the fast path first.
func visitBody(s *openapi3.Schema, value any, opts []openapi3.SchemaValidationOption) error {
	if compiled(s).matches(value, opts) {
		return nil
	}
	return s.VisitJSON(value, opts...)
}

// fastSchema is one compiled schema node; kin is set when the node uses a keyword the fast
// path does not implement, and then the node is checked by kin-openapi alone.
type fastSchema struct {
	src      *openapi3.Schema
	kin      bool
	nullable bool
	// types the node permits; all true when the schema names no type.
	str, obj, arr, boolean bool
	enum                   map[string]bool
	not                    *fastSchema
	minLen                 uint64
	maxLen                 *uint64
	minItems               uint64
	maxItems               *uint64
	items                  *fastSchema
	props                  map[string]*fastSchema
	required               []string
}

var fastSchemas sync.Map // *openapi3.Schema → *fastSchema

func compiled(s *openapi3.Schema) *fastSchema {
	if f, ok := fastSchemas.Load(s); ok {
		return f.(*fastSchema)
	}
	f := compile(s, 0)
	actual, _ := fastSchemas.LoadOrStore(s, f)
	return actual.(*fastSchema)
}

// maxFastDepth bounds compilation; deeper (or recursive) schemas are left to kin-openapi.
const maxFastDepth = 16

func compile(s *openapi3.Schema, depth int) *fastSchema {
	f := &fastSchema{src: s}
	if s == nil || depth > maxFastDepth || !onlyFastKeywords(s) {
		f.kin = true
		return f
	}
	f.nullable = s.Nullable
	if s.Type == nil {
		f.str, f.obj, f.arr, f.boolean = true, true, true, true
	} else {
		ts := s.Type.Slice()
		if len(ts) != 1 {
			f.kin = true
			return f
		}
		switch ts[0] {
		case openapi3.TypeString:
			f.str = true
		case openapi3.TypeObject:
			f.obj = true
		case openapi3.TypeArray:
			f.arr = true
		case openapi3.TypeBoolean:
			f.boolean = true
		default:
			f.kin = true
			return f
		}
	}
	if len(s.Enum) > 0 {
		f.enum = make(map[string]bool, len(s.Enum))
		for _, e := range s.Enum {
			str, ok := e.(string)
			if !ok {
				f.kin = true
				return f
			}
			f.enum[str] = true
		}
	}
	if s.Not != nil {
		if s.Not.Value == nil {
			f.kin = true
			return f
		}
		f.not = compile(s.Not.Value, depth+1)
	}
	f.minLen, f.maxLen = s.MinLength, s.MaxLength
	f.minItems, f.maxItems = s.MinItems, s.MaxItems
	if s.Items != nil {
		if s.Items.Value == nil {
			f.kin = true
			return f
		}
		f.items = compile(s.Items.Value, depth+1)
	}
	if len(s.Properties) > 0 {
		f.props = make(map[string]*fastSchema, len(s.Properties))
		for name, ref := range s.Properties {
			if ref == nil || ref.Value == nil || ref.Value.ReadOnly || ref.Value.WriteOnly {
				f.kin = true
				return f
			}
			f.props[name] = compile(ref.Value, depth+1)
		}
	}
	f.required = s.Required
	return f
}

// onlyFastKeywords reports whether s sets nothing but what compile implements or what
// does not affect validation (documentation, extensions).
func onlyFastKeywords(s *openapi3.Schema) bool {
	c := *s
	c.Extensions, c.Origin = nil, nil
	c.Title, c.Description, c.Example, c.ExternalDocs, c.Deprecated = "", "", nil, nil, false
	c.Type, c.Nullable, c.Enum, c.Not = nil, false, nil, nil
	c.MinLength, c.MaxLength = 0, nil
	c.MinItems, c.MaxItems, c.Items = 0, nil, nil
	c.Properties, c.Required = nil, nil
	return reflect.ValueOf(c).IsZero()
}

// matches reports whether value certainly matches the schema; false means "ask
// kin-openapi", not necessarily "invalid".
func (f *fastSchema) matches(value any, opts []openapi3.SchemaValidationOption) bool {
	if f.kin {
		return f.src != nil && f.src.VisitJSON(value, opts...) == nil
	}
	if value == nil {
		// kin-openapi accepts null on a nullable node before any other keyword.
		return f.nullable
	}
	if f.not != nil && f.not.matches(value, opts) {
		return false
	}
	if f.enum != nil {
		s, ok := value.(string)
		if !ok || !f.enum[s] {
			return false
		}
	}
	switch v := value.(type) {
	case string:
		if !f.str {
			return false
		}
		if f.minLen != 0 || f.maxLen != nil {
			n := stringLength(v)
			if n < f.minLen || (f.maxLen != nil && n > *f.maxLen) {
				return false
			}
		}
		return true
	case bool:
		return f.boolean
	case []any:
		if !f.arr {
			return false
		}
		n := uint64(len(v))
		if n < f.minItems || (f.maxItems != nil && n > *f.maxItems) {
			return false
		}
		if f.items != nil {
			for _, item := range v {
				if !f.items.matches(item, opts) {
					return false
				}
			}
		}
		return true
	case map[string]any:
		if !f.obj {
			return false
		}
		for _, k := range f.required {
			if _, ok := v[k]; !ok {
				return false
			}
		}
		if len(f.props) > 0 {
			for k, item := range v {
				if p := f.props[k]; p != nil && !p.matches(item, opts) {
					return false
				}
			}
		}
		return true
	}
	// Numbers and anything else: kin-openapi decides.
	return f.src.VisitJSON(value, opts...) == nil
}

// stringLength counts as kin-openapi does (UTF-16 code units of surrogates count twice).
func stringLength(s string) uint64 {
	var n uint64
	for _, r := range s {
		if utf16.IsSurrogate(r) {
			n += 2
		} else {
			n++
		}
	}
	return n
}
