package target

import (
	"errors"
	"strings"
	"testing"
)

// A misspelt key is refused with its dotted path, its line and the key it most likely
// means; a key too far from every known one gets no guess.
func TestUnknownKeyNamesPathLineAndHint(t *testing.T) {
	cases := []struct {
		name, old, new string
		path           string
		line           int
		hint           string
	}{
		{"nested", `base_url: "http://127.0.0.1:18080"`, `base_ur: "http://127.0.0.1:18080"`, "koophone.base_ur", 4, "base_url"},
		{"top level", "allow_mutating: true", "allow_mutatng: true", "allow_mutatng", 2, "allow_mutating"},
		{"transposed", `project_id: "p1"`, `porject_id: "p1"`, "vbs.porject_id", 12, "project_id"},
		{"no guess", `project_id: "p1"`, "project_id: \"p1\"\n  colour: blue", "vbs.colour", 13, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(valid, c.old, c.new, 1)
			if src == valid {
				t.Fatalf("fixture has no %q", c.old)
			}
			_, err := Parse([]byte(src))
			var uk *UnknownKeyError
			if !errors.As(err, &uk) {
				t.Fatalf("got %v, want an UnknownKeyError", err)
			}
			if uk.Path != c.path || uk.Line != c.line || uk.Suggestion != c.hint {
				t.Fatalf("got path %q line %d hint %q, want %q %d %q", uk.Path, uk.Line, uk.Suggestion, c.path, c.line, c.hint)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.path) || (c.hint != "" && !strings.Contains(msg, "did you mean "+c.hint+"?")) {
				t.Fatalf("message %q does not name the key and the hint", msg)
			}
		})
	}
}

// timeout is optional, so a misspelling of it used to leave the default in force silently.
func TestMisspeltOptionalKeyIsRefused(t *testing.T) {
	_, err := Parse([]byte(valid + "timout: 3s\n"))
	if err == nil || !strings.Contains(err.Error(), "timout: unknown key; did you mean timeout?") {
		t.Fatalf("got %v", err)
	}
}

// Every unknown key is reported at once, so a user fixes the file in one pass.
func TestEveryUnknownKeyIsReported(t *testing.T) {
	src := strings.Replace(valid, "allow_mutating: true", "allow_mutatng: true", 1) + "timout: 3s\n"
	_, err := Parse([]byte(src))
	if err == nil || !strings.Contains(err.Error(), "allow_mutatng") || !strings.Contains(err.Error(), "timout") {
		t.Fatalf("got %v", err)
	}
}

// Keys inside the auth: block are checked too.
func TestUnknownKeyInAuthBlock(t *testing.T) {
	src := valid + "auth:\n  iam_endpoint: https://iam.example.com/v3\n  usr: me\n"
	_, err := Parse([]byte(src))
	var uk *UnknownKeyError
	if !errors.As(err, &uk) || uk.Path != "auth.usr" || uk.Suggestion != "user" {
		t.Fatalf("got %v", err)
	}
}

// A YAML syntax error names the line it is on. yaml.v3 itself names the zero-based line
// where the enclosing collection starts, one or more lines too early.
func TestSyntaxErrorNamesItsLine(t *testing.T) {
	cases := []struct {
		name string
		src  string
		line int
	}{
		{"unclosed flow list", "name: x\nallow_mutating: false\nkoophone:\n  base_url: http://h\n  auth_token: [a\n  unknown_tenant_token: b\n", 5},
		{"bad indentation", "name: x\nkoophone:\n  base_url: http://h\n auth_token: a\n", 4},
		{"tab", "name: x\nkoophone:\n\tbase_url: http://h\n", 3},
		{"unclosed quote", "name: x\nallow_mutating: false\nprofile: \"strict\ntimeout: 3s\n", 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.src))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a SyntaxError", err)
			}
			if se.Line != c.line {
				t.Fatalf("got line %d (%v), want line %d", se.Line, err, c.line)
			}
			if strings.Count(err.Error(), "line ") != 1 {
				t.Fatalf("message names more than one line: %v", err)
			}
		})
	}
}

// A type error names the key and its line as yaml.v3 gives them for decoded nodes.
func TestTypeErrorNamesKeyAndLine(t *testing.T) {
	_, err := Parse([]byte(strings.Replace(valid, "allow_mutating: true", "allow_mutating: [1]", 1)))
	if err == nil || !strings.Contains(err.Error(), "allow_mutating") || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("got %v", err)
	}
	_, err = Parse([]byte(valid + "timeout: soon\n"))
	if err == nil || !strings.Contains(err.Error(), "line 17") {
		t.Fatalf("got %v", err)
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{
		{"base_ur", "base_url", 1}, {"timout", "timeout", 1}, {"porject_id", "project_id", 1},
		{"", "abc", 3}, {"kitten", "sitting", 3}, {"same", "same", 0},
	} {
		if got := editDistance(c.a, c.b); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}
