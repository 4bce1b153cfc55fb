package launch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
)

// Build is what Compile made: the compiled suites and the Ginkgo command line that runs
// them in parallel.
type Build struct {
	Suites []Suite
	Ginkgo string
}

// CompileError says a suite did not compile; Output is the compiler's.
type CompileError struct {
	Package string
	Output  string
	Err     error
}

func (e *CompileError) Error() string {
	return fmt.Sprintf("compile %s: %v\n%s", e.Package, e.Err, e.Output)
}

func (e *CompileError) Unwrap() error { return e.Err }

// SuitesPattern names the suite packages of the module.
const SuitesPattern = "./suites/..."

// ginkgoPackage is the Ginkgo command line pinned as a tool in go.mod.
const ginkgoPackage = "github.com/onsi/ginkgo/v2/ginkgo"

// CacheDirEnvVar overrides where compiled suites are kept.
const CacheDirEnvVar = "CONFORMANCE_SUITE_CACHE"

// Compile compiles every suite package of the module at root (`go test -c`, without -race:
// the suites talk to their target over TCP, and the detector would only slow them) and the
// Ginkgo command line. Builds are kept in a directory keyed by the content of every file
// the suites are built from (the module's own packages, the versions of the others, the Go
// version), under a file lock: the test packages of one `go test ./...`, a `make conformance`
// and a mutation run share one build instead of linking the same binaries again.
func Compile(ctx context.Context, root string) (*Build, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("compile suites: %w", err)
	}
	key, pkgs, err := buildKey(ctx, root, SuitesPattern, ginkgoPackage)
	if err != nil {
		return nil, fmt.Errorf("compile suites: %w", err)
	}
	cache := os.Getenv(CacheDirEnvVar)
	if cache == "" {
		cache = filepath.Join(os.TempDir(), fmt.Sprintf("conformance-suites-%d", os.Getuid()))
	}
	if err := os.MkdirAll(cache, 0o700); err != nil {
		return nil, fmt.Errorf("compile suites: %w", err)
	}
	unlock, err := lock(filepath.Join(cache, "lock"))
	if err != nil {
		return nil, fmt.Errorf("compile suites: %w", err)
	}
	defer unlock()
	dir := filepath.Join(cache, key)
	b := &Build{Ginkgo: filepath.Join(dir, GinkgoCLI)}
	// One directory per suite: Ginkgo names a compiled suite's report files after its
	// directory, so two suites in one directory would overwrite each other's.
	for _, p := range pkgs {
		name := filepath.Base(p)
		b.Suites = append(b.Suites, Suite{Name: name, Path: filepath.Join(dir, name, name+SuiteSuffix)})
	}
	if _, err := os.Stat(filepath.Join(dir, "complete")); err == nil {
		return b, nil
	}
	tmp, err := os.MkdirTemp(cache, "building-")
	if err != nil {
		return nil, fmt.Errorf("compile suites: %w", err)
	}
	defer os.RemoveAll(tmp)
	g, gctx := errgroup.WithContext(ctx)
	for _, p := range pkgs {
		g.Go(func() error {
			name := filepath.Base(p)
			return goBuild(gctx, root, p, "test", "-c", "-o", filepath.Join(tmp, name, name+SuiteSuffix), p)
		})
	}
	g.Go(func() error {
		return goBuild(gctx, root, ginkgoPackage, "build", "-o", filepath.Join(tmp, GinkgoCLI), ginkgoPackage)
	})
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("compile suites: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "complete"), nil, 0o600); err != nil {
		return nil, fmt.Errorf("compile suites: %w", err)
	}
	_ = os.RemoveAll(dir) // an incomplete build of an interrupted run
	if err := os.Rename(tmp, dir); err != nil {
		return nil, fmt.Errorf("compile suites: %w", err)
	}
	prune(cache, dir)
	return b, nil
}

func goBuild(ctx context.Context, root, pkg string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return &CompileError{Package: pkg, Output: string(out), Err: err}
	}
	return nil
}

// listed is what `go list -json` says of one package.
type listed struct {
	ImportPath, Dir, ForTest                                 string
	Standard                                                 bool
	GoFiles, CgoFiles, TestGoFiles, XTestGoFiles, EmbedFiles []string
	TestEmbedFiles, XTestEmbedFiles                          []string
	Module                                                   *struct {
		Path, Version string
		Main          bool
	}
}

