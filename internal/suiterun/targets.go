package suiterun

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// TargetFile is one target file of a --targets directory; Name (the file name without its
// extension) names its output directory.
type TargetFile struct {
	Name string
	Path string
}

// Targets lists the target files (*.yaml, *.yml) in dir, sorted by name. Two files that
// would share an output directory (a.yaml and a.yml) are an error, as is a directory
// without any.
func Targets(dir string) ([]TargetFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("targets directory: %w", err)
	}
	var out []TargetFile
	seen := map[string]string{}
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		name := strings.TrimSuffix(e.Name(), ext)
		if prev, ok := seen[name]; ok {
			return nil, fmt.Errorf("targets directory: %s and %s would share the output directory %q; rename one", prev, e.Name(), name)
		}
		seen[name] = e.Name()
		out = append(out, TargetFile{Name: name, Path: filepath.Join(dir, e.Name())})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("targets directory: no target file (*.yaml, *.yml) in %s", dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ForEach calls fn for 0..n-1 with at most parallel calls at once, and returns when every
// call has. Calls not yet started when ctx ends are not made. One call's failure is its own
// business: fn reports it, the others go on.
func ForEach(ctx context.Context, n, parallel int, fn func(ctx context.Context, i int)) {
	if parallel < 1 {
		parallel = 1
	}
	slots := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i := range n {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			fn(ctx, i)
		}()
	}
	wg.Wait()
}
