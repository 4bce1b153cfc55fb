package target

import (
	"strings"
	"testing"
)

// envOf is a lookup over a fixed map, so tests never depend on the process environment.
func envOf(m map[string]string) LookupEnv {
	return func(name string) (string, bool) { v, ok := m[name]; return v, ok }
}

const fromEnv = `
allow_mutating: false
koophone:
  base_url: "http://127.0.0.1:18080"
  auth_token_env: KOO_TOKEN
  unknown_tenant_token_env: KOO_UNKNOWN
  owned_instance_ids: ["i1"]
  foreign_instance_ids: ["f1"]
vbs:
  base_url: "http://127.0.0.1:18081"
  auth_token_env: VBS_TOKEN
  project_id: "p1"
  backup_policy_id: "pol"
  unknown_backup_policy_id: "nopol"
  volume_ids: ["v1"]
  unknown_volume_ids: ["nv1"]
secrets_env: [EXTRA_SECRET]
`

var fullEnv = map[string]string{"KOO_TOKEN": "tok-koo-env", "KOO_UNKNOWN": "tok-unknown-env", "VBS_TOKEN": "tok-vbs-env", "EXTRA_SECRET": "extra-secret-env"}

// Every secret key can be taken from the environment variable its *_env sibling names, and each value is redacted like a file secret.
func TestSecretsFromEnvironment(t *testing.T) {
	tg, err := ParseEnv([]byte(fromEnv), envOf(fullEnv))
	if err != nil {
		t.Fatal(err)
	}
	if tg.KooPhone.AuthToken != "tok-koo-env" || tg.KooPhone.UnknownTenantToken != "tok-unknown-env" || tg.VBS.AuthToken != "tok-vbs-env" {
		t.Fatalf("not resolved: %+v %+v", tg.KooPhone, tg.VBS)
	}
	tokens := strings.Join(tg.Tokens(), " ")
	for _, v := range fullEnv {
		if !strings.Contains(tokens, v) {
			t.Errorf("%q is not among the values to redact", v)
		}
	}
}

// A missing or empty variable is refused with the key and the variable named; its value is never needed to say so.
func TestMissingVariableIsNamed(t *testing.T) {
	cases := map[string]struct {
		drop, empty, want string
	}{
		"unset koophone token": {drop: "KOO_TOKEN", want: "koophone.auth_token_env: environment variable KOO_TOKEN is not set"},
		"empty vbs token":      {empty: "VBS_TOKEN", want: "vbs.auth_token_env: environment variable VBS_TOKEN is empty"},
		"unset unknown token":  {drop: "KOO_UNKNOWN", want: "koophone.unknown_tenant_token_env: environment variable KOO_UNKNOWN is not set"},
		"unset extra secret":   {drop: "EXTRA_SECRET", want: "secrets[0]_env: environment variable EXTRA_SECRET is not set"},
	}
	for name, c := range cases {
		env := map[string]string{}
		for k, v := range fullEnv {
			env[k] = v
		}
		delete(env, c.drop)
		if c.empty != "" {
			env[c.empty] = ""
		}
		_, err := ParseEnv([]byte(fromEnv), envOf(env))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", name, err, c.want)
		}
	}
}

// A key given both in the file and through *_env is refused rather than one silently winning.
func TestSecretInFileAndEnvironmentIsRefused(t *testing.T) {
	src := strings.Replace(fromEnv, "  auth_token_env: VBS_TOKEN\n", "  auth_token_env: VBS_TOKEN\n  auth_token: literal\n", 1)
	_, err := ParseEnv([]byte(src), envOf(fullEnv))
	if err == nil || !strings.Contains(err.Error(), "vbs.auth_token: set either auth_token or auth_token_env, not both") {
		t.Fatalf("got %v", err)
	}
}

// A *_env value that is not a variable name is refused without being echoed, since it is likely a pasted secret.
func TestPastedSecretInEnvKeyIsNotEchoed(t *testing.T) {
	src := strings.Replace(fromEnv, "auth_token_env: KOO_TOKEN", "auth_token_env: \"eyJhbGciOi.secret-value\"", 1)
	_, err := ParseEnv([]byte(src), envOf(fullEnv))
	if err == nil || !strings.Contains(err.Error(), "koophone.auth_token_env: is not an environment variable name") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "secret-value") {
		t.Fatalf("the error echoes the value: %v", err)
	}
}

