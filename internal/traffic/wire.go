package traffic

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"sort"
	"time"
	"unicode/utf8"
)

// ndjsonLine is one line of an NDJSON recording.
type ndjsonLine struct {
	Start      time.Time     `json:"start"`
	DurationMS float64       `json:"duration_ms"`
	Request    ndjsonRequest `json:"request"`
	Response   *ndjsonResp   `json:"response,omitempty"`
	Error      string        `json:"error,omitempty"`
	ErrorKind  ErrorKind     `json:"error_kind,omitempty"`
}

type ndjsonRequest struct {
	Method    string      `json:"method"`
	URL       string      `json:"url"`
	Headers   http.Header `json:"headers,omitempty"`
	Body      string      `json:"body,omitempty"`
	Encoding  string      `json:"body_encoding,omitempty"`
	Size      int64       `json:"body_size"`
	Truncated bool        `json:"body_truncated,omitempty"`
}

type ndjsonResp struct {
	Status    int         `json:"status"`
	Headers   http.Header `json:"headers,omitempty"`
	Body      string      `json:"body,omitempty"`
	Encoding  string      `json:"body_encoding,omitempty"`
	Size      int64       `json:"body_size"`
	Truncated bool        `json:"body_truncated,omitempty"`
}

// encodeBody keeps JSON bodies readable in the recording and falls back to base64 for bytes
// that are not UTF-8, so that a recording replays byte for byte.
func encodeBody(b []byte) (text, encoding string) {
	if utf8.Valid(b) {
		return string(b), ""
	}
	return base64.StdEncoding.EncodeToString(b), "base64"
}

func decodeBody(text, encoding string) ([]byte, error) {
	switch encoding {
	case "":
		return []byte(text), nil
	case "base64":
		b, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			return nil, fmt.Errorf("body is not valid base64: %w", err)
		}
		return b, nil
	default:
		return nil, fmt.Errorf("body encoding %q is not supported; want base64 or none", encoding)
	}
}

func toNDJSON(ex Exchange) ndjsonLine {
	line := ndjsonLine{
		Start:      ex.Start.UTC(),
		DurationMS: float64(ex.Duration) / float64(time.Millisecond),
		Error:      ex.Error,
		ErrorKind:  ex.ErrorKind,
	}
	body, enc := encodeBody(ex.Request.Body)
	line.Request = ndjsonRequest{
		Method: ex.Request.Method, URL: ex.Request.URL, Headers: ex.Request.Header,
		Body: body, Encoding: enc, Size: ex.Request.Size, Truncated: ex.Request.Truncated,
	}
	if r := ex.Response; r != nil {
		body, enc := encodeBody(r.Body)
		line.Response = &ndjsonResp{
			Status: r.Status, Headers: r.Header, Body: body, Encoding: enc,
			Size: r.Size, Truncated: r.Truncated,
		}
	}
	return line
}

func fromNDJSON(line ndjsonLine) (Exchange, error) {
	if line.Request.Method == "" || line.Request.URL == "" {
		return Exchange{}, fmt.Errorf("request.method and request.url are required")
	}
	body, err := decodeBody(line.Request.Body, line.Request.Encoding)
	if err != nil {
		return Exchange{}, fmt.Errorf("request: %w", err)
	}
	ex := Exchange{
		Start:     line.Start,
		Duration:  time.Duration(line.DurationMS * float64(time.Millisecond)),
		Error:     line.Error,
		ErrorKind: line.ErrorKind,
		Request: Request{
			Method: line.Request.Method, URL: line.Request.URL, Header: canonical(line.Request.Headers),
			Body: body, Size: sizeOr(line.Request.Size, body), Truncated: line.Request.Truncated,
		},
	}
	if r := line.Response; r != nil {
		body, err := decodeBody(r.Body, r.Encoding)
		if err != nil {
			return Exchange{}, fmt.Errorf("response: %w", err)
		}
		if r.Status < 100 || r.Status > 999 {
			return Exchange{}, fmt.Errorf("response.status %d is not an HTTP status", r.Status)
		}
		ex.Response = &Response{
			Status: r.Status, Header: canonical(r.Headers), Body: body,
			Size: sizeOr(r.Size, body), Truncated: r.Truncated,
		}
	}
	return ex, nil
}

func sizeOr(size int64, body []byte) int64 {
	if size > 0 {
		return size
	}
	return int64(len(body))
}

// canonical re-keys headers read from a file, which may spell names in any case.
func canonical(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			out.Add(k, v)
		}
	}
	return out
}

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/). Fields this project adds are
// prefixed with an underscore, as the format asks of custom fields.
type harFile struct {
	Log harLog `json:"log"`
}

