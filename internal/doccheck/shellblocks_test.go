package doccheck

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// shellBlock is one fenced ```sh, ```bash, ```console or ```shell block of a document.
type shellBlock struct {
	file   string
	line   int    // line of the opening fence
	marker string // the HTML comment right before the fence, if any
	body   string
}

var (
	illustrativeRe = regexp.MustCompile(`^<!--\s*illustrative:(.*)-->$`)
	checkedRe      = regexp.MustCompile(`^<!--\s*checked\s*-->$`)
	fenceRe        = regexp.MustCompile("^```(sh|bash|console|shell)\\s*$")
)

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// documents are the README and every Markdown file of docs/.
func documents(t *testing.T, root string) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{filepath.Join(root, "README.md")}, docs...)
}

func shellBlocks(t *testing.T, root string) []shellBlock {
	t.Helper()
	var out []shellBlock
	for _, path := range documents(t, root) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, path)
		lines := strings.Split(string(raw), "\n")
		for i := 0; i < len(lines); i++ {
			if !fenceRe.MatchString(strings.TrimSpace(lines[i])) {
				continue
			}
			b := shellBlock{file: rel, line: i + 1}
			for j := i - 1; j >= 0; j-- {
				if s := strings.TrimSpace(lines[j]); s != "" {
					if strings.HasPrefix(s, "<!--") {
						b.marker = s
					}
					break
				}
			}
			var body []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
				body = append(body, lines[i])
			}
			b.body = strings.Join(body, "\n")
			out = append(out, b)
		}
	}
	return out
}

// Every shell block is marked illustrative with a reason, or it is run for real: a stale
// command then fails the test.
func TestShellBlocksRunOrSayWhyNot(t *testing.T) {
	root := moduleRoot(t)
	blocks := shellBlocks(t, root)
	if len(blocks) == 0 {
		t.Fatal("no shell block found; the document scan is broken")
	}
	for _, b := range blocks {
		where := b.file + ":" + itoa(b.line)
		if m := illustrativeRe.FindStringSubmatch(b.marker); m != nil {
			if strings.TrimSpace(m[1]) == "" {
				t.Errorf("%s: an illustrative block must say why it is not run", where)
			}
			continue
		}
		if b.marker != "" && !checkedRe.MatchString(b.marker) {
			t.Errorf("%s: unknown marker %q; want <!-- illustrative: REASON --> or <!-- checked -->", where, b.marker)
			continue
		}
		if strings.Contains(b.body, "&") && !strings.Contains(b.body, "&&") {
			t.Errorf("%s: a block that starts a background process cannot be run here; mark it illustrative", where)
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", b.body)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("%s: the block fails (%v):\n%s\n--- output\n%s", where, err, b.body, out)
		}
	}
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// conformanceBinary builds the command once for the flag checks.
func conformanceBinary(t *testing.T, root string) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "doccheck-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "conformance")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/conformance")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = &buildError{string(out)}
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

type buildError struct{ out string }

func (e *buildError) Error() string { return "go build ./cmd/conformance: " + e.out }

// Illustrative blocks are not run, but what they name must exist: every make target
// resolves (make -n), and every conformance subcommand and flag is in that subcommand's
// --help.
func TestIllustrativeBlocksNameRealCommands(t *testing.T) {
	root := moduleRoot(t)
	bin := conformanceBinary(t, root)
	help := map[string]string{}
	helpOf := func(sub []string) string {
		key := strings.Join(sub, " ")
		if h, ok := help[key]; ok {
			return h
		}
		out, err := exec.Command(bin, append(slices.Clone(sub), "--help")...).CombinedOutput()
		if err != nil {
			out = nil
		}
		help[key] = string(out)
		return help[key]
	}
	checked := 0
	for _, b := range shellBlocks(t, root) {
		where := b.file + ":" + itoa(b.line)
		for _, seg := range commands(b.body) {
			switch {
			case len(seg) > 0 && seg[0] == "make" && !slices.Contains(seg, "-C"):
				// make -C DIR runs another project's Makefile (a client's), not this one.
				args := []string{"-n", "--no-print-directory"}
				args = append(args, seg[1:]...)
				cmd := exec.Command("make", args...)
				cmd.Dir = root
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("%s: `%s` does not resolve: %v\n%s", where, strings.Join(seg, " "), err, out)
				}
				checked++
			case conformanceArgs(seg) != nil:
				args := conformanceArgs(seg)
				if len(args) == 0 {
					continue
				}
				sub := []string{args[0]}
				if (args[0] == "target" || args[0] == "report") && len(args) > 1 && !strings.HasPrefix(args[1], "-") {
					sub = append(sub, args[1])
				}
				h := helpOf(sub)
				if h == "" {
					t.Errorf("%s: `conformance %s` is not a command (its --help fails)", where, strings.Join(sub, " "))
					continue
				}
				for _, a := range args[len(sub):] {
					if !strings.HasPrefix(a, "-") || a == "-" || a == "-h" || a == "--help" {
						continue
					}
					name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
					if !regexp.MustCompile(`(?m)^\s+-` + regexp.QuoteMeta(name) + `\b`).MatchString(h) {
						t.Errorf("%s: `conformance %s` has no flag --%s", where, strings.Join(sub, " "), name)
					}
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no command was checked; the command scan is broken")
	}
}

// commands splits a shell block into simple commands: continuation lines joined, comments
// dropped, split at ;, &&, ||, | and &, leading VAR=value assignments removed.
func commands(body string) [][]string {
	var out [][]string
	var logical []string
	sc := bufio.NewScanner(strings.NewReader(strings.ReplaceAll(body, "\\\n", " ")))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		logical = append(logical, line)
	}
	splitter := regexp.MustCompile(`&&|\|\||[;|&]`)
	for _, line := range logical {
		for _, part := range splitter.Split(line, -1) {
			f := strings.Fields(part)
			for len(f) > 0 && regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`).MatchString(f[0]) {
				f = f[1:]
			}
			if len(f) > 0 {
				out = append(out, f)
			}
		}
	}
	return out
}

// conformanceArgs returns the arguments after the conformance command (go run
// ./cmd/conformance, bin/conformance, dist/conformance), or nil when seg runs another command.
func conformanceArgs(seg []string) []string {
	if len(seg) >= 3 && seg[0] == "go" && seg[1] == "run" && seg[2] == "./cmd/conformance" {
		return append([]string{}, seg[3:]...)
	}
	if len(seg) > 0 && (seg[0] == "conformance" || strings.HasSuffix(seg[0], "/conformance")) {
		return append([]string{}, seg[1:]...)
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
