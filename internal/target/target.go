package target

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// EnvVar is the environment variable naming the target file.
const EnvVar = "CONFORMANCE_TARGET"

// DefaultTimeout bounds every request the suites send when the file sets no timeout.
const DefaultTimeout = 10 * time.Second

// Target describes one implementation of the two APIs.
type Target struct {
	// Name labels the implementation in reports; optional.
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// AllowMutating permits requests that could release instances or bind volumes.
	AllowMutating bool `yaml:"allow_mutating" json:"allow_mutating"`
	// Profile is "default" (every legitimate reading) or "strict"; CONFORMANCE_PROFILE wins.
	Profile string `yaml:"profile,omitempty" json:"profile,omitempty"`
	// Timeout bounds each request, e.g. "5s"; DefaultTimeout when empty.
	Timeout Duration `yaml:"timeout,omitempty" json:"timeout,omitempty"`
	// FaultInjection says the target honours the reference mock's fault header
	// (X-Mock-Fault), so the specs of internal errors can run.
	FaultInjection bool `yaml:"fault_injection,omitempty" json:"fault_injection,omitempty"`
	// Secrets are extra strings to redact from every output besides the tokens.
	Secrets []string `yaml:"secrets,omitempty" json:"-"`
	// MockReadings, read only by the reference mock when it serves this file as its world
	// (conformance mock --world), choose a register reading per entry of
	// specs/ambiguities.yaml: entry id -> reading id. Entries not named take the strict
	// reading. The mock writes the non-strict readings it takes into its own target file.
	MockReadings map[string]string `yaml:"mock_readings,omitempty" json:"mock_readings,omitempty"`
	// SecretsEnv names environment variables whose values are redacted like Secrets.
	SecretsEnv []string `yaml:"secrets_env,omitempty" json:"-"`
	// Auth, when present, has the suites obtain the API token from an IAM (Keystone v3)
	// endpoint instead of reading it from the file (auth.go).
	Auth *Auth `yaml:"auth,omitempty" json:"auth,omitempty"`
	// ReferenceMock, when present, says the target is the project's reference mock, whose
	// admin API can put its world back as it started: a run resets it before it begins, so
	// every run finds every pooled id fresh (internal/ledger). `conformance mock
	// --write-target` writes it; a real implementation never has it.
	ReferenceMock *ReferenceMock `yaml:"reference_mock,omitempty" json:"reference_mock,omitempty"`
	// ExploreBudget bounds how many pooled ids generated call sequences (conformance explore,
	// the suites' kind:explore specs) may name per run; with allow_mutating: true only.
	// Absent, explore names no pooled id: its sequences spend ids no hand-picked spec
	// reserved, so the file says how many the target can spare.
	ExploreBudget *ExploreBudget `yaml:"explore_budget,omitempty" json:"explore_budget,omitempty"`
	// envSecrets are the values of SecretsEnv, resolved by Parse.
	envSecrets []string

	KooPhone *KooPhone `yaml:"koophone,omitempty" json:"koophone,omitempty"`
	VBS      *VBS      `yaml:"vbs,omitempty" json:"vbs,omitempty"`
}

// KooPhone describes the KooPhone instance backup API of the target.
type KooPhone struct {
	BaseURL   string `yaml:"base_url" json:"base_url"`
	AuthToken string `yaml:"auth_token,omitempty" json:"-"`
	// AuthTokenEnv names the environment variable holding auth_token (secrets.go).
	AuthTokenEnv          string   `yaml:"auth_token_env,omitempty" json:"-"`
	UnknownTenantToken    string   `yaml:"unknown_tenant_token,omitempty" json:"-"`
	UnknownTenantTokenEnv string   `yaml:"unknown_tenant_token_env,omitempty" json:"-"`
	OwnedInstanceIDs      []string `yaml:"owned_instance_ids" json:"owned_instance_ids"`
	ForeignInstanceIDs    []string `yaml:"foreign_instance_ids" json:"foreign_instance_ids"`

	// tokenFromIAM: auth_token is obtained from the auth: block at run time.
	tokenFromIAM bool
}

// VBS describes the VBS backup policy API of the target.
type VBS struct {
	BaseURL   string `yaml:"base_url" json:"base_url"`
	AuthToken string `yaml:"auth_token,omitempty" json:"-"`
	// AuthTokenEnv names the environment variable holding auth_token (secrets.go).
	AuthTokenEnv          string   `yaml:"auth_token_env,omitempty" json:"-"`
	ProjectID             string   `yaml:"project_id" json:"project_id"`
	BackupPolicyID        string   `yaml:"backup_policy_id" json:"backup_policy_id"`
	UnknownBackupPolicyID string   `yaml:"unknown_backup_policy_id" json:"unknown_backup_policy_id"`
	VolumeIDs             []string `yaml:"volume_ids" json:"volume_ids"`
	UnknownVolumeIDs      []string `yaml:"unknown_volume_ids" json:"unknown_volume_ids"`

	// tokenFromIAM: auth_token is obtained from the auth: block at run time.
	tokenFromIAM bool
}

