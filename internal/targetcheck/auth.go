package targetcheck

import (
	"context"
	"net/http"
	"time"

	"github.com/koobackup/conformance/internal/iam"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/target"
)

// AuthResult says whether the auth: block's credentials obtain a token; the token itself
// is never kept.
type AuthResult struct {
	ExpiresAt string `json:"expires_at,omitempty"`
	Error     string `json:"error,omitempty"`
}

// TryAuth obtains one token from the file's IAM endpoint, so a wrong password or project is
// found before a long run rather than in its first spec.
func TryAuth(t *target.Target) *AuthResult {
	if t.Auth == nil {
		return &AuthResult{Error: "the target file has no auth: block"}
	}
	red := redact.New(t.Tokens()...)
	src := iam.New(*t.Auth, &http.Client{Timeout: t.RequestTimeout()}, func(tok string) { red.Add(tok) })
	ctx, cancel := context.WithTimeout(context.Background(), t.RequestTimeout())
	defer cancel()
	if _, err := src.Token(ctx); err != nil {
		return &AuthResult{Error: red.String(err.Error())}
	}
	return &AuthResult{ExpiresAt: src.Expires().UTC().Format(time.RFC3339)}
}
