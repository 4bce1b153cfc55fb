package vbs_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/koobackup/conformance/internal/conformance"
)

var _ = conformance.Setup(conformance.VBS)

func TestVBSConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "VBS backup policy resources conformance")
}