// ExploreBudget is the most pooled ids of each pool that one run's generated call
// sequences may name, the shrinking of a finding included. Explore takes only ids the
// ledger does not list as consumed, and no more than the pool has.
type ExploreBudget struct {
	// OwnedInstanceIDs counts ids of koophone.owned_instance_ids.
	OwnedInstanceIDs int `yaml:"owned_instance_ids" json:"owned_instance_ids"`
	// VolumeIDs counts ids of vbs.volume_ids.
	VolumeIDs int `yaml:"volume_ids" json:"volume_ids"`
}

// ReferenceMock locates the reference mock's admin API.
type ReferenceMock struct {
	// AdminURL is the mock's base URL; the admin API lives under /__mock/.
	AdminURL string `yaml:"admin_url" json:"admin_url"`
}

// Duration is a time.Duration written as "5s" in YAML.
type Duration time.Duration

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return fmt.Errorf("line %d: want a duration such as \"5s\": %w", n.Line, err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: want a duration such as \"5s\": %w", n.Line, err)
	}
	if v <= 0 {
		return fmt.Errorf("line %d: duration %q must be positive", n.Line, s)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) {
	if d == 0 {
		return nil, nil
	}
	return time.Duration(d).String(), nil
}

// RequestTimeout is the per-request bound the suites use.
func (t *Target) RequestTimeout() time.Duration {
	if t.Timeout > 0 {
		return time.Duration(t.Timeout)
	}
	return DefaultTimeout
}

// Tokens returns every credential in the file, for redaction.
func (t *Target) Tokens() []string {
	var out []string
	if t.KooPhone != nil {
		out = append(out, t.KooPhone.AuthToken, t.KooPhone.UnknownTenantToken)
	}
	if t.VBS != nil {
		out = append(out, t.VBS.AuthToken)
	}
	if t.Auth != nil {
		out = append(out, t.Auth.password)
	}
	out = append(out, t.Secrets...)
	out = append(out, t.envSecrets...)
	kept := out[:0]
	for _, s := range out {
		if s != "" {
			kept = append(kept, s)
		}
	}
	return kept
}

// FieldError names the key of the target file that is wrong and why.
type FieldError struct {
	Key    string // dotted path, e.g. "koophone.base_url"
	Reason string
}

func (e *FieldError) Error() string { return fmt.Sprintf("target file: %s: %s", e.Key, e.Reason) }

// Load reads and validates a target file, taking secrets named by *_env keys from the
// process environment.
func Load(path string) (*Target, error) {
	return LoadEnv(path, os.LookupEnv)
}

// LoadEnv is Load with the environment given as a lookup function.
func LoadEnv(path string, env LookupEnv) (*Target, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read target file: %w", err)
	}
	t, err := ParseEnv(raw, env)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Parse decodes and validates the YAML of a target file, taking secrets named by *_env keys
// from the process environment. A key this version does not know is an error naming its
// path, its line and the known key it most likely means; a known key with a wrong type is
// an error naming the key.
func Parse(raw []byte) (*Target, error) { return ParseEnv(raw, os.LookupEnv) }

// ParseEnv is Parse with the environment given as a lookup function.
func ParseEnv(raw []byte, env LookupEnv) (*Target, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return nil, syntaxError(raw, err)
	}
	if len(root.Content) == 0 {
		return nil, &FieldError{Key: "(file)", Reason: "is empty"}
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, &FieldError{Key: "(file)", Reason: fmt.Sprintf("line %d: want a mapping of keys (name:, koophone:, vbs: ...), not a %s", doc.Line, kindName(doc.Kind))}
	}
	if errs := unknownKeys(doc, reflect.TypeFor[Target](), ""); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var t Target
	if err := doc.Decode(&t); err != nil {
		return nil, fmt.Errorf("target file: %s: %w", keysOnErrorLines(doc, err), err)
	}
	if err := t.resolveSecrets(env); err != nil {
		return nil, err
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return &t, nil
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "single value"
	default:
		return "document of another kind"
	}
}

