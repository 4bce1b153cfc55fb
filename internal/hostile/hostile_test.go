package hostile

import (
	"errors"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A hanging server accepts the connection and counts it, and the client times out.
func TestHangAcceptsAndNeverAnswers(t *testing.T) {
	s := Listen(t, Hang)
	c := &http.Client{Timeout: 200 * time.Millisecond}
	_, err := c.Get(s.URL)
	if err == nil || !strings.Contains(err.Error(), "Client.Timeout") {
		t.Fatalf("GET against a hanging server: %v, want a client timeout", err)
	}
	if n := s.Accepted.Load(); n != 1 {
		t.Fatalf("accepted %d connections, want 1", n)
	}
}

// A garbage server's answer reaches the client as a malformed HTTP response, not as a reset.
func TestGarbageIsNotHTTP(t *testing.T) {
	s := Listen(t, Garbage)
	_, err := (&http.Client{Timeout: 5 * time.Second}).Get(s.URL)
	if err == nil || !strings.Contains(err.Error(), "malformed HTTP") {
		t.Fatalf("GET against a garbage server: %v, want a malformed HTTP response", err)
	}
}

// Nothing listens at RefusedURL.
func TestRefusedURLRefuses(t *testing.T) {
	_, err := (&http.Client{Timeout: 5 * time.Second}).Get(RefusedURL(t))
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("GET against the refused URL: %v, want connection refused", err)
	}
}
