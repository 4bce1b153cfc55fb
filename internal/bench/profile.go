package bench

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
)

// ProfileEntry is one function of a `go tool pprof -top` listing.
type ProfileEntry struct {
	Function string  `json:"function"`
	FlatPct  float64 `json:"flat_pct"`
	Cum      float64 `json:"cum"`
	CumPct   float64 `json:"cum_pct"`
}

// ParsePprofTop reads `go tool pprof -top` text: lines of "flat flat% sum% cum cum% name".
// Values may carry units (ms, s, kB); Cum is the number without its unit, which is what a
// comparison of two profiles of the same kind needs.
func ParsePprofTop(text string) []ProfileEntry {
	var out []ProfileEntry
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || !strings.HasSuffix(f[1], "%") || !strings.HasSuffix(f[4], "%") {
			continue
		}
		flatPct, err1 := strconv.ParseFloat(strings.TrimSuffix(f[1], "%"), 64)
		cumPct, err2 := strconv.ParseFloat(strings.TrimSuffix(f[4], "%"), 64)
		cum, err3 := parseQuantity(f[3])
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		out = append(out, ProfileEntry{Function: strings.Join(f[5:], " "), FlatPct: flatPct, Cum: cum, CumPct: cumPct})
	}
	return out
}

// categories group a CPU profile's cumulative time into the costs that limit a figure.
var categories = []struct{ label, match string }{
	{"network system calls", "syscall."},
	{"memory allocation", "runtime.mallocgc"},
	{"garbage collection", "runtime.gcBgMarkWorker"},
	{"kin-openapi schema validation", "openapi3.(*Schema).visitJSON"},
	{"JSON decoding", "encoding/json.Unmarshal"},
	{"JSON encoding", "encoding/json.Marshal"},
	{"scheduler wake-ups", "runtime.findRunnable"},
}

// Limits summarises what a CPU profile's time goes to: the largest categories by
// cumulative share, then the three functions with the most time of their own.
func Limits(entries []ProfileEntry) string {
	if len(entries) == 0 {
		return "no CPU profile"
	}
	var parts []string
	for _, c := range categories {
		best := 0.0
		for _, e := range entries {
			if strings.Contains(e.Function, c.match) && e.CumPct > best {
				best = e.CumPct
			}
		}
		if best >= 5 {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", c.label, best))
		}
	}
	flat := append([]ProfileEntry(nil), entries...)
	// pprof -cum lists by cumulative time; re-rank by own time for the hot functions.
	for i := range flat {
		for j := i + 1; j < len(flat); j++ {
			if flat[j].FlatPct > flat[i].FlatPct {
				flat[i], flat[j] = flat[j], flat[i]
			}
		}
	}
	var hot []string
	for _, e := range flat[:min(3, len(flat))] {
		hot = append(hot, fmt.Sprintf("%s %.0f%%", e.Function, e.FlatPct))
	}
	s := "CPU (cumulative): " + strings.Join(parts, ", ")
	if len(parts) == 0 {
		s = "CPU: no category above 5%"
	}
	return s + "; hottest own time: " + strings.Join(hot, ", ")
}

// loadFunctions are where loading the spec or building its index would show up.
var loadFunctions = []string{"internal/contract.Load", "internal/contract.(*Contract).index", "openapi3.(*Loader)", "openapi3.NewLoader"}

// LoadAllocations is the largest cumulative allocation count under the functions that load
// the spec or build its index, from a `pprof -sample_index=alloc_objects -top -cum` listing.
func LoadAllocations(entries []ProfileEntry) float64 {
	best := 0.0
	for _, e := range entries {
		for _, f := range loadFunctions {
			if strings.Contains(e.Function, f) && e.Cum > best {
				best = e.Cum
			}
		}
	}
	return best
}

// parseQuantity reads a pprof value: a count with an optional k/M/G multiplier, or a
// number with a unit (ms, s, kB) whose unit is dropped.
func parseQuantity(v string) (float64, error) {
	mult := 1.0
	switch {
	case strings.HasSuffix(v, "k"):
		mult, v = 1e3, strings.TrimSuffix(v, "k")
	case strings.HasSuffix(v, "M"):
		mult, v = 1e6, strings.TrimSuffix(v, "M")
	case strings.HasSuffix(v, "G"):
		mult, v = 1e9, strings.TrimSuffix(v, "G")
	}
	n, err := strconv.ParseFloat(strings.TrimRight(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZµ"), 64)
	if err != nil {
		return 0, fmt.Errorf("pprof value %q: %w", v, err)
	}
	return n * mult, nil
}
