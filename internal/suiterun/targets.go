package suiterun

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
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
