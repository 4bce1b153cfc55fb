package suiterun

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// Targets lists *.yaml and *.yml files by name and refuses two files that would share an
// output directory, or a directory with none.
func TestTargetsListsTargetFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"us.yml", "eu.yaml", "notes.txt", ".hidden.yaml"} {
		write(t, filepath.Join(dir, f), "", 0o600)
	}
	got, err := Targets(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "eu" || got[1].Name != "us" || got[1].Path != filepath.Join(dir, "us.yml") {
		t.Errorf("targets %+v, want eu.yaml and us.yml", got)
	}
	write(t, filepath.Join(dir, "eu.yml"), "", 0o600)
	if _, err := Targets(dir); err == nil || !strings.Contains(err.Error(), "share the output directory") {
		t.Errorf("eu.yaml and eu.yml: %v, want a collision error", err)
	}
	if _, err := Targets(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no target file") {
		t.Errorf("empty directory: %v, want an error", err)
	}
}

// WriteDone packs the results into an archive beside the done file and writes the archive's
// path into the done file, as a Sonobuoy worker expects.
func TestWriteDonePacksResults(t *testing.T) {
	results := t.TempDir()
	out := filepath.Join(results, "reports")
	write(t, filepath.Join(out, "junit.xml"), "<testsuites/>", 0o644)
	write(t, filepath.Join(out, "logs", "vbs.log"), "ok", 0o644)
	done := filepath.Join(results, "done")
	if err := WriteDone(out, done); err != nil {
		t.Fatal(err)
	}
	path, err := os.ReadFile(done)
	if err != nil {
		t.Fatal(err)
	}
	if string(path) != filepath.Join(results, SonobuoyArchive) {
		t.Fatalf("done file holds %q, want the archive's path", path)
	}
	f, err := os.Open(string(path))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	files := map[string]string{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		files[hdr.Name] = string(body)
	}
	if files["junit.xml"] != "<testsuites/>" || files["logs/vbs.log"] != "ok" {
		t.Errorf("archive holds %v, want junit.xml and logs/vbs.log", files)
	}
}

// WriteDone still signals the worker when the run stopped before creating its output
// directory (a configuration error), with an empty archive.
func TestWriteDoneWithoutOutput(t *testing.T) {
	results := t.TempDir()
	done := filepath.Join(results, "done")
	if err := WriteDone(filepath.Join(results, "never-created"), done); err != nil {
		t.Fatal(err)
	}
	path, err := os.ReadFile(done)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(string(path)); err != nil {
		t.Errorf("the done file names %q, which does not exist: %v", path, err)
	}
}
