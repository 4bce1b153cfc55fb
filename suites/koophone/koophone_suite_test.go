package koophone_test

import (
	"testing"

	"github.com/koobackup/conformance/internal/conformance"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = conformance.Setup(specfacts.KooPhone)

func TestKooPhoneConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "KooPhone instance backup conformance")
}
