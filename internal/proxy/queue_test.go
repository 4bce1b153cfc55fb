package proxy

import (
	"sync"
	"testing"
	"time"
)

// wait covers every job submitted before it, even when workers finish them out of order, and returns while new jobs keep arriving.
func TestQueueWaitCoversEarlierJobsUnderContinuousLoad(t *testing.T) {
	var mu sync.Mutex
	seen := map[*job]bool{}
	q := newQueue(func(j *job) {
		if j.ex.Request.Method == "SLOW" {
			time.Sleep(20 * time.Millisecond)
			mu.Lock()
			seen[j] = true
			mu.Unlock()
		}
	}, 4)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				q.submit(&job{})
			}
		}
	}()
	time.Sleep(10 * time.Millisecond)
	var mine []*job
	for range 8 {
		j := &job{}
		j.ex.Request.Method = "SLOW"
		mine = append(mine, j)
		q.submit(j)
	}
	done := make(chan struct{})
	go func() { q.wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("wait did not return while jobs kept arriving")
	}
	mu.Lock()
	for i, j := range mine {
		if !seen[j] {
			t.Errorf("wait returned before slow job %d, submitted ahead of it, was checked", i)
		}
	}
	mu.Unlock()
	close(stop)
	wg.Wait()
	q.close()
	q.submit(&job{}) // after close: checked on the caller's goroutine
}
