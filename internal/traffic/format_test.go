package traffic

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/koobackup/conformance/internal/redact"
)

func sampleExchanges() []Exchange {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return []Exchange{
		{
			Start: start, Duration: 1500 * time.Microsecond,
			Request: Request{
				Method: "POST", URL: "http://127.0.0.1:8081/v1/instances/backup",
				Header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"r-1"}},
				Body:   []byte(`{"instance_ids":["a44uhlf7"]}`), Size: 29,
			},
			Response: &Response{
				Status: 200, Header: http.Header{"Content-Type": {"application/json"}},
				Body: []byte(`{"data":{"task_id":"t","cmd_jobs":[]}}`), Size: 38,
			},
		},
		{
			Start:   start.Add(time.Second),
			Request: Request{Method: "POST", URL: "http://127.0.0.1:8081/v2/p/backuppolicyresources", Header: http.Header{}, Body: []byte{0xff, 0xfe, 'x'}, Size: 5 << 20, Truncated: true},
			Error:   "upstream unreachable", ErrorKind: ErrorUpstreamUnreachable,
		},
	}
}

func roundTrip(t *testing.T, format Format, in []Exchange) ([]Exchange, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, format, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range in {
		if err := w.Write(ex); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var out []Exchange
	got, err := Read(bytes.NewReader(buf.Bytes()), func(ex Exchange) error { out = append(out, ex); return nil })
	if err != nil {
		t.Fatalf("read back %s: %v\n%s", format, err, buf.String())
	}
	if got != format {
		t.Fatalf("detected %s, wrote %s", got, format)
	}
	return out, buf.Bytes()
}

// Both formats give back every field of every exchange, including binary bodies and truncation.
func TestRoundTripBothFormats(t *testing.T) {
	for _, format := range []Format{NDJSON, HAR} {
		out, _ := roundTrip(t, format, sampleExchanges())
		want := sampleExchanges()
		if len(out) != len(want) {
			t.Fatalf("%s: %d exchanges, want %d", format, len(out), len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(out[i], want[i]) {
				t.Errorf("%s exchange %d:\n got %+v\nwant %+v", format, i, out[i], want[i])
			}
		}
	}
}

// A HAR recording is a valid HAR 1.2 document with the fields the format requires.
func TestHARIsWellFormed(t *testing.T) {
	_, raw := roundTrip(t, HAR, sampleExchanges())
	var doc struct {
		Log struct {
			Version string           `json:"version"`
			Entries []map[string]any `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if doc.Log.Version != "1.2" || len(doc.Log.Entries) != 2 {
		t.Fatalf("version %q, %d entries", doc.Log.Version, len(doc.Log.Entries))
	}
	for _, key := range []string{"startedDateTime", "time", "request", "response", "cache", "timings"} {
		if _, ok := doc.Log.Entries[0][key]; !ok {
			t.Errorf("entry lacks required %q", key)
		}
	}
}

// Tokens never reach a recording: credential headers are masked and known secrets removed everywhere.
func TestRecordingIsRedacted(t *testing.T) {
	const token = "tok-very-secret-123"
	ex := sampleExchanges()[0]
	ex.Request.Header = http.Header{"X-Auth-Token": {token}, "X-Other": {"echo " + token}}
	ex.Response.Body = []byte(`{"error_msg":"bad token ` + token + `"}`)
	for _, format := range []Format{NDJSON, HAR} {
		var buf bytes.Buffer
		w, _ := NewWriter(&buf, format, redact.New(token))
		if err := w.Write(ex); err != nil {
			t.Fatal(err)
		}
		_ = w.Close()
		if strings.Contains(buf.String(), token) {
			t.Fatalf("%s recording holds the token:\n%s", format, buf.String())
		}
		if !strings.Contains(buf.String(), redact.Mask) {
			t.Fatalf("%s recording has no mask", format)
		}
	}
	if ex.Request.Header.Get("X-Auth-Token") != token {
		t.Fatal("Write modified the caller's exchange")
	}
}

// A pretty-printed HAR exported by another tool is recognised and read.
func TestReadPrettyHAR(t *testing.T) {
	doc := `{
  "log": {
    "version": "1.2",
    "creator": {"name": "browser", "version": "1"},
    "entries": [{
      "startedDateTime": "2026-01-02T03:04:05Z", "time": 3,
      "request": {"method": "POST", "url": "https://x/v1/instances/backup", "httpVersion": "HTTP/1.1",
        "headers": [{"name": "x-request-id", "value": "r"}], "cookies": [], "queryString": [],
        "postData": {"mimeType": "application/json", "text": "{}"}, "headersSize": -1, "bodySize": 2},
      "response": {"status": 400, "statusText": "", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
        "content": {"size": 3, "mimeType": "application/json", "text": "e30=", "encoding": "base64"},
        "redirectURL": "", "headersSize": -1, "bodySize": 3},
      "cache": {}, "timings": {"send": 0, "wait": 3, "receive": 0}
    }]
  }
}`
	var got []Exchange
	format, err := Read(strings.NewReader(doc), func(ex Exchange) error { got = append(got, ex); return nil })
	if err != nil || format != HAR || len(got) != 1 {
		t.Fatalf("format %s, %d exchanges, err %v", format, len(got), err)
	}
	if got[0].Request.Header.Get("X-Request-Id") != "r" || string(got[0].Response.Body) != "{}" || got[0].Response.Status != 400 {
		t.Fatalf("got %+v / %+v", got[0].Request, got[0].Response)
	}
}

// Bad recordings are refused with an error naming the line or entry and the reason.
func TestReadRejectsBadInput(t *testing.T) {
	cases := []struct{ name, data, want string }{
		{"empty", "  \n", "is empty"},
		{"not json", "hello\n", "line 1"},
		{"bad second line", `{"request":{"method":"POST","url":"http://x/"}}` + "\n{oops\n", "line 2"},
		{"missing method", `{"request":{"url":"http://x/"}}` + "\n", "request.method"},
		{"bad status", `{"request":{"method":"GET","url":"http://x/"},"response":{"status":7}}` + "\n", "not an HTTP status"},
		{"bad base64", `{"request":{"method":"GET","url":"http://x/","body":"!!","body_encoding":"base64"}}` + "\n", "base64"},
		{"broken har", `{"log": {"entries": [`, "not a HAR document"},
		{"har entry", `{"log":{"version":"1.2","entries":[{"request":{"url":"x"}}]}}`, "entry 1"},
	}
	for _, c := range cases {
		_, err := Read(strings.NewReader(c.data), func(Exchange) error { return nil })
		var fe *FormatError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want a FormatError containing %q", c.name, err, c.want)
		}
	}
}

// Excerpts are bounded, marked when cut, and never split a character.
func TestExcerpt(t *testing.T) {
	if got := Excerpt([]byte("short"), 10); got != "short" {
		t.Fatalf("got %q", got)
	}
	got := Excerpt([]byte("ééééé"), 3)
	if !strings.HasPrefix(got, "é") || strings.HasPrefix(got, "éé") || !strings.HasSuffix(got, "(truncated)") {
		t.Fatalf("got %q", got)
	}
}
