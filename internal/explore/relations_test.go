package explore

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/specfacts"
)

// Where a 200 reports the requested items is read from the documents: KooPhone's jobs by
// instance_id, VBS's two lists by resource_id.
func TestItemReportDerivedFromSpecs(t *testing.T) {
	for api, want := range map[specfacts.API]string{
		specfacts.KooPhone: "instance_id in [data.cmd_jobs]",
		specfacts.VBS:      "resource_id in [fail_resources success_resources]",
	} {
		rep := itemReportOf(vocabulary(t, api, contract.Default()))
		if rep == nil {
			t.Fatalf("%s: no item report", api)
		}
		var lists []string
		for _, p := range rep.lists {
			lists = append(lists, strings.Join(p, "."))
		}
		if got := fmt.Sprintf("%s in %v", rep.reportMember, lists); got != want {
			t.Errorf("%s: items reported as %s, want %s", api, got, want)
		}
	}
}

// A re-spelt id keeps the prefix, the index and the length in characters, holds a
// multi-byte character where one fits, and stays within the limit in bytes.
func TestRespellKeepsLengthWithinBothUnits(t *testing.T) {
	budget := contract.Default().Constraints().KooPhone.InstanceIDMaxLength
	for n := minIDLength; n <= budget; n++ {
		id := syntheticPrefix + strings.Repeat("a", n-minIDLength) + indexTag(n)
		got := respell(id, AlphabetMultiByte, budget)
		switch {
		case utf8.RuneCountInString(got) != n:
			t.Errorf("%q: %d characters, want %d", got, utf8.RuneCountInString(got), n)
		case len(got) > budget:
			t.Errorf("%q: %d bytes, over %d", got, len(got), budget)
		case !strings.HasPrefix(got, syntheticPrefix) || !strings.HasSuffix(got, indexTag(n)):
			t.Errorf("%q: lost the prefix or the index of %q", got, id)
		case multiByte(got) != (n > minIDLength && n < budget):
			t.Errorf("%q: multi-byte %v at %d characters", got, multiByte(got), n)
		}
		if back := respell(got, AlphabetASCII, budget); multiByte(back) || utf8.RuneCountInString(back) != n {
			t.Errorf("%q back to ASCII: %q", got, back)
		}
	}
}
