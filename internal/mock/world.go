package mock

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"github.com/koobackup/conformance/fixtures"
	"github.com/koobackup/conformance/internal/target"
)

// World is the mock's in-memory state: KooPhone tenants and their instances, VBS projects
// with their policies and volumes. One mutex guards it all, because every request's check
// and change must be atomic (a rejected request changes nothing; two requests for the same
// instance cannot both succeed), and the mock's load never makes a finer lock pay off.
type World struct {
	mu sync.Mutex

	// desc is the target file the world was built from; Mock.Target rewrites its URLs.
	desc target.Target

	tenantsByToken map[string]*tenant
	instances      map[string]*instance
	foreignToken   string

	projects       map[string]*project
	projectByToken map[string]*project
	otherPolicyID  string
}

type tenant struct{ name string }

type instanceState int

const (
	// restored: the instance's data is on the physical machine; it may be backed up.
	restored instanceState = iota
	// released: backed up to OBS and the machine released; backing up again is refused.
	released
)

type instance struct {
	owner *tenant
	state instanceState
	// job is the job_id of the backup that released the instance, which an idempotent
	// repeat names again (koophone-rebackup-code: idempotent).
	job string
}

type project struct {
	id       string
	policies map[string]bool
	volumes  map[string]*volume
}

type volume struct {
	id     string
	az     string
	pod    string
	policy string // "" when free
}

// WorldError says why a target file cannot be served as a world.
type WorldError struct{ Reason string }

func (e *WorldError) Error() string { return "mock world: " + e.Reason }

// LoadWorld builds a fresh world from a target file: the auth_token tenant owns
// owned_instance_ids (restored), a second tenant with a token derived from the first owns
// foreign_instance_ids, and the VBS project owns backup_policy_id, a second policy the mock
// derives (so that "bound to another policy" is reachable) and volume_ids (free).
// unknown_* ids are, by construction, nowhere.
func LoadWorld(t *target.Target) (*World, error) {
	if t == nil {
		return nil, &WorldError{Reason: "no target file"}
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("mock world: %w", err)
	}
	if t.KooPhone == nil || t.VBS == nil {
		return nil, &WorldError{Reason: "the mock serves both APIs; the file must describe koophone and vbs"}
	}
	for _, entry := range sortedKeysOf(t.MockReadings) {
		if err := CheckReading(entry, t.MockReadings[entry]); err != nil {
			return nil, &WorldError{Reason: "mock_readings: " + err.Error()}
		}
	}
	w := &World{
		desc:           *t,
		tenantsByToken: map[string]*tenant{},
		instances:      map[string]*instance{},
		projects:       map[string]*project{},
		projectByToken: map[string]*project{},
	}
	k := t.KooPhone
	owner := &tenant{name: "tenant"}
	foreign := &tenant{name: "foreign-tenant"}
	w.foreignToken = "foreign-" + digest(k.AuthToken)[:24]
	w.tenantsByToken[k.AuthToken] = owner
	w.tenantsByToken[w.foreignToken] = foreign
	for _, id := range k.OwnedInstanceIDs {
		w.instances[id] = &instance{owner: owner}
	}
	for _, id := range k.ForeignInstanceIDs {
		w.instances[id] = &instance{owner: foreign}
	}

	v := t.VBS
	p := &project{id: v.ProjectID, policies: map[string]bool{v.BackupPolicyID: true}, volumes: map[string]*volume{}}
	w.otherPolicyID = uuidFrom("other-policy:" + v.BackupPolicyID)
	if w.otherPolicyID == v.UnknownBackupPolicyID {
		return nil, &WorldError{Reason: "vbs.unknown_backup_policy_id collides with the mock's derived second policy"}
	}
	p.policies[w.otherPolicyID] = true
	for _, id := range v.VolumeIDs {
		az, pod := placement(id)
		p.volumes[id] = &volume{id: id, az: az, pod: pod}
	}
	w.projects[p.id] = p
	w.projectByToken[v.AuthToken] = p
	return w, nil
}

// DefaultWorld builds a fresh world from the embedded fixtures/world/default.yaml.
func DefaultWorld() (*World, error) {
	raw, err := fixtures.DefaultWorld()
	if err != nil {
		return nil, fmt.Errorf("read default world: %w", err)
	}
	t, err := target.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("default world: %w", err)
	}
	return LoadWorld(t)
}

// ForeignTenantToken is the token of the implicit second tenant that owns
// foreign_instance_ids; tests use it to check that tenants are kept apart.
func (w *World) ForeignTenantToken() string { return w.foreignToken }

// OtherPolicyID is the second policy of the VBS project, which the mock derives so that a
// volume bound to another policy can be provoked.
func (w *World) OtherPolicyID() string { return w.otherPolicyID }

// knowsTenantToken reports whether a KooPhone token names a tenant.
func (w *World) knowsTenantToken(token string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.tenantsByToken[token] != nil
}

// Released reports whether an instance has been backed up and released.
func (w *World) Released(instanceID string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	in, ok := w.instances[instanceID]
	return ok && in.state == released
}

// BoundPolicy returns the policy a volume of the described project is bound to, "" when free
// or unknown.
func (w *World) BoundPolicy(volumeID string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if p := w.projects[w.desc.VBS.ProjectID]; p != nil {
		if v := p.volumes[volumeID]; v != nil {
			return v.policy
		}
	}
	return ""
}

// Placement returns the availability zone and POD the mock assigns to a volume id.
func Placement(volumeID string) (az, pod string) { return placement(volumeID) }

// azs are the zones volumes are spread over; the first is the seed example's.
var azs = []string{"ap-southeast-1", "ap-southeast-2", "ap-southeast-3"}

// placement derives AZ and POD from the id alone, so that a volume reports the same
// placement in every run and in every world that lists it.
func placement(id string) (az, pod string) {
	d := sha256.Sum256([]byte(id))
	az = azs[int(d[0])%len(azs)]
	pod = fmt.Sprintf("pod%02d.%s", int(d[1])%4+1, az)
	return az, pod
}

func digest(s string) string {
	d := sha256.Sum256([]byte(s))
	return hex.EncodeToString(d[:])
}

func uuidFrom(s string) string {
	h := digest(s)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// errNoWorld guards New against a nil world.
var errNoWorld = errors.New("mock: no world")