type harLog struct {
	Version string     `json:"version"`
	Creator harCreator `json:"creator"`
	Entries []harEntry `json:"entries"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harEntry struct {
	StartedDateTime time.Time   `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         harTimings  `json:"timings"`
	Error           string      `json:"_error,omitempty"`
	ErrorKind       ErrorKind   `json:"_error_kind,omitempty"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Cookies     []harNV      `json:"cookies"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	PostData    *harPostData `json:"postData,omitempty"`
	HeadersSize int64        `json:"headersSize"`
	BodySize    int64        `json:"bodySize"`
	Truncated   bool         `json:"_truncated,omitempty"`
}

type harPostData struct {
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
	Encoding string `json:"_encoding,omitempty"`
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Cookies     []harNV    `json:"cookies"`
	Headers     []harNV    `json:"headers"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int64      `json:"headersSize"`
	BodySize    int64      `json:"bodySize"`
	Truncated   bool       `json:"_truncated,omitempty"`
}

type harContent struct {
	Size     int64  `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Encoding string `json:"encoding,omitempty"`
}

type harTimings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

func harHeaders(h http.Header) []harNV {
	out := []harNV{}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, harNV{Name: k, Value: v})
		}
	}
	return out
}

func fromHARHeaders(nvs []harNV) http.Header {
	h := make(http.Header, len(nvs))
	for _, nv := range nvs {
		h.Add(nv.Name, nv.Value)
	}
	return h
}

func toHAR(ex Exchange) harEntry {
	ms := float64(ex.Duration) / float64(time.Millisecond)
	e := harEntry{
		StartedDateTime: ex.Start.UTC(),
		Time:            ms,
		Timings:         harTimings{Send: 0, Wait: ms, Receive: 0},
		Error:           ex.Error,
		ErrorKind:       ex.ErrorKind,
		Request: harRequest{
			Method: ex.Request.Method, URL: ex.Request.URL, HTTPVersion: "HTTP/1.1",
			Cookies: []harNV{}, Headers: harHeaders(ex.Request.Header), QueryString: []harNV{},
			HeadersSize: -1, BodySize: ex.Request.Size, Truncated: ex.Request.Truncated,
		},
		// A HAR entry always has a response; status 0 is the format's way of saying none came.
		Response: harResponse{
			HTTPVersion: "HTTP/1.1", Cookies: []harNV{}, Headers: []harNV{}, HeadersSize: -1, BodySize: -1,
		},
	}
	if ex.Request.Size > 0 || len(ex.Request.Body) > 0 {
		text, enc := encodeBody(ex.Request.Body)
		e.Request.PostData = &harPostData{MimeType: ex.Request.Header.Get("Content-Type"), Text: text, Encoding: enc}
	}
	if r := ex.Response; r != nil {
		text, enc := encodeBody(r.Body)
		e.Response = harResponse{
			Status: r.Status, StatusText: http.StatusText(r.Status), HTTPVersion: "HTTP/1.1",
			Cookies: []harNV{}, Headers: harHeaders(r.Header),
			Content:     harContent{Size: r.Size, MimeType: r.Header.Get("Content-Type"), Text: text, Encoding: enc},
			HeadersSize: -1, BodySize: r.Size, Truncated: r.Truncated,
		}
	}
	return e
}

func fromHAR(e harEntry) (Exchange, error) {
	if e.Request.Method == "" || e.Request.URL == "" {
		return Exchange{}, fmt.Errorf("request.method and request.url are required")
	}
	ex := Exchange{
		Start:     e.StartedDateTime,
		Duration:  time.Duration(e.Time * float64(time.Millisecond)),
		Error:     e.Error,
		ErrorKind: e.ErrorKind,
		Request: Request{
			Method: e.Request.Method, URL: e.Request.URL, Header: fromHARHeaders(e.Request.Headers),
			Truncated: e.Request.Truncated,
		},
	}
	if pd := e.Request.PostData; pd != nil {
		body, err := decodeBody(pd.Text, pd.Encoding)
		if err != nil {
			return Exchange{}, fmt.Errorf("request.postData: %w", err)
		}
		ex.Request.Body = body
	}
	ex.Request.Size = sizeOr(e.Request.BodySize, ex.Request.Body)
	if e.Response.Status == 0 {
		return ex, nil
	}
	body, err := decodeBody(e.Response.Content.Text, e.Response.Content.Encoding)
	if err != nil {
		return Exchange{}, fmt.Errorf("response.content: %w", err)
	}
	if e.Response.Status < 100 || e.Response.Status > 999 {
		return Exchange{}, fmt.Errorf("response.status %d is not an HTTP status", e.Response.Status)
	}
	size := e.Response.Content.Size
	if e.Response.BodySize > size {
		size = e.Response.BodySize
	}
	ex.Response = &Response{
		Status: e.Response.Status, Header: fromHARHeaders(e.Response.Headers), Body: body,
		Size: sizeOr(size, body), Truncated: e.Response.Truncated,
	}
	return ex, nil
}
