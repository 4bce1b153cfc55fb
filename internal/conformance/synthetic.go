package conformance

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// SyntheticIDs returns n ids that no target can own: a fixed prefix and random hex, at most
// 20 characters, so they fit every length limit and a read-only spec can send them without
// any risk of releasing or binding a real resource.
func SyntheticIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		out[i] = "cfx-none-" + hex.EncodeToString(b)
	}
	return out
}

// IDOfLength returns a synthetic id of exactly n copies of r (n characters).
func IDOfLength(r rune, n int) string { return strings.Repeat(string(r), n) }
