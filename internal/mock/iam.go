package mock

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
)

// The mock's minimal IAM: the Keystone v3 password flow Huawei Cloud's IAM speaks
// (POST /v3/auth/tokens, the token in X-Subject-Token, expires_at in the body), so that a
// target file with an auth: block is tested end to end without a cloud account. It knows one
// user, scoped to the world's VBS project; the tokens it issues are accepted by both APIs
// of the mock, as the tenant's and the project's own tokens are, until they expire.

// IAMTokensPath is where the mock's IAM issues tokens; the identity endpoint is {base}/v3.
const IAMTokensPath = "/v3/auth/tokens"

// Identity of the mock's one IAM user. The password is not built in: it is given with
// WithIAMUser (the command line takes it from an environment variable), so that the mock
// never ships a credential that a copy-pasted configuration could carry to a live target.
const (
	IAMDomain = "reference-mock"
	IAMUser   = "conformance"
)

// DefaultIAMTokenTTL is how long an issued token lives, as on Huawei Cloud.
const DefaultIAMTokenTTL = 24 * time.Hour

// maxIAMTokens bounds the live tokens the mock keeps; the one expiring first is dropped when
// a new one would exceed it, so a client that authenticates in a loop cannot grow memory.
const maxIAMTokens = 1024

// IAMCredentials is the user the mock's IAM accepts.
type IAMCredentials struct {
	Domain   string
	User     string
	Password string
}

// WithIAMUser makes the IAM endpoint accept this user (domain and user default to IAMDomain
// and IAMUser). Without it the endpoint refuses every request and says how to enable it.
func WithIAMUser(c IAMCredentials) Option {
	return func(m *Mock) {
		if c.Domain == "" {
			c.Domain = IAMDomain
		}
		if c.User == "" {
			c.User = IAMUser
		}
		m.ext.iamCreds = &c
	}
}

// WithIAMTokenTTL sets the lifetime of issued tokens (tests of renewal use short ones).
func WithIAMTokenTTL(d time.Duration) Option { return func(m *Mock) { m.ext.iamTTL = d } }

// iamRegistry holds the live tokens the mock's IAM issued.
type iamRegistry struct {
	mu       sync.Mutex
	tokens   map[string]time.Time // token -> expires at
	earliest time.Time            // the first expiry among tokens; zero when none
	now      func() time.Time     // time.Now; tests move it
}

func (r *iamRegistry) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

// live returns the tokens that have not expired, for a reset to grant again.
func (r *iamRegistry) live() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.clock()
	var out []string
	for tok, exp := range r.tokens {
		if now.Before(exp) {
			out = append(out, tok)
		}
	}
	return out
}

// sweep revokes expired tokens from the world. It is called before every API request and
// costs a comparison unless a token has expired since the last sweep.
func (m *Mock) sweepIAMTokens() {
	r := &m.ext.iam
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.clock()
	if r.earliest.IsZero() || now.Before(r.earliest) {
		return
	}
	var expired []string
	r.earliest = time.Time{}
	for tok, exp := range r.tokens {
		if !now.Before(exp) {
			expired = append(expired, tok)
			delete(r.tokens, tok)
		} else if r.earliest.IsZero() || exp.Before(r.earliest) {
			r.earliest = exp
		}
	}
	m.world.revokeTokens(expired)
}

// issueIAMToken registers a fresh token valid for ttl in the registry and the world.
func (m *Mock) issueIAMToken(ttl time.Duration) (string, time.Time, time.Time) {
	var b [24]byte
	_, _ = rand.Read(b[:])
	tok := "mock-iam-" + hex.EncodeToString(b[:])
	m.redactor.Add(tok)

	r := &m.ext.iam
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tokens == nil {
		r.tokens = map[string]time.Time{}
	}
	issued := r.clock().UTC()
	exp := issued.Add(ttl)
	if len(r.tokens) >= maxIAMTokens {
		oldest := make([]string, 0, len(r.tokens))
		for t := range r.tokens {
			oldest = append(oldest, t)
		}
		sort.Slice(oldest, func(i, j int) bool { return r.tokens[oldest[i]].Before(r.tokens[oldest[j]]) })
		drop := oldest[:len(r.tokens)-maxIAMTokens+1]
		for _, t := range drop {
			delete(r.tokens, t)
		}
		m.world.revokeTokens(drop)
	}
	r.tokens[tok] = exp
	if r.earliest.IsZero() || exp.Before(r.earliest) {
		r.earliest = exp
	}
	m.world.grantTokens([]string{tok})
	return tok, issued, exp
}

// grantTokens makes tokens act as the described tenant's (KooPhone) and project's (VBS).
func (w *World) grantTokens(tokens []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.grantTokensLocked(tokens)
}

func (w *World) grantTokensLocked(tokens []string) {
	var owner *tenant
	if w.desc.KooPhone != nil {
		owner = w.tenantsByToken[w.desc.KooPhone.AuthToken]
	}
	var proj *project
	if w.desc.VBS != nil {
		proj = w.projects[w.desc.VBS.ProjectID]
	}
	for _, t := range tokens {
		if owner != nil {
			w.tenantsByToken[t] = owner
		}
		if proj != nil {
			w.projectByToken[t] = proj
		}
	}
}

func (w *World) revokeTokens(tokens []string) {
	if len(tokens) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, t := range tokens {
		delete(w.tenantsByToken, t)
		delete(w.projectByToken, t)
	}
}

