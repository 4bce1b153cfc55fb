package conformance

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// SyntheticIDs returns n instance ids that no target can own: a fixed prefix and random
// hex, letters and digits only and 20 characters long, so they pass any format and length
// check a server may apply, and a read-only spec can send them without any risk of releasing
// a real resource.
func SyntheticIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		out[i] = "cfxnone0" + hex.EncodeToString(b)
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

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// SyntheticProjectID returns a random project id in the platform's form (32 hex digits).
func SyntheticProjectID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// IDOfLength returns a synthetic id of exactly n copies of r (n characters).
func IDOfLength(r rune, n int) string { return strings.Repeat(string(r), n) }
