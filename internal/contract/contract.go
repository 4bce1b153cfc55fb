package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/specs"
)

// Contract is both OpenAPI documents, parsed, validated and indexed for routing. It is
// immutable after Load and safe for concurrent use.
type Contract struct {
	docs       map[specfacts.API]*openapi3.T
	operations []*operation
	constraint Constraints
}

// operation is one path+method of a document with everything validation needs resolved.
type operation struct {
	api      specfacts.API
	id       string
	method   string
	template string
	// segments of the path template; a parameter segment holds "" and its name in params.
	segments []string
	params   []string
	op       *openapi3.Operation
	source   *catalog.Source
	security openapi3.SecurityRequirements
	schemes  map[string]*openapi3.SecurityScheme
	// statuses are the documented response statuses, sorted.
	statuses []int
	// responseSources holds each response's x-source, decoded once at load.
	responseSources map[*openapi3.Response]*catalog.Source
	// ruleRequirements is the operation's x-rule-requirements: the requirement a violation
	// of an operation-level rule breaks.
	ruleRequirements map[specfacts.RuleID]specfacts.RequirementID
	// bodyLimit is the operation's x-request-body-limit in bytes.
	bodyLimit int64
}

var (
	defaultOnce     sync.Once
	defaultContract *Contract
	defaultErr      error
)

// Default returns the contract of the embedded specs, loaded once. It panics when the
// embedded documents are broken, which the package's tests rule out.
func Default() *Contract {
	defaultOnce.Do(func() { defaultContract, defaultErr = Load() })
	if defaultErr != nil {
		panic(fmt.Sprintf("embedded contracts are broken: %v", defaultErr))
	}
	return defaultContract
}

// Load parses both embedded documents, validates them as OpenAPI with kin-openapi's default
// checks (examples included) and indexes their operations under each document's info.x-api.
func Load() (*Contract, error) { return LoadEdited(nil) }

// DocumentEdit changes one freshly parsed document before it is validated and indexed.
type DocumentEdit func(api specfacts.API, doc *openapi3.T) error

// LoadEdited is Load with edit applied to each document first, so that a caller can hold a
// contract that differs from the embedded one in a stated way (a deviating server's view of
// its own limits) while everything else stays the law. A nil edit is Load.
func LoadEdited(edit DocumentEdit) (*Contract, error) {
	c := &Contract{docs: map[specfacts.API]*openapi3.T{}}
	for _, file := range []string{specs.KooPhoneFile, specs.VBSFile} {
		raw, err := specs.Read(file)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", file, err)
		}
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(raw)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", file, err)
		}
		if edit != nil {
			var api specfacts.API
			if doc.Info != nil {
				_ = remarshal(doc.Info.Extensions["x-api"], &api)
			}
			if err := edit(api, doc); err != nil {
				return nil, fmt.Errorf("edit %s: %w", file, err)
			}
		}
		if err := doc.Validate(context.Background()); err != nil {
			return nil, fmt.Errorf("validate %s: %w", file, err)
		}
		var api specfacts.API
		if doc.Info != nil {
			if err := remarshal(doc.Info.Extensions["x-api"], &api); err != nil || !slices.Contains(specfacts.APIs(), api) {
				return nil, fmt.Errorf("%s: info.x-api %q is not one of %v", file, api, specfacts.APIs())
			}
		}
		if _, dup := c.docs[api]; dup || api == "" {
			return nil, fmt.Errorf("%s: info.x-api %q is missing or names another document's API", file, api)
		}
		c.docs[api] = doc
		if err := c.index(api, doc); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	}
	var err error
	if c.constraint, err = readConstraints(c); err != nil {
		return nil, fmt.Errorf("read constraints: %w", err)
	}
	return c, nil
}

