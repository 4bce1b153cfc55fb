// Command doccounts rewrites the count markers of README.md and docs/*.md (package
// internal/doccount) from the figures' sources of truth:
//
//	go generate ./internal/doccount
//
// With -check it writes nothing and exits 1 when a marker drifted. It also lists the figures
// the documents state outside markers, which no test keeps true.
//
// Exit codes: 0 every marker true (or rewritten), 1 drift under -check or an unmarked
// figure, 2 usage error or a document that cannot be read or written.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/koobackup/conformance/internal/doccount"
)

func main() {
	root := flag.String("root", ".", "module root whose README.md and docs/*.md are kept")
	check := flag.Bool("check", false, "write nothing; exit 1 when a marker drifted")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: doccounts [-root DIR] [-check]")
		os.Exit(2)
	}
	drifts, err := doccount.Sync(*root, !*check)
	if err != nil {
		fmt.Fprintf(os.Stderr, "doccounts: %v\n", err)
		os.Exit(2)
	}
	code := 0
	for _, d := range drifts {
		if *check {
			fmt.Fprintln(os.Stderr, d.Error())
			code = 1
		} else {
			fmt.Printf("%s:%d: count:%s %s -> %d\n", d.File, d.Line, d.Key, d.Stated, d.Actual)
		}
	}
	docs, err := doccount.Documents(*root)
	if err != nil {
		fmt.Fprintf(os.Stderr, "doccounts: %v\n", err)
		os.Exit(2)
	}
	for _, rel := range docs {
		if rel == doccount.Inventory {
			continue
		}
		doc, err := os.ReadFile(filepath.Join(*root, filepath.FromSlash(rel)))
		if err != nil {
			fmt.Fprintf(os.Stderr, "doccounts: %v\n", err)
			os.Exit(2)
		}
		for _, u := range doccount.FindUnmarked(rel, doc) {
			fmt.Fprintln(os.Stderr, u.Error())
			code = 1
		}
	}
	os.Exit(code)
}
