package mock

import (
	"fmt"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The admin API lets client tests drive the mock the way WireMock users expect: put the
// world back as it started, see which calls the client made (with each one's contract
// violations), and see what those calls changed. It lives under its own prefix, which
// neither API can reach (their paths start /v1/ and /v2/), and answers only loopback
// clients unless WithAdminRemote says otherwise: a reset from another machine would wipe a
// shared mock under someone else's tests.
const (
	AdminPrefix        = "/__mock/"
	AdminResetPath     = AdminPrefix + "reset"
	AdminRequestsPath  = AdminPrefix + "requests"
	AdminStatePath     = AdminPrefix + "state"
	mockCodeForbidden  = "MOCK.0403"
	mockCodeNotAllowed = "MOCK.0405"
)

// extensions is the mock's state beyond the two APIs: the admin API, the journal and the
// IAM endpoint. Its zero value is ready to use.
type extensions struct {
	adminRemote bool
	journal     journal
	iamCreds    *IAMCredentials
	iamTTL      time.Duration
	iam         iamRegistry
}

// WithAdminRemote lets the admin API answer clients that are not on loopback.
func WithAdminRemote() Option { return func(m *Mock) { m.ext.adminRemote = true } }

// ServeHTTP sends the admin prefix and the IAM path to their handlers and every other
// request to the two APIs, recording it in the journal.
func (m *Mock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if m.afterServe != nil {
		defer m.afterServe(r)
	}
	switch {
	case strings.HasPrefix(r.URL.Path, AdminPrefix):
		m.serveAdmin(w, r)
		return
	case r.URL.Path == IAMTokensPath:
		m.serveIAM(w, r)
		return
	}
	m.sweepIAMTokens()
	m.serveJournaled(w, r)
}

func (m *Mock) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if !m.ext.adminRemote && !isLoopback(r.RemoteAddr) {
		writeJSON(w, http.StatusForbidden, mockEnvelope(mockCodeForbidden,
			"the admin API answers loopback clients only; start the mock with --admin-remote to allow others"))
		return
	}
	allow := func(method string) bool {
		if r.Method == method {
			return true
		}
		w.Header().Set("Allow", method)
		writeJSON(w, http.StatusMethodNotAllowed, mockEnvelope(mockCodeNotAllowed,
			fmt.Sprintf("method %s is not allowed on %s; use %s", r.Method, r.URL.Path, method)))
		return false
	}
	switch r.URL.Path {
	case AdminResetPath:
		if allow(http.MethodPost) {
			if err := m.Reset(); err != nil {
				writeJSON(w, http.StatusInternalServerError, mockEnvelope(mockCodeInternal, err.Error()))
				return
			}
			writeJSON(w, http.StatusOK, m.State())
		}
	case AdminStatePath:
		if allow(http.MethodGet) {
			writeJSON(w, http.StatusOK, m.State())
		}
	case AdminRequestsPath:
		if allow(http.MethodGet) {
			q := r.URL.Query()
			var since int64
			if s := q.Get("since"); s != "" {
				v, err := strconv.ParseInt(s, 10, 64)
				if err != nil || v < 0 {
					writeJSON(w, http.StatusBadRequest, mockEnvelope(mockCodeBadRequest, fmt.Sprintf("since: %q is not a sequence number (a non-negative integer)", s)))
					return
				}
				since = v
			}
			onlyViolating := false
			if s := q.Get("violating"); s != "" {
				v, err := strconv.ParseBool(s)
				if err != nil {
					writeJSON(w, http.StatusBadRequest, mockEnvelope(mockCodeBadRequest, fmt.Sprintf("violating: %q is not true or false", s)))
					return
				}
				onlyViolating = v
			}
			writeJSON(w, http.StatusOK, m.Journal(since, onlyViolating))
		}
	default:
		writeJSON(w, http.StatusNotFound, mockEnvelope(mockCodeNoSuchPath,
			fmt.Sprintf("no admin operation at %s; the admin API serves POST %s, GET %s, GET %s", r.URL.Path, AdminResetPath, AdminRequestsPath, AdminStatePath)))
	}
}

func isLoopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Reset puts the world back as it started (every instance restored, every volume free) and
// empties the journal. Tokens the IAM endpoint issued stay valid: they are credentials, not
// world state, and a client that authenticated once should not have to again.
func (m *Mock) Reset() error {
	fresh, err := LoadWorld(&m.world.desc)
	if err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	tokens := m.ext.iam.live()
	w := m.world
	w.mu.Lock()
	w.tenantsByToken = fresh.tenantsByToken
	w.instances = fresh.instances
	w.foreignToken = fresh.foreignToken
	w.projects = fresh.projects
	w.projectByToken = fresh.projectByToken
	w.otherPolicyID = fresh.otherPolicyID
	w.grantTokensLocked(tokens)
	w.mu.Unlock()
	m.ext.journal.clear()
	return nil
}

// State is what the API calls changed, as GET /__mock/state reports it.
type State struct {
	KooPhone KooPhoneState `json:"koophone"`
	VBS      VBSState      `json:"vbs"`
	// IAMTokens counts the live tokens the IAM endpoint issued.
	IAMTokens int `json:"iam_tokens"`
}

// KooPhoneState lists the instances backed up and released, sorted.
type KooPhoneState struct {
	ReleasedInstances []string `json:"released_instances"`
}

// VBSState lists the volumes bound to a policy, sorted by project and volume.
type VBSState struct {
	Associations []Association `json:"associations"`
}

// Association is one volume bound to a backup policy.
type Association struct {
	ProjectID      string `json:"project_id"`
	VolumeID       string `json:"volume_id"`
	BackupPolicyID string `json:"backup_policy_id"`
}

// State returns the released instances and the associations.
func (m *Mock) State() State {
	s := State{KooPhone: KooPhoneState{ReleasedInstances: []string{}}, VBS: VBSState{Associations: []Association{}}}
	s.IAMTokens = len(m.ext.iam.live())
	w := m.world
	w.mu.Lock()
	defer w.mu.Unlock()
	for id, in := range w.instances {
		if in.state == released {
			s.KooPhone.ReleasedInstances = append(s.KooPhone.ReleasedInstances, id)
		}
	}
	for _, p := range w.projects {
		for _, v := range p.volumes {
			if v.policy != "" {
				s.VBS.Associations = append(s.VBS.Associations, Association{ProjectID: p.id, VolumeID: v.id, BackupPolicyID: v.policy})
			}
		}
	}
	sort.Strings(s.KooPhone.ReleasedInstances)
	sort.Slice(s.VBS.Associations, func(i, j int) bool {
		a, b := s.VBS.Associations[i], s.VBS.Associations[j]
		if a.ProjectID != b.ProjectID {
			return a.ProjectID < b.ProjectID
		}
		return a.VolumeID < b.VolumeID
	})
	return s
}