// Validate checks every key and returns all problems joined.
func (t *Target) Validate() error {
	var errs []error
	bad := func(key, reason string) { errs = append(errs, &FieldError{Key: key, Reason: reason}) }
	switch t.Profile {
	case "", "default", "strict":
	default:
		bad("profile", fmt.Sprintf("%q is not a profile; want \"default\" or \"strict\"", t.Profile))
	}
	if t.Auth != nil {
		t.Auth.validate(bad)
	}
	if t.ReferenceMock != nil {
		checkURL("reference_mock.admin_url", t.ReferenceMock.AdminURL, bad)
	}
	if b := t.ExploreBudget; b != nil {
		if b.OwnedInstanceIDs < 0 {
			bad("explore_budget.owned_instance_ids", fmt.Sprintf("%d is negative; want how many owned instances explore may name (0: none)", b.OwnedInstanceIDs))
		}
		if b.VolumeIDs < 0 {
			bad("explore_budget.volume_ids", fmt.Sprintf("%d is negative; want how many free volumes explore may name (0: none)", b.VolumeIDs))
		}
	}
	if t.KooPhone == nil && t.VBS == nil {
		bad("koophone", "neither koophone nor vbs is described; nothing to test")
	}
	if k := t.KooPhone; k != nil {
		checkURL("koophone.base_url", k.BaseURL, bad)
		if k.AuthToken == "" && !k.tokenFromIAM {
			bad("koophone.auth_token", "is required (or auth_token_env naming an environment variable, or an auth: block)")
		}
		if k.UnknownTenantToken == "" {
			bad("koophone.unknown_tenant_token", "is required (or unknown_tenant_token_env naming an environment variable)")
		} else if k.UnknownTenantToken == k.AuthToken {
			bad("koophone.unknown_tenant_token", "must differ from auth_token")
		}
		checkIDs("koophone.owned_instance_ids", k.OwnedInstanceIDs, bad)
		checkIDs("koophone.foreign_instance_ids", k.ForeignInstanceIDs, bad)
		checkDisjoint("koophone.foreign_instance_ids", k.ForeignInstanceIDs, k.OwnedInstanceIDs, "owned_instance_ids", bad)
	}
	if v := t.VBS; v != nil {
		checkURL("vbs.base_url", v.BaseURL, bad)
		if v.AuthToken == "" && !v.tokenFromIAM {
			bad("vbs.auth_token", "is required (or auth_token_env naming an environment variable, or an auth: block)")
		}
		if v.ProjectID == "" {
			bad("vbs.project_id", "is required")
		} else if strings.ContainsAny(v.ProjectID, "/?#") {
			bad("vbs.project_id", "must not contain '/', '?' or '#'")
		}
		if v.BackupPolicyID == "" {
			bad("vbs.backup_policy_id", "is required")
		}
		if v.UnknownBackupPolicyID == "" {
			bad("vbs.unknown_backup_policy_id", "is required")
		} else if v.UnknownBackupPolicyID == v.BackupPolicyID {
			bad("vbs.unknown_backup_policy_id", "must differ from backup_policy_id")
		}
		checkIDs("vbs.volume_ids", v.VolumeIDs, bad)
		checkIDs("vbs.unknown_volume_ids", v.UnknownVolumeIDs, bad)
		checkDisjoint("vbs.unknown_volume_ids", v.UnknownVolumeIDs, v.VolumeIDs, "volume_ids", bad)
	}
	return errors.Join(errs...)
}

func checkURL(key, raw string, bad func(string, string)) {
	if raw == "" {
		bad(key, "is required")
		return
	}
	u, err := url.Parse(raw)
	if err != nil {
		bad(key, fmt.Sprintf("not a URL: %v", err))
		return
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		bad(key, fmt.Sprintf("scheme %q is not http or https", u.Scheme))
	}
	if u.Host == "" {
		bad(key, "has no host")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		bad(key, "must not carry a query or fragment")
	}
}

func checkIDs(key string, ids []string, bad func(string, string)) {
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		if id == "" {
			bad(fmt.Sprintf("%s[%d]", key, i), "is empty")
		}
		if seen[id] {
			bad(fmt.Sprintf("%s[%d]", key, i), fmt.Sprintf("%q is listed twice", id))
		}
		seen[id] = true
	}
}

func checkDisjoint(key string, ids, others []string, otherKey string, bad func(string, string)) {
	set := make(map[string]bool, len(others))
	for _, o := range others {
		set[o] = true
	}
	for i, id := range ids {
		if set[id] {
			bad(fmt.Sprintf("%s[%d]", key, i), fmt.Sprintf("%q is also in %s", id, otherKey))
		}
	}
}

// Marshal writes the target as YAML. Tokens written in the file are written back (the file
// is then the credential store); values taken from the environment or from IAM are not:
// their *_env keys and the auth: block are, so that parsing the output in another process
// resolves them again from that process's environment.
func (t *Target) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(t.withoutResolvedSecrets()); err != nil {
		return nil, fmt.Errorf("encode target: %w", err)
	}
	return buf.Bytes(), nil
}

var lineRe = regexp.MustCompile(`line (\d+):`)

// keysOnErrorLines names the dotted keys that sit on the lines a YAML error mentions, so a
// type error says "allow_mutating" rather than only "line 2".
func keysOnErrorLines(root *yaml.Node, err error) string {
	byLine := map[int]string{}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, prefix)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				key := n.Content[i].Value
				if prefix != "" {
					key = prefix + "." + key
				}
				byLine[n.Content[i].Line] = key
				byLine[n.Content[i+1].Line] = key
				walk(n.Content[i+1], key)
			}
		}
	}
	walk(root, "")
	var keys []string
	for _, m := range lineRe.FindAllStringSubmatch(err.Error(), -1) {
		if line, convErr := strconv.Atoi(m[1]); convErr == nil && byLine[line] != "" {
			keys = append(keys, byLine[line])
		}
	}
	if len(keys) == 0 {
		return "invalid value"
	}
	return "wrong type for " + strings.Join(keys, ", ")
}
