package mock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/koobackup/conformance/internal/target"
)

// Server is a mock listening on a TCP address, for tests and the suites.
type Server struct {
	mock     *Mock
	srv      *http.Server
	listener net.Listener
	url      string
	done     chan struct{}
	once     sync.Once
	closeErr error
}

// WithWorld makes Start serve w instead of a fresh default world; New ignores it (it takes
// the world as an argument).
func WithWorld(w *World) Option { return func(m *Mock) { m.startWorld = w } }

// Start listens on addr (e.g. "127.0.0.1:0") and serves a new mock until ctx is done or
// Close is called.
func Start(ctx context.Context, addr string, opts ...Option) (*Server, error) {
	probe := &Mock{readings: map[string]string{}}
	for _, o := range opts {
		if o != nil {
			o(probe)
		}
	}
	w := probe.startWorld
	if w == nil {
		var err error
		if w, err = DefaultWorld(); err != nil {
			return nil, fmt.Errorf("start mock: %w", err)
		}
	}
	m := New(w, opts...)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("start mock: listen on %s: %w", addr, err)
	}
	s := &Server{
		mock:     m,
		listener: ln,
		url:      "http://" + ln.Addr().String(),
		done:     make(chan struct{}),
		srv: &http.Server{
			Handler:           m,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       60 * time.Second,
			// Dropped connections (an injected failure) and clients that go away are expected;
			// net/http's own complaints about them are noise.
			ErrorLog: log.New(io.Discard, "", 0),
		},
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.log.Error("mock server stopped", "error", err)
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			_ = s.Close()
		case <-s.done:
		}
	}()
	return s, nil
}

// URL is the base URL of the server, e.g. http://127.0.0.1:41234.
func (s *Server) URL() string { return s.url }

// Mock is the handler the server runs.
func (s *Server) Mock() *Mock { return s.mock }

// Target describes the running server as a target file.
func (s *Server) Target() *target.Target { return s.mock.Target(s.url) }

// Close stops the server, letting requests in flight finish for a few seconds.
func (s *Server) Close() error {
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			s.closeErr = fmt.Errorf("stop mock: %w", err)
			_ = s.srv.Close()
		}
		<-s.done
	})
	return s.closeErr
}
