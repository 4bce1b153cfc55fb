package proxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// upstreamClient is the proxy's HTTP/1.1 client for plain-http upstreams. The request is
// written and the response read on the handler's own goroutine over a pool of kept-alive
// connections; net/http's Transport hands every exchange to two goroutines of its own per
// connection, which the profile of the proxy benchmark showed costing about a fifth of the
// proxy's CPU. https upstreams, and WithTransport, use a Transport instead.
type upstreamClient struct {
	addr    string
	dialer  *net.Dialer
	maxIdle int
	idleFor time.Duration

	mu     sync.Mutex
	idle   []*upstreamConn
	closed bool
}

type upstreamConn struct {
	conn     net.Conn
	br       *bufio.Reader
	bw       *bufio.Writer
	lastUsed time.Time
}

func newUpstreamClient(addr string, maxIdle int) *upstreamClient {
	return &upstreamClient{
		addr: addr, maxIdle: maxIdle,
		dialer: &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second},
		// Well under the idle timeouts servers use, so a kept connection is rarely one
		// the server has already closed.
		idleFor: 30 * time.Second,
	}
}

// get returns a kept-alive connection or dials a new one; reused reports which.
func (u *upstreamClient) get(ctx context.Context) (*upstreamConn, bool, error) {
	now := time.Now()
	u.mu.Lock()
	for len(u.idle) > 0 {
		c := u.idle[len(u.idle)-1]
		u.idle = u.idle[:len(u.idle)-1]
		if now.Sub(c.lastUsed) < u.idleFor {
			u.mu.Unlock()
			return c, true, nil
		}
		_ = c.conn.Close()
	}
	u.mu.Unlock()
	conn, err := u.dialer.DialContext(ctx, "tcp", u.addr)
	if err != nil {
		return nil, false, err
	}
	return &upstreamConn{conn: conn, br: bufio.NewReaderSize(conn, 16<<10), bw: bufio.NewWriterSize(conn, 16<<10)}, false, nil
}

func (u *upstreamClient) put(c *upstreamConn) {
	if err := c.conn.SetDeadline(time.Time{}); err != nil {
		_ = c.conn.Close()
		return
	}
	c.lastUsed = time.Now()
	u.mu.Lock()
	if u.closed || len(u.idle) >= u.maxIdle {
		u.mu.Unlock()
		_ = c.conn.Close()
		return
	}
	u.idle = append(u.idle, c)
	u.mu.Unlock()
}

// close closes the kept connections and keeps no more; requests still served dial their
// own.
func (u *upstreamClient) close() {
	u.mu.Lock()
	u.closed = true
	u.mu.Unlock()
	u.CloseIdleConnections()
}

// CloseIdleConnections closes the kept connections; later requests dial again.
func (u *upstreamClient) CloseIdleConnections() {
	u.mu.Lock()
	idle := u.idle
	u.idle = nil
	u.mu.Unlock()
	for _, c := range idle {
		_ = c.conn.Close()
	}
}

// errNoAnswer is a kept-alive connection the server closed before answering.
var errNoAnswer = errors.New("upstream closed the connection without answering")

// RoundTrip sends req and reads the response head; the body is read from the connection
// by the caller, and closing it returns the connection to the pool when it was read to
// the end and the server keeps it open.
func (u *upstreamClient) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		c, reused, err := u.get(ctx)
		if err != nil {
			if req.Body != nil {
				_ = req.Body.Close()
			}
			return nil, err
		}
		resp, err := u.exchange(ctx, c, req)
		if err == nil {
			return resp, nil
		}
		_ = c.conn.Close()
		// A kept connection the server closed while idle fails before any byte of an
		// answer; the request is sent again once on a new connection when its body can
		// be replayed, as net/http's Transport does.
		if reused && attempt == 0 && errors.Is(err, errNoAnswer) && ctx.Err() == nil && (req.Body == nil || req.Body == http.NoBody || req.GetBody != nil) {
			if req.GetBody != nil {
				body, gerr := req.GetBody()
				if gerr != nil {
					return nil, err
				}
				req = req.Clone(ctx)
				req.Body = body
			}
			continue
		}
		return nil, err
	}
}

func (u *upstreamClient) exchange(ctx context.Context, c *upstreamConn, req *http.Request) (*http.Response, error) {
	// Cancelling the request (client gone, the proxy's timeout) unblocks the connection's
	// reads and writes at once; the context's cause then says which it was.
	stop := context.AfterFunc(ctx, func() { _ = c.conn.SetDeadline(time.Unix(1, 0)) })
	fail := func(err error) (*http.Response, error) {
		stop()
		if cause := context.Cause(ctx); cause != nil {
			return nil, fmt.Errorf("%w (%w)", cause, err)
		}
		return nil, err
	}
	// A write that fails without a timeout means the server had closed the connection:
	// it cannot have read the whole request.
	if err := req.Write(c.bw); err != nil {
		return fail(noAnswer(err))
	}
	if err := c.bw.Flush(); err != nil {
		return fail(noAnswer(err))
	}
	if _, err := c.br.Peek(1); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isReset(err) {
			return fail(fmt.Errorf("%w: %w", errNoAnswer, err))
		}
		return fail(err)
	}
	resp, err := http.ReadResponse(c.br, req)
	// Interim answers (100 Continue, 103 Early Hints) precede the real one.
	for err == nil && resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
		_ = resp.Body.Close()
		resp, err = http.ReadResponse(c.br, req)
	}
	if err != nil {
		return fail(err)
	}
	resp.Body = &upstreamBody{body: resp.Body, c: c, u: u, stop: stop, keep: !resp.Close && !req.Close}
	return resp, nil
}

func noAnswer(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return err
	}
	return fmt.Errorf("%w: %w", errNoAnswer, err)
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "read" && !op.Timeout()
}

// upstreamBody hands the connection back once the body has been read whole.
type upstreamBody struct {
	body io.ReadCloser
	c    *upstreamConn
	u    *upstreamClient
	stop func() bool
	keep bool
	eof  bool
	done bool
}

func (b *upstreamBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	if errors.Is(err, io.EOF) {
		b.eof = true
	}
	return n, err
}

func (b *upstreamBody) Close() error {
	if b.done {
		return nil
	}
	b.done = true
	if !b.eof {
		// A short rest (an unread newline, a body cut by the caller's limit) is read so
		// the connection can be kept; a long one is not worth it.
		n, err := io.CopyN(io.Discard, b.body, 4<<10)
		b.eof = err == io.EOF || (err == nil && n == 0)
	}
	_ = b.body.Close()
	canceled := !b.stop()
	if b.keep && b.eof && !canceled {
		b.u.put(b.c)
	} else {
		_ = b.c.conn.Close()
	}
	return nil
}
