package inventory

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Ginkgo calls that declare specs, and the one that groups table entries.
var (
	itCalls    = map[string]bool{"It": true, "FIt": true, "PIt": true, "XIt": true, "Specify": true, "FSpecify": true, "PSpecify": true, "XSpecify": true}
	entryCalls = map[string]bool{"Entry": true, "FEntry": true, "PEntry": true, "XEntry": true}
	tableCalls = map[string]bool{"DescribeTable": true, "FDescribeTable": true, "PDescribeTable": true, "XDescribeTable": true}
)

// Inventory is what the source of the suites holds: the comment blocks with the specs each
// describes, and the specs no block describes.
type Inventory struct {
	// Blocks are sorted by Testname.
	Blocks []Block
	// Undescribed are It and Entry calls without a block, in source order.
	Undescribed []Spec
}

// SpecCount is the number of specs in the source: every It and every Entry, described or not.
func (inv *Inventory) SpecCount() int {
	n := len(inv.Undescribed)
	for _, b := range inv.Blocks {
		n += len(b.Specs)
	}
	return n
}

// Scan parses every *_test.go file under dir (names relative to root) and returns the
// comment blocks with the specs each describes. Every It and Entry must be described by
// exactly one block and every block must describe a spec; the error says where that does
// not hold, and the inventory returned with it is still complete (undescribed specs are
// listed), so the count it gives is always true.
func Scan(root, dir string) (*Inventory, error) {
	inv := &Inventory{}
	var errs []error
	fset := token.NewFileSet()
	err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return fmt.Errorf("parse %s: %w", path, err)
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return fmt.Errorf("scan %s: %w", path, err)
		}
		bs, undescribed, ferrs := scanFile(fset, f, filepath.ToSlash(rel))
		inv.Blocks = append(inv.Blocks, bs...)
		inv.Undescribed = append(inv.Undescribed, undescribed...)
		errs = append(errs, ferrs...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", dir, err)
	}
	seen := map[string]string{}
	for _, b := range inv.Blocks {
		if prev, dup := seen[b.Testname]; dup {
			errs = append(errs, &BlockError{File: b.File, Line: b.Line, Reason: fmt.Sprintf("Testname %q is also used at %s", b.Testname, prev)})
		}
		seen[b.Testname] = fmt.Sprintf("%s:%d", b.File, b.Line)
	}
	sort.Slice(inv.Blocks, func(i, j int) bool { return inv.Blocks[i].Testname < inv.Blocks[j].Testname })
	return inv, errors.Join(errs...)
}

// scanFile ties the comment blocks of one file to the calls they immediately precede.
func scanFile(fset *token.FileSet, f *ast.File, file string) ([]Block, []Spec, []error) {
	var errs []error
	var undescribed []Spec
	// Comment blocks by the line they end on; a block belongs to the call on the next line.
	byEndLine := map[int]*ast.CommentGroup{}
	for _, cg := range f.Comments {
		if strings.Contains(cg.Text(), "Testname:") {
			byEndLine[fset.Position(cg.End()).Line] = cg
		}
	}
	used := map[*ast.CommentGroup]bool{}
	blockOf := func(call *ast.CallExpr) (*Block, bool) {
		line := fset.Position(call.Pos()).Line
		cg := byEndLine[line-1]
		if cg == nil {
			return nil, false
		}
		used[cg] = true
		b, err := parseBlock(cg.Text())
		b.File, b.Line = file, fset.Position(cg.Pos()).Line
		if err != nil {
			errs = append(errs, &BlockError{File: file, Line: b.Line, Reason: err.Error()})
			return nil, true
		}
		return &b, true
	}

	var blocks []*Block
	type table struct {
		call  *ast.CallExpr
		block *Block
		found bool
		specs int
	}
	var tables []*table
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			if top := stack[len(stack)-1]; len(tables) > 0 && top == tables[len(tables)-1].call {
				t := tables[len(tables)-1]
				tables = tables[:len(tables)-1]
				if t.block != nil && t.specs == 0 {
					errs = append(errs, &BlockError{File: file, Line: t.block.Line, Reason: fmt.Sprintf("comment block %q precedes a DescribeTable whose every Entry has its own block", t.block.Testname)})
				}
			}
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		name := calleeName(call)
		line := fset.Position(call.Pos()).Line
		switch {
		case tableCalls[name]:
			b, found := blockOf(call)
			if b != nil {
				blocks = append(blocks, b)
			}
			tables = append(tables, &table{call: call, block: b, found: found})
		case itCalls[name]:
			spec := Spec{Node: name, Text: literal(call), File: file, Line: line}
			b, found := blockOf(call)
			switch {
			case b != nil:
				b.Specs = append(b.Specs, spec)
				blocks = append(blocks, b)
			case !found:
				undescribed = append(undescribed, spec)
				errs = append(errs, &BlockError{File: file, Line: line, Reason: fmt.Sprintf("%s %q has no comment block (Testname, Requirement, Description) right above it", name, spec.Text)})
			default:
				undescribed = append(undescribed, spec)
			}
		case entryCalls[name]:
			spec := Spec{Node: name, Text: literal(call), File: file, Line: line}
			var t *table
			if len(tables) > 0 {
				t = tables[len(tables)-1]
				spec.Table = literal(t.call)
			}
			b, found := blockOf(call)
			switch {
			case b != nil:
				b.Specs = append(b.Specs, spec)
				blocks = append(blocks, b)
			case found:
				undescribed = append(undescribed, spec)
			case t != nil && t.block != nil:
				t.block.Specs = append(t.block.Specs, spec)
				t.specs++
			case t != nil && t.found:
				// The table's block is malformed; that error is already reported.
				undescribed = append(undescribed, spec)
			default:
				undescribed = append(undescribed, spec)
				errs = append(errs, &BlockError{File: file, Line: line, Reason: fmt.Sprintf("%s %q has no comment block, and neither has its DescribeTable", name, spec.Text)})
			}
		}
		return true
	})
	for _, cg := range f.Comments {
		if strings.Contains(cg.Text(), "Testname:") && !used[cg] {
			errs = append(errs, &BlockError{File: file, Line: fset.Position(cg.Pos()).Line,
				Reason: "comment block does not immediately precede an It, Entry or DescribeTable call"})
		}
	}
	out := make([]Block, 0, len(blocks))
	for _, b := range blocks {
		out = append(out, *b)
	}
	return out, undescribed, errs
}

// calleeName is the name a call is made by: It, ginkgo.It and the like.
func calleeName(call *ast.CallExpr) string {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return fn.Name
	case *ast.SelectorExpr:
		return fn.Sel.Name
	}
	return ""
}

// literal is the call's first argument when it is a string literal (a spec's description).
func literal(call *ast.CallExpr) string {
	if len(call.Args) == 0 {
		return ""
	}
	lit, ok := call.Args[0].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return ""
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		return ""
	}
	return s
}
