package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
)

// plant is how one planted fault deviates, from outside the reference handlers: it may
// give the reference a contract that differs from the law (a server wrong about its own
// limits), rewrite the request or the world before the reference answers (or answer
// itself), and rewrite the answer afterwards. Because the reference handlers know nothing of
// it, a plant applies on top of any readings.
type plant struct {
	// contract edits the documents the reference checks requests against.
	contract contract.DocumentEdit
	// request runs before the reference; it reports true when it has answered itself.
	request func(c *plantCall, w http.ResponseWriter) bool
	// response rewrites the reference's answer; a status of 0 afterwards sends nothing.
	response func(c *plantCall)
	// api is the API of the fault (Fault.API): a planted deviation is one server's, so the
	// other API's answers are the reference's.
	api specfacts.API
}

// plants are all planted faults by name.
var plants = func() map[string]plant {
	out := map[string]plant{}
	for n, p := range kooPhonePlants {
		out[n] = p
	}
	for n, p := range vbsPlants {
		out[n] = p
	}
	for n, p := range kooPhoneJudgementPlants {
		out[n] = p
	}
	for n, p := range gatewayPlants {
		out[n] = p
	}
	return out
}()

// plantCall is one request and its answer as the plants see them.
type plantCall struct {
	m         *Mock
	api       specfacts.API
	r         *http.Request
	body      []byte
	projectID string

	status int
	header http.Header
	answer []byte

	// notes carry what a plant's request side saw to its response side.
	notes map[string]any
}

// plantedPanic is what the "answered with a 500" faults panic with: ServeHTTP recovers every
// panic into the API's internal error, exactly what a server that trips over bad input does.
type plantedPanic string

// plantFaults switches on the faults WithFault named: the reference is served through
// servePlanted, against the plants' contract when one edits it.
func (m *Mock) plantFaults() {
	var edits []contract.DocumentEdit
	var editors []string
	for _, name := range m.faults {
		p := plants[name]
		if p.contract != nil {
			edits = append(edits, p.contract)
			editors = append(editors, name)
		}
		f, _ := LookupFault(name)
		p.api = f.API
		m.plants = append(m.plants, p)
	}
	if len(edits) > 0 {
		m.contract = plantedContract(editors, edits)
		m.cons = m.contract.Constraints()
	}
	m.serve = m.servePlanted
}

// plantedContracts caches the edited contracts by the faults that edit them: loading one
// costs as much as loading the law, and mutation testing builds many mocks with one fault.
var plantedContracts sync.Map

