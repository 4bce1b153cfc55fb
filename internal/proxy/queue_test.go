package proxy

import (
	"sync"
	"testing"
)

// wait covers every job submitted before it, even when workers finish them out of order, and returns while new jobs keep arriving.
func TestQueueWaitCoversEarlierJobsUnderContinuousLoad(t *testing.T) {
	var mu sync.Mutex
	seen := map[*job]bool{}
	// Slow jobs hold their worker until gate opens; loaded is closed once fast jobs flow.
	gate, loaded := make(chan struct{}), make(chan struct{})
	var loadedOnce sync.Once
	q := newQueue(func(j *job) {
		if j.ex.Request.Method != "SLOW" {
			loadedOnce.Do(func() { close(loaded) })
			return
		}
		<-gate
		mu.Lock()
		seen[j] = true
		mu.Unlock()
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
	<-loaded
	var mine []*job
	for range 8 {
		j := &job{}
		j.ex.Request.Method = "SLOW"
		mine = append(mine, j)
		q.submit(j)
	}
	// What wait saw is taken the moment it returns: a wait that returned early would see
	// slow jobs still held at the gate.
	var atReturn map[*job]bool
	done := make(chan struct{})
	go func() {
		q.wait()
		mu.Lock()
		atReturn = make(map[*job]bool, len(seen))
		for j := range seen {
			atReturn[j] = true
		}
		mu.Unlock()
		close(done)
	}()
	close(gate)
	// A wait that never returned under the continuous load would hold the test until the
	// test binary's own timeout.
	<-done
	for i, j := range mine {
		if !atReturn[j] {
			t.Errorf("wait returned before slow job %d, submitted ahead of it, was checked", i)
		}
	}
	close(stop)
	wg.Wait()
	q.close()
	q.submit(&job{}) // after close: checked on the caller's goroutine
}
