package bench

import (
	"context"
	"fmt"
	"slices"
)

// Subject is one server a paired run drives.
type Subject struct {
	Name string
	URL  string
	// Next returns the subject's i-th request; i counts on across rounds, so a workload
	// whose valid requests consume ids never repeats one.
	Next func(i int) Request
	// Want checks a status as Drive's want does.
	Want func(Request, int) bool
}

// Paired drives load.Total requests at each subject in rounds, alternating which subject
// goes first, and merges each subject's rounds into one result. On a shared machine the
// load from other work changes from second to second; subjects measured one after the
// other would see different machines, while rounds interleaved a few hundred milliseconds
// apart see the same one, so their ratio is what the subjects did, not when they ran.
func Paired(ctx context.Context, subjects []Subject, load Load, rounds int) ([]LoadResult, error) {
	if len(subjects) == 0 || rounds <= 0 || load.Total <= 0 {
		return nil, fmt.Errorf("bench: paired run needs subjects, rounds and a positive total")
	}
	rounds = min(rounds, load.Total)
	out := make([]LoadResult, len(subjects))
	sent := make([]int, len(subjects))
	for round := range rounds {
		per := load.Total / rounds
		if round < load.Total%rounds {
			per++
		}
		order := make([]int, len(subjects))
		for i := range order {
			order[i] = i
		}
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for _, si := range order {
			s := subjects[si]
			offset := sent[si]
			res, err := Drive(ctx, s.URL, Load{Total: per, Concurrency: load.Concurrency, MaxDuration: load.MaxDuration},
				func(i int) Request { return s.Next(offset + i) }, s.Want)
			if err != nil {
				return nil, fmt.Errorf("bench: %s: %w", s.Name, err)
			}
			sent[si] += per
			out[si] = merge(out[si], res)
		}
	}
	for i := range out {
		slices.Sort(out[i].Latencies)
	}
	return out, nil
}

func merge(a, b LoadResult) LoadResult {
	a.Requests += b.Requests
	a.Failures += b.Failures
	a.Unexpected += b.Unexpected
	a.Elapsed += b.Elapsed
	a.Latencies = append(a.Latencies, b.Latencies...)
	if a.FirstError == "" {
		a.FirstError = b.FirstError
	}
	return a
}
