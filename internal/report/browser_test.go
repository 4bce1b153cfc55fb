//go:build browser

package report

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/catalog"
)

// chromiumFlags keep the headless browser off the network and free of first-run work, so
// the check sees only what the self-contained page does.
var chromiumFlags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"}

// consoleLine matches what Chromium logs (with --enable-logging=stderr) for every console
// message and uncaught exception of the page; the report page must log nothing at all.
var consoleLine = regexp.MustCompile(`(?m)^.*(:CONSOLE[:(]|Uncaught ).*$`)

func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no chromium on PATH: run `make test-browser`, which installs Debian's chromium")
	return ""
}

// runChromium loads a file and returns stdout and the console lines it logged.
func runChromium(t *testing.T, bin string, extra []string, page string) (string, []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append(append([]string{}, chromiumFlags...), "--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0")
	args = append(append(args, extra...), "file://"+page)
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", extra, err, stderr.String())
	}
	return stdout.String(), consoleLine.FindAllString(stderr.String(), -1)
}

// The console check is real: a page that logs an error and throws is caught.
func TestBrowserConsoleCheckCatchesErrors(t *testing.T) {
	bin := chromium(t)
	page := filepath.Join(t.TempDir(), "bad.html")
	if err := os.WriteFile(page, []byte(`<!DOCTYPE html><p>x</p><script>console.error("planted"); notAFunction();</script>`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, console := runChromium(t, bin, []string{"--dump-dom"}, page)
	joined := strings.Join(console, "\n")
	if !strings.Contains(joined, "planted") || !strings.Contains(joined, "Uncaught") {
		t.Fatalf("planted console error and exception not detected; console lines: %q", console)
	}
}

// conformance.html loads from disk in headless Chromium without a console message, shows the
// verdict and one matrix row per catalog requirement after its filter script ran, and a
// screenshot is saved to reports/conformance.png.
func TestBrowserRendersReport(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	r := build(t, loadRun(t, "run-fail"))
	if err := WriteAll(r, dir); err != nil {
		t.Fatal(err)
	}
	pages := []struct{ path, verdict string }{{filepath.Join(dir, HTMLFile), r.Verdict}}
	// A report of a real run (make conformance) is checked too when there is one.
	real, _ := filepath.Abs(filepath.Join("..", "..", "reports"))
	if rr, err := Load(filepath.Join(real, JSONFile)); err == nil {
		if _, err := os.Stat(filepath.Join(real, HTMLFile)); err == nil {
			pages = append(pages, struct{ path, verdict string }{filepath.Join(real, HTMLFile), rr.Verdict})
		}
	}
	want := len(catalog.Default().Requirements)
	rowRe := regexp.MustCompile(`<tr class="req" data-id="[^"]+"`)
	for _, p := range pages {
		dom, console := runChromium(t, bin, []string{"--dump-dom"}, p.path)
		if len(console) > 0 {
			t.Errorf("%s logged to the console:\n%s", p.path, strings.Join(console, "\n"))
		}
		if !strings.Contains(dom, fmt.Sprintf(`id="verdict" class="verdict %s" data-verdict="%s">%s<`, p.verdict, p.verdict, strings.ToUpper(p.verdict))) {
			t.Errorf("%s: verdict %q not found in the rendered DOM", p.path, p.verdict)
		}
		if got := len(rowRe.FindAllString(dom, -1)); got != want {
			t.Errorf("%s: %d matrix rows in the DOM, want %d", p.path, got, want)
		}
		// The filter script writes this line; finding it proves the script ran to the end.
		if shown := fmt.Sprintf("%d of %d requirements shown", want, want); !strings.Contains(dom, shown) {
			t.Errorf("%s: filter script did not run (no %q in the DOM)", p.path, shown)
		}
	}

	shot := filepath.Join(real, "conformance.png")
	if err := os.MkdirAll(real, 0o755); err != nil {
		t.Fatal(err)
	}
	last := pages[len(pages)-1].path
	runChromium(t, bin, []string{"--window-size=1400,2600", "--screenshot=" + shot}, last)
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 10_000 {
		t.Fatalf("screenshot %s is not a plausible PNG (%d bytes)", shot, len(png))
	}
	t.Logf("screenshot of %s saved to %s", last, shot)
}
