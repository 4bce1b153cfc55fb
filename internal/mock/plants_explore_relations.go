package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/koobackup/conformance/internal/specfacts"
)

// Deviations that show only when two requests alike but for one dimension are compared, or
// when a list is longer than any hand-picked probe sends: the id's alphabet at one length,
// the order of a body's members, a list of more than a batch. Generated exploration
// (internal/explore: its metamorphic relations and the answered-once invariant) is what
// must catch them.
const (
	FaultKooPhoneMultiByteIDRefused = "koophone-multi-byte-id-refused"
	FaultVBSMemberOrder500          = "vbs-member-order-500"
	FaultVBSLastOfManyDropped       = "vbs-last-of-many-resources-dropped"
)

// LastOfManyBatch is the batch the last-of-many plant's server reports results by: it loses
// the last resource of a request longer than one batch. Ten is the plant's own bug, not a
// limit of the documents, which state none; exploration's minimal case is one more.
const LastOfManyBatch = 10

var relationFaults = []Fault{
	{FaultKooPhoneMultiByteIDRefused, specfacts.KooPhone, "An instance id holding a multi-byte character is refused with 400 parameter-incorrect as too long, although the mock counts characters and the id is within the limit in characters and in bytes; ASCII ids of the same length are looked up.", reqs(specfacts.ReqKooPhoneInstanceIDMaxLength)},
	{FaultVBSMemberOrder500, specfacts.VBS, "A body whose members do not come in the order of the page's parameter tables and example (backup_policy_id before resources, resource_id before resource_type) is answered with a 500, so that a volume that does not exist is not reported failed.", reqs(specfacts.ReqVBSUnknownVolumeFails)},
	{FaultVBSLastOfManyDropped, specfacts.VBS, "A request naming more than ten resources gets a 200 that reports its last resource in neither list.", reqs(specfacts.ReqVBSEachResourceOnce)},
}

var relationPlants = map[string]plant{
	FaultKooPhoneMultiByteIDRefused: {response: func(c *plantCall) {
		k := c.m.cons.KooPhone
		if c.api != specfacts.KooPhone || c.status != http.StatusBadRequest {
			return
		}
		// Only past the length check: the reference refused an id it looked up.
		if code, _ := c.answerObject()["error_code"].(string); !strings.EqualFold(code, k.Code(kooInstancePermissions).Code) {
			return
		}
		for i, id := range c.instanceIDs() {
			if utf8.RuneCountInString(id) != len(id) && len(id) <= k.InstanceIDMaxLength {
				c.setAnswerObject(map[string]any{
					"error_code": c.m.kooCodeSpelling(k.Code(kooParameterIncorrect).Code),
					"error_msg":  fmt.Sprintf("instance_ids[%d]: %q is too long", i, id),
				})
				return
			}
		}
	}},

	FaultVBSMemberOrder500: {request: panics(FaultVBSMemberOrder500, func(c *plantCall) bool {
		if c.api != specfacts.VBS || c.r.Method != c.m.cons.VBS.Method {
			return false
		}
		return membersOutOfOrder(json.NewDecoder(bytes.NewReader(c.body)), requestSchema(c.m.contract.Document(specfacts.VBS)))
	})},

	FaultVBSLastOfManyDropped: {response: func(c *plantCall) {
		if c.api != specfacts.VBS {
			return
		}
		res := c.resources()
		if len(res) <= LastOfManyBatch {
			return
		}
		last := res[len(res)-1].ID
		drop := func(l []any) []any {
			return slices.DeleteFunc(l, func(it any) bool {
				item, _ := it.(map[string]any)
				return item["resource_id"] == last
			})
		}
		c.editLists(func(success, fail []any) ([]any, []any) { return drop(success), drop(fail) })
	}},
}

func init() {
	faultCatalog = append(faultCatalog, relationFaults...)
	for n, p := range relationPlants {
		plants[n] = p
	}
}

// requestSchema is the JSON schema of the request body of the document's operation.
func requestSchema(doc *openapi3.T) *openapi3.Schema {
	if doc == nil || doc.Paths == nil {
		return nil
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
				return mt.Schema.Value
			}
		}
	}
	return nil
}

// membersOutOfOrder reads one JSON value and reports whether an object in it lists two of
// its schema's required members in the other order than the schema does (the order of the
// parameter table and the example). A value that is not JSON is in no order.
func membersOutOfOrder(dec *json.Decoder, s *openapi3.Schema) bool {
	out, err := outOfOrder(dec, s)
	return err == nil && out
}

func outOfOrder(dec *json.Decoder, s *openapi3.Schema) (bool, error) {
	tok, err := dec.Token()
	if err != nil {
		return false, err
	}
	out := false
	switch tok {
	case json.Delim('{'):
		last := -1
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return false, err
			}
			key, _ := kt.(string)
			var ps *openapi3.Schema
			if s != nil {
				if p := s.Properties[key]; p != nil {
					ps = p.Value
				}
				if i := slices.Index(s.Required, key); i >= 0 {
					out = out || i < last
					last = i
				}
			}
			inner, err := outOfOrder(dec, ps)
			if err != nil {
				return false, err
			}
			out = out || inner
		}
		_, err = dec.Token()
	case json.Delim('['):
		var is *openapi3.Schema
		if s != nil && s.Items != nil {
			is = s.Items.Value
		}
		for dec.More() {
			inner, err := outOfOrder(dec, is)
			if err != nil {
				return false, err
			}
			out = out || inner
		}
		_, err = dec.Token()
	}
	return out, err
}
