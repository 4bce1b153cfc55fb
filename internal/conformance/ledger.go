package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync"

	"github.com/koobackup/conformance/internal/ledger"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
	. "github.com/onsi/ginkgo/v2"
)

// suitePayload is what process 1 hands every process of a suite: the target file and the
// ids the target's ledger says earlier runs consumed. Process 1 reads the ledger once, so
// every process reserves from the same fresh ids even if the file changed meanwhile.
type suitePayload struct {
	Target  []byte         `json:"target"`
	Earlier ledger.Earlier `json:"earlier"`
}

// earlier is what the ledger said, in this process.
var earlier ledger.Earlier

// withLedger runs on process 1: it adds the target's ledger to the target file it shares.
// The built-in mock was started for this run alone, so it keeps no ledger.
func withLedger(raw []byte, builtIn bool) []byte {
	GinkgoHelper()
	p := suitePayload{Target: raw}
	if !builtIn && os.Getenv(target.EnvVar) != "" {
		t, err := target.Parse(raw)
		if err == nil {
			p.Earlier, err = ledger.ConsumedFor(t)
		}
		if err != nil {
			Fail(fmt.Sprintf("conformance: %v", err))
		}
	}
	out, err := json.Marshal(p)
	if err != nil {
		Fail(fmt.Sprintf("conformance: %v", err))
	}
	return out
}

// fromPayload runs on every process: it keeps the ledger's word for resolve and returns the
// target file.
func fromPayload(payload []byte) []byte {
	var p suitePayload
	if json.Unmarshal(payload, &p) != nil || p.Target == nil {
		return payload
	}
	earlier = p.Earlier
	return p.Target
}

// consumed is one id a request of this run used up, and which spec sent it.
type consumed struct {
	spec   string
	reason string
	status int
}

func (c consumed) describe() string {
	how := "the target carried it out"
	if c.status != 0 {
		how = fmt.Sprintf("the target answered %d and carried it out", c.status)
	}
	if c.reason == runrecord.ConsumedUnknown {
		how = "the target may have acted on it: it gave no answer"
		if c.status != 0 {
			how = fmt.Sprintf("the target may have acted on it: it answered %d", c.status)
		}
	}
	return fmt.Sprintf("a request of spec %q named them, and %s", c.spec, how)
}

// runConsumption is what this process's requests consumed. Ids are reserved per spec, or
// per Ordered container, which runs on one process, so what a spec needs to know about its
// ids is always here.
type runConsumption struct {
	mu sync.Mutex
	by map[Pool]map[string]consumed
	// sends counts the requests of this process that named each pooled id.
	sends map[Pool]map[string]int
}

var consumption = &runConsumption{by: map[Pool]map[string]consumed{}, sends: map[Pool]map[string]int{}}

// sent counts a request naming ids.
func (c *runConsumption) sent(pool Pool, ids []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sends[pool] == nil {
		c.sends[pool] = map[string]int{}
	}
	for _, id := range ids {
		c.sends[pool][id]++
	}
}

// timesSent is how many requests of this process named the id.
func (c *runConsumption) timesSent(pool Pool, id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sends[pool][id]
}

func (c *runConsumption) of(pool Pool, id string) (consumed, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.by[pool][id]
	return v, ok
}

// add keeps the first consumer of an id and reports whether this one was the first.
func (c *runConsumption) add(pool Pool, id string, v consumed) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.by[pool] == nil {
		c.by[pool] = map[string]consumed{}
	}
	if _, ok := c.by[pool][id]; ok {
		return false
	}
	c.by[pool][id] = v
	return true
}

// poolOf is the pool a request of an API draws from.
func poolOf(api specfacts.API) Pool {
	if api == specfacts.VBS {
		return FreeVolumes
	}
	return OwnedInstances
}

// noteConsumption records, after each exchange, the pooled ids its request named that the
// target used up: all of them on a 2xx (but a VBS volume the answer lists only as failed),
// and all of them when no answer or a 5xx came, since the target may have acted before it
// failed. Refusals (3xx, 4xx) consume nothing: that they really changed nothing is what the
// specs after them check.
func (e *Env) noteConsumption(x *Exchange) {
	pool := poolOf(x.Request.API)
	ids := pooledIn(x.Request.Body, pools.listedIn(pool))
	if len(ids) == 0 {
		return
	}
	consumption.sent(pool, ids)
	reason := ""
	switch {
	case x.Err != nil || x.Status == 0 || x.Status >= http.StatusInternalServerError:
		reason = runrecord.ConsumedUnknown
	case x.Status >= 200 && x.Status < 300:
		reason = runrecord.ConsumedCarriedOut
		if pool == FreeVolumes {
			ids = withoutOnlyFailed(x, ids)
		}
	default:
		return
	}
	spec := CurrentSpecReport().FullText()
	for _, id := range ids {
		if consumption.add(pool, id, consumed{spec: spec, reason: reason, status: x.Status}) {
			AddReportEntry(runrecord.EntryConsumed, runrecord.Consumed{API: string(x.Request.API), Pool: string(pool), ID: id,
				Spec: spec, Reason: reason, Status: x.Status}, ReportEntryVisibilityNever)
		}
	}
}

func (p *poolRegistry) listedIn(pool Pool) map[string]bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.listed[pool]
}

// pooledIn returns the pooled ids that appear as JSON strings in a request body, in order,
// once each. It scans string literals rather than decoding, so that a malformed or
// mistyped body (a faulty server may still read the id in it) is covered too.
func pooledIn(body []byte, listed map[string]bool) []string {
	if len(listed) == 0 {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(body) && body[j] != '"' {
			if body[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(body) {
			break
		}
		if s := string(body[i+1 : j]); listed[s] && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
		i = j
	}
	return out
}

// withoutOnlyFailed drops the volumes a VBS 200 reports as failed and not as associated.
func withoutOnlyFailed(x *Exchange, ids []string) []string {
	var res struct {
		Success []ResultItem `json:"success_resources"`
		Fail    []ResultItem `json:"fail_resources"`
	}
	if x.JSON(&res) != nil {
		return ids
	}
	in := func(items []ResultItem, id string) bool {
		for _, it := range items {
			if it.ResourceID == id {
				return true
			}
		}
		return false
	}
	var out []string
	for _, id := range ids {
		if in(res.Fail, id) && !in(res.Success, id) {
			continue
		}
		out = append(out, id)
	}
	return out
}
