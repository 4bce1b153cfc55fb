package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/inventory"
)

func init() {
	register("inventory", "generate or check docs/conformance-inventory.md", runInventory)
}

func runInventory(args []string) int {
	fs := flag.NewFlagSet("inventory", flag.ContinueOnError)
	write := fs.String("write", "", "write the inventory to this file")
	check := fs.String("check", "", "exit 1 when this file differs from the generated inventory")
	labels := fs.Bool("labels", false, "also dry-run the suites: hold each block's Requirement line against its specs' req: labels and check every requirement has a spec")
	if err := fs.Parse(args); err != nil {
		return flagErrorCode(err)
	}
	wd, _ := os.Getwd()
	root, err := inventory.ModuleRoot(wd)
	if err != nil {
		fmt.Fprintln(os.Stderr, "inventory:", err)
		return 2
	}
	inv, err := inventory.Scan(root, "suites")
	if inv == nil {
		fmt.Fprintln(os.Stderr, "inventory:", err)
		return 2
	}
	// A misplaced or missing block is reported, and the inventory still written with the
	// specs it leaves undescribed, so the count in the file stays true; the exit code says
	// the suites need fixing.
	code := 0
	if err != nil {
		fmt.Fprintln(os.Stderr, "inventory:", err)
		code = 1
	}
	if err := inventory.CheckBlocks(inv, catalog.Default()); err != nil {
		fmt.Fprintln(os.Stderr, "inventory:", err)
		return 1
	}
	if *labels {
		specs, err := inventory.DryRun(context.Background(), root)
		if err != nil {
			fmt.Fprintln(os.Stderr, "inventory:", err)
			return 2
		}
		if err := inventory.CheckLabels(inv, specs); err != nil {
			fmt.Fprintln(os.Stderr, "inventory:", err)
			code = 1
		}
		if err := inventory.Coverage(specs, catalog.Default()); err != nil {
			fmt.Fprintln(os.Stderr, "inventory:", err)
			code = 1
		}
	}
	out := inventory.Render(inv)
	switch {
	case *write != "":
		if err := os.WriteFile(*write, out, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "inventory:", err)
			return 2
		}
		fmt.Printf("wrote %d specs, %d undescribed, in %d blocks to %s\n", inv.SpecCount(), len(inv.Undescribed), len(inv.Blocks), *write)
	case *check != "":
		got, err := os.ReadFile(*check)
		if err != nil || !bytes.Equal(got, out) {
			fmt.Fprintf(os.Stderr, "inventory: %s is out of date: run `make inventory`\n", *check)
			return 1
		}
	default:
		os.Stdout.Write(out)
	}
	return code
}
