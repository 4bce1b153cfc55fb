package explore

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/hostile"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/specfacts"
)

func vocabulary(t *testing.T, api specfacts.API, c *contract.Contract) *Vocabulary {
	t.Helper()
	v, err := BuildVocabulary(api, c, catalog.Default(), mock.New(nil).Target("http://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func fault(v *Vocabulary, id string) *Fault {
	for _, f := range v.Faults {
		if f.ID == id {
			return f
		}
	}
	return nil
}

// A constraint added to a spec adds its faults: a maxLength on VBS resource_id gives an
// "over the limit" fault that the law's vocabulary does not have.
func TestConstraintAddsFault(t *testing.T) {
	const id = "vbs:over-limit:/body/resources/0/resource_id"
	if f := fault(vocabulary(t, specfacts.VBS, contract.Default()), id); f != nil {
		t.Fatalf("the law already has %s", id)
	}
	edited, err := contract.LoadEdited(func(api specfacts.API, doc *openapi3.T) error {
		if api != specfacts.VBS {
			return nil
		}
		s := doc.Components.Schemas["ResourceRef"].Value.Properties["resource_id"].Value
		n := uint64(64)
		s.MaxLength = &n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f := fault(vocabulary(t, specfacts.VBS, edited), id)
	if f == nil {
		t.Fatalf("no %s after adding maxLength", id)
	}
	if !f.MustRefuse {
		t.Errorf("%s: an id over a stated limit must be refused", id)
	}
}

// Whether a fault must be refused is read from the register: faults a tolerated reading
// answers with a 2xx are not, the others are.
func TestMustRefuseFollowsTheRegister(t *testing.T) {
	for api, want := range map[specfacts.API]map[string]bool{
		specfacts.KooPhone: {
			"koophone:over-limit:/body/instance_ids":          true,
			"koophone:over-limit:/body/instance_ids/0":        true,
			"koophone:missing:/header/x-request-id":           true,
			"koophone:empty:/header/x-request-id":             false, // koophone-empty-request-id: accepted
			"koophone:empty:/body/instance_ids":               false, // koophone-instance-ids-min-items: accept-empty
			"koophone:unknown-member:/body/+":                 false, // koophone-unknown-fields: ignore
			"koophone:unsupported-content-type:/content-type": false, // koophone-content-type: sniff
			"koophone:malformed-json:/body":                   true,
		},
		specfacts.VBS: {
			"vbs:another-accept:/accept":                            false, // vbs-not-acceptable: ignore-accept
			"vbs:unsupported-value:/body/resources/0/resource_type": false, // vbs-unsupported-resource-type: per-resource
			"vbs:missing:/body/backup_policy_id":                    true,
			"vbs:another-method:/method/GET":                        true,
			"vbs:project-mismatch:/path/project_id":                 true,
		},
	} {
		v := vocabulary(t, api, contract.Default())
		for id, must := range want {
			f := fault(v, id)
			if f == nil {
				t.Errorf("no fault %s; vocabulary: %v", id, v.Faults)
				continue
			}
			if f.MustRefuse != must {
				t.Errorf("%s: must refuse %v, want %v (entries %v)", id, f.MustRefuse, must, f.Entries)
			}
		}
	}
}

// A target that stops answering (one that hangs, one that refuses connections) stops
// exploration after a few requests, each bounded by the client's timeout; the result says so.
func TestDeadTargetStops(t *testing.T) {
	for name, url := range map[string]string{"hang": hostile.Listen(t, hostile.Hang).URL, "refused": hostile.RefusedURL(t)} {
		tg := mock.New(nil).Target(url)
		res, err := Run(context.Background(), Options{Target: tg, Seed: 1, APIs: []specfacts.API{specfacts.KooPhone}, Client: &http.Client{Timeout: 50 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		a := res.APIs[0]
		if !a.Unanswered || a.Sent != unansweredLimit || !strings.Contains(a.Stopped, "no answer") {
			t.Errorf("%s: sent %d, unanswered %v, stopped %q; want a stop after %d", name, a.Sent, a.Unanswered, a.Stopped, unansweredLimit)
		}
	}
}

// The duration bounds exploration: an already expired duration sends nothing.
func TestDurationBounds(t *testing.T) {
	res, err := Run(context.Background(), Options{Target: serveMock(t), Seed: 1, APIs: []specfacts.API{specfacts.VBS}, Duration: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if a := res.APIs[0]; a.Sent > 1 || !strings.Contains(a.Stopped, "duration") {
		t.Errorf("sent %d, stopped %q", a.Sent, a.Stopped)
	}
}

// Bad options are refused with what was wrong.
func TestBadOptions(t *testing.T) {
	if _, err := Run(context.Background(), Options{}); err == nil {
		t.Error("no target accepted")
	}
	if _, err := Run(context.Background(), Options{Target: serveMock(t), Budget: -1}); err == nil || !strings.Contains(err.Error(), "budget") {
		t.Errorf("negative budget: %v", err)
	}
	if _, err := SuiteOptions(specfacts.VBS, serveMock(t), nil, func(k string) (string, bool) { return "x", k == SeedEnv }); err == nil || !strings.Contains(err.Error(), SeedEnv) {
		t.Errorf("bad seed: %v", err)
	}
}