func (c *Contract) index(api specfacts.API, doc *openapi3.T) error {
	schemes := map[string]*openapi3.SecurityScheme{}
	if doc.Components != nil {
		for name, ref := range doc.Components.SecuritySchemes {
			schemes[name] = ref.Value
		}
	}
	paths := doc.Paths.Keys()
	slices.Sort(paths)
	for _, p := range paths {
		item := doc.Paths.Value(p)
		methods := item.Operations()
		names := make([]string, 0, len(methods))
		for m := range methods {
			names = append(names, m)
		}
		slices.Sort(names)
		for _, m := range names {
			op := methods[m]
			o := &operation{api: api, id: op.OperationID, method: strings.ToUpper(m), template: p, op: op, schemes: schemes,
				source: sourceOf(op.Extensions)}
			for _, seg := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
				if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
					o.segments = append(o.segments, "")
					o.params = append(o.params, seg[1:len(seg)-1])
					continue
				}
				o.segments = append(o.segments, seg)
			}
			o.security = doc.Security
			if op.Security != nil {
				o.security = *op.Security
			}
			o.responseSources = map[*openapi3.Response]*catalog.Source{}
			for code, ref := range op.Responses.Map() {
				if ref.Value != nil {
					o.responseSources[ref.Value] = sourceOf(ref.Value.Extensions)
				}
				n, err := strconv.Atoi(code)
				if err != nil {
					return fmt.Errorf("%s %s: response %q: only numeric statuses are supported", m, p, code)
				}
				o.statuses = append(o.statuses, n)
			}
			slices.Sort(o.statuses)
			if err := remarshal(op.Extensions["x-rule-requirements"], &o.ruleRequirements); err != nil {
				return fmt.Errorf("%s %s: x-rule-requirements: %w", m, p, err)
			}
			var limit struct {
				Bytes int64 `json:"bytes"`
			}
			if err := remarshal(op.Extensions["x-request-body-limit"], &limit); err != nil || limit.Bytes <= 0 {
				return fmt.Errorf("%s %s: x-request-body-limit lacks a positive bytes (%v)", m, p, err)
			}
			o.bodyLimit = limit.Bytes
			c.operations = append(c.operations, o)
		}
	}
	return nil
}

// match reports whether the request path fits the template, and the path parameters.
// It avoids allocating unless the path matches and has parameters.
func (o *operation) match(path string) (map[string]string, bool) {
	rest := strings.TrimPrefix(path, "/")
	if len(rest) == len(path) {
		return nil, false
	}
	var values map[string]string
	pi := 0
	for i, want := range o.segments {
		seg, tail, more := strings.Cut(rest, "/")
		last := i == len(o.segments)-1
		if more == last {
			return nil, false
		}
		if want == "" {
			if seg == "" {
				return nil, false
			}
			if values == nil {
				values = make(map[string]string, len(o.params))
			}
			values[o.params[pi]] = seg
			pi++
		} else if seg != want {
			return nil, false
		}
		rest = tail
	}
	return values, true
}

// find routes a request to its operation by method and path alone.
func (c *Contract) find(method, path string) (*operation, map[string]string, error) {
	var allowed []string
	for _, o := range c.operations {
		params, ok := o.match(path)
		if !ok {
			continue
		}
		if o.method == method {
			return o, params, nil
		}
		allowed = append(allowed, o.method)
	}
	slices.Sort(allowed)
	return nil, nil, &RouteError{Method: method, Path: path, Allowed: slices.Compact(allowed)}
}

// Route names the API and operation a request for method and path belongs to. The error is
// a *RouteError (errors.Is ErrRouteNotFound or ErrMethodNotAllowed) when none does.
func (c *Contract) Route(method, path string) (specfacts.API, string, error) {
	o, _, err := c.find(strings.ToUpper(method), path)
	if err != nil {
		return "", "", err
	}
	return o.api, o.id, nil
}

// Constraints returns the limits, codes and enums read from the documents.
func (c *Contract) Constraints() Constraints { return c.constraint }

// Document returns the parsed OpenAPI document of one API, for callers that need more than
// Constraints offers. It must not be modified.
func (c *Contract) Document(api specfacts.API) *openapi3.T { return c.docs[api] }

// RuleRequirement is the requirement a violation of an operation-level rule breaks on the
// API's operation (its x-rule-requirements), or "" when the document names none.
func (c *Contract) RuleRequirement(api specfacts.API, rule specfacts.RuleID) specfacts.RequirementID {
	for _, o := range c.operations {
		if o.api == api {
			return o.ruleRequirements[rule]
		}
	}
	return ""
}

