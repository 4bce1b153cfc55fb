package catalog

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/koobackup/conformance/specs"
	"go.yaml.in/yaml/v3"
)

// Outcome is what a target taking one reading answers to the register entry's probe, in
// the vocabulary the register's header documents. A zero field says nothing about that part
// of the answer.
type Outcome struct {
	// Statuses are the HTTP statuses any of which the reading answers with.
	Statuses []int `json:"status,omitempty"`
	// Codes are KooPhone error codes by their x-error-codes name, any of which the reading
	// answers with, each under the status the spec documents for it.
	Codes []string `json:"code,omitempty"`
	// Envelope: the body is the VBS error envelope.
	Envelope bool `json:"envelope,omitempty"`
	// Success: the request is carried out for everything it names.
	Success bool `json:"success,omitempty"`
	// ResourceIn is the VBS list reporting the resources the probe is about.
	ResourceIn string `json:"resource_in,omitempty"`
	// Repeats says how many result items an item named twice yields: once or per-entry.
	Repeats string `json:"repeats,omitempty"`
	// MayOmit are members of the answer the reading lets be absent or null.
	MayOmit []string `json:"may_omit,omitempty"`
	// CodePrefix is the spelling of the KooPhone error code's product prefix.
	CodePrefix string `json:"code_prefix,omitempty"`
	// Gateway: the answer comes from an API gateway in front of the service, with the
	// gateway's own body (GatewayCodePattern), not from the API.
	Gateway bool `json:"gateway,omitempty"`
	// SameJobs: a KooPhone 200 names the jobs an earlier call started (an idempotent repeat).
	SameJobs bool `json:"same_jobs,omitempty"`
}

// Outcome keys of the register, and the values the enumerated ones take.
const (
	keyStatus     = "status"
	keyCode       = "code"
	keyEnvelope   = "envelope"
	keySuccess    = "success"
	keyResourceIn = "resource_in"
	keyRepeats    = "repeats"
	keyMayOmit    = "may_omit"
	keyCodePrefix = "code_prefix"
	keyGateway    = "gateway"
	keySameJobs   = "same_jobs"

	// GatewayCodePattern is the form of an API gateway's error_code (Huawei Cloud APIG:
	// APIGW.0301 and the like). It is not a fact of either document, so it lives here, with
	// the register header that defines the gateway key.
	GatewayCodePattern = `^APIGW\.[0-9]+$`
	// GatewayStatus is the status a gateway refuses a missing or invalid token with.
	GatewayStatus = 401

	// ResourceListSuccess and ResourceListFail are the two VBS result lists.
	ResourceListSuccess = "success_resources"
	ResourceListFail    = "fail_resources"
	// RepeatsOnce and RepeatsPerEntry are the values of repeats.
	RepeatsOnce     = "once"
	RepeatsPerEntry = "per-entry"
)

// OutcomeKeys lists the keys an outcome may have, in the order the register documents them.
var OutcomeKeys = []string{keyStatus, keyCode, keyEnvelope, keySuccess, keyResourceIn, keyRepeats, keyMayOmit, keyCodePrefix, keyGateway, keySameJobs}

// JudgesBody reports whether the outcome says anything about the body; a status alone
// leaves it unjudged (an answer of the transport, not of the API).
func (o Outcome) JudgesBody() bool {
	return len(o.Codes) > 0 || o.Envelope || o.Success || o.ResourceIn != "" || o.Repeats != "" || len(o.MayOmit) > 0 || o.CodePrefix != "" || o.Gateway || o.SameJobs
}

// String renders the outcome for failure messages, e.g. "400 parameter-incorrect".
func (o Outcome) String() string {
	var parts []string
	if len(o.Statuses) > 0 {
		var st []string
		for _, s := range o.Statuses {
			st = append(st, fmt.Sprint(s))
		}
		parts = append(parts, strings.Join(st, "/"))
	}
	if len(o.Codes) > 0 {
		parts = append(parts, strings.Join(o.Codes, "/"))
	}
	if o.Envelope {
		parts = append(parts, "error envelope")
	}
	if o.Success {
		parts = append(parts, "carried out")
	}
	if o.ResourceIn != "" {
		parts = append(parts, "in "+o.ResourceIn)
	}
	if o.Repeats != "" {
		parts = append(parts, "repeats "+o.Repeats)
	}
	if len(o.MayOmit) > 0 {
		parts = append(parts, "may omit "+strings.Join(o.MayOmit, ", "))
	}
	if o.CodePrefix != "" {
		parts = append(parts, "code prefix "+o.CodePrefix)
	}
	if o.Gateway {
		parts = append(parts, "API gateway body (APIGW error_code, error_msg, request_id)")
	}
	if o.SameJobs {
		parts = append(parts, "the earlier call's jobs")
	}
	if len(parts) == 0 {
		return "any answer"
	}
	return strings.Join(parts, ", ")
}

// Outcomes are the alternatives of one reading; any of them may hold.
type Outcomes []Outcome

// String joins the alternatives with "or".
func (os Outcomes) String() string {
	var parts []string
	for _, o := range os {
		parts = append(parts, o.String())
	}
	return strings.Join(parts, " or ")
}

