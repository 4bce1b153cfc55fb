package runrecord_test

import (
	"encoding/json"
	"testing"

	"github.com/koobackup/conformance/internal/conformance"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
	ginkgotypes "github.com/onsi/ginkgo/v2/types"
)

var captured []byte

var _ = Describe("records the suites emit", func() {
	It("cannot tell", Label(runrecord.RequirementLabelPrefix+string(specfacts.ReqKooPhoneInstanceIDMaxLength)), func() {
		conformance.Inconclusive("the target answers unknown instances with the code under test")
	})
	It("is skipped", func() { conformance.SkipBecause("pool too small") })
	It("does not apply", func() { conformance.NotApplicable("the request was not refused") })
})

var _ = ReportAfterSuite("capture", func(r ginkgotypes.Report) {
	raw, err := json.Marshal([]ginkgotypes.Report{r})
	if err != nil {
		panic(err)
	}
	captured = raw
})

// What conformance.Inconclusive and conformance.SkipBecause emit in a real Ginkgo run is
// read back as typed records: an inconclusive or not-applicable spec is skipped (never
// passed) and carries its verdict; a skipped spec carries its reason.
func TestRecordsRoundTripThroughGinkgo(t *testing.T) {
	suiteCfg, reporterCfg := GinkgoConfiguration()
	reporterCfg.Succinct = true
	RunSpecs(t, "runrecord round trip", suiteCfg, reporterCfg)
	run, err := runrecord.Read(captured)
	if err != nil {
		t.Fatal(err)
	}
	var inconclusive, skipped, notApplicable *runrecord.Spec
	for i, s := range run.Suites[0].Specs {
		switch s.Text {
		case "records the suites emit cannot tell":
			inconclusive = &run.Suites[0].Specs[i]
		case "records the suites emit is skipped":
			skipped = &run.Suites[0].Specs[i]
		case "records the suites emit does not apply":
			notApplicable = &run.Suites[0].Specs[i]
		}
	}
	if inconclusive == nil || skipped == nil || notApplicable == nil {
		t.Fatalf("specs missing from %+v", run.Suites[0].Specs)
	}
	if !inconclusive.Skipped() || len(inconclusive.Inconclusive()) != 1 || inconclusive.Requirements()[0] != specfacts.ReqKooPhoneInstanceIDMaxLength {
		t.Errorf("inconclusive spec: %+v", inconclusive)
	}
	if !notApplicable.Skipped() || len(notApplicable.NotApplicable()) != 1 || len(notApplicable.Inconclusive()) != 0 {
		t.Errorf("not-applicable spec: %+v", notApplicable)
	}
	if !skipped.Skipped() || len(skipped.SkipReasons) != 1 || skipped.SkipReasons[0].Reason != "pool too small" || len(skipped.Inconclusive()) != 0 {
		t.Errorf("skipped spec: %+v", skipped)
	}
}
