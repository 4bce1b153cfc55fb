package conformance

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/koobackup/conformance/internal/ledger"
	"github.com/koobackup/conformance/internal/target"
)

func poolTarget(owned, volumes int) *target.Target {
	t := &target.Target{KooPhone: &target.KooPhone{}, VBS: &target.VBS{}}
	for i := range owned {
		t.KooPhone.OwnedInstanceIDs = append(t.KooPhone.OwnedInstanceIDs, fmt.Sprintf("i%02d", i))
	}
	for i := range volumes {
		t.VBS.VolumeIDs = append(t.VBS.VolumeIDs, fmt.Sprintf("v%02d", i))
	}
	return t
}

func claimOn(p *poolRegistry, pool Pool, name string, n int) *Reservation {
	return p.add(&Reservation{pool: pool, name: name, n: n})
}

// Ids the ledger names are never reserved; the pool state says how many were fresh.
func TestResolveSkipsIdsTheLedgerNames(t *testing.T) {
	p := &poolRegistry{names: map[string]bool{}}
	a := claimOn(p, OwnedInstances, "a", 2)
	b := claimOn(p, FreeVolumes, "b", 1)
	earlier := ledger.Earlier{Path: "/l.json", Consumed: map[string][]string{string(OwnedInstances): {"i00", "i02"}, string(FreeVolumes): {"v00"}}}
	p.resolve(poolTarget(5, 3), earlier, 1, 2)
	if strings.Join(a.ids, ",") != "i01,i03" || strings.Join(b.ids, ",") != "v01" {
		t.Fatalf("reserved %v %v", a.ids, b.ids)
	}
	if got := p.spares[OwnedInstances]; strings.Join(got, ",") != "i04" {
		t.Errorf("spares %v", got)
	}
	st := p.states[0]
	if st.Listed != 5 || st.ConsumedEarlier != 2 || st.Fresh != 3 || st.Reserved != 2 || st.Ledger != "/l.json" {
		t.Errorf("state %+v", st)
	}
}

// A pool the ledger says is used up gives every claim the reason a user can act on: all of
// it was consumed by earlier runs, and where the ledger is. A pool merely too small says
// how many earlier runs took.
func TestExhaustedPoolNamesTheLedger(t *testing.T) {
	p := &poolRegistry{names: map[string]bool{}}
	a := claimOn(p, OwnedInstances, "a", 1)
	all := poolTarget(3, 0).KooPhone.OwnedInstanceIDs
	p.resolve(poolTarget(3, 0), ledger.Earlier{Path: "/l.json", Consumed: map[string][]string{string(OwnedInstances): all}}, 1, 1)
	if a.Available() || a.reason != "koophone.owned_instance_ids: all 3 were consumed by earlier runs; ledger /l.json (list fresh ids in the target file, or reset the target and delete the ledger)" {
		t.Fatalf("reason %q", a.reason)
	}
	p = &poolRegistry{names: map[string]bool{}}
	big := claimOn(p, OwnedInstances, "big", 3)
	p.resolve(poolTarget(3, 0), ledger.Earlier{Path: "/l.json", Consumed: map[string][]string{string(OwnedInstances): all[:1]}}, 1, 1)
	if big.Available() || !strings.Contains(big.reason, "needs 3, 2 left") || !strings.Contains(big.reason, "1 of the 3 listed were consumed by earlier runs (ledger /l.json)") {
		t.Fatalf("reason %q", big.reason)
	}
}

// An unfiltered claim takes the ids a filtered claim wants last, so that they outlast runs.
func TestLargeClaimsLeaveFilteredIdsForLaterRuns(t *testing.T) {
	p := &poolRegistry{names: map[string]bool{}}
	long := func(id string) bool { return id == "i00" || id == "i01" }
	f := p.add(&Reservation{pool: OwnedInstances, name: "f", n: 1, filter: long})
	big := claimOn(p, OwnedInstances, "big", 3)
	p.resolve(poolTarget(5, 0), ledger.Earlier{}, 1, 1)
	if f.ids[0] != "i00" || strings.Join(big.ids, ",") != "i02,i03,i04" || slices.ContainsFunc(big.ids, long) {
		t.Fatalf("filtered %v, big %v", f.ids, big.ids)
	}
}

// A claim of ReserveUpTo is resolved after every fixed claim, however it was declared, and
// takes what they left up to its limit, leaving each process its spares; with nothing left
// it is met with no id.
func TestUpToClaimTakesWhatIsLeft(t *testing.T) {
	p := &poolRegistry{names: map[string]bool{}}
	up := p.add(&Reservation{pool: OwnedInstances, name: "explore", upTo: func(*target.Target) int { return 2 }})
	fixed := claimOn(p, OwnedInstances, "fixed", 2)
	p.resolve(poolTarget(4+2+sparesPerProcess, 0), ledger.Earlier{}, 1, 1)
	if strings.Join(fixed.ids, ",") != "i00,i01" || strings.Join(up.ids, ",") != "i02,i03" || !up.Available() {
		t.Fatalf("fixed %v, up to 2 %v", fixed.ids, up.ids)
	}
	if got := p.spares[OwnedInstances]; len(got) != 2+sparesPerProcess {
		t.Errorf("spares %v", got)
	}
	p.resolve(poolTarget(3+sparesPerProcess, 0), ledger.Earlier{}, 1, 1)
	if len(up.ids) != 1 || !up.Available() || len(p.spares[OwnedInstances]) != sparesPerProcess {
		t.Fatalf("one id left beside the spares: %v, available %v, spares %v", up.ids, up.Available(), p.spares[OwnedInstances])
	}
	p.resolve(poolTarget(2, 0), ledger.Earlier{}, 1, 1)
	if len(up.ids) != 0 || !up.Available() || !fixed.Available() {
		t.Fatalf("nothing left: %v %q, fixed %v", up.ids, up.reason, fixed.ids)
	}
}

// Only pooled ids that appear as JSON strings count, once each, in a malformed body too.
func TestPooledIn(t *testing.T) {
	listed := map[string]bool{"i1": true, "i2": true, "v\"x": true}
	got := pooledIn([]byte(`{"instance_ids":["i1","i3","i1"],"x":{"i2":[ "i2" ]},"y":"i1x", "z":"v\"x"}`), listed)
	if strings.Join(got, ",") != "i1,i2" {
		t.Fatalf("got %v", got)
	}
	if got := pooledIn([]byte(`{"instance_ids":"i2"`), listed); strings.Join(got, ",") != "i2" {
		t.Fatalf("mistyped: %v", got)
	}
}
