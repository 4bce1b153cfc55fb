// Command factgen writes internal/specfacts/facts_gen.go from the embedded specs:
//
//	go generate ./internal/specfacts
//
// Exit codes: 0 written, 1 the specs do not yield the facts, 2 usage error.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/koobackup/conformance/internal/factgen"
	"github.com/koobackup/conformance/specs"
)

func main() {
	out := flag.String("o", "", "file to write the generated Go source to (required)")
	flag.Parse()
	if *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: factgen -o FILE")
		os.Exit(2)
	}
	src, err := factgen.Generate(specs.FS)
	if err != nil {
		fmt.Fprintf(os.Stderr, "factgen: %v\n", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "factgen: %v\n", err)
		os.Exit(1)
	}
}
