package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/koobackup/conformance/specs"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// SchemaError is one place where a catalog file departs from the JSON Schema of its format
// (specs/*.schema.json).
type SchemaError struct {
	// File is the catalog file, e.g. ambiguities.yaml.
	File string
	// Pointer is the JSON pointer of the offending value in the file, e.g.
	// /ambiguities/3/readings/0/outcome ("" for the whole document).
	Pointer string
	// Line is the line of that value in the file, 0 when it cannot be told.
	Line int
	// Rule is the schema keyword that failed, as a schema file and a JSON pointer into it,
	// e.g. ambiguities.schema.json#/$defs/ambiguity/required.
	Rule string
	// Message says what the rule wants, e.g. "missing property 'judgement'".
	Message string
}

func (e *SchemaError) Error() string {
	where := e.File
	if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
	}
	ptr := e.Pointer
	if ptr == "" {
		ptr = "/"
	}
	return fmt.Sprintf("%s: %s: %s (rule %s)", where, ptr, e.Message, e.Rule)
}

// formats pairs each catalog file with the schema of its format.
var formats = map[string]string{
	specs.RequirementsFile: specs.RequirementsSchemaFile,
	specs.AmbiguitiesFile:  specs.AmbiguitiesSchemaFile,
}

var (
	schemasOnce sync.Once
	schemas     map[string]*jsonschema.Schema
	schemaDocs  map[string]any
	schemasErr  error
)

// compiledSchemas compiles the embedded schemas once, keyed by the catalog file they
// describe.
func compiledSchemas() (map[string]*jsonschema.Schema, error) {
	schemasOnce.Do(func() {
		schemas, schemaDocs = map[string]*jsonschema.Schema{}, map[string]any{}
		c := jsonschema.NewCompiler()
		ids := map[string]string{}
		for file, schemaFile := range formats {
			raw, err := specs.Read(schemaFile)
			if err != nil {
				schemasErr = fmt.Errorf("read %s: %w", schemaFile, err)
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				schemasErr = fmt.Errorf("parse %s: %w", schemaFile, err)
				return
			}
			id, _ := doc.(map[string]any)["$id"].(string)
			if id == "" {
				schemasErr = fmt.Errorf("%s: no $id", schemaFile)
				return
			}
			if err := c.AddResource(id, doc); err != nil {
				schemasErr = fmt.Errorf("%s: %w", schemaFile, err)
				return
			}
			ids[file], schemaDocs[file] = id, doc
		}
		for file, id := range ids {
			s, err := c.Compile(id)
			if err != nil {
				schemasErr = fmt.Errorf("compile %s: %w", formats[file], err)
				return
			}
			schemas[file] = s
		}
	})
	return schemas, schemasErr
}

// validateFormat checks the YAML text of a catalog file against the schema of its format
// and returns every departure, each a *SchemaError, joined.
func validateFormat(file string, data []byte) error {
	all, err := compiledSchemas()
	if err != nil {
		return fmt.Errorf("the embedded schemas are broken: %w", err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return fmt.Errorf("parse %s: %w", file, err)
	}
	var doc any
	if err := root.Decode(&doc); err != nil {
		return fmt.Errorf("parse %s: %w", file, err)
	}
	// Through JSON, so that the validator sees JSON's types (numbers, string keys).
	raw, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("parse %s: %w", file, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("parse %s: %w", file, err)
	}
	err = all[file].Validate(inst)
	var ve *jsonschema.ValidationError
	if err == nil || !errors.As(err, &ve) {
		return err
	}
	var out []error
	for _, leaf := range leaves(ve) {
		out = append(out, &SchemaError{
			File:    file,
			Pointer: pointer(leaf.InstanceLocation),
			Line:    lineOf(&root, leaf.InstanceLocation),
			Rule:    formats[file] + "#" + keywordPointer(leaf),
			Message: leaf.ErrorKind.LocalizedString(printer),
		})
	}
	return errors.Join(out...)
}

var printer = message.NewPrinter(language.English)

// leaves returns the validation errors that have no causes: each names one rule broken at
// one place, which is what a reader can act on.
func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// keywordPointer is the JSON pointer of the failing keyword inside its schema file.
func keywordPointer(e *jsonschema.ValidationError) string {
	_, frag, _ := strings.Cut(e.SchemaURL, "#")
	return frag + pointer(e.ErrorKind.KeywordPath())
}

// pointer spells tokens as a JSON pointer (RFC 6901).
func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(t))
	}
	return b.String()
}

// lineOf follows tokens from the document node and returns the line of the value reached,
// or of the last node it could reach.
func lineOf(root *yaml.Node, tokens []string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, tok := range tokens {
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == tok {
					next = n.Content[i+1]
					break
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return n.Line
}

// schemaEnum reads the enum at a JSON pointer of the schema of a catalog file, so that the
// vocabularies the schema fixes (requirement kinds, levels) are written once.
func schemaEnum(file, ptr string) []string {
	if _, err := compiledSchemas(); err != nil {
		panic(fmt.Sprintf("catalog: %v", err))
	}
	var v any = schemaDocs[file]
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		m, _ := v.(map[string]any)
		v = m[tok]
	}
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		if s, ok := e.(string); ok && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		panic(fmt.Sprintf("catalog: %s has no enum at %s", formats[file], ptr))
	}
	return out
}
