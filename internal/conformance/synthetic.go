package conformance

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/koobackup/conformance/internal/preflight"
)

// SyntheticIDs returns n instance ids that no target can own: a fixed prefix and random
// hex, letters and digits only and 20 characters long, so they pass any format and length
// check a server may apply, and a read-only spec can send them without any risk of releasing
// a real resource.
func SyntheticIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = preflight.SyntheticInstanceID()
	}
	return out
}

// SyntheticUUIDs returns n random version-4 UUIDs: volume and project ids of the shape the
// platform uses, which no target has.
func SyntheticUUIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = newUUID()
	}
	return out
}

func newUUID() string { return preflight.SyntheticUUID() }

// SyntheticProjectID returns a random project id in the platform's form (32 hex digits).
func SyntheticProjectID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// IDOfLength returns a synthetic id of exactly n copies of r (n characters).
func IDOfLength(r rune, n int) string { return strings.Repeat(string(r), n) }
