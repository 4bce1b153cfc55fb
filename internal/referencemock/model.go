package referencemock

import (
	"net/http"

	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/target"
)

// Model is the reference mock as the model the suites' call sequences are checked against
// (explore.Model): a fresh world of the target file taking the readings the run observed.
func Model(t *target.Target, readings map[string]string) (http.Handler, error) {
	return mock.NewModel(t, mock.Readings(readings))
}
