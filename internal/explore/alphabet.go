package explore

import (
	"math/rand/v2"
	"strconv"
	"unicode/utf8"

	"pgregory.net/rapid"
)

// Alphabet is what the characters of the generated ids are: ASCII, or with multi-byte UTF-8
// characters between the prefix and the index.
type Alphabet string

const (
	AlphabetASCII     Alphabet = "ascii"
	AlphabetMultiByte Alphabet = "multi-byte"
)

// alphabets are the alphabets a base request draws from; rapid shrinks to the first.
var alphabets = []Alphabet{AlphabetASCII, AlphabetMultiByte}

// multiByteRunes are characters of two, three and four UTF-8 bytes, so that an id's length
// in characters and in bytes differ by varying amounts.
var multiByteRunes = []rune("éжω中한😀")

// other is the alphabet an id is re-spelt in by the alphabet relation.
func (a Alphabet) other() Alphabet {
	if a == AlphabetMultiByte {
		return AlphabetASCII
	}
	return AlphabetMultiByte
}

// body draws n characters of the alphabet in at most budget bytes (0: no bound). A
// multi-byte character that would overrun the budget is replaced by an ASCII one, so that
// the id keeps its length in characters and stays within the limit in bytes as well: a
// register entry (koophone-id-length-unit) lets a server count either, and a valid request
// must be valid under both. It is one draw however long the id: rapid's shrinking tries
// every draw, and a finding's shrinking budget is better spent on the list's size and the
// ids' length than on their letters.
func (d drawer) body(n int, a Alphabet, budget int) string {
	if n <= 0 {
		return ""
	}
	return spell(rapid.Uint64().Draw(d.t, "id"), n, a, budget)
}

// spell spells n characters of the alphabet from a seed, in at most budget bytes.
func spell(seed uint64, n int, a Alphabet, budget int) string {
	src := rand.New(rand.NewPCG(seed, uint64(n)))
	set := alnumRunes
	if a == AlphabetMultiByte {
		set = multiByteRunes
	}
	rs := make([]rune, n)
	for i := range rs {
		rs[i] = set[src.IntN(len(set))]
	}
	return fitBytes(rs, budget)
}

// fitBytes replaces, from the end, multi-byte characters by ASCII ones until the runes fit
// in budget bytes (0: no bound), keeping as many multi-byte characters as fit.
func fitBytes(rs []rune, budget int) string {
	out := make([]rune, len(rs))
	copy(out, rs)
	if budget <= 0 {
		return string(out)
	}
	size := len(string(out))
	for i := len(out) - 1; i >= 0 && size > budget; i-- {
		if w := utf8.RuneLen(out[i]); w > 1 {
			out[i] = alnumRunes[i%len(alnumRunes)]
			size -= w - 1
		}
	}
	return string(out)
}

// idOf is an id of n characters (n at least the prefix's length) in the alphabet, at most
// budget bytes long, that no target has.
func (d drawer) idOf(n int, a Alphabet, budget int) string {
	n = max(n, syntheticPrefixLen)
	if budget > 0 {
		budget -= syntheticPrefixLen
	}
	return syntheticPrefix + d.body(n-syntheticPrefixLen, a, budget)
}

// indexTag spells an item's index in two base-36 characters.
func indexTag(idx int) string {
	tag := strconv.FormatInt(int64(idx%1296), 36)
	if len(tag) < 2 {
		tag = "0" + tag
	}
	return tag
}

// indexedIDOf is an unknown id of n characters in the alphabet, at most budget bytes long,
// whose last two characters carry idx in base 36.
func (d drawer) indexedIDOf(n, idx int, a Alphabet, budget int) string {
	n = max(n, minIDLength)
	if budget > 0 {
		budget -= syntheticPrefixLen + 2
	}
	return syntheticPrefix + d.body(n-syntheticPrefixLen-2, a, budget) + indexTag(idx)
}

// respell re-spells an id explore invented in another alphabet: the same prefix, index and
// length in characters, the characters between spelt in the alphabet within budget bytes (0:
// no bound). It draws nothing, so that the relation it serves shrinks with the request. Any
// other string is returned as it is.
func respell(id string, a Alphabet, budget int) string {
	rs := []rune(id)
	if len(rs) < minIDLength || string(rs[:syntheticPrefixLen]) != syntheticPrefix {
		return id
	}
	if budget > 0 {
		budget -= syntheticPrefixLen + 2
	}
	return syntheticPrefix + spell(0, len(rs)-syntheticPrefixLen-2, a, budget) + string(rs[len(rs)-2:])
}

// multiByte reports whether a string holds a character of more than one byte.
func multiByte(s string) bool { return utf8.RuneCountInString(s) != len(s) }
