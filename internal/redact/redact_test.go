package redact

import (
	"net/http"
	"strings"
	"testing"
)

// A secret is masked wherever it occurs in free text, including inside longer strings.
func TestStringMasksEverySecretOccurrence(t *testing.T) {
	r := New("tok-secret-1234", "other-secret")
	got := r.String(`{"msg":"token tok-secret-1234 unknown","echo":"xtok-secret-1234x other-secret"}`)
	if strings.Contains(got, "tok-secret-1234") || strings.Contains(got, "other-secret") {
		t.Fatalf("secret left in %q", got)
	}
	if strings.Count(got, Mask) != 3 {
		t.Fatalf("want 3 masks, got %q", got)
	}
}

// A secret that contains another is masked whole, not partly.
func TestLongestSecretWins(t *testing.T) {
	r := New("abcd", "abcdefgh")
	if got := r.String("abcdefgh"); got != Mask {
		t.Fatalf("got %q, want %q", got, Mask)
	}
}

// Credential headers are masked even when the token is unknown to the redactor; other
// headers keep their value.
func TestHeaderMasksCredentialHeaders(t *testing.T) {
	h := http.Header{"X-Auth-Token": {"client-own-token"}, "X-Request-Id": {"req-1"}}
	got := New().Header(h)
	if got.Get("X-Auth-Token") != Mask || got.Get("X-Request-Id") != "req-1" {
		t.Fatalf("got %v", got)
	}
	if h.Get("X-Auth-Token") != "client-own-token" {
		t.Fatal("input header was modified")
	}
}

// Short strings are not used for free-text replacement, so they cannot mangle output.
func TestShortSecretsIgnoredInText(t *testing.T) {
	r := New("ab", "")
	if got := r.String("abc"); got != "abc" {
		t.Fatalf("got %q", got)
	}
	var nilR *Redactor
	if nilR.String("x") != "x" {
		t.Fatal("nil redactor must pass text through")
	}
}

// A secret added after construction (a renewed token) is masked from then on, alongside the earlier ones.
func TestAddMasksLaterSecrets(t *testing.T) {
	r := New("first-secret")
	if got := r.String("a renewed-token b"); got != "a renewed-token b" {
		t.Fatalf("masked before it was added: %q", got)
	}
	r.Add("renewed-token", "ab")
	if got := r.String("first-secret renewed-token ab"); got != Mask+" "+Mask+" ab" {
		t.Fatalf("got %q", got)
	}
}

// A password in a JSON body (an IAM token request) is masked even when the redactor was never told it.
func TestPasswordMembersMasked(t *testing.T) {
	in := `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"u","password":"s3cr\"et-value","domain":{"name":"d"}}}}}}`
	got := New().String(in)
	if strings.Contains(got, "s3cr") || strings.Contains(got, "et-value") || !strings.Contains(got, `"password":{"user"`) {
		t.Fatalf("got %s", got)
	}
	if !strings.Contains(got, `"password":"`+Mask+`"`) {
		t.Fatalf("not masked in place: %s", got)
	}
}