// plantedContract loads the contract with every edit applied. A failing edit is a
// programming error of the plant, which the fault tests exercise.
func plantedContract(names []string, edits []contract.DocumentEdit) *contract.Contract {
	key := strings.Join(slices.Sorted(slices.Values(names)), ",")
	if c, ok := plantedContracts.Load(key); ok {
		return c.(*contract.Contract)
	}
	c, err := contract.LoadEdited(func(api specfacts.API, doc *openapi3.T) error {
		for _, edit := range edits {
			if err := edit(api, doc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		panic(fmt.Sprintf("mock: planted faults %s: %v", key, err))
	}
	actual, _ := plantedContracts.LoadOrStore(key, c)
	return actual.(*contract.Contract)
}

// servePlanted runs the switched-on plants around the reference. KooPhone's plants see only
// its own method; VBS plants see every method (vbs-method-not-allowed has a planted fault).
func (m *Mock) servePlanted(w http.ResponseWriter, r *http.Request, which specfacts.API, projectID string) {
	if which == specfacts.KooPhone && r.Method != m.cons.KooPhone.Method {
		m.serveReference(w, r, which, projectID)
		return
	}
	var body []byte
	if r.Body != nil {
		// One byte over the largest limit any reading uses, so the reference still sees an
		// oversized body as one.
		var err error
		if body, err = readAll(io.LimitReader(r.Body, parsedBodyLimit+1), r.ContentLength, parsedBodyLimit+1); err != nil {
			m.requestError(w, which, "body: could not be read")
			return
		}
	}
	c := &plantCall{m: m, api: which, r: r, body: body, projectID: projectID, notes: map[string]any{}}
	for _, p := range m.plants {
		if p.api == which && p.request != nil && p.request(c, w) {
			return
		}
	}
	req := c.r.Clone(c.r.Context())
	req.Body = io.NopCloser(bytes.NewReader(c.body))
	req.ContentLength = int64(len(c.body))
	capture := &answerCapture{real: w, header: http.Header{}}
	m.serveReference(capture, req, which, c.projectID)
	if capture.hijacked {
		return
	}
	c.status, c.header, c.answer = capture.status, capture.header, capture.body.Bytes()
	if c.status == 0 {
		c.status = http.StatusOK
	}
	for _, p := range m.plants {
		if p.api == which && p.response != nil {
			p.response(c)
		}
	}
	if c.status == 0 {
		return
	}
	for k, v := range c.header {
		w.Header()[k] = v
	}
	w.WriteHeader(c.status)
	_, _ = w.Write(c.answer)
}

// answerCapture keeps the reference's answer for the plants to rewrite. It unwraps to the
// real writer so that an injected dropped connection still reaches the connection.
type answerCapture struct {
	real     http.ResponseWriter
	header   http.Header
	status   int
	body     bytes.Buffer
	hijacked bool
}

func (a *answerCapture) Header() http.Header { return a.header }

func (a *answerCapture) WriteHeader(code int) {
	if a.status == 0 {
		a.status = code
	}
}

func (a *answerCapture) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	return a.body.Write(b)
}

// Unwrap lets http.ResponseController hijack the real connection (drop-connection); the
// capture then has nothing to send.
func (a *answerCapture) Unwrap() http.ResponseWriter {
	a.hijacked = true
	return a.real
}

// ---------------------------------------------------------------- helpers of the plants

// requestObject decodes the request body as a JSON object; nil when it is not one.
func (c *plantCall) requestObject() map[string]any {
	obj, msg := decodeObject(c.body)
	if msg != "" {
		return nil
	}
	return obj
}

// setRequestObject replaces the request body.
func (c *plantCall) setRequestObject(obj map[string]any) {
	c.body = mustMarshal(obj)
}

// answerObject decodes the answer as a JSON object; nil when it is not one.
func (c *plantCall) answerObject() map[string]any {
	dec := json.NewDecoder(bytes.NewReader(c.answer))
	dec.UseNumber()
	var obj map[string]any
	if dec.Decode(&obj) != nil {
		return nil
	}
	return obj
}

// setAnswerObject replaces the answer body.
func (c *plantCall) setAnswerObject(obj map[string]any) {
	c.answer = append(mustMarshal(obj), '\n')
}

// editAnswer applies edit to the decoded answer when it is a JSON object.
func (c *plantCall) editAnswer(edit func(obj map[string]any)) {
	if obj := c.answerObject(); obj != nil {
		edit(obj)
		c.setAnswerObject(obj)
	}
}

// requestHeader returns a request header, trimmed.
func (c *plantCall) requestHeader(name string) string {
	return strings.TrimSpace(c.r.Header.Get(name))
}

// setRequestHeader sets a request header on a copy of the request.
func (c *plantCall) setRequestHeader(name, value string) {
	r := c.r.Clone(c.r.Context())
	r.Header.Set(name, value)
	c.r = r
}

// hang holds the answer back until the client gives up.
func (c *plantCall) hang() {
	<-c.r.Context().Done()
	c.status = 0
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Values decoded from JSON always encode again.
		panic(err)
	}
	return b
}

// hasUnknownMember reports whether obj has a member the known set does not list.
func hasUnknownMember(obj map[string]any, known map[string]bool) bool {
	for k := range obj {
		if !known[k] {
			return true
		}
	}
	return false
}

// hasRepeat reports whether a JSON array repeats a value of key (or the item itself, when
// key is "").
func hasRepeat(list []any, key string) bool {
	seen := map[string]bool{}
	for _, item := range list {
		v := item
		if key != "" {
			obj, ok := item.(map[string]any)
			if !ok {
				continue
			}
			v = obj[key]
		}
		s, ok := v.(string)
		if !ok {
			continue
		}
		if seen[s] {
			return true
		}
		seen[s] = true
	}
	return false
}

// panics answers the request with the API's internal error by panicking, when cond holds.
func panics(name string, cond func(c *plantCall) bool) func(c *plantCall, w http.ResponseWriter) bool {
	return func(c *plantCall, w http.ResponseWriter) bool {
		if cond(c) {
			panic(plantedPanic(name))
		}
		return false
	}
}

// jsonContentType reports whether the request says its body is JSON.
func (c *plantCall) jsonContentType() bool { return isJSONMediaType(c.r.Header.Get("Content-Type")) }

// textPlain labels every answer text/plain although the body is JSON.
func textPlain(c *plantCall) { c.header.Set("Content-Type", "text/plain; charset=utf-8") }
