package target

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// UnknownKeyError names a key of the target file that this version does not know. An
// unknown key is refused rather than ignored: a misspelt optional key (timout,
// allow_mutatng) would otherwise silently leave its default in force.
type UnknownKeyError struct {
	Path       string // dotted path, e.g. "koophone.base_ur"
	Line       int
	Suggestion string // the known key it most likely means, or ""
}

func (e *UnknownKeyError) Error() string {
	msg := fmt.Sprintf("target file: line %d: %s: unknown key", e.Line, e.Path)
	if e.Suggestion != "" {
		msg += fmt.Sprintf("; did you mean %s?", e.Suggestion)
	}
	return msg
}

// SyntaxError is a file that is not YAML, with the line the problem was found on.
type SyntaxError struct {
	Line    int
	Problem string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("target file: line %d: not valid YAML: %s", e.Line, e.Problem)
}

var yamlLinePrefix = regexp.MustCompile(`^yaml: (line \d+: )?`)

// syntaxError locates a YAML syntax error itself. yaml.v3 names, for errors its parser (not
// its scanner) finds, the zero-based line where the enclosing block or flow collection
// starts, so "auth_token: [a" on line 5 is reported as line 4. The problem is on the line
// after the longest prefix of the file that still parses.
func syntaxError(raw []byte, err error) *SyntaxError {
	lines := bytes.SplitAfter(raw, []byte("\n"))
	good := 0
	for k := len(lines) - 1; k > 0; k-- {
		var n yaml.Node
		if yaml.Unmarshal(bytes.Join(lines[:k], nil), &n) == nil {
			good = k
			break
		}
	}
	return &SyntaxError{Line: good + 1, Problem: yamlLinePrefix.ReplaceAllString(err.Error(), "")}
}

// unknownKeys walks a mapping node against the struct type it decodes into and reports
// every key no field takes, with its line and the nearest known key as a hint.
func unknownKeys(n *yaml.Node, t reflect.Type, path string) []error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var errs []error
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			ft, ok := fields[k.Value]
			if !ok {
				errs = append(errs, &UnknownKeyError{Path: p, Line: k.Line, Suggestion: nearest(k.Value, fields)})
				continue
			}
			errs = append(errs, unknownKeys(v, ft, p)...)
		}
	case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && n.Kind == yaml.SequenceNode:
		for i, c := range n.Content {
			errs = append(errs, unknownKeys(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return errs
}

// yamlFields maps each YAML key a struct takes to the field's type.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

// nearest returns the known key closest to key, when it is close enough to be a slip of
// the keyboard rather than another word: at most two edits, and fewer than half the key.
func nearest(key string, known map[string]reflect.Type) string {
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	sort.Strings(names)
	best, bestD := "", 3
	for _, k := range names {
		if d := editDistance(key, k); d < bestD && 2*d < len(key) {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance: insertions, deletions,
// substitutions and transpositions of adjacent characters each cost one, the usual slips
// when typing a key.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
