package launch

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Suite is one compiled suite binary.
type Suite struct {
	Name string // file name without .test, e.g. "koophone"; also the API it checks
	Path string // absolute
}

// SuiteSuffix ends the file name of every compiled suite.
const SuiteSuffix = ".test"

// GinkgoCLI is the file name of the Ginkgo command line beside compiled suites; when it is
// there, suites can run in parallel processes.
const GinkgoCLI = "ginkgo"

// NoSuitesError says a directory holds no compiled suite.
type NoSuitesError struct{ Dir string }

func (e *NoSuitesError) Error() string {
	return fmt.Sprintf("no compiled suites (*%s) in %s: build them with `make dist`, or name their directory with --suites", SuiteSuffix, e.Dir)
}

// DefaultDir is where `make dist` puts the suites: a suites/ directory beside the running
// executable (symbolic links resolved, so a link in PATH finds the real tree).
func DefaultDir() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("locate the running executable: %w", err)
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	return filepath.Join(filepath.Dir(exe), "suites"), nil
}

// Find lists the compiled suites in dir, sorted by name: regular executable files ending in
// .test.
func Find(dir string) ([]Suite, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("suites directory: %w", err)
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		return nil, fmt.Errorf("suites directory: %w", err)
	}
	var out []Suite
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, SuiteSuffix) || name == SuiteSuffix {
			continue
		}
		if !executable(filepath.Join(abs, name)) {
			continue
		}
		out = append(out, Suite{Name: strings.TrimSuffix(name, SuiteSuffix), Path: filepath.Join(abs, name)})
	}
	if len(out) == 0 {
		return nil, &NoSuitesError{Dir: abs}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// FindGinkgo returns the Ginkgo command line in dir, or "" when there is none.
func FindGinkgo(dir string) string {
	p := filepath.Join(dir, GinkgoCLI)
	if !executable(p) {
		return ""
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return ""
	}
	return abs
}

func executable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0
}
