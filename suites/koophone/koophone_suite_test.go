package koophone_test

import (
	"testing"

	"github.com/koobackup/conformance/internal/conformance"
	"github.com/koobackup/conformance/internal/referencemock"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Without CONFORMANCE_TARGET the suite runs against the reference mock, so that a plain
// `go tool ginkgo ./suites/...` works; internal/referencemock says why it is passed in here.
var _ = conformance.Setup(specfacts.KooPhone, referencemock.Start)

func TestKooPhoneConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "KooPhone instance backup conformance")
}
