package hostile

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Handler serves one accepted connection; nth counts connections from 1.
type Handler func(nth int, c net.Conn)

// Server is a listener whose every accepted connection is served by a Handler.
type Server struct {
	// URL is the base URL of the server, http://host:port.
	URL string
	// Accepted counts the connections accepted so far.
	Accepted atomic.Int32
}

// Listen serves every connection with handle until the test ends, when the listener and
// every accepted connection are closed.
func Listen(t testing.TB, handle Handler) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{URL: "http://" + ln.Addr().String()}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n := s.Accepted.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go handle(int(n), c)
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return s
}

// Hang accepts and never answers.
func Hang(int, net.Conn) {}

// Garbage answers the first request bytes with a line that is not HTTP.
func Garbage(_ int, c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _ = c.Read(make([]byte, 4096))
	_, _ = io.WriteString(c, "SSH-2.0-OpenSSH_9.6 not http\r\n\r\n")
	CloseGently(c)
}

// CloseGently ends the answer and drains what the client still sends before closing:
// closing with unread request bytes would reset the connection, and the client would see
// the reset instead of the answer.
func CloseGently(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.Copy(io.Discard, c)
	_ = c.Close()
}

// RefusedURL is a base URL at which nothing listens: a port just released.
func RefusedURL(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr
}
