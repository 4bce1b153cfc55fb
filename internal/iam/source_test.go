package iam

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/target"
)

const password = "iam-source-test-password"

// startMock serves the reference mock with its IAM user and returns the auth: block of its secret-free target file, parsed as the suites parse it.
func startMock(t *testing.T, pw string, opts ...mock.Option) (*mock.Server, target.Auth) {
	t.Helper()
	srv, err := mock.Start(context.Background(), "127.0.0.1:0", append(opts, mock.WithIAMUser(mock.IAMCredentials{Password: password}))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	raw, err := srv.IAMTarget("IAM_TEST_PASSWORD").Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "auth_token:") {
		t.Fatalf("the IAM target file holds a token:\n%s", raw)
	}
	tg, err := target.ParseEnv(raw, func(name string) (string, bool) { return pw, name == "IAM_TEST_PASSWORD" })
	if err != nil {
		t.Fatal(err)
	}
	return srv, *tg.Auth
}

// A token obtained through gophercloud's v3 flow from the mock's IAM is handed to onToken first and reused until due.
func TestIAMSourceObtainsAndReuses(t *testing.T) {
	_, auth := startMock(t, password)
	var seen []string
	s := New(auth, nil, func(tok string) { seen = append(seen, tok) })
	tok, err := s.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "mock-iam-") || len(seen) != 1 || seen[0] != tok {
		t.Fatalf("token %q, seen %v", tok, seen)
	}
	if until := time.Until(s.Expires()); until < mock.DefaultIAMTokenTTL-time.Minute {
		t.Fatalf("expires in %v", until)
	}
	again, err := s.Token(context.Background())
	if err != nil || again != tok || len(seen) != 1 {
		t.Fatalf("not reused: %q %v %v", again, err, seen)
	}
}

// A token is renewed once inside its renewal margin, before expires_at, and the new one is announced.
func TestIAMSourceRenewsBeforeExpiry(t *testing.T) {
	_, auth := startMock(t, password, mock.WithIAMTokenTTL(time.Hour))
	var seen []string
	s := New(auth, nil, func(tok string) { seen = append(seen, tok) })
	now := time.Now()
	s.now = func() time.Time { return now }
	first, err := s.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour - MaxRenewMargin - time.Second)
	if tok, _ := s.Token(context.Background()); tok != first {
		t.Fatal("renewed before the margin")
	}
	now = now.Add(2 * time.Second)
	second, err := s.Token(context.Background())
	if err != nil || second == first || len(seen) != 2 {
		t.Fatalf("not renewed inside the margin: %v %v", err, seen)
	}
}

// A wrong password fails with an Error naming endpoint, user and domain, never the password, unwrapping to gophercloud's error.
func TestIAMSourceWrongPassword(t *testing.T) {
	_, auth := startMock(t, "wrong-password-123")
	_, err := New(auth, nil, nil).Token(context.Background())
	var ie *Error
	if !errors.As(err, &ie) || ie.User != mock.IAMUser || !strings.Contains(err.Error(), auth.IAMEndpoint) {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "wrong-password-123") || strings.Contains(err.Error(), password) {
		t.Fatalf("the error shows a password: %v", err)
	}
	t.Log(err)
	if errors.Unwrap(err) == nil {
		t.Fatal("does not unwrap")
	}
}
