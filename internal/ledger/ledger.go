package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/target"
)

// The pools a run consumes, named by their key in the target file.
const (
	OwnedInstances = "koophone.owned_instance_ids"
	FreeVolumes    = "vbs.volume_ids"
)

// Pools lists the pools in the order reports show them.
var Pools = []string{OwnedInstances, FreeVolumes}

// EnvVar names the directory holding the ledgers, or "off" to keep none.
const EnvVar = "CONFORMANCE_LEDGER"

// Off is the EnvVar value that keeps no ledger.
const Off = "off"

// FileName is the file Record writes beside the reports: the ids this run consumed.
const FileName = "consumed.json"

// adminResetPath is the reference mock's reset operation (internal/mock AdminResetPath; a
// test holds the two equal). The path is spelt here so that the suites, which import this
// package, do not link the mock.
const adminResetPath = "/__mock/reset"

// Listed returns the ids the target file lists in a pool.
func Listed(t *target.Target, pool string) []string {
	switch pool {
	case OwnedInstances:
		if t.KooPhone != nil {
			return t.KooPhone.OwnedInstanceIDs
		}
	case FreeVolumes:
		if t.VBS != nil {
			return t.VBS.VolumeIDs
		}
	}
	return nil
}

// Identity is what makes two target files describe the same target: where its APIs live,
// its VBS project and its name. It never holds a token.
type Identity struct {
	Name            string `json:"name,omitempty"`
	KooPhoneBaseURL string `json:"koophone_base_url,omitempty"`
	VBSBaseURL      string `json:"vbs_base_url,omitempty"`
	ProjectID       string `json:"project_id,omitempty"`
}

// IdentityOf returns the identity of a target; base URLs are compared without a trailing
// slash.
func IdentityOf(t *target.Target) Identity {
	id := Identity{Name: t.Name}
	if t.KooPhone != nil {
		id.KooPhoneBaseURL = strings.TrimRight(t.KooPhone.BaseURL, "/")
	}
	if t.VBS != nil {
		id.VBSBaseURL = strings.TrimRight(t.VBS.BaseURL, "/")
		id.ProjectID = t.VBS.ProjectID
	}
	return id
}

// Key is the target's stable ledger key: a readable prefix (the name, else the first base
// URL's host) and a hash of the whole identity.
func Key(t *target.Target) string {
	id := IdentityOf(t)
	sum := sha256.Sum256([]byte(strings.Join([]string{id.Name, id.KooPhoneBaseURL, id.VBSBaseURL, id.ProjectID}, "\n")))
	label := id.Name
	if label == "" {
		label = strings.TrimPrefix(strings.TrimPrefix(id.KooPhoneBaseURL+id.VBSBaseURL, "http://"), "https://")
	}
	return slug(label) + "-" + hex.EncodeToString(sum[:])[:12]
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	out := b.String()
	if len(out) > 40 {
		out = out[:40]
	}
	out = strings.Trim(out, "-")
	if out == "" {
		return "target"
	}
	return out
}

// Dir is the directory holding the ledgers: $CONFORMANCE_LEDGER, else the user's state
// directory. It is "" when $CONFORMANCE_LEDGER is "off", and when the process has neither
// a home nor a state directory (a bare container): a run there keeps no ledger rather than
// failing, and says so.
func Dir() (string, error) {
	if d := os.Getenv(EnvVar); d != "" {
		if d == Off {
			return "", nil
		}
		return d, nil
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "koobackup-conformance", "ledger"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", nil
	}
	return filepath.Join(home, ".local", "state", "koobackup-conformance", "ledger"), nil
}

// PathFor is the ledger file of a target, "" when no ledger is kept.
func PathFor(t *target.Target) (string, error) {
	dir, err := Dir()
	if err != nil || dir == "" {
		return "", err
	}
	return filepath.Join(dir, Key(t)+".json"), nil
}

// Entry is one consumed id in a ledger.
type Entry struct {
	Pool string `json:"pool"`
	ID   string `json:"id"`
	// Spec is the spec whose request consumed the id, Reason how (runrecord.Consumed*).
	Spec   string    `json:"spec"`
	Reason string    `json:"reason"`
	At     time.Time `json:"recorded_at"`
}

// Ledger is one target's record of consumed ids.
type Ledger struct {
	Target   Identity `json:"target"`
	Consumed []Entry  `json:"consumed"`
}

// FormatError says a ledger file is not a ledger; the run refuses to guess which ids are
// fresh.
type FormatError struct {
	Path string
	Err  error
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("ledger %s: not a ledger (remove it to start afresh; every listed id is then taken as fresh): %v", e.Path, e.Err)
}

func (e *FormatError) Unwrap() error { return e.Err }

