package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
)

// Workload is the mixed request set of the throughput benchmarks: valid and invalid
// requests of both APIs, in a fixed rotation. Valid KooPhone backups release the instance
// they name, so the i-th request of that case takes an owned id no other request takes;
// VBS re-association of a volume to its own policy is allowed, so that case repeats.
type Workload struct {
	cases []func(i int) Request
	names []string
	owned []string
}

// NewWorkload builds the rotation from a target file (ids, tokens) and the contract's
// constraints (paths, headers, limits). The target needs both sections, one foreign
// instance and one volume.
func NewWorkload(t *target.Target, c contract.Constraints) (*Workload, error) {
	if t == nil || t.KooPhone == nil || t.VBS == nil {
		return nil, fmt.Errorf("bench: the workload needs a target with koophone and vbs sections")
	}
	k, v := t.KooPhone, t.VBS
	if len(k.OwnedInstanceIDs) == 0 || len(k.ForeignInstanceIDs) == 0 || len(v.VolumeIDs) == 0 || len(c.VBS.ResourceTypes) == 0 {
		return nil, fmt.Errorf("bench: the workload needs owned and foreign instances, a volume and a resource type")
	}
	kc, vc := c.KooPhone, c.VBS
	w := &Workload{owned: k.OwnedInstanceIDs}
	koo := func(name, token string, body any) {
		raw := mustJSON(body)
		w.names = append(w.names, name)
		w.cases = append(w.cases, func(int) Request {
			return Request{Case: name, Method: kc.Method, Path: kc.Path, Header: kooHeader(kc, token), Body: raw}
		})
	}
	tooMany := make([]string, kc.InstanceIDsMaxItems+1)
	for i := range tooMany {
		tooMany[i] = k.ForeignInstanceIDs[0]
	}
	w.names = append(w.names, "koophone-valid")
	w.cases = append(w.cases, func(i int) Request {
		// Each rotation takes the next owned id; past the pool the request names an
		// instance already backed up, which is still a legitimate, answered request.
		id := w.owned[(i/len(w.cases))%len(w.owned)]
		return Request{Case: "koophone-valid", Method: kc.Method, Path: kc.Path, Header: kooHeader(kc, k.AuthToken),
			Body: mustJSON(map[string]any{"instance_ids": []string{id}})}
	})
	koo(string(specfacts.ReqKooPhoneUnknownTenant), k.UnknownTenantToken, map[string]any{"instance_ids": []string{k.OwnedInstanceIDs[0]}})
	koo("koophone-too-many-ids", k.AuthToken, map[string]any{"instance_ids": tooMany})
	koo("koophone-foreign-instance", k.AuthToken, map[string]any{"instance_ids": []string{k.ForeignInstanceIDs[0]}})

	path := vc.Path(v.ProjectID)
	vbs := func(name, token string, body any) {
		raw := mustJSON(body)
		h := http.Header{"Content-Type": {"application/json"}}
		if token != "" {
			h.Set(vc.TokenHeader, token)
		}
		w.names = append(w.names, name)
		w.cases = append(w.cases, func(int) Request {
			return Request{Case: name, Method: vc.Method, Path: path, Header: h, Body: raw}
		})
	}
	resource := []map[string]string{{"resource_id": v.VolumeIDs[0], "resource_type": vc.ResourceTypes[0]}}
	vbs("vbs-valid", v.AuthToken, map[string]any{"backup_policy_id": v.BackupPolicyID, "resources": resource})
	vbs("vbs-missing-resources", v.AuthToken, map[string]any{"backup_policy_id": v.BackupPolicyID})
	vbs(string(specfacts.ReqVBSUnknownPolicy), v.AuthToken, map[string]any{"backup_policy_id": v.UnknownBackupPolicyID, "resources": resource})
	vbs("vbs-no-token", "", map[string]any{"backup_policy_id": v.BackupPolicyID, "resources": resource})
	return w, nil
}

// Cases names the request kinds in rotation order.
func (w *Workload) Cases() []string { return append([]string(nil), w.names...) }

// Request returns the i-th request of the rotation.
func (w *Workload) Request(i int) Request { return w.cases[i%len(w.cases)](i) }

// ValidBackups is how many valid KooPhone backups total requests contain, i.e. how many
// owned instances a world needs so that every one of them succeeds.
func (w *Workload) ValidBackups(total int) int { return (total + len(w.cases) - 1) / len(w.cases) }

