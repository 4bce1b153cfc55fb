package proxy

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"
)

// queueSize bounds the exchanges answered but not yet checked. It is large enough to ride
// out a burst on two cores and small enough that the bodies it holds stay a few MiB; a
// full queue makes handlers wait rather than drop an exchange.
const queueSize = 1024

// queue hands answered exchanges to worker goroutines and can wait until all of them have
// been checked.
type queue struct {
	jobs  chan *queued
	check func(*job)

	// mu guards closed against submissions racing close: submit holds it shared while it
	// sends, close exclusively before it closes the channel.
	mu     sync.RWMutex
	closed bool

	// Jobs are numbered as submitted; checked is the highest number up to which every
	// job has been checked, and early holds the numbers checked out of order beyond it.
	// wait needs only the jobs submitted before it, so it ends under continuous load.
	pendMu    sync.Mutex
	progress  *sync.Cond
	submitted uint64
	checked   uint64
	early     map[uint64]bool

	workers sync.WaitGroup
}

// queued is a job with its submission number.
type queued struct {
	j   *job
	seq uint64
}

func newQueue(check func(*job), workers int) *queue {
	q := &queue{jobs: make(chan *queued, queueSize), check: check, early: map[uint64]bool{}}
	q.progress = sync.NewCond(&q.pendMu)
	for range max(1, workers) {
		q.workers.Add(1)
		go q.work()
	}
	return q
}

func (q *queue) work() {
	defer q.workers.Done()
	for qj := range q.jobs {
		q.check(qj.j)
		q.done(qj.seq)
	}
}

func (q *queue) done(seq uint64) {
	q.pendMu.Lock()
	q.early[seq] = true
	advanced := false
	for q.early[q.checked+1] {
		delete(q.early, q.checked+1)
		q.checked++
		advanced = true
	}
	if advanced {
		q.progress.Broadcast()
	}
	q.pendMu.Unlock()
}

// submit hands j to a worker, waiting while the queue is full; once the queue is closed it
// checks j itself.
func (q *queue) submit(j *job) {
	q.mu.RLock()
	if q.closed {
		q.mu.RUnlock()
		q.check(j)
		return
	}
	q.pendMu.Lock()
	q.submitted++
	seq := q.submitted
	q.pendMu.Unlock()
	q.jobs <- &queued{j: j, seq: seq}
	q.mu.RUnlock()
}

// wait returns once every job submitted before the call has been checked.
func (q *queue) wait() {
	q.pendMu.Lock()
	target := q.submitted
	for q.checked < target {
		q.progress.Wait()
	}
	q.pendMu.Unlock()
}

// close lets the workers finish every queued job and stops them.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	close(q.jobs)
	q.mu.Unlock()
	q.workers.Wait()
}

// maxPooledBuffer keeps the pool from pinning the memory of a rare large body.
const maxPooledBuffer = 64 << 10

var bufferPool = sync.Pool{New: func() any { return new(buffer) }}

// buffer holds one body from the request path until the worker has checked it; refs
// counts its users (the job and, for request bodies, the upstream request).
type buffer struct {
	bytes.Buffer
	refs atomic.Int32
}

func getBuffer() *buffer { return bufferPool.Get().(*buffer) }

// release drops one reference and returns the buffer to the pool after the last one.
func (b *buffer) release() {
	if b == nil || b.refs.Add(-1) != 0 {
		return
	}
	if b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	bufferPool.Put(b)
}

// readLimited reads up to limit bytes into b; when the body is longer it returns the first
// limit+1 bytes and truncated=true, leaving the rest unread for streaming.
func (b *buffer) readLimited(body io.Reader, limit int64) ([]byte, bool, error) {
	if body == nil {
		return nil, false, nil
	}
	_, err := b.ReadFrom(io.LimitReader(body, limit+1))
	out := b.Bytes()
	if err != nil {
		return out, false, err
	}
	return out, int64(len(out)) > limit, nil
}

// bufferBody is an upstream request body backed by a pooled buffer; closing it (the
// Transport does, possibly after RoundTrip returned) releases its reference.
type bufferBody struct {
	io.Reader
	buf    *buffer
	closed atomic.Bool
}

func (b *bufferBody) Close() error {
	if b.closed.CompareAndSwap(false, true) {
		b.buf.release()
	}
	return nil
}