// UnmarshalYAML reads one outcome mapping or a list of them.
func (os *Outcomes) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.SequenceNode {
		out := make(Outcomes, len(n.Content))
		for i, c := range n.Content {
			if err := out[i].UnmarshalYAML(c); err != nil {
				return err
			}
		}
		*os = out
		return nil
	}
	var o Outcome
	if err := o.UnmarshalYAML(n); err != nil {
		return err
	}
	*os = Outcomes{o}
	return nil
}

// UnmarshalYAML reads the outcome vocabulary; status and code take one value or a list. The
// register's schema has refused unknown keys before (Parse); one here is an error still.
func (o *Outcome) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: an outcome is a mapping of %s", n.Line, strings.Join(OutcomeKeys, ", "))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i].Value, n.Content[i+1]
		var err error
		switch key {
		case keyStatus:
			o.Statuses, err = oneOrMany[int](val)
		case keyCode:
			o.Codes, err = oneOrMany[string](val)
		case keyEnvelope:
			err = val.Decode(&o.Envelope)
		case keySuccess:
			err = val.Decode(&o.Success)
		case keyResourceIn:
			err = val.Decode(&o.ResourceIn)
		case keyRepeats:
			err = val.Decode(&o.Repeats)
		case keyMayOmit:
			o.MayOmit, err = oneOrMany[string](val)
		case keyCodePrefix:
			err = val.Decode(&o.CodePrefix)
		case keyGateway:
			err = val.Decode(&o.Gateway)
		case keySameJobs:
			err = val.Decode(&o.SameJobs)
		default:
			err = fmt.Errorf("unknown outcome key; known keys: %s", strings.Join(OutcomeKeys, ", "))
		}
		if err != nil {
			return fmt.Errorf("line %d: outcome %s: %w", val.Line, key, err)
		}
	}
	return nil
}

func oneOrMany[T any](n *yaml.Node) ([]T, error) {
	if n.Kind == yaml.SequenceNode {
		var out []T
		err := n.Decode(&out)
		return out, err
	}
	var one T
	if err := n.Decode(&one); err != nil {
		return nil, err
	}
	return []T{one}, nil
}

// checkOutcome returns the problems of one outcome of a reading of an entry of api.
func checkOutcome(api string, o Outcome) []string {
	var p []string
	if len(o.Codes) > 0 {
		if api != "koophone" {
			p = append(p, "code names KooPhone error codes; a VBS answer has the envelope instead")
		}
		names := kooPhoneCodeNames()
		for _, c := range o.Codes {
			if !slices.Contains(names, c) {
				p = append(p, fmt.Sprintf("unknown code name %q; the KooPhone spec's x-error-codes names are %s", c, strings.Join(names, ", ")))
			}
		}
	}
	if o.Envelope && api != "vbs" {
		p = append(p, "envelope is the VBS error body; a KooPhone error names its code")
	}
	if o.ResourceIn != "" && api != "vbs" {
		p = append(p, fmt.Sprintf("resource_in %q: %s and %s are VBS lists", o.ResourceIn, ResourceListSuccess, ResourceListFail))
	}
	if o.CodePrefix != "" && api != "koophone" {
		p = append(p, "code_prefix applies to KooPhone error codes only")
	}
	if o.Gateway && (len(o.Codes) > 0 || o.Envelope || o.Success || o.ResourceIn != "" || o.CodePrefix != "") {
		p = append(p, "gateway is the API gateway's own body; it cannot be combined with code, envelope, success, resource_in or code_prefix")
	}
	if o.Gateway && len(o.Statuses) > 0 && !slices.Contains(o.Statuses, GatewayStatus) {
		p = append(p, fmt.Sprintf("gateway: an API gateway refuses a token with %d", GatewayStatus))
	}
	if o.SameJobs && (api != "koophone" || !o.Success) {
		p = append(p, "same_jobs applies to a KooPhone answer that carries the request out (success: true)")
	}
	return p
}

var (
	codeNamesOnce sync.Once
	codeNames     []string
)

// kooPhoneCodeNames reads the names of the x-error-codes of the embedded KooPhone spec. The
// contract package is the one that interprets the spec, but it imports this package; the
// names are all the register needs from it.
func kooPhoneCodeNames() []string {
	codeNamesOnce.Do(func() {
		raw, err := specs.Read(specs.KooPhoneFile)
		if err != nil {
			return
		}
		var root yaml.Node
		if yaml.Unmarshal(raw, &root) != nil {
			return
		}
		seen := map[string]bool{}
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			for i, c := range n.Content {
				if n.Kind == yaml.MappingNode && i%2 == 0 && c.Value == "x-error-codes" && i+1 < len(n.Content) {
					var codes []struct {
						Name string `yaml:"name"`
					}
					if n.Content[i+1].Decode(&codes) == nil {
						for _, ec := range codes {
							seen[ec.Name] = true
						}
					}
				}
				walk(c)
			}
		}
		walk(&root)
		for n := range seen {
			codeNames = append(codeNames, n)
		}
		sort.Strings(codeNames)
	})
	return codeNames
}
