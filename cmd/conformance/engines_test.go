package main

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/report"
	"go.yaml.in/yaml/v3"
)

// No cluster or GitHub runner runs here (the image itself is built and run by
// make test-container), so the engine files are checked by running what they would run: the
// image's entrypoint with the Job's arguments, the Sonobuoy plugin's command, and the
// workflow's shell steps, with the dist binary in place of the image's and the container
// paths mapped into temporary directories.

const enginesDir = "../../docs/engines"

// dockerEntrypoint reads the image's ENTRYPOINT and checks that the image holds dist/ where
// the entrypoint looks for it.
func dockerEntrypoint(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(enginesDir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	for _, want := range []string{"FROM scratch", "COPY conformance /opt/conformance/conformance", "COPY suites/ /opt/conformance/suites/",
		"COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt", "USER 65532:65532"} {
		if !strings.Contains(text, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	m := regexp.MustCompile(`(?m)^ENTRYPOINT (\[.*\])$`).FindStringSubmatch(text)
	if m == nil {
		t.Fatal("Dockerfile has no exec-form ENTRYPOINT")
	}
	var entry []string
	if err := json.Unmarshal([]byte(m[1]), &entry); err != nil {
		t.Fatalf("ENTRYPOINT: %v", err)
	}
	if len(entry) < 2 || entry[0] != "/opt/conformance/conformance" || entry[1] != "run" {
		t.Fatalf("ENTRYPOINT %v, want /opt/conformance/conformance run ...", entry)
	}
	return entry
}

// containerPaths maps the paths the engine files use to directories of the test.
type containerPaths map[string]string

func (m containerPaths) mapArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		for from, to := range m {
			if a == from || strings.HasPrefix(a, from+"/") {
				out[i] = to + strings.TrimPrefix(a, from)
			}
		}
	}
	return out
}

// runMapped runs a command line of the engine files with the dist's binary.
func runMapped(t *testing.T, argv []string) (int, string) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = t.TempDir()
	cmd.Env = toolchainFreeEnv(t)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	} else if err != nil {
		t.Fatalf("%v: %v", argv, err)
	}
	return 0, string(out)
}

func yamlDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	var docs []map[string]any
	for {
		var d map[string]any
		if err := dec.Decode(&d); err == io.EOF {
			return docs
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, d)
	}
}

// dig walks nested maps and lists by key or index.
func dig(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %q: not a map", k)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("at [%d]: not a list that long", k)
			}
			v = l[k]
		}
	}
	return v
}

func stringList(t *testing.T, v any) []string {
	t.Helper()
	l, ok := v.([]any)
	if !ok {
		t.Fatalf("%v is not a list", v)
	}
	out := make([]string, len(l))
	for i, x := range l {
		out[i] = x.(string)
	}
	return out
}

// The Kubernetes Job's arguments, appended to the image's entrypoint, run the suites against
// the target file mounted from the Secret and write the four reports onto the claim's mount.
func TestKubernetesJobRunsTheDist(t *testing.T) {
	t.Parallel()
	dist := builtDist(t)
	entry := dockerEntrypoint(t)
	var job map[string]any
	for _, d := range yamlDocs(t, filepath.Join(enginesDir, "kubernetes-job.yaml")) {
		if d["kind"] == "Job" {
			job = d
		}
	}
	if job == nil {
		t.Fatal("kubernetes-job.yaml has no Job")
	}
	container := dig(t, job, "spec", "template", "spec", "containers", 0)
	args := stringList(t, dig(t, container, "args"))
	mounts := map[string]string{}
	for _, m := range dig(t, container, "volumeMounts").([]any) {
		mm := m.(map[string]any)
		mounts[mm["name"].(string)] = mm["mountPath"].(string)
	}
	confDir, reportsDir := t.TempDir(), t.TempDir()
	startDistMock(t, dist, filepath.Join(confDir, "target.yaml"))
	paths := containerPaths{"/opt/conformance": dist, mounts["target"]: confDir, mounts["reports"]: reportsDir}
	code, out := runMapped(t, paths.mapArgs(append(entry, args...)))
	if code != 0 {
		t.Fatalf("the Job's command: exit %d, want 0\n%s", code, out)
	}
	for _, f := range fourReports {
		if _, err := os.Stat(filepath.Join(reportsDir, f)); err != nil {
			t.Errorf("the Job wrote no %s on the reports volume: %v", f, err)
		}
	}
}