// cacheLayout changes when the layout of a build directory does.
const cacheLayout = 2

// buildKey hashes what the packages matching patterns (the suites and the Ginkgo command
// line) are built from in the module at root, and returns it with the suite packages: those
// of the module with tests (import paths, sorted).
func buildKey(ctx context.Context, root string, patterns ...string) (string, []string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "layout %d\n", cacheLayout)
	// The checkout's own path: a compiled suite reports its specs' locations as absolute
	// paths, so two checkouts of the same content must not share a build.
	fmt.Fprintf(h, "root %s\n", root)
	env := exec.CommandContext(ctx, "go", "env", "GOVERSION", "GOOS", "GOARCH", "CGO_ENABLED", "GOFLAGS")
	env.Dir = root
	raw, err := env.Output()
	if err != nil {
		return "", nil, fmt.Errorf("go env: %w", err)
	}
	h.Write(raw)
	list := exec.CommandContext(ctx, "go", append([]string{"list", "-deps", "-test", "-json=" +
		"ImportPath,Dir,ForTest,Standard,GoFiles,CgoFiles,TestGoFiles,XTestGoFiles,EmbedFiles,TestEmbedFiles,XTestEmbedFiles,Module"}, patterns...)...)
	list.Dir = root
	var stderr bytes.Buffer
	list.Stderr = &stderr
	raw, err = list.Output()
	if err != nil {
		return "", nil, fmt.Errorf("go list: %w: %s", err, stderr.String())
	}
	var all []listed
	dec := json.NewDecoder(bytes.NewReader(raw))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", nil, fmt.Errorf("go list: %w", err)
		}
		if !p.Standard { // the Go version covers the standard library
			all = append(all, p)
		}
	}
	var pkgs []string
	suites := map[string]bool{}
	for _, p := range all {
		if strings.HasSuffix(p.ImportPath, ".test") && p.Module != nil && p.Module.Main {
			pkgs = append(pkgs, strings.TrimSuffix(p.ImportPath, ".test"))
			suites[strings.TrimSuffix(p.ImportPath, ".test")] = true
		}
	}
	for _, p := range all {
		fmt.Fprintf(h, "package %s %s\n", p.ImportPath, p.ForTest)
		if p.Module != nil && !p.Module.Main {
			fmt.Fprintf(h, "module %s %s\n", p.Module.Path, p.Module.Version)
			continue
		}
		for _, f := range buildFiles(p, suites) {
			if filepath.IsAbs(f) {
				continue // generated by go (the test main), from the files hashed here
			}
			content, err := os.ReadFile(filepath.Join(p.Dir, f))
			if err != nil {
				return "", nil, err
			}
			fmt.Fprintf(h, "file %s %d\n", f, len(content))
			h.Write(content)
		}
	}
	if len(pkgs) == 0 {
		return "", nil, fmt.Errorf("no suite package in %s", strings.Join(patterns, " "))
	}
	sort.Strings(pkgs)
	return hex.EncodeToString(h.Sum(nil))[:24], pkgs, nil
}

// buildFiles are the files of p that compiling the suites reads, sorted: its sources, and
// its test files only when p is a suite package or one of its test variants. The test files
// of the packages a suite imports are not compiled into it, so an edit to one keeps the build.
func buildFiles(p listed, suites map[string]bool) []string {
	files := append(append(append([]string{}, p.GoFiles...), p.CgoFiles...), p.EmbedFiles...)
	if suites[p.ImportPath] || suites[p.ForTest] {
		files = append(append(append(append(files, p.TestGoFiles...), p.XTestGoFiles...), p.TestEmbedFiles...), p.XTestEmbedFiles...)
	}
	sort.Strings(files)
	return files
}

// lock takes an exclusive lock on path, waiting for another process that holds it.
func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// staleBuild is how long a build of other sources is kept: long enough for a branch switch
// and back, short enough that a working day of edits does not fill the disk.
const staleBuild = 24 * time.Hour

// prune removes the builds in cache other than keep that were made more than staleBuild ago.
func prune(cache, keep string) {
	entries, err := os.ReadDir(cache)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := filepath.Join(cache, e.Name())
		info, err := e.Info()
		if err != nil || !e.IsDir() || p == keep || time.Since(info.ModTime()) < staleBuild {
			continue
		}
		_ = os.RemoveAll(p)
	}
}
