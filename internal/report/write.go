package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Names of the files WriteAll writes.
const (
	JSONFile     = "conformance.json"
	HTMLFile     = "conformance.html"
	MarkdownFile = "summary.md"
)

// MarshalJSON-compatible encoding of conformance.json, indented for diffs in review.
func encodeJSON(r *Report) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("encode conformance.json: %w", err)
	}
	return r.redactor.Bytes(buf.Bytes()), nil
}

// WriteAll writes conformance.json, conformance.html and summary.md into dir (created when
// missing).
func WriteAll(r *Report, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create report directory: %w", err)
	}
	js, err := encodeJSON(r)
	if err != nil {
		return err
	}
	var html, md bytes.Buffer
	if err := RenderHTML(&html, r); err != nil {
		return err
	}
	if err := RenderMarkdown(&md, r); err != nil {
		return err
	}
	return writeFiles(dir, map[string][]byte{JSONFile: js, HTMLFile: html.Bytes(), MarkdownFile: md.Bytes()})
}

// WriteRendered writes the HTML and Markdown of one or several reports (several: the
// comparison) into dir, leaving the JSON inputs alone.
func WriteRendered(dir string, reports ...*Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create report directory: %w", err)
	}
	var html, md bytes.Buffer
	if err := RenderHTML(&html, reports...); err != nil {
		return err
	}
	if err := RenderMarkdown(&md, reports...); err != nil {
		return err
	}
	return writeFiles(dir, map[string][]byte{HTMLFile: html.Bytes(), MarkdownFile: md.Bytes()})
}

func writeFiles(dir string, files map[string][]byte) error {
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}
