package inventory

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
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

// writeSuite writes one Go test file into a fresh module-like tree and returns its root.
func writeSuite(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "s"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "s", "p_test.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Every It and Entry of the suites is described by a well-formed, uniquely named comment
// block whose requirements are in the catalog.
func TestSuiteCommentBlocks(t *testing.T) {
	inv, err := Scan(root(t), "suites")
	if inv == nil || inv.SpecCount() < 80 {
		t.Fatalf("specs found: %+v (%v)", inv, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckBlocks(inv, catalog.Default()); err != nil {
		t.Fatal(err)
	}
}

// docs/conformance-inventory.md is what `make inventory` generates from the code today
// (misplaced blocks are TestSuiteCommentBlocks' to report; the inventory lists the specs
// they leave undescribed).
func TestInventoryHasNoDrift(t *testing.T) {
	r := root(t)
	inv, err := Scan(r, "suites")
	if inv == nil {
		t.Fatal(err)
	}
	want := Render(inv)
	got, err := os.ReadFile(filepath.Join(r, "docs", "conformance-inventory.md"))
	if err != nil {
		t.Fatalf("%v (run `make inventory`)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("docs/conformance-inventory.md is out of date: run `make inventory` and commit it")
	}
}

// The suites as Ginkgo sees them in a dry run: every catalog requirement has a spec, no
// spec names an unknown requirement, each It and Entry is one spec (so the inventory's
// count is the run's), and each comment block's Requirement line agrees with the req:
// labels of the specs it describes.
func TestBlocksAgreeWithDryRun(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles and dry-runs the suites; skipped under -short")
	}
	r := root(t)
	specs, err := DryRun(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if err := Coverage(specs, catalog.Default()); err != nil {
		t.Fatal(err)
	}
	inv, scanErr := Scan(r, "suites")
	if inv == nil {
		t.Fatal(scanErr)
	}
	if inv.SpecCount() != len(specs) {
		t.Errorf("the inventory counts %d specs, the dry run %d", inv.SpecCount(), len(specs))
	}
	if err := CheckLabels(inv, specs); err != nil {
		t.Fatal(err)
	}
}

// Coverage reports a requirement without a spec and a spec naming an unknown requirement.
func TestCoverageDetectsGapsAndUnknownIDs(t *testing.T) {
	specs := []runrecord.Spec{{Text: "a spec", Labels: []string{("req:" + string(specfacts.ReqKooPhoneBackupOperation)), "req:no-such-requirement"}}}
	err := Coverage(specs, catalog.Default())
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	if !strings.Contains(msg, `unknown requirement "no-such-requirement"`) || !strings.Contains(msg, (string(specfacts.ReqVBSAssociateOperation)+" has no conformance spec")) {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(msg, (string(specfacts.ReqKooPhoneBackupOperation) + " has no")) {
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
	dir := writeSuite(t, ("package p\n/*\nTestname: same\nRequirement: " + string(specfacts.ReqKooPhoneBackupOperation) + "\nDescription: MUST a\n*/\nvar _ = It(\"a\", func() {})\n/*\nTestname: same\nRequirement: " + string(specfacts.ReqKooPhoneBackupOperation) + "\nDescription: MUST b\n*/\nvar _ = It(\"b\", func() {})\n"))
	if _, err := Scan(dir, "s"); err == nil || !strings.Contains(err.Error(), "also used") {
		t.Fatalf("got %v", err)
	}
	if err := CheckBlocks(&Inventory{Blocks: []Block{{Testname: "t", Requirements: []string{"nope"}}}}, catalog.Default()); err == nil {
		t.Fatal("unknown requirement in a block must be refused")
	}
}

// A block belongs to the call right below it: an It without one, and a block above
// anything but an It, Entry or DescribeTable, are errors; a table's block describes each of
// its entries that has none of its own, and every It and Entry counts as a spec.
func TestBlocksBelongToTheirSpecs(t *testing.T) {
	src := `package p

var _ = Describe("api", func() {
	/*
		Testname: one
		Requirement: r1
		Description: MUST one
	*/
	It("one", func() {})

	/*
		Testname: table
		Requirement: r2, r3
		Description: MUST table
	*/
	DescribeTable("rows",
		func(s string) {},
		Entry("a", "x"),
		/*
			Testname: own
			Requirement: r4
			Description: MUST own
		*/
		Entry("b", "y"),
		Entry("c", "z"),
	)

	It("bare", func() {})

	/*
		Testname: stray
		Requirement: r5
		Description: MUST stray
	*/
	var x = 1
	_ = x
})
`
	inv, err := Scan(writeSuite(t, src), "s")
	if err == nil || !strings.Contains(err.Error(), `It "bare" has no comment block`) ||
		!strings.Contains(err.Error(), "does not immediately precede") {
		t.Fatalf("got %v", err)
	}
	if inv.SpecCount() != 5 || len(inv.Blocks) != 3 || len(inv.Undescribed) != 1 || inv.Undescribed[0].Text != "bare" {
		t.Fatalf("%d specs in %d blocks, want 5 with 3 blocks and 1 undescribed: %+v", inv.SpecCount(), len(inv.Blocks), inv)
	}
	if !strings.Contains(string(Render(inv)), "## Specs without a comment block (1)") {
		t.Fatal("the inventory does not list the undescribed spec")
	}
	for _, b := range inv.Blocks {
		var texts []string
		for _, s := range b.Specs {
			texts = append(texts, s.Text)
		}
		want := map[string]string{"one": "one", "table": "a,c", "own": "b"}[b.Testname]
		if strings.Join(texts, ",") != want {
			t.Errorf("block %q describes %v, want %s", b.Testname, texts, want)
		}
	}
}

// CheckLabels catches a Requirement line that disagrees with the labels, an entry that
// carries none of its table block's requirements, and a spec the source does not show.
func TestCheckLabelsCatchesDisagreement(t *testing.T) {
	inv := &Inventory{Blocks: []Block{
		{Testname: "it", Requirements: []string{"r1"}, File: "s/p_test.go", Line: 1, Specs: []Spec{{Node: "It", Text: "it", File: "s/p_test.go", Line: 5}}},
		{Testname: "table", Requirements: []string{"r2", "r3"}, File: "s/p_test.go", Line: 10, Specs: []Spec{
			{Node: "Entry", Text: "a", File: "s/p_test.go", Line: 15}, {Node: "Entry", Text: "b", File: "s/p_test.go", Line: 16}}},
	}}
	spec := func(line int, labels ...string) runrecord.Spec {
		return runrecord.Spec{Text: "x", File: "s/p_test.go", Line: line, Labels: labels}
	}
	good := []runrecord.Spec{spec(5, "req:r1", "req:shared"), spec(15, "req:r2"), spec(16, "req:r3", "req:shared")}
	if err := CheckLabels(inv, good); err != nil {
		t.Fatalf("agreeing labels refused: %v", err)
	}
	bad := []runrecord.Spec{spec(5, "req:other"), spec(15, "req:r2"), spec(16, "req:shared"), spec(99, "req:r1")}
	err := CheckLabels(inv, bad)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{`block "it" names requirement r1`, `Entry "b" is labelled req:shared, none of the requirements`,
		`block "table" names requirement r3`, "s/p_test.go:99: spec"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