// Keystone v3's request body for the password method, as gophercloud's tokens3 sends it.
type iamAuthRequest struct {
	Auth *struct {
		Identity *struct {
			Methods  []string `json:"methods"`
			Password *struct {
				User *struct {
					ID       string     `json:"id"`
					Name     string     `json:"name"`
					Password string     `json:"password"`
					Domain   *iamDomain `json:"domain"`
				} `json:"user"`
			} `json:"password"`
		} `json:"identity"`
		Scope *struct {
			Project *struct {
				ID     string     `json:"id"`
				Name   string     `json:"name"`
				Domain *iamDomain `json:"domain"`
			} `json:"project"`
		} `json:"scope"`
	} `json:"auth"`
}

type iamDomain struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

type iamTokenBody struct {
	Token iamToken `json:"token"`
}

type iamToken struct {
	Methods   []string   `json:"methods"`
	ExpiresAt string     `json:"expires_at"`
	IssuedAt  string     `json:"issued_at"`
	User      iamRef     `json:"user"`
	Project   iamRef     `json:"project"`
	Catalog   []struct{} `json:"catalog"`
}

type iamRef struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Domain iamDomain `json:"domain"`
}

// iamError writes Keystone's error envelope.
func iamError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": status, "title": http.StatusText(status), "message": msg}})
}

// serveIAM answers POST /v3/auth/tokens. Every refusal says what was wrong, but a wrong
// password and an unknown user get the same answer, as Keystone gives.
func (m *Mock) serveIAM(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		iamError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s; use POST", r.Method, IAMTokensPath))
		return
	}
	creds := m.ext.iamCreds
	if creds == nil || creds.Password == "" {
		iamError(w, http.StatusUnauthorized, "the mock's IAM has no user: start it with a password (conformance mock --iam-password-env VAR)")
		return
	}
	body, tooLarge, err := readBody(w, r, specfacts.RequestBodyLimit)
	if tooLarge || err != nil {
		iamError(w, http.StatusBadRequest, "body: could not be read or is too large")
		return
	}
	var req iamAuthRequest
	if err := json.Unmarshal(body, &req); err != nil {
		iamError(w, http.StatusBadRequest, "body: is not a JSON auth request: "+err.Error())
		return
	}
	a := req.Auth
	switch {
	case a == nil || a.Identity == nil:
		iamError(w, http.StatusBadRequest, "auth.identity: is required")
		return
	case !contains(a.Identity.Methods, "password") || a.Identity.Password == nil || a.Identity.Password.User == nil:
		iamError(w, http.StatusBadRequest, "auth.identity: only the password method is supported; methods must list \"password\" and password.user is required")
		return
	}
	u := a.Identity.Password.User
	userID, domainID := iamID("user:"+creds.Domain+"/"+creds.User), iamID("domain:"+creds.Domain)
	domainOK := u.Domain != nil && (u.Domain.Name == creds.Domain || u.Domain.ID == domainID)
	userOK := (u.Name == creds.User && domainOK) || (u.ID != "" && u.ID == userID)
	if !userOK || u.Password != creds.Password {
		iamError(w, http.StatusUnauthorized, "The request you have made requires authentication: user, domain or password is wrong.")
		return
	}
	projectID := ""
	if m.world.desc.VBS != nil {
		projectID = m.world.desc.VBS.ProjectID
	}
	if a.Scope == nil || a.Scope.Project == nil {
		iamError(w, http.StatusBadRequest, "auth.scope.project: is required; the mock issues project-scoped tokens only")
		return
	}
	if p := a.Scope.Project; p.ID != projectID && p.Name != projectID {
		iamError(w, http.StatusUnauthorized, fmt.Sprintf("auth.scope.project: the user has no role in this project; the mock's project is %q (as id or name)", projectID))
		return
	}
	ttl := m.ext.iamTTL
	if ttl <= 0 {
		ttl = DefaultIAMTokenTTL
	}
	tok, issued, exp := m.issueIAMToken(ttl)
	dom := iamDomain{ID: domainID, Name: creds.Domain}
	w.Header().Set("X-Subject-Token", tok)
	writeJSON(w, http.StatusCreated, iamTokenBody{Token: iamToken{
		Methods:   []string{"password"},
		ExpiresAt: exp.Format("2006-01-02T15:04:05.000000Z"),
		IssuedAt:  issued.Format("2006-01-02T15:04:05.000000Z"),
		User:      iamRef{ID: userID, Name: creds.User, Domain: dom},
		Project:   iamRef{ID: projectID, Name: projectID, Domain: dom},
		Catalog:   []struct{}{},
	}})
}

func iamID(s string) string { return digest(s)[:32] }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// IAMTarget describes the running server as a target file that holds no secret: the API
// tokens come from the mock's IAM through an auth: block whose password is read from the
// environment variable passwordEnv. unknown_tenant_token stays in the file: it names no
// tenant and so grants nothing.
func (s *Server) IAMTarget(passwordEnv string) *target.Target {
	t := s.Target()
	creds := s.mock.ext.iamCreds
	domain, user := IAMDomain, IAMUser
	if creds != nil {
		domain, user = creds.Domain, creds.User
	}
	t.Auth = &target.Auth{IAMEndpoint: s.url + strings.TrimSuffix(IAMTokensPath, "/auth/tokens"), Domain: domain, User: user, PasswordEnv: passwordEnv}
	if t.VBS != nil {
		t.Auth.Project = t.VBS.ProjectID
		t.VBS.AuthToken = ""
	}
	if t.KooPhone != nil {
		t.KooPhone.AuthToken = ""
	}
	t.Secrets = nil
	return t
}
