package mock

import (
	"net/http"
	"slices"
	"strings"

	"github.com/koobackup/conformance/internal/specfacts"
)

// Deviations that no hand-picked probe sees: they hide behind the one combination the suites
// send, or show only when two answers are compared. Generated exploration
// (internal/explore) is what must catch them.
const (
	FaultKooPhoneTwoFaults500      = "koophone-two-faults-500"
	FaultVBSTwoFaults500           = "vbs-two-faults-500"
	FaultKooPhoneUnknownCodeBySize = "koophone-unknown-code-by-list-size"
	// FaultKooPhoneRefusedBatchReleasesFirst hides behind the suites' mixed request, which
	// names two instances: only a call sequence (a larger refused batch, then a backup of
	// its first instance) shows it.
	FaultKooPhoneRefusedBatchReleasesFirst = "koophone-refused-batch-releases-first"
)

// refusedBatchAtLeast is the smallest refused batch the released-first plant acts on.
const refusedBatchAtLeast = 3

var exploreFaults = []Fault{
	{FaultKooPhoneTwoFaults500, specfacts.KooPhone, "A request carrying two client faults is answered 500, for every pair except a token naming no tenant together with a missing x-request-id.", reqs(specfacts.ReqKooPhoneSeveralFaultsRefused, specfacts.ReqKooPhoneClientErrorsAre400)},
	{FaultVBSTwoFaults500, specfacts.VBS, "A request carrying two client faults is answered 500, for every pair except a missing X-Auth-Token together with a body without resources.", reqs(specfacts.ReqVBSFaultPrecedence)},
	{FaultKooPhoneUnknownCodeBySize, specfacts.KooPhone, "Unknown instances are refused with the parameter-incorrect code when the list holds more than one id and with the permissions code when it holds one: two readings of one register entry in one server.", reqs(specfacts.ReqKooPhoneInstancePermissions)},
	{FaultKooPhoneRefusedBatchReleasesFirst, specfacts.KooPhone, "A well-formed request naming three or more instances, refused because one of them is not the caller's, still releases the first instance it names when that one is the caller's, with no backup job started.", reqs(specfacts.ReqKooPhoneRejectedRequestChangesNothing)},
}

var explorePlants = map[string]plant{
	FaultKooPhoneTwoFaults500: {request: panics(FaultKooPhoneTwoFaults500, func(c *plantCall) bool {
		if c.api != specfacts.KooPhone {
			return false
		}
		faults := c.clientFaults()
		if c.requestHeader(c.m.cons.KooPhone.TokenHeader) != "" && !c.m.world.knowsTenantToken(c.requestHeader(c.m.cons.KooPhone.TokenHeader)) {
			faults = append(faults, "unknown-tenant")
		}
		pair := []string{"unknown-tenant", "/request/headers/" + c.m.cons.KooPhone.RequestIDHeader}
		return len(faults) >= 2 && !sameSet(faults, pair)
	})},

	FaultVBSTwoFaults500: {request: panics(FaultVBSTwoFaults500, func(c *plantCall) bool {
		if c.api != specfacts.VBS {
			return false
		}
		faults := c.clientFaults()
		pair := []string{"/request/headers/" + c.m.cons.VBS.TokenHeader, "/request/body/resources"}
		return len(faults) >= 2 && !sameSet(faults, pair)
	})},

	FaultKooPhoneUnknownCodeBySize: {response: func(c *plantCall) {
		if c.api != specfacts.KooPhone || c.status != http.StatusBadRequest || len(c.clientFaults()) > 0 {
			return
		}
		ids := c.instanceIDs()
		if len(ids) == 0 {
			return
		}
		from, to := kooParameterIncorrect, kooInstancePermissions
		if len(ids) > 1 {
			from, to = kooInstancePermissions, kooParameterIncorrect
		}
		c.replaceKooCode(from, to)
	}},

	FaultKooPhoneRefusedBatchReleasesFirst: {response: func(c *plantCall) {
		if c.api != specfacts.KooPhone || c.status != http.StatusBadRequest {
			return
		}
		ids := c.instanceIDs()
		if len(ids) < refusedBatchAtLeast || len(c.clientFaults()) > 0 {
			// A request the contract refuses is refused for its form, not its instances.
			return
		}
		w := c.m.world
		w.mu.Lock()
		defer w.mu.Unlock()
		caller := w.tenantsByToken[c.requestHeader(c.m.cons.KooPhone.TokenHeader)]
		first := w.instances[ids[0]]
		if caller == nil || first == nil || first.owner != caller || first.state == released {
			return
		}
		for _, id := range ids[1:] {
			if in := w.instances[id]; in == nil || in.owner != caller {
				// Released as a side effect of the refused request, no backup job started.
				first.state = released
				return
			}
		}
	}},
}

func init() {
	faultCatalog = append(faultCatalog, exploreFaults...)
	for n, p := range explorePlants {
		plants[n] = p
	}
}

// clientFaults are the places where the request departs from the contract, one per place:
// a list of ids over the limit and an id too long are two, a header missing is one however
// many rules it breaks. Array indices are dropped so that one bad item is one place.
func (c *plantCall) clientFaults() []string {
	var out []string
	for _, v := range c.m.contract.ValidateRequest(c.r, c.body) {
		loc := v.Location
		parts := strings.Split(loc, "/")
		kept := parts[:0]
		for _, p := range parts {
			if p != "" && strings.Trim(p, "0123456789") == "" {
				continue
			}
			kept = append(kept, p)
		}
		loc = strings.ToLower(strings.Join(kept, "/"))
		if !slices.Contains(out, loc) {
			out = append(out, loc)
		}
	}
	return out
}

// sameSet reports whether two lists hold the same strings, case aside.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range b {
		if !slices.ContainsFunc(a, func(y string) bool { return strings.EqualFold(x, y) }) {
			return false
		}
	}
	return true
}
