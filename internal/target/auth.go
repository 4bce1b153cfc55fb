package target

import (
	"fmt"
	"net/url"
	"strings"
)

// Auth is the auth: block: the suites obtain the token of every API section that sets
// neither auth_token nor auth_token_env from an IAM endpoint through the Keystone v3
// password flow (POST {iam_endpoint}/auth/tokens, token in X-Subject-Token), as Huawei
// Cloud's IAM issues them. The password is only ever taken from the environment.
type Auth struct {
	// IAMEndpoint is the identity v3 endpoint, e.g. https://iam.example.com/v3.
	IAMEndpoint string `yaml:"iam_endpoint" json:"iam_endpoint"`
	// Domain is the name of the user's domain (the account).
	Domain string `yaml:"domain" json:"domain"`
	// User is the IAM user's name.
	User string `yaml:"user" json:"user"`
	// Project is the name of the project the token is scoped to (e.g. a region name);
	// ProjectID scopes by id instead. Exactly one is required.
	Project   string `yaml:"project,omitempty" json:"project,omitempty"`
	ProjectID string `yaml:"project_id,omitempty" json:"project_id,omitempty"`
	// PasswordEnv names the environment variable holding the user's password.
	PasswordEnv string `yaml:"password_env" json:"password_env"`
	// PasswordInFile exists only to refuse a password written in the file with a clear
	// message instead of ignoring it as an unknown key.
	PasswordInFile string `yaml:"password,omitempty" json:"-"`

	password string
}

// Password is the user's password, taken from PasswordEnv when the file was parsed.
func (a *Auth) Password() string { return a.password }

func (a *Auth) validate(bad func(string, string)) {
	checkURL("auth.iam_endpoint", a.IAMEndpoint, bad)
	// gophercloud skips version discovery only for an endpoint ending in /v3, and Keystone
	// v3 is the only version the suites speak.
	if u, err := url.Parse(a.IAMEndpoint); err == nil && u.Host != "" && !strings.HasSuffix(strings.TrimRight(u.Path, "/"), "/v3") {
		bad("auth.iam_endpoint", fmt.Sprintf("path %q must end in /v3 (the Keystone v3 identity endpoint, e.g. https://iam.example.com/v3)", u.Path))
	}
	if a.Domain == "" {
		bad("auth.domain", "is required: the name of the IAM user's domain (account)")
	}
	if a.User == "" {
		bad("auth.user", "is required: the IAM user's name")
	}
	switch {
	case a.Project == "" && a.ProjectID == "":
		bad("auth.project", "is required (or auth.project_id): the project the token is scoped to")
	case a.Project != "" && a.ProjectID != "":
		bad("auth.project", fmt.Sprintf("set either project (%q) or project_id, not both", a.Project))
	}
}