// sourceOf returns the x-source extension, or nil when there is none (extcache.go decodes
// each once); the caller gets its own copy.
func sourceOf(ext map[string]any) *catalog.Source {
	s := cachedSource(ext, decodeSource)
	if s == nil {
		return nil
	}
	c := *s
	return &c
}

func decodeSource(ext map[string]any) *catalog.Source {
	raw, ok := ext["x-source"]
	if !ok {
		return nil
	}
	var s catalog.Source
	if err := remarshal(raw, &s); err != nil || s.Clause == "" {
		return nil
	}
	return &s
}

// requirementsOf returns the x-requirements extension (decoded once, extcache.go); the
// slice is shared and must not be modified.
func requirementsOf(ext map[string]any) []specfacts.RequirementID {
	return cachedRequirements(ext, decodeRequirements)
}

func decodeRequirements(ext map[string]any) []specfacts.RequirementID {
	raw, ok := ext["x-requirements"]
	if !ok {
		return nil
	}
	var ids []specfacts.RequirementID
	if err := remarshal(raw, &ids); err != nil {
		return nil
	}
	return ids
}

// remarshal converts an extension value, held by kin-openapi as generic JSON, into v.
func remarshal(in, v any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// ErrorCode is one entry of KooPhone's x-error-codes.
type ErrorCode struct {
	Code    string                  `json:"code"`
	Name    specfacts.ErrorCodeName `json:"name"`
	Meaning string                  `json:"meaning"`
	Status  int                     `json:"status"`
	Source  catalog.Source          `json:"x-source"`
}

// Constraints are the limits, codes and enums of both contracts.
type Constraints struct {
	KooPhone KooPhoneConstraints
	VBS      VBSConstraints
}

// KooPhoneConstraints describe the KooPhone backup operation.
type KooPhoneConstraints struct {
	Method, Path                 string
	TokenHeader, RequestIDHeader string
	// BodyLimit is the operation's x-request-body-limit in bytes.
	BodyLimit           int64
	InstanceIDsMaxItems int
	InstanceIDMaxLength int
	// SuccessCode is the only error_code a 200 may carry.
	SuccessCode string
	// SeedExample is the JSON of the seed document's own example request (x-seed-example),
	// which contradicts the parameter table (koophone-example-request-shape).
	SeedExample []byte
	ErrorCodes  []ErrorCode
	Statuses    []int
}

// Code returns the error code with the x-error-codes name (specfacts.CodeParameterIncorrect,
// …). An unknown name is a programming error and panics.
func (k KooPhoneConstraints) Code(name specfacts.ErrorCodeName) ErrorCode {
	for _, c := range k.ErrorCodes {
		if c.Name == name {
			return c
		}
	}
	panic(fmt.Sprintf("contract: no KooPhone error code named %q", name))
}

// VBSConstraints describe the VBS association operation.
type VBSConstraints struct {
	Method, PathTemplate string
	TokenHeader          string
	// BodyLimit is the operation's x-request-body-limit in bytes.
	BodyLimit     int64
	ResourceTypes []string
	Statuses      []int
}

// Path fills the project id into the path template.
func (v VBSConstraints) Path(projectID string) string {
	return strings.Replace(v.PathTemplate, "{project_id}", projectID, 1)
}

func (c *Contract) onlyOperation(api specfacts.API) (*operation, error) {
	var found *operation
	for _, o := range c.operations {
		if o.api == api {
			if found != nil {
				return nil, fmt.Errorf("%s: more than one operation; constraints are ambiguous", api)
			}
			found = o
		}
	}
	if found == nil {
		return nil, fmt.Errorf("%s: no operation", api)
	}
	return found, nil
}

func readConstraints(c *Contract) (Constraints, error) {
	var out Constraints
	kp, err := c.onlyOperation(specfacts.KooPhone)
	if err != nil {
		return out, err
	}
	k := &out.KooPhone
	k.Method, k.Path, k.Statuses, k.BodyLimit = kp.method, kp.template, kp.statuses, kp.bodyLimit
	if k.TokenHeader, err = kp.tokenHeader(); err != nil {
		return out, err
	}
	for _, p := range kp.op.Parameters {
		if p.Value.In == openapi3.ParameterInHeader && p.Value.Required {
			k.RequestIDHeader = strings.ToLower(p.Value.Name)
		}
	}
	if k.RequestIDHeader == "" {
		return out, fmt.Errorf("koophone: no required header parameter")
	}
	ids, err := property(requestSchema(kp.op), "instance_ids")
	if err != nil {
		return out, fmt.Errorf("koophone request: %w", err)
	}
	if ids.MaxItems == nil || ids.Items == nil || ids.Items.Value.MaxLength == nil {
		return out, fmt.Errorf("koophone request: instance_ids lacks maxItems or items.maxLength")
	}
	k.InstanceIDsMaxItems, k.InstanceIDMaxLength = int(*ids.MaxItems), int(*ids.Items.Value.MaxLength)
	var seed struct {
		Value json.RawMessage `json:"value"`
	}
	if mt := kp.op.RequestBody.Value.Content.Get("application/json"); mt != nil {
		_ = remarshal(mt.Extensions["x-seed-example"], &seed)
	}
	if len(seed.Value) == 0 {
		return out, fmt.Errorf("koophone request: no x-seed-example value")
	}
	k.SeedExample = seed.Value
	code, err := property(responseSchema(kp.op, http.StatusOK), "error_code")
	if err != nil {
		return out, fmt.Errorf("koophone 200: %w", err)
	}
	if len(code.Enum) != 1 {
		return out, fmt.Errorf("koophone 200: error_code must have exactly one enum value, has %v", code.Enum)
	}
	k.SuccessCode = fmt.Sprint(code.Enum[0])
	errCode, err := property(responseSchema(kp.op, http.StatusBadRequest), "error_code")
	if err != nil {
		return out, fmt.Errorf("koophone 400: %w", err)
	}
	if err := remarshal(errCode.Extensions["x-error-codes"], &k.ErrorCodes); err != nil || len(k.ErrorCodes) == 0 {
		return out, fmt.Errorf("koophone 400: error_code has no readable x-error-codes (%v)", err)
	}

	vbs, err := c.onlyOperation(specfacts.VBS)
	if err != nil {
		return out, err
	}
	v := &out.VBS
	v.Method, v.PathTemplate, v.Statuses, v.BodyLimit = vbs.method, vbs.template, vbs.statuses, vbs.bodyLimit
	if v.TokenHeader, err = vbs.tokenHeader(); err != nil {
		return out, err
	}
	resources, err := property(requestSchema(vbs.op), "resources")
	if err != nil || resources.Items == nil {
		return out, fmt.Errorf("vbs request: resources items: %v", err)
	}
	rt, err := property(resources.Items.Value, "resource_type")
	if err != nil {
		return out, fmt.Errorf("vbs request: %w", err)
	}
	for _, e := range rt.Enum {
		v.ResourceTypes = append(v.ResourceTypes, fmt.Sprint(e))
	}
	return out, nil
}

// tokenHeader is the header of the operation's first apiKey security scheme.
func (o *operation) tokenHeader() (string, error) {
	for _, req := range o.security {
		for name := range req {
			if s := o.schemes[name]; s != nil && s.Type == "apiKey" && s.In == "header" {
				return s.Name, nil
			}
		}
	}
	return "", fmt.Errorf("%s: no apiKey header security scheme", o.api)
}

func requestSchema(op *openapi3.Operation) *openapi3.Schema {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

func responseSchema(op *openapi3.Operation, status int) *openapi3.Schema {
	r := op.Responses.Status(status)
	if r == nil || r.Value == nil {
		return nil
	}
	mt := r.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

func property(s *openapi3.Schema, name string) (*openapi3.Schema, error) {
	if s == nil {
		return nil, fmt.Errorf("no JSON schema")
	}
	p := s.Properties[name]
	if p == nil || p.Value == nil {
		return nil, fmt.Errorf("schema has no property %q", name)
	}
	return p.Value, nil
}
