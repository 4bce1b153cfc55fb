package main

import (
	"bytes"
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
	if err := fs.Parse(args); err != nil {
		return 2
	}
	wd, _ := os.Getwd()
	root, err := inventory.ModuleRoot(wd)
	if err != nil {
		fmt.Fprintln(os.Stderr, "inventory:", err)
		return 2
	}
	entries, err := inventory.Scan(root, "suites")
	if err != nil {
		fmt.Fprintln(os.Stderr, "inventory:", err)
		return 1
	}
	if err := inventory.CheckBlocks(entries, catalog.Default()); err != nil {
		fmt.Fprintln(os.Stderr, "inventory:", err)
		return 1
	}
	out := inventory.Render(entries)
	switch {
	case *write != "":
		if err := os.WriteFile(*write, out, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "inventory:", err)
			return 2
		}
		fmt.Printf("wrote %d specs to %s\n", len(entries), *write)
	case *check != "":
		got, err := os.ReadFile(*check)
		if err != nil || !bytes.Equal(got, out) {
			fmt.Fprintf(os.Stderr, "inventory: %s is out of date: run `make inventory`\n", *check)
			return 1
		}
	default:
		os.Stdout.Write(out)
	}
	return 0
}
