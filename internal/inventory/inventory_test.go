package inventory

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/catalog"
)

func root(t *testing.T) string {
	t.Helper()
	wd, _ := os.Getwd()
	r, err := ModuleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Every spec of the suites has a well-formed, uniquely named comment block whose
// requirements are in the catalog.
func TestSuiteCommentBlocks(t *testing.T) {
	entries, err := Scan(root(t), "suites")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 40 {
		t.Fatalf("only %d spec comment blocks found", len(entries))
	}
	if err := CheckBlocks(entries, catalog.Default()); err != nil {
		t.Fatal(err)
	}
}

// docs/conformance-inventory.md is what `make inventory` generates from the code today.
func TestInventoryHasNoDrift(t *testing.T) {
	r := root(t)
	entries, err := Scan(r, "suites")
	if err != nil {
		t.Fatal(err)
	}
	want := Render(entries)
	got, err := os.ReadFile(filepath.Join(r, "docs", "conformance-inventory.md"))
	if err != nil {
		t.Fatalf("%v (run `make inventory`)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("docs/conformance-inventory.md is out of date: run `make inventory` and commit it")
	}
}

// Every requirement of the catalog is checked by at least one spec, and no spec names an
// unknown requirement — read from the labels Ginkgo itself reports in a dry run.
func TestEveryRequirementHasASpec(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles and dry-runs the suites; skipped under -short")
	}
	labels, err := DryRunLabels(root(t), "./suites/koophone", "./suites/vbs")
	if err != nil {
		t.Fatal(err)
	}
	if len(labels) < 40 {
		t.Fatalf("dry run found only %d specs", len(labels))
	}
	if err := Coverage(labels, catalog.Default(), "req:"); err != nil {
		t.Fatal(err)
	}
}

// Coverage reports a requirement without a spec and a spec naming an unknown requirement.
func TestCoverageDetectsGapsAndUnknownIDs(t *testing.T) {
	cat := catalog.Default()
	specs := Labels{"a spec": {"req:koophone-backup-operation", "req:no-such-requirement"}}
	err := Coverage(specs, cat, "req:")
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	if !strings.Contains(msg, `unknown requirement "no-such-requirement"`) || !strings.Contains(msg, "vbs-associate-operation has no conformance spec") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(msg, "koophone-backup-operation has no") {
		t.Fatalf("covered requirement reported as a gap: %v", err)
	}
}

// A block without MUST, without a field, or with a duplicate Testname is refused.
func TestMalformedBlocksAreRefused(t *testing.T) {
	if _, err := parseBlock("Testname: x\nRequirement: a\nDescription: it should work"); err == nil || !strings.Contains(err.Error(), "MUST") {
		t.Fatalf("got %v", err)
	}
	if _, err := parseBlock("Testname: x\nDescription: MUST"); err == nil || !strings.Contains(err.Error(), "Requirement") {
		t.Fatalf("got %v", err)
	}
	dir := t.TempDir()
	src := "package p\n/*\nTestname: same\nRequirement: koophone-backup-operation\nDescription: MUST a\n*/\nvar A = 1\n/*\nTestname: same\nRequirement: koophone-backup-operation\nDescription: MUST b\n*/\nvar B = 2\n"
	if err := os.MkdirAll(filepath.Join(dir, "s"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "s", "p.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Scan(dir, "s"); err == nil || !strings.Contains(err.Error(), "also used") {
		t.Fatalf("got %v", err)
	}
	if err := CheckBlocks([]Entry{{Testname: "t", Requirements: []string{"nope"}}}, catalog.Default()); err == nil {
		t.Fatal("unknown requirement in a block must be refused")
	}
}
