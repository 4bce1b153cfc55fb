package inventory

import (
	"fmt"
	"strings"
)

// Block is one comment block and the specs it describes.
type Block struct {
	Testname     string   `json:"testname"`
	Requirements []string `json:"requirements"`
	Description  string   `json:"description"`
	// File and Line locate the comment block.
	File string `json:"file"`
	Line int    `json:"line"`
	// Specs are the It or Entry calls the block describes: the It or Entry it precedes, or
	// every Entry without a block of its own of the DescribeTable it precedes.
	Specs []Spec `json:"specs"`
}

// Spec is one It or Entry call of the source; each is one spec Ginkgo runs.
type Spec struct {
	// Node is "It" or "Entry" (or a focused/pending variant).
	Node string `json:"node"`
	// Text is the call's description when it is a string literal, else "".
	Text string `json:"text"`
	// Table is the description of the DescribeTable an Entry belongs to.
	Table string `json:"table,omitempty"`
	File  string `json:"file"`
	Line  int    `json:"line"`
}

// BlockError is a malformed, misplaced or missing comment block.
type BlockError struct {
	File   string
	Line   int
	Reason string
}

func (e *BlockError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason) }

// blockFields are the fields of a comment block, in the order they are written.
var blockFields = []string{"Testname", "Requirement", "Description"}

// parseBlock reads the "Testname:", "Requirement:" and "Description:" fields; a field runs
// until the next field.
func parseBlock(text string) (Block, error) {
	var b Block
	fields := map[string]*strings.Builder{}
	var cur *strings.Builder
	for _, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		matched := false
		for _, key := range blockFields {
			if strings.HasPrefix(line, key+":") {
				cur = &strings.Builder{}
				fields[key] = cur
				cur.WriteString(strings.TrimSpace(strings.TrimPrefix(line, key+":")))
				matched = true
			}
		}
		if !matched && cur != nil && line != "" {
			cur.WriteString(" " + line)
		}
	}
	for _, key := range blockFields {
		if fields[key] == nil || strings.TrimSpace(fields[key].String()) == "" {
			return b, fmt.Errorf("comment block has no %s", key)
		}
	}
	b.Testname = fields["Testname"].String()
	b.Description = fields["Description"].String()
	for _, id := range strings.Split(fields["Requirement"].String(), ",") {
		if id = strings.TrimSpace(id); id != "" {
			b.Requirements = append(b.Requirements, id)
		}
	}
	if !strings.Contains(b.Description, "MUST") {
		return b, fmt.Errorf("Description of %q states no MUST", b.Testname)
	}
	return b, nil
}
