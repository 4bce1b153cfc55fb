package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/koobackup/conformance/internal/specfacts"
)

// mediaTypeFor finds the documented media type matching a Content-Type header value.
func mediaTypeFor(content openapi3.Content, ct string) *openapi3.MediaType {
	if strings.TrimSpace(ct) == "" {
		return nil
	}
	base, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil
	}
	return content.Get(base)
}

// contentTypes lists the documented media types, sorted, for messages.
func contentTypes(content openapi3.Content) []string {
	out := make([]string, 0, len(content))
	for k := range content {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// jsonProblem describes why a body is not JSON without quoting it.
func jsonProblem(body []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d of %d", se.Offset, len(body))
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && strings.HasPrefix(te.Value, "number") {
		// Well-formed, but beyond what any implementation can be expected to read
		// (RFC 8259 §6 limits interoperable numbers to IEEE 754 doubles).
		return fmt.Sprintf("the number ending at byte %d of %d is beyond the range of an IEEE 754 double, which RFC 8259 §6 makes the limit of interoperable numbers", te.Offset, len(body))
	}
	if len(body) == 0 {
		return "empty body"
	}
	return err.Error()
}

func first(ids []specfacts.RequirementID) specfacts.RequirementID {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}

// escapePointer escapes one JSON pointer token (RFC 6901).
func escapePointer(tok string) string {
	if !strings.ContainsAny(tok, "~/") {
		return tok
	}
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}
