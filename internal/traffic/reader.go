package traffic

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// maxLineBytes bounds one NDJSON line: a recorded body is at most the proxy's buffer limit,
// which escaping can grow a few times; anything longer is not a recording of ours.
const maxLineBytes = 64 << 20

// FormatError names the entry of a recording that could not be read.
type FormatError struct {
	Format Format
	// Entry is the 1-based line (NDJSON) or entry index (HAR); 0 for the file as a whole.
	Entry  int
	Reason string
	Err    error
}

func (e *FormatError) Error() string {
	where := "file"
	switch {
	case e.Entry > 0 && e.Format == NDJSON:
		where = fmt.Sprintf("line %d", e.Entry)
	case e.Entry > 0:
		where = fmt.Sprintf("entry %d", e.Entry)
	}
	msg := fmt.Sprintf("%s recording: %s: %s", e.Format, where, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *FormatError) Unwrap() error { return e.Err }

// Read decodes a recording, detecting HAR (a JSON document with a "log" member) or NDJSON
// (one exchange object per line), and calls fn for each exchange in order. NDJSON is
// streamed; a HAR document is decoded whole, as its format requires. It stops at the first
// error from fn or from the data and returns it.
func Read(r io.Reader, fn func(Exchange) error) (Format, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var first []byte
	for len(bytes.TrimSpace(first)) == 0 {
		line, err := readLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			return "", &FormatError{Format: NDJSON, Entry: 1, Reason: "cannot read", Err: err}
		}
		first = line
		if errors.Is(err, io.EOF) && len(bytes.TrimSpace(first)) == 0 {
			return "", &FormatError{Format: NDJSON, Reason: "is empty; want a HAR document or NDJSON exchanges"}
		}
	}
	var probe map[string]json.RawMessage
	if json.Unmarshal(first, &probe) == nil {
		if _, isHAR := probe["log"]; isHAR {
			return HAR, readHAR(io.MultiReader(bytes.NewReader(first), br), fn)
		}
		return NDJSON, readNDJSON(first, br, fn)
	}
	// A first line that is not a whole JSON object is either a pretty-printed HAR or garbage.
	trimmed := bytes.TrimSpace(first)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return HAR, readHAR(io.MultiReader(bytes.NewReader(first), br), fn)
	}
	return "", &FormatError{Format: NDJSON, Entry: 1, Reason: "not a HAR document or an NDJSON exchange (want a JSON object)"}
}

func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxLineBytes {
			return nil, fmt.Errorf("line longer than %d bytes", maxLineBytes)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return line, err
	}
}

func readNDJSON(first []byte, br *bufio.Reader, fn func(Exchange) error) error {
	line, n := first, 1
	for {
		if len(bytes.TrimSpace(line)) > 0 {
			var raw ndjsonLine
			dec := json.NewDecoder(bytes.NewReader(line))
			if err := dec.Decode(&raw); err != nil {
				return &FormatError{Format: NDJSON, Entry: n, Reason: "not an exchange object", Err: err}
			}
			ex, err := fromNDJSON(raw)
			if err != nil {
				return &FormatError{Format: NDJSON, Entry: n, Reason: "invalid exchange", Err: err}
			}
			if err := fn(ex); err != nil {
				return err
			}
		}
		next, err := readLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			return &FormatError{Format: NDJSON, Entry: n + 1, Reason: "cannot read", Err: err}
		}
		if len(next) == 0 && errors.Is(err, io.EOF) {
			return nil
		}
		line, n = next, n+1
	}
}

func readHAR(r io.Reader, fn func(Exchange) error) error {
	var doc harFile
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return &FormatError{Format: HAR, Reason: "not a HAR document", Err: err}
	}
	if doc.Log.Version != "" && doc.Log.Version != "1.2" && doc.Log.Version != "1.1" {
		return &FormatError{Format: HAR, Reason: fmt.Sprintf("log.version %q is not supported; want 1.2", doc.Log.Version)}
	}
	for i, e := range doc.Log.Entries {
		ex, err := fromHAR(e)
		if err != nil {
			return &FormatError{Format: HAR, Entry: i + 1, Reason: "invalid entry", Err: err}
		}
		if err := fn(ex); err != nil {
			return err
		}
	}
	return nil
}
