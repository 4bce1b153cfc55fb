package iam

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud"
	"github.com/gophercloud/gophercloud/openstack"
	tokens3 "github.com/gophercloud/gophercloud/openstack/identity/v3/tokens"
	"github.com/koobackup/conformance/internal/target"
)

// MaxRenewMargin is how long before expires_at a token is renewed at most. A 24-hour
// token is renewed in its last ten minutes, far more than any spec lasts; a short-lived
// token is renewed once half its life is gone.
const MaxRenewMargin = 10 * time.Minute

// Source hands out a valid token, obtaining a new one when there is none or the current
// one is close to expiry. It is safe for concurrent use.
type Source struct {
	auth    target.Auth
	client  *http.Client
	onToken func(string)
	now     func() time.Time

	mu      sync.Mutex
	token   string
	issued  time.Time
	expires time.Time
}

// New returns a Source for the auth: block of a target file (its password already taken
// from the environment). client bounds each IAM request; onToken, when not nil, receives
// every new token before Token returns it (register it with the redactor there).
func New(auth target.Auth, client *http.Client, onToken func(string)) *Source {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	return &Source{auth: auth, client: client, onToken: onToken, now: time.Now}
}

// Error is a failure to obtain a token; it names the endpoint, domain and user, never the
// password, and unwraps to gophercloud's error.
type Error struct {
	Endpoint, Domain, User string
	Err                    error
}

func (e *Error) Error() string {
	return fmt.Sprintf("IAM token from %s for user %q in domain %q: %v", e.Endpoint, e.User, e.Domain, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Token returns the current token, renewing it first when it is due.
func (s *Source) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && !s.due() {
		return s.token, nil
	}
	tok, expires, err := s.obtain(ctx)
	if err != nil {
		return "", err
	}
	if s.onToken != nil {
		s.onToken(tok)
	}
	s.token, s.issued, s.expires = tok, s.now(), expires
	return tok, nil
}

// Expires is when the current token expires (zero before the first Token).
func (s *Source) Expires() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.expires
}

// due reports whether the token is within its renewal margin of expiry.
func (s *Source) due() bool {
	margin := s.expires.Sub(s.issued) / 2
	if margin > MaxRenewMargin {
		margin = MaxRenewMargin
	}
	return !s.now().Before(s.expires.Add(-margin))
}

// obtain runs gophercloud's Keystone v3 password flow: POST {endpoint}/auth/tokens, the
// token from X-Subject-Token, expires_at from the body. openstack.Authenticate is what
// openstack.AuthenticatedClient calls; it is called directly so the request carries the
// suite's HTTP client (timeout, proxy settings) and context.
func (s *Source) obtain(ctx context.Context) (string, time.Time, error) {
	a := s.auth
	fail := func(err error) (string, time.Time, error) {
		if a.Password() != "" {
			err = errors.New(strings.ReplaceAll(err.Error(), a.Password(), "[REDACTED]"))
		}
		return "", time.Time{}, &Error{Endpoint: a.IAMEndpoint, Domain: a.Domain, User: a.User, Err: err}
	}
	pc, err := openstack.NewClient(a.IAMEndpoint)
	if err != nil {
		return fail(err)
	}
	pc.HTTPClient = *s.client
	pc.Context = ctx
	scope := &gophercloud.AuthScope{ProjectName: a.Project, DomainName: a.Domain}
	if a.ProjectID != "" {
		scope = &gophercloud.AuthScope{ProjectID: a.ProjectID}
	}
	opts := gophercloud.AuthOptions{
		IdentityEndpoint: a.IAMEndpoint,
		Username:         a.User,
		Password:         a.Password(),
		DomainName:       a.Domain,
		Scope:            scope,
	}
	if err := openstack.Authenticate(pc, opts); err != nil {
		// gophercloud's 401 says only "Authentication failed"; the IAM's own message
		// (wrong password, unknown project) is what the user needs.
		var e401 gophercloud.ErrDefault401
		if errors.As(err, &e401) && len(e401.Body) > 0 {
			err = fmt.Errorf("%w (HTTP 401: %s)", err, excerpt(e401.Body))
		}
		return fail(err)
	}
	res, ok := pc.GetAuthResult().(tokens3.CreateResult)
	if !ok {
		return fail(fmt.Errorf("the endpoint did not answer with a Keystone v3 token (got %T); iam_endpoint must end in /v3", pc.GetAuthResult()))
	}
	tok, err := res.ExtractToken()
	if err != nil {
		return fail(fmt.Errorf("read the token: %w", err))
	}
	switch {
	case tok.ID == "":
		return fail(errors.New("the answer has no X-Subject-Token header"))
	case tok.ExpiresAt.IsZero():
		return fail(errors.New("the answer's token has no expires_at"))
	case !tok.ExpiresAt.After(s.now()):
		return fail(fmt.Errorf("the token expires at %s, which is not in the future (is the clock right?)", tok.ExpiresAt.Format(time.RFC3339)))
	}
	return tok.ID, tok.ExpiresAt, nil
}

// excerpt keeps an IAM answer short enough for one error line.
func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// SetClock replaces the clock the renewal decision reads, so that a test can move time past
// the renewal margin instead of waiting for it.
func (s *Source) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}
