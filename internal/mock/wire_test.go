package mock

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/iotest"
)

// readAll reads what io.ReadAll reads and fails where it fails, whatever Content-Length
// says: the right length, none, one that is too short or too long, over the limit of a
// limiting reader, and a reader that breaks; with the right length it allocates once.
func TestReadAllIsIOReadAll(t *testing.T) {
	const limit = 1 << 10
	body := bytes.Repeat([]byte("x"), limit/2)
	big := bytes.Repeat([]byte("y"), 3*limit)
	broken := errors.New("connection reset")
	cases := []struct {
		name          string
		reader        func() io.Reader
		contentLength int64
	}{
		{"exact length", func() io.Reader { return bytes.NewReader(body) }, int64(len(body))},
		{"no length", func() io.Reader { return bytes.NewReader(body) }, -1},
		{"zero length", func() io.Reader { return bytes.NewReader(body) }, 0},
		{"length too short", func() io.Reader { return bytes.NewReader(body) }, 10},
		{"length too long", func() io.Reader { return bytes.NewReader(body) }, 10 * limit},
		{"one byte at a time", func() io.Reader { return iotest.OneByteReader(bytes.NewReader(body)) }, int64(len(body))},
		{"limited, under", func() io.Reader { return io.LimitReader(bytes.NewReader(body), limit+1) }, int64(len(body))},
		{"limited, over", func() io.Reader { return io.LimitReader(bytes.NewReader(big), limit+1) }, int64(len(big))},
		{"over a MaxBytesReader", func() io.Reader {
			return http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(bytes.NewReader(big)), limit)
		}, int64(len(big))},
		{"broken", func() io.Reader { return io.MultiReader(bytes.NewReader(body), iotest.ErrReader(broken)) }, int64(len(body)) * 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, wantErr := io.ReadAll(c.reader())
			got, err := readAll(c.reader(), c.contentLength, limit)
			if !bytes.Equal(got, want) {
				t.Errorf("read %d bytes, io.ReadAll %d", len(got), len(want))
			}
			if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
				t.Errorf("error %v, io.ReadAll's %v", err, wantErr)
			}
			if c.name == "exact length" && cap(got) != len(body)+1 {
				t.Errorf("a %d-byte body of that length read into a buffer of %d, want one allocation of %d", len(got), cap(got), len(body)+1)
			}
		})
	}
}