// Load reads a ledger; a missing file is an empty ledger.
func Load(path string) (*Ledger, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Ledger{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	var l Ledger
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, &FormatError{Path: path, Err: err}
	}
	return &l, nil
}

// Save writes the ledger atomically: a run killed mid-write leaves the previous ledger.
func (l *Ledger) Save(path string) error {
	raw, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return writeAtomic(path, append(raw, '\n'))
}

func writeAtomic(path string, raw []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ledger-*")
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return fmt.Errorf("ledger: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}

// IDs returns the consumed ids of a pool.
func (l *Ledger) IDs(pool string) map[string]bool {
	out := map[string]bool{}
	for _, e := range l.Consumed {
		if e.Pool == pool {
			out[e.ID] = true
		}
	}
	return out
}

// add appends the entries whose id the ledger does not hold yet and returns how many.
func (l *Ledger) add(entries []Entry) int {
	seen := map[[2]string]bool{}
	for _, e := range l.Consumed {
		seen[[2]string{e.Pool, e.ID}] = true
	}
	n := 0
	for _, e := range entries {
		k := [2]string{e.Pool, e.ID}
		if !seen[k] {
			seen[k] = true
			l.Consumed = append(l.Consumed, e)
			n++
		}
	}
	return n
}

// Earlier is what the suites take from the ledger before a run: per pool, the ids earlier
// runs consumed, and the ledger's path for the reasons they give.
type Earlier struct {
	Path     string              `json:"path,omitempty"`
	Consumed map[string][]string `json:"consumed,omitempty"`
}

// ConsumedFor reads the target's ledger for the suites. Ids the target file no longer lists
// are left out: they cannot be reserved anyway.
func ConsumedFor(t *target.Target) (Earlier, error) {
	path, err := PathFor(t)
	if err != nil || path == "" {
		return Earlier{}, err
	}
	l, err := Load(path)
	if err != nil {
		return Earlier{}, err
	}
	out := Earlier{Path: path, Consumed: map[string][]string{}}
	for _, pool := range Pools {
		used := l.IDs(pool)
		for _, id := range Listed(t, pool) {
			if used[id] {
				out.Consumed[pool] = append(out.Consumed[pool], id)
			}
		}
	}
	return out, nil
}

// PoolSummary is one pool of a target after a run, or as `target check` sees it.
type PoolSummary struct {
	Pool   string `json:"pool"`
	Listed int    `json:"listed"`
	// Consumed counts the listed ids the ledger holds, this run's included.
	Consumed int `json:"consumed"`
	// ConsumedThisRun counts the ids this run's requests consumed.
	ConsumedThisRun int `json:"consumed_this_run"`
	// Fresh = Listed - Consumed: what the next run can still use.
	Fresh int `json:"fresh"`
}

func (p PoolSummary) String() string {
	return fmt.Sprintf("%s: %d fresh of %d listed (%d consumed, %d by this run)", p.Pool, p.Fresh, p.Listed, p.Consumed, p.ConsumedThisRun)
}

// Summary is what Record wrote, and what consumed.json holds.
type Summary struct {
	TargetKey string `json:"target_key,omitempty"`
	// Ledger is the target's ledger file, "" when none is kept (the built-in mock, or
	// $CONFORMANCE_LEDGER=off).
	Ledger   string               `json:"ledger,omitempty"`
	Consumed []runrecord.Consumed `json:"consumed"`
	Pools    []PoolSummary        `json:"pools,omitempty"`
}

// Lines are the summary for a terminal.
func (s *Summary) Lines() []string {
	var out []string
	where := "no ledger is kept ($" + EnvVar + "=off, or no home or state directory: set $" + EnvVar + " to a directory to keep one)"
	switch {
	case s.Ledger != "":
		where = "ledger " + s.Ledger
	case s.TargetKey == "":
		where = "no ledger is kept for the reference mock this run started (it is new every run)"
	}
	out = append(out, fmt.Sprintf("%d pooled id(s) consumed by this run; %s", len(s.Consumed), where))
	for _, p := range s.Pools {
		if p.Listed > 0 {
			out = append(out, "  "+p.String())
		}
	}
	return out
}

// Record reads a finished run's Ginkgo report, writes the ids it consumed to
// reportsDir/consumed.json and adds them to the ledger of the target described by
// targetFile ("" for the built-in reference mock, which keeps no ledger: every run starts it
// afresh). The run pipeline calls it once after the suites, whatever their verdict.
func Record(ginkgoReport, reportsDir, targetFile string) (*Summary, error) {
	run, err := runrecord.ReadFile(ginkgoReport)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	s := &Summary{Consumed: run.Consumed()}
	if s.Consumed == nil {
		s.Consumed = []runrecord.Consumed{}
	}
	if targetFile != "" {
		t, err := target.Load(targetFile)
		if err != nil {
			return nil, fmt.Errorf("ledger: %w", err)
		}
		s.TargetKey = Key(t)
		if s.Ledger, err = PathFor(t); err != nil {
			return nil, err
		}
		l := &Ledger{}
		if s.Ledger != "" {
			if l, err = Load(s.Ledger); err != nil {
				return nil, err
			}
		}
		l.Target = IdentityOf(t)
		now := time.Now().UTC().Truncate(time.Second)
		var entries []Entry
		for _, c := range s.Consumed {
			entries = append(entries, Entry{Pool: c.Pool, ID: c.ID, Spec: c.Spec, Reason: c.Reason, At: now})
		}
		l.add(entries)
		if s.Ledger != "" {
			if err := l.Save(s.Ledger); err != nil {
				return nil, err
			}
		}
		s.Pools = summarize(t, l, s.Consumed)
	}
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	if err := writeAtomic(filepath.Join(reportsDir, FileName), append(raw, '\n')); err != nil {
		return nil, err
	}
	return s, nil
}

// Note adds the ids a run that keeps no Ginkgo report consumed (conformance explore) to the
// target's ledger, and returns the ledger's pools as they then stand. Nothing is written when
// no ledger is kept ($CONFORMANCE_LEDGER=off, or no state directory).
func Note(t *target.Target, consumed []runrecord.Consumed) (*Summary, error) {
	path, l, err := open(t)
	if err != nil {
		return nil, err
	}
	l.Target = IdentityOf(t)
	now := time.Now().UTC().Truncate(time.Second)
	var entries []Entry
	for _, c := range consumed {
		entries = append(entries, Entry{Pool: c.Pool, ID: c.ID, Spec: c.Spec, Reason: c.Reason, At: now})
	}
	l.add(entries)
	if path != "" {
		if err := l.Save(path); err != nil {
			return nil, err
		}
	}
	s := &Summary{TargetKey: Key(t), Ledger: path, Consumed: append([]runrecord.Consumed{}, consumed...), Pools: summarize(t, l, consumed)}
	return s, nil
}

// open reads the target's ledger and its path; with no ledger kept, the path is empty and the
// ledger empty.
func open(t *target.Target) (string, *Ledger, error) {
	path, err := PathFor(t)
	if err != nil || path == "" {
		return path, &Ledger{}, err
	}
	l, err := Load(path)
	return path, l, err
}

func summarize(t *target.Target, l *Ledger, thisRun []runrecord.Consumed) []PoolSummary {
	var out []PoolSummary
	for _, pool := range Pools {
		listed := Listed(t, pool)
		used := l.IDs(pool)
		now := map[string]bool{}
		for _, c := range thisRun {
			if c.Pool == pool {
				now[c.ID] = true
			}
		}
		p := PoolSummary{Pool: pool, Listed: len(listed)}
		for _, id := range listed {
			if used[id] {
				p.Consumed++
			}
			if now[id] {
				p.ConsumedThisRun++
			}
		}
		p.Fresh = p.Listed - p.Consumed
		out = append(out, p)
	}
	return out
}

// Status is a target's ledger as `conformance target check` shows it: its path and, per
// pool, how many listed ids are consumed and how many are fresh.
func Status(t *target.Target) (*Summary, error) {
	path, l, err := open(t)
	if err != nil {
		return nil, err
	}
	return &Summary{TargetKey: Key(t), Ledger: path, Consumed: []runrecord.Consumed{}, Pools: summarize(t, l, nil)}, nil
}

// ResetError says the reference mock could not be reset; the run would find ids an earlier
// run consumed.
type ResetError struct {
	URL string
	Err error
}

func (e *ResetError) Error() string {
	return fmt.Sprintf("reset the reference mock at %s: %v (ids an earlier run consumed may be refused)", e.URL, e.Err)
}

func (e *ResetError) Unwrap() error { return e.Err }

// Prepare readies a target for a run. For the reference mock (the target file carries
// reference_mock) it resets the mock through its admin API and forgets the target's ledger,
// since every id is fresh again; it reports whether it did. Other targets are left alone:
// their ledger tells the suites which ids are spent.
func Prepare(ctx context.Context, t *target.Target) (bool, error) {
	if t.ReferenceMock == nil {
		return false, nil
	}
	u := strings.TrimRight(t.ReferenceMock.AdminURL, "/") + adminResetPath
	ctx, cancel := context.WithTimeout(ctx, t.RequestTimeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return false, &ResetError{URL: u, Err: err}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, &ResetError{URL: u, Err: err}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return false, &ResetError{URL: u, Err: fmt.Errorf("answered %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))}
	}
	path, err := PathFor(t)
	if err != nil || path == "" {
		return true, err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return true, fmt.Errorf("ledger: forget the reset mock's ledger: %w", err)
	}
	return true, nil
}