func kooHeader(kc contract.KooPhoneConstraints, token string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	h.Set(kc.TokenHeader, token)
	h.Set(kc.RequestIDHeader, "bench-request")
	return h
}

func mustJSON(v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		// Only maps, slices and strings built above are marshalled.
		panic(fmt.Sprintf("bench: marshal workload body: %v", err))
	}
	return raw
}

// Canned is the answer a server gave one case of a workload.
type Canned struct {
	Status      int
	ContentType string
	Body        []byte
}

// Record sends one request of each case to h and keeps the answers: the statuses the load
// run must see again, and the bytes the ceiling handler returns.
func Record(h http.Handler, w *Workload) (map[string]Canned, error) {
	out := map[string]Canned{}
	for i, name := range w.names {
		r := w.Request(i)
		req := httptest.NewRequest(r.Method, r.Path, strings.NewReader(string(r.Body)))
		req.Header = r.Header.Clone()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			return nil, fmt.Errorf("bench: recording %s: the server answered %d", name, rec.Code)
		}
		out[name] = Canned{Status: rec.Code, ContentType: rec.Header().Get("Content-Type"), Body: rec.Body.Bytes()}
	}
	return out, nil
}

// Expect returns Drive's status check for answers recorded by Record.
func Expect(canned map[string]Canned) func(Request, int) bool {
	return func(r Request, status int) bool { return canned[r.Case].Status == status }
}

// Ceiling is the throughput ceiling: a bare net/http handler that reads the request and
// answers with the recorded bytes of its case, doing no routing, validation or state.
func Ceiling(canned map[string]Canned) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		c, ok := canned[r.Header.Get(CaseHeader)]
		if !ok {
			http.Error(w, "unknown bench case", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", c.ContentType)
		w.WriteHeader(c.Status)
		_, _ = w.Write(c.Body)
	})
}

// WithPools returns a copy of t whose owned-instance and volume pools hold at least owned
// and volumes ids, adding generated ids that collide with none of the file's ids and fit
// the contract's id length limit.
func WithPools(t *target.Target, c contract.Constraints, owned, volumes int) (*target.Target, error) {
	if t == nil || t.KooPhone == nil || t.VBS == nil {
		return nil, fmt.Errorf("bench: scaling pools needs a target with koophone and vbs sections")
	}
	out := *t
	k, v := *t.KooPhone, *t.VBS
	used := map[string]bool{}
	for _, ids := range [][]string{k.OwnedInstanceIDs, k.ForeignInstanceIDs, v.VolumeIDs, v.UnknownVolumeIDs} {
		for _, id := range ids {
			used[id] = true
		}
	}
	k.OwnedInstanceIDs = grow(k.OwnedInstanceIDs, owned, used, func(n int) string { return fmt.Sprintf("bench%x", n) })
	v.VolumeIDs = grow(v.VolumeIDs, volumes, used, func(n int) string {
		return fmt.Sprintf("b3c0%04x-0000-4000-8000-%012x", n>>48, n)
	})
	if n := len(fmt.Sprintf("bench%x", owned)); n > c.KooPhone.InstanceIDMaxLength {
		return nil, fmt.Errorf("bench: %d owned ids need ids of %d characters, more than the contract's %d", owned, n, c.KooPhone.InstanceIDMaxLength)
	}
	out.KooPhone, out.VBS = &k, &v
	if err := out.Validate(); err != nil {
		return nil, fmt.Errorf("bench: scaled target: %w", err)
	}
	return &out, nil
}

func grow(ids []string, want int, used map[string]bool, gen func(int) string) []string {
	out := append([]string(nil), ids...)
	for n := 0; len(out) < want; n++ {
		id := gen(n)
		if !used[id] {
			used[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Only returns the rotation restricted to the cases whose names start with prefix (e.g.
// "vbs-"), for servers that serve one API; valid backups still take distinct ids.
func (w *Workload) Only(prefix string) func(i int) Request {
	var sub []int
	for i, n := range w.names {
		if strings.HasPrefix(n, prefix) {
			sub = append(sub, i)
		}
	}
	return func(i int) Request {
		return w.cases[sub[i%len(sub)]]((i / len(sub)) * len(w.cases))
	}
}
