package doccount

import (
	"strings"
	"testing"
)

// Update rewrites every marker's figure, reports each one that differed with its line, and
// leaves the rest of the document as it was.
func TestUpdateRewritesMarkers(t *testing.T) {
	doc := "# Title\n\nThe mock plants <!-- count:faults -->81<!-- /count --> faults\non <!-- count:configurations -->6<!-- /count --> configurations.\n"
	got, drifts, err := Update("doc.md", []byte(doc), map[string]int{"faults": 82, "configurations": 6})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(doc, "-->81<", "-->82<", 1)
	if string(got) != want {
		t.Errorf("rewritten document:\n%s\nwant:\n%s", got, want)
	}
	if len(drifts) != 1 || drifts[0] != (Drift{File: "doc.md", Line: 3, Key: "faults", Stated: "81", Actual: 82}) {
		t.Fatalf("drifts = %+v, want the faults marker of line 3", drifts)
	}
	msg := drifts[0].Error()
	for _, part := range []string{"doc.md:3", `"81"`, "82", "mock.Faults", Regenerate} {
		if !strings.Contains(msg, part) {
			t.Errorf("drift message %q lacks %q", msg, part)
		}
	}
	if _, again, err := Update("doc.md", got, map[string]int{"faults": 82, "configurations": 6}); err != nil || len(again) != 0 {
		t.Errorf("a rewritten document still drifts: %v %v", again, err)
	}
}

// A marker naming no figure, or one opened and never closed, is an error: the number it was
// meant to guard would go unchecked.
func TestUpdateRefusesBrokenMarkers(t *testing.T) {
	counts := map[string]int{"faults": 82}
	for name, doc := range map[string]string{
		"unknown key":  "<!-- count:fualts -->82<!-- /count -->",
		"not closed":   "<!-- count:faults -->82 faults",
		"close alone":  "82<!-- /count --> faults",
		"markup in it": "<!-- count:faults --><b>82</b><!-- /count -->",
	} {
		if _, _, err := Update("doc.md", []byte(doc), counts); err == nil {
			t.Errorf("%s: %q accepted", name, doc)
		}
	}
}

// A number before a counted noun is found outside markers, in prose and in code blocks alike,
// and a marked one, a comment, or a word number of everyday prose is not.
func TestFindUnmarked(t *testing.T) {
	doc := strings.Join([]string{
		"The catalog has 82 planted faults.",                        // 1: found
		"Every fault on six\nconfigurations.",                       // 2-3: found, across the line break
		"It has <!-- count:faults -->82<!-- /count --> faults.",     // 4
		"<!-- illustrative: 12 specs need a live target -->",        // 5
		"A request carrying two faults; one spec per requirement.",  // 6
		"Vendor answers 1000 instead of 1001 for foreign instances", // 7: codes
		"```",
		"57 requirements evaluated", // 9: found
		"```",
	}, "\n")
	got := FindUnmarked("doc.md", []byte(doc))
	var lines []int
	for _, u := range got {
		lines = append(lines, u.Line)
	}
	if len(got) != 3 || lines[0] != 1 || lines[1] != 2 || lines[2] != 9 {
		t.Fatalf("found %+v, want lines 1, 2 and 9", got)
	}
	if got[1].Text != "six configurations" {
		t.Errorf("text %q, want %q", got[1].Text, "six configurations")
	}
	if !strings.Contains(got[0].Error(), "count:KEY") {
		t.Errorf("message %q does not say how to mark the figure", got[0].Error())
	}
}
