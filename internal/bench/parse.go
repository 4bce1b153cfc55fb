package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// event is one line of `go test -json` (test2json) output.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// Result is one benchmark's figures, the median of every sample (-count) of the run.
type Result struct {
	Package string `json:"package"`
	// Name is the benchmark's full name without the GOMAXPROCS suffix.
	Name    string             `json:"name"`
	Samples int                `json:"samples"`
	Metrics map[string]float64 `json:"metrics"`
	// Min and Max are the spread of each metric over the samples; SampleMetrics the
	// samples themselves.
	Min           map[string]float64   `json:"min,omitempty"`
	Max           map[string]float64   `json:"max,omitempty"`
	SampleMetrics []map[string]float64 `json:"sample_metrics,omitempty"`
	Failed        bool                 `json:"failed,omitempty"`
}

// ParseError says which line of `go test -json` output could not be read.
type ParseError struct {
	Line   int
	Reason string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("bench: go test output line %d: %s", e.Line, e.Reason)
}

// ParseEvents reads `go test -bench -benchmem -json` output and returns one Result per
// benchmark, keyed by "package name". Benchmark result lines arrive split over several
// output events, and test2json attributes the samples after the first (-count) to the
// package rather than the benchmark, so a package's output is joined in order and each
// result line is attributed by the benchmark name it starts with.
func ParseEvents(r io.Reader) (map[string]*Result, error) {
	type key struct{ pkg, test string }
	outputs := map[string]*strings.Builder{}
	var order []string
	failed := map[key]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 16*bufio.MaxScanTokenSize), 256*bufio.MaxScanTokenSize)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		var ev event
		if err := json.Unmarshal(line, &ev); err != nil {
			return nil, &ParseError{Line: n, Reason: "not a test2json event: " + err.Error()}
		}
		if ev.Test != "" && !strings.HasPrefix(ev.Test, "Benchmark") {
			continue
		}
		switch ev.Action {
		case "output":
			b, ok := outputs[ev.Package]
			if !ok {
				b = &strings.Builder{}
				outputs[ev.Package] = b
				order = append(order, ev.Package)
			}
			b.WriteString(ev.Output)
		case "fail":
			if ev.Test != "" {
				failed[key{ev.Package, ev.Test}] = true
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("bench: read go test output: %w", err)
	}
	samples := map[string][]map[string]float64{}
	out := map[string]*Result{}
	for _, pkg := range order {
		for _, line := range strings.Split(outputs[pkg].String(), "\n") {
			name, m, ok := parseResultLine(line)
			if !ok {
				continue
			}
			id := pkg + " " + name
			samples[id] = append(samples[id], m)
			if out[id] == nil {
				out[id] = &Result{Package: pkg, Name: name}
			}
		}
	}
	for k := range failed {
		id := k.pkg + " " + k.test
		if out[id] == nil {
			out[id] = &Result{Package: k.pkg, Name: k.test}
		}
		out[id].Failed = true
	}
	for id, r := range out {
		r.Samples = len(samples[id])
		r.Metrics = medians(samples[id])
		r.Min, r.Max = spread(samples[id])
		r.SampleMetrics = samples[id]
	}
	return out, nil
}

// parseResultLine reads "BenchmarkX-2 \t N\t v unit\t v unit..." and returns the
// benchmark's name (without the GOMAXPROCS suffix) and its metrics.
func parseResultLine(line string) (string, map[string]float64, bool) {
	fields := strings.Fields(line)
	if len(fields) < 4 || (len(fields)-2)%2 != 0 || !strings.HasPrefix(fields[0], "Benchmark") {
		return "", nil, false
	}
	name := fields[0]
	if i := strings.LastIndex(name, "-"); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i]
		}
	}
	n, err := strconv.ParseFloat(fields[1], 64)
	if err != nil {
		return "", nil, false
	}
	m := map[string]float64{"iterations": n}
	for i := 2; i+1 < len(fields); i += 2 {
		v, err := strconv.ParseFloat(fields[i], 64)
		if err != nil {
			return "", nil, false
		}
		m[fields[i+1]] = v
	}
	return name, m, true
}

func medians(samples []map[string]float64) map[string]float64 {
	byUnit := map[string][]float64{}
	for _, s := range samples {
		for u, v := range s {
			byUnit[u] = append(byUnit[u], v)
		}
	}
	out := map[string]float64{}
	for u, vs := range byUnit {
		out[u] = Median(vs)
	}
	return out
}

// Median of vs (the mean of the middle two for an even count); 0 for none.
func Median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func spread(samples []map[string]float64) (map[string]float64, map[string]float64) {
	lo, hi := map[string]float64{}, map[string]float64{}
	for _, s := range samples {
		for u, v := range s {
			if old, ok := lo[u]; !ok || v < old {
				lo[u] = v
			}
			if old, ok := hi[u]; !ok || v > old {
				hi[u] = v
			}
		}
	}
	return lo, hi
}
