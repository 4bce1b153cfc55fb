package proxy

import (
	"bytes"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/koobackup/conformance/internal/traffic"
)

// newTransport is the Transport shared by every exchange of a proxy: kept-alive
// connections sized for the load, and the standard library's handling of TLS, HTTP/2,
// interim answers and idle connections the server closed.
func newTransport() *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * MaxIdleConnsPerHost,
		MaxIdleConnsPerHost: MaxIdleConnsPerHost,
		// Well under the idle timeouts servers use, so a kept connection is rarely one the
		// server has already closed.
		IdleConnTimeout:       30 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
	}
}

// newReverseProxy forwards with the standard library's ReverseProxy, which strips the
// hop-by-hop headers both ways, relays interim answers and trailers, and streams bodies.
// The proxy adds what validation needs: the upstream's address (rewrite), the answer
// buffered up to the body limit (buffer), and its own 502 and 504 (failed).
func (p *Proxy) newReverseProxy() *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite:        p.rewrite,
		Transport:      replaying{p.transport},
		ModifyResponse: p.buffer,
		ErrorHandler:   p.failed,
		BufferPool:     copyBuffers{},
		// ReverseProxy reports only a body it could not copy through, which the exchange
		// records as its error.
		ErrorLog: log.New(io.Discard, "", 0),
	}
}

// forwardingHeaders are dropped by ReverseProxy before rewrite; the proxy forwards them
// as the client sent them, like every other end-to-end header.
var forwardingHeaders = []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto"}

// rewrite points the outbound request at the upstream and hands it the buffered body.
func (p *Proxy) rewrite(pr *httputil.ProxyRequest) {
	j := jobOf(pr.In)
	target := p.upstreamURL(pr.In)
	out := pr.Out
	out.URL, out.Host = target, target.Host
	for _, h := range forwardingHeaders {
		if v, ok := pr.In.Header[h]; ok {
			out.Header[h] = v
		}
	}
	// The proxy validates decoded bodies; letting the Transport negotiate compression keeps
	// the upstream's bytes readable and the client gets identity encoding.
	out.Header.Del("Accept-Encoding")
	// ReverseProxy closes the inbound body when ServeHTTP returns, while the Transport may
	// still be sending the request; the buffered body is therefore the Transport's alone,
	// and closing it releases its buffer.
	out.Body, out.GetBody, out.ContentLength = j.outBody, j.getBody, j.outLength
	if out.Body == nil {
		out.Body = http.NoBody
	}
	// A kept-alive connection the server closed while idle fails before the server read
	// the request; with a replayable body the Transport sends it again on a new
	// connection. A nil Idempotency-Key marks the request so without sending the header.
	if out.GetBody != nil || out.Body == http.NoBody {
		if _, ok := out.Header["Idempotency-Key"]; !ok {
			if _, ok := out.Header["X-Idempotency-Key"]; !ok {
				out.Header["Idempotency-Key"] = nil
			}
		}
	}
}

// buffer reads the answer up to the body limit for validation and hands ReverseProxy a
// body that replays it, followed by the rest of an oversized one.
func (p *Proxy) buffer(resp *http.Response) error {
	j := jobOf(resp.Request)
	j.respBuf = getBuffer()
	j.respBuf.refs.Store(1)
	body, truncated, err := j.respBuf.readLimited(resp.Body, p.limit)
	if err != nil {
		return &bodyError{err}
	}
	ex := &j.ex
	// The header is recorded as received; the client's copy differs only in the framing.
	ex.Response = &traffic.Response{Status: resp.StatusCode, Header: resp.Header, Body: body,
		Size: int64(len(body)), Truncated: truncated}
	if truncated && resp.ContentLength > ex.Response.Size {
		ex.Response.Size = resp.ContentLength
	}
	length := []string(nil)
	if !truncated {
		length = []string{strconv.Itoa(len(body))}
	}
	if cl := resp.Header["Content-Length"]; !slices.Equal(cl, length) || resp.Header["Accept-Encoding"] != nil {
		resp.Header = resp.Header.Clone()
		delete(resp.Header, "Accept-Encoding")
		delete(resp.Header, "Content-Length")
		if length != nil {
			resp.Header["Content-Length"] = length
		}
	}
	resp.ContentLength = -1
	if !truncated {
		resp.ContentLength = int64(len(body))
	}
	j.answer.buffered.Reset(body)
	j.answer.rest, j.answer.truncated = resp.Body, truncated
	resp.Body = &j.answer
	return nil
}

// replaying sends a request again, once, on a new connection when writing it failed: the
// server closed the connection before it could have read the whole request (typically a
// kept-alive connection it closed while idle, whose closing the Transport had not yet
// seen), so no answer is lost and nothing is done twice. Only a body that can be read
// again is sent again.
type replaying struct{ http.RoundTripper }

func (t replaying) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.RoundTripper.RoundTrip(req)
	var op *net.OpError
	if err == nil || req.Context().Err() != nil || !errors.As(err, &op) || (op.Op != "write" && op.Op != "readfrom") {
		return resp, err
	}
	again := req.Clone(req.Context())
	switch {
	case req.GetBody != nil:
		body, gerr := req.GetBody()
		if gerr != nil {
			return nil, err
		}
		again.Body = body
	case req.Body != nil && req.Body != http.NoBody:
		return nil, err
	}
	return t.RoundTripper.RoundTrip(again)
}

// bodyError is an upstream answer whose body could not be read.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "reading the response body: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

// failed answers for an exchange the upstream did not complete.
func (p *Proxy) failed(w http.ResponseWriter, r *http.Request, err error) {
	p.upstreamFailed(r.Context(), w, r, jobOf(r), err)
}

// answerBody is what ReverseProxy copies to the client: the buffered part of the answer,
// then, for an oversized one, the rest straight from the upstream.
type answerBody struct {
	buffered  bytes.Reader
	rest      io.ReadCloser
	truncated bool
	// restErr is the upstream's failure while the rest streamed through.
	restErr error
}

func (b *answerBody) Read(p []byte) (int, error) {
	if b.buffered.Len() > 0 {
		return b.buffered.Read(p)
	}
	if !b.truncated {
		return 0, io.EOF
	}
	n, err := b.rest.Read(p)
	if err != nil && err != io.EOF {
		b.restErr = err
	}
	return n, err
}

func (b *answerBody) Close() error { return b.rest.Close() }

// copyBuffers lends ReverseProxy its copy buffers; without a pool it allocates 32 KiB per
// answer.
type copyBuffers struct{}

var copyBufferPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (copyBuffers) Get() []byte { return *copyBufferPool.Get().(*[]byte) }
func (copyBuffers) Put(b []byte) {
	copyBufferPool.Put(&b)
}