// Marshal never writes a value that came from the environment: the output is as secret-free as the input and parses again from the same environment.
func TestMarshalKeepsEnvironmentSecretsOut(t *testing.T) {
	tg, err := ParseEnv([]byte(fromEnv), envOf(fullEnv))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := tg.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range fullEnv {
		if strings.Contains(string(raw), v) {
			t.Fatalf("marshalled file holds %q:\n%s", v, raw)
		}
	}
	back, err := ParseEnv(raw, envOf(fullEnv))
	if err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if back.VBS.AuthToken != "tok-vbs-env" {
		t.Fatalf("round trip lost the variable: %s", raw)
	}
}

const withAuth = `
allow_mutating: false
auth:
  iam_endpoint: "http://127.0.0.1:18080/v3"
  domain: dom
  user: alice
  project: p1
  password_env: IAM_PASSWORD
koophone:
  base_url: "http://127.0.0.1:18080"
  unknown_tenant_token_env: KOO_UNKNOWN
  owned_instance_ids: ["i1"]
  foreign_instance_ids: ["f1"]
vbs:
  base_url: "http://127.0.0.1:18081"
  project_id: "p1"
  backup_policy_id: "pol"
  unknown_backup_policy_id: "nopol"
  volume_ids: ["v1"]
  unknown_volume_ids: ["nv1"]
`

// With an auth: block, sections without a token take it from IAM; the password comes only from the environment and is redacted.
func TestAuthBlock(t *testing.T) {
	tg, err := ParseEnv([]byte(withAuth), envOf(map[string]string{"IAM_PASSWORD": "pw-from-env", "KOO_UNKNOWN": "tok-unknown-env"}))
	if err != nil {
		t.Fatal(err)
	}
	if !tg.TokenFromIAM("koophone") || !tg.TokenFromIAM("vbs") || tg.Auth.Password() != "pw-from-env" {
		t.Fatalf("auth not resolved: %+v", tg.Auth)
	}
	if !strings.Contains(strings.Join(tg.Tokens(), " "), "pw-from-env") {
		t.Fatal("the password is not redacted")
	}
	var sources []string
	for _, s := range tg.SecretSources() {
		sources = append(sources, s.Key+" <- "+s.From)
	}
	got := strings.Join(sources, "\n")
	for _, want := range []string{"auth.password <- environment variable IAM_PASSWORD", "koophone.auth_token <- IAM at http://127.0.0.1:18080/v3", "vbs.auth_token <- IAM at"} {
		if !strings.Contains(got, want) {
			t.Errorf("sources lack %q:\n%s", want, got)
		}
	}
	// An IAM token set at run time is never written back.
	tg.KooPhone.AuthToken = "iam-issued-token"
	raw, err := tg.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "iam-issued-token") || strings.Contains(string(raw), "pw-from-env") {
		t.Fatalf("marshalled file holds a secret:\n%s", raw)
	}
}

// The auth: block is refused with the key named when incomplete, and a password written in the file is refused outright.
func TestAuthBlockErrors(t *testing.T) {
	env := envOf(map[string]string{"IAM_PASSWORD": "pw", "KOO_UNKNOWN": "tok-unknown-env"})
	cases := map[string]struct{ yaml, want string }{
		"no password env":   {strings.Replace(withAuth, "  password_env: IAM_PASSWORD\n", "", 1), "auth.password_env: is required"},
		"password in file":  {strings.Replace(withAuth, "  password_env: IAM_PASSWORD\n", "  password: hunter22\n", 1), "auth.password: a password is never read from the file"},
		"unset password":    {strings.Replace(withAuth, "IAM_PASSWORD", "NO_SUCH_VAR", 1), "auth.password_env: environment variable NO_SUCH_VAR is not set"},
		"no user":           {strings.Replace(withAuth, "  user: alice\n", "", 1), "auth.user: is required"},
		"no project":        {strings.Replace(withAuth, "  project: p1\n", "", 1), "auth.project: is required"},
		"bad endpoint":      {strings.Replace(withAuth, `"http://127.0.0.1:18080/v3"`, `"iam.example.com"`, 1), "auth.iam_endpoint:"},
		"no /v3":            {strings.Replace(withAuth, `/v3"`, `/v2.0"`, 1), "auth.iam_endpoint: path \"/v2.0\" must end in /v3"},
		"both projects":     {strings.Replace(withAuth, "  project: p1\n", "  project: p1\n  project_id: abc\n", 1), "auth.project: set either"},
		"no token, no auth": {strings.Replace(withAuth[:strings.Index(withAuth, "auth:")]+withAuth[strings.Index(withAuth, "koophone:"):], "", "", 0), "koophone.auth_token: is required"},
	}
	for name, c := range cases {
		_, err := ParseEnv([]byte(c.yaml), env)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter22") {
			t.Errorf("%s: the error echoes the password", name)
		}
	}
}
