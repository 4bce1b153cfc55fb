package doccount

import (
	"bytes"
	"fmt"
	"regexp"
)

// Unmarked is a figure a document states about one of the counted things outside a marker.
type Unmarked struct {
	File string
	Line int
	Text string
}

func (u Unmarked) Error() string {
	return fmt.Sprintf("%s:%d: %q states a figure no test keeps true; wrap the number in <!-- count:KEY -->N<!-- /count --> (keys: %s), or say it without the number",
		u.File, u.Line, u.Text, keysText())
}

func keysText() string {
	var b bytes.Buffer
	for i, k := range keys() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
	}
	return b.String()
}

// figureRe finds a number followed, within two words, by a noun of what the project counts
// (or what a run consumes: instances, volumes, ids). "one", "two" and "three" are left out:
// prose uses them for other things ("one spec per requirement", "a request carrying two
// faults") far more often than for such a figure; so are runs of four digits and more
// without thousands separators, which are error codes and ports ("1001 for foreign instances").
var figureRe = regexp.MustCompile(`(?i)\b(\d{1,3}(?:,\d{3})*|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|dozens?)\s+(?:[a-z][a-z-]*\s+){0,2}?(specs|requirements|faults|readings|entries|configurations|instances|volumes|ids)\b`)

// commentRe is an HTML comment: markers (their figures are checked) and notes to the reader
// of the source.
var commentRe = regexp.MustCompile(`(?s)<!--.*?-->`)

// FindUnmarked returns the figures doc (named file in the result) states outside markers.
func FindUnmarked(file string, doc []byte) []Unmarked {
	// A marker, its figure included, and every other comment are blanked out, not removed,
	// so that offsets still give the right lines.
	blank := markerRe.ReplaceAllFunc(doc, blankOut)
	blank = commentRe.ReplaceAllFunc(blank, blankOut)
	var out []Unmarked
	for _, m := range figureRe.FindAllIndex(blank, -1) {
		out = append(out, Unmarked{File: file, Line: 1 + bytes.Count(blank[:m[0]], []byte("\n")), Text: string(bytes.Join(bytes.Fields(blank[m[0]:m[1]]), []byte(" ")))})
	}
	return out
}

// blankOut keeps line breaks and turns everything else into spaces.
func blankOut(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c == '\n' {
			out[i] = '\n'
		} else {
			out[i] = ' '
		}
	}
	return out
}