// The Sonobuoy plugin's command runs the suites, writes the reports under the results
// directory, packs them and writes the done file the Sonobuoy worker waits for.
func TestSonobuoyPluginRunsTheDist(t *testing.T) {
	t.Parallel()
	dist := builtDist(t)
	docs := yamlDocs(t, filepath.Join(enginesDir, "sonobuoy-plugin.yaml"))
	if len(docs) != 1 {
		t.Fatalf("sonobuoy-plugin.yaml: %d documents, want 1", len(docs))
	}
	if f := dig(t, docs[0], "sonobuoy-config", "result-format"); f != "junit" {
		t.Fatalf("result-format %v, want junit", f)
	}
	spec := dig(t, docs[0], "spec")
	argv := append(stringList(t, dig(t, spec, "command")), stringList(t, dig(t, spec, "args"))...)
	resultsDir, confDir := t.TempDir(), t.TempDir()
	startDistMock(t, dist, filepath.Join(confDir, "target.yaml"))
	paths := containerPaths{"/opt/conformance": dist, "/tmp/sonobuoy/results": resultsDir, "/etc/conformance": confDir}
	code, out := runMapped(t, paths.mapArgs(argv))
	if code != 0 {
		t.Fatalf("the plugin's command: exit %d, want 0\n%s", code, out)
	}
	done, err := os.ReadFile(filepath.Join(resultsDir, "done"))
	if err != nil {
		t.Fatalf("no done file: %v", err)
	}
	f, err := os.Open(string(done))
	if err != nil {
		t.Fatalf("the done file names %q: %v", done, err)
	}
	defer f.Close()
	if filepath.Dir(string(done)) != resultsDir {
		t.Errorf("archive %s is not in the results directory", done)
	}
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	found := map[string]bool{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		found[hdr.Name] = true
	}
	for _, want := range fourReports {
		if !found[want] {
			t.Errorf("the results archive lacks %s (has %v)", want, found)
		}
	}
}

// The workflow's matrix step runs one target per job with the downloaded dist and no Go
// toolchain, and the final job's step merges the uploaded reports into one comparison.
func TestGitHubActionsMatrixSteps(t *testing.T) {
	t.Parallel()
	dist := builtDist(t)
	wf := yamlDocs(t, "../../docs/github-actions-matrix.yml")[0]
	step := func(job, name string) string {
		for _, s := range dig(t, wf, "jobs", job, "steps").([]any) {
			if sm := s.(map[string]any); sm["name"] == name {
				return sm["run"].(string)
			}
		}
		t.Fatalf("job %s has no step %q", job, name)
		return ""
	}
	runStep, renderStep := step("conformance", "Run the suites"), step("compare", "Render the comparison")
	include := dig(t, wf, "jobs", "conformance", "strategy", "matrix", "include").([]any)

	// A PATH with a shell and the few tools the steps use, and no Go.
	bin := t.TempDir()
	for _, tool := range []string{"sh", "cat"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(p, filepath.Join(bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	shell := func(dir, script string, env ...string) (int, string) {
		cmd := exec.Command(filepath.Join(bin, "sh"), "-e", "-c", script)
		cmd.Dir = dir
		cmd.Env = append([]string{"PATH=" + bin}, env...)
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	compareDir := t.TempDir()
	for i, inc := range include {
		name := dig(t, inc, "target").(string)
		work, runnerTemp := t.TempDir(), t.TempDir()
		if err := os.Symlink(dist, filepath.Join(work, "dist")); err != nil {
			t.Fatal(err)
		}
		flags := []string{}
		if i == len(include)-1 {
			flags = []string{"--fault", "vbs-duplicate-resources-500"}
		}
		startDistMock(t, dist, filepath.Join(runnerTemp, "target.yaml"), flags...)
		script := strings.ReplaceAll(runStep, "${{ matrix.target }}", name)
		code, out := shell(work, script, "RUNNER_TEMP="+runnerTemp)
		if want := map[bool]int{true: 1, false: 0}[len(flags) > 0]; code != want {
			t.Fatalf("matrix job %s: exit %d, want %d\n%s", name, code, want, out)
		}
		// upload-artifact of reports/<target>/, download-artifact into reports/report-<target>/.
		if err := os.Rename(filepath.Join(work, "reports", name), filepath.Join(compareDir, "report-"+name)); err != nil {
			t.Fatal(err)
		}
	}
	work := t.TempDir()
	if err := os.Symlink(dist, filepath.Join(work, "dist")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(compareDir, filepath.Join(work, "reports")); err != nil {
		t.Fatal(err)
	}
	summary := filepath.Join(t.TempDir(), "step-summary.md")
	if code, out := shell(work, renderStep, "GITHUB_STEP_SUMMARY="+summary); code != 0 {
		t.Fatalf("compare job: exit %d\n%s", code, out)
	}
	raw, err := os.ReadFile(filepath.Join(work, "comparison", report.MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "Conformance comparison") || len(regexp.MustCompile(`(?m)^\| reference-mock`).FindAllString(string(raw), -1)) != len(include) {
		t.Errorf("comparison does not line up the %d targets:\n%s", len(include), raw)
	}
	if !strings.Contains(string(raw), "vbs-") {
		t.Errorf("comparison shows no differing VBS requirement for the deviating target:\n%s", raw)
	}
	if s, err := os.ReadFile(summary); err != nil || len(s) == 0 {
		t.Errorf("the step summary is empty: %v", err)
	}
}
