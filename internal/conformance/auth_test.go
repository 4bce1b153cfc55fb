package conformance

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/mock"
)

// A target file with an auth: block gets its tokens from IAM when the environment is set up; a renewal puts the new token in both sections and the redactor masks old and new.
func TestEnvTakesAndRenewsIAMToken(t *testing.T) {
	const pw = "conformance-env-iam-pw"
	// A short life: the renewal margin is half of it, so the token is due after 0.75 s.
	srv, err := mock.Start(context.Background(), "127.0.0.1:0", mock.WithIAMUser(mock.IAMCredentials{Password: pw}), mock.WithIAMTokenTTL(1500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	raw, err := srv.IAMTarget("CONFORMANCE_ENV_TEST_PW").Marshal()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("CONFORMANCE_ENV_TEST_PW", pw)
	env, err := newEnv(raw)
	if err != nil {
		t.Fatal(err)
	}
	first := env.Target.KooPhone.AuthToken
	if !strings.HasPrefix(first, "mock-iam-") || env.Target.VBS.AuthToken != first {
		t.Fatalf("tokens %q %q", first, env.Target.VBS.AuthToken)
	}
	if err := env.renewIAMToken(); err != nil || env.Target.KooPhone.AuthToken != first {
		t.Fatalf("renewed before due: %v", err)
	}
	// Past the renewal margin on the Source's clock, without waiting for it.
	later := time.Now().Add(800 * time.Millisecond)
	env.iam.SetClock(func() time.Time { return later })
	if err := env.renewIAMToken(); err != nil {
		t.Fatal(err)
	}
	second := env.Target.VBS.AuthToken
	if second == first || env.Target.KooPhone.AuthToken != second {
		t.Fatalf("not renewed: %q", second)
	}
	if got := env.Redactor.String(first + " " + second + " " + pw); strings.Contains(got, "mock-iam-") || strings.Contains(got, pw) {
		t.Fatalf("not redacted: %s", got)
	}
}

// A wrong password stops the set-up with the endpoint and user named, and the password nowhere.
func TestEnvIAMFailureNamesEndpoint(t *testing.T) {
	srv, err := mock.Start(context.Background(), "127.0.0.1:0", mock.WithIAMUser(mock.IAMCredentials{Password: "right-password"}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	raw, err := srv.IAMTarget("CONFORMANCE_ENV_TEST_PW").Marshal()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("CONFORMANCE_ENV_TEST_PW", "wrong-password")
	_, err = newEnv(raw)
	if err == nil || !strings.Contains(err.Error(), srv.URL()+"/v3") || strings.Contains(err.Error(), "wrong-password") {
		t.Fatalf("got %v", err)
	}
}
