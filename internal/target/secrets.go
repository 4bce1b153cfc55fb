package target

import (
	"errors"
	"fmt"
	"regexp"
)

// LookupEnv reads one environment variable; os.LookupEnv in production, a map in tests.
type LookupEnv func(name string) (string, bool)

// The convention for secrets: every secret key of the file has a sibling whose name ends in
// _env and names the environment variable holding the value (auth_token_env:
// KOOPHONE_TOKEN). A sibling key rather than ${VAR} expansion because
//   - a CI secret store hands over variables, and the file stays a plain, committable list
//     of where each secret comes from — `target check` can say it without guessing;
//   - nothing else in the file is expanded, so a '$' in an id or URL never changes meaning,
//     and a secret pasted by mistake is never half-expanded;
//   - an error names the key and the variable, and the variable is required: an unset or
//     empty variable is refused, never sent as an empty token.

// envNameRe is what POSIX shells accept as a variable name; anything else is surely a
// secret pasted into the *_env key by mistake, and must not be echoed back.
var envNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// SecretSource says where one secret of the file comes from, for `target check`; it never
// holds the value.
type SecretSource struct {
	Key  string `json:"key"`
	From string `json:"from"`
}

// resolveSecrets fills each secret from its *_env variable and marks the API tokens that
// the auth: block supplies. It runs before Validate so that a missing variable is reported
// as such, not as a missing token.
func (t *Target) resolveSecrets(env LookupEnv) error {
	var errs []error
	bad := func(key, reason string) { errs = append(errs, &FieldError{Key: key, Reason: reason}) }
	one := func(key string, value *string, envName string) {
		if envName == "" {
			return
		}
		if !envNameRe.MatchString(envName) {
			bad(key+"_env", "is not an environment variable name (letters, digits and '_'); the value is not shown in case it is a secret")
			return
		}
		if *value != "" {
			bad(key, fmt.Sprintf("set either %s or %s_env, not both", lastKey(key), lastKey(key)))
			return
		}
		v, ok := env(envName)
		switch {
		case !ok:
			bad(key+"_env", fmt.Sprintf("environment variable %s is not set", envName))
		case v == "":
			bad(key+"_env", fmt.Sprintf("environment variable %s is empty", envName))
		default:
			*value = v
		}
	}
	if k := t.KooPhone; k != nil {
		one("koophone.auth_token", &k.AuthToken, k.AuthTokenEnv)
		one("koophone.unknown_tenant_token", &k.UnknownTenantToken, k.UnknownTenantTokenEnv)
		k.tokenFromIAM = t.Auth != nil && k.AuthToken == "" && k.AuthTokenEnv == ""
	}
	if v := t.VBS; v != nil {
		one("vbs.auth_token", &v.AuthToken, v.AuthTokenEnv)
		v.tokenFromIAM = t.Auth != nil && v.AuthToken == "" && v.AuthTokenEnv == ""
	}
	t.envSecrets = nil
	for i, name := range t.SecretsEnv {
		var v string
		one(fmt.Sprintf("secrets[%d]", i), &v, name)
		if v != "" {
			t.envSecrets = append(t.envSecrets, v)
		}
	}
	if a := t.Auth; a != nil {
		if a.PasswordInFile != "" {
			bad("auth.password", "a password is never read from the file; name an environment variable in auth.password_env")
		} else if a.PasswordEnv == "" {
			bad("auth.password_env", "is required: the environment variable holding the IAM user's password")
		} else {
			one("auth.password", &a.password, a.PasswordEnv)
		}
	}
	return errors.Join(errs...)
}

func lastKey(key string) string {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '.' {
			return key[i+1:]
		}
	}
	return key
}

// TokenFromIAM reports whether the API's token comes from the auth: block.
func (t *Target) TokenFromIAM(api string) bool {
	switch api {
	case "koophone":
		return t.KooPhone != nil && t.KooPhone.tokenFromIAM
	case "vbs":
		return t.VBS != nil && t.VBS.tokenFromIAM
	}
	return false
}

// SecretSources lists every secret the file uses and where it comes from, in file order.
func (t *Target) SecretSources() []SecretSource {
	var out []SecretSource
	from := func(key, envName string, iam bool) {
		switch {
		case envName != "":
			out = append(out, SecretSource{Key: key, From: "environment variable " + envName})
		case iam:
			out = append(out, SecretSource{Key: key, From: "IAM at " + t.Auth.IAMEndpoint + " (obtained at run time, renewed before it expires)"})
		default:
			out = append(out, SecretSource{Key: key, From: "the target file (in clear text; consider " + lastKey(key) + "_env)"})
		}
	}
	if a := t.Auth; a != nil {
		out = append(out, SecretSource{Key: "auth.password", From: "environment variable " + a.PasswordEnv})
	}
	if k := t.KooPhone; k != nil {
		from("koophone.auth_token", k.AuthTokenEnv, k.tokenFromIAM)
		if k.UnknownTenantTokenEnv == "" {
			// A token whose tenant does not exist grants nothing; the file may hold it.
			out = append(out, SecretSource{Key: "koophone.unknown_tenant_token", From: "the target file (it names no tenant, so it grants nothing)"})
		} else {
			from("koophone.unknown_tenant_token", k.UnknownTenantTokenEnv, false)
		}
	}
	if v := t.VBS; v != nil {
		from("vbs.auth_token", v.AuthTokenEnv, v.tokenFromIAM)
	}
	for i := range t.Secrets {
		out = append(out, SecretSource{Key: fmt.Sprintf("secrets[%d]", i), From: "the target file"})
	}
	for i, name := range t.SecretsEnv {
		out = append(out, SecretSource{Key: fmt.Sprintf("secrets_env[%d]", i), From: "environment variable " + name})
	}
	return out
}

// withoutResolvedSecrets is a copy of t for writing: values that came from the environment
// or IAM are dropped, their *_env keys and the auth: block stay.
func (t *Target) withoutResolvedSecrets() *Target {
	out := *t
	if t.KooPhone != nil {
		k := *t.KooPhone
		if k.AuthTokenEnv != "" || k.tokenFromIAM {
			k.AuthToken = ""
		}
		if k.UnknownTenantTokenEnv != "" {
			k.UnknownTenantToken = ""
		}
		out.KooPhone = &k
	}
	if t.VBS != nil {
		v := *t.VBS
		if v.AuthTokenEnv != "" || v.tokenFromIAM {
			v.AuthToken = ""
		}
		out.VBS = &v
	}
	return &out
}
