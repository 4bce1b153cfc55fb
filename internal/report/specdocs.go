package report

import (
	"fmt"

	"github.com/koobackup/conformance/specs"
	"go.yaml.in/yaml/v3"
)

// specDocuments reads info.title and info.version of each embedded OpenAPI document.
func specDocuments() ([]SpecDocument, error) {
	var out []SpecDocument
	for _, file := range []string{specs.KooPhoneFile, specs.VBSFile} {
		raw, err := specs.Read(file)
		if err != nil {
			return nil, fmt.Errorf("read spec %s: %w", file, err)
		}
		var doc struct {
			Info struct {
				Title   string `yaml:"title"`
				Version string `yaml:"version"`
			} `yaml:"info"`
		}
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("parse spec %s: %w", file, err)
		}
		out = append(out, SpecDocument{File: file, Title: doc.Info.Title, Version: doc.Info.Version})
	}
	return out, nil
}
