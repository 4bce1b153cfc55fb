package conformance

import (
	"context"
	"fmt"
	"net/http"

	"github.com/koobackup/conformance/internal/iam"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
)

// startIAM obtains the first token when the target file's auth: block supplies an API's
// token. Every process of a parallel run obtains its own: tokens never travel between
// processes, and a failure names the endpoint and user in every process's output.
func (e *Env) startIAM() error {
	t := e.Target
	if t.Auth == nil || !(t.TokenFromIAM(string(specfacts.KooPhone)) || t.TokenFromIAM(string(specfacts.VBS))) {
		return nil
	}
	client := &http.Client{Transport: e.Client.Transport, Timeout: t.RequestTimeout()}
	e.iam = iam.New(*t.Auth, client, func(tok string) { e.Redactor.Add(tok) })
	return e.renewIAMToken()
}

// renewIAMToken puts a valid token into the sections that take theirs from IAM, obtaining a
// new one when the current one is within its renewal margin. It runs before every spec, so
// a run longer than a token's life never sends an expired one.
func (e *Env) renewIAMToken() error {
	if e.iam == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.Target.RequestTimeout())
	defer cancel()
	tok, err := e.iam.Token(ctx)
	if err != nil {
		return fmt.Errorf("conformance: %s", e.Redactor.String(err.Error()))
	}
	if e.Target.TokenFromIAM(string(specfacts.KooPhone)) {
		e.Target.KooPhone.AuthToken = tok
	}
	if e.Target.TokenFromIAM(string(specfacts.VBS)) {
		e.Target.VBS.AuthToken = tok
	}
	return nil
}

// renewIAMTokenOrFail is the BeforeEach form: a token that cannot be renewed fails the spec
// with the reason, rather than letting it fail later on an authentication error.
func (e *Env) renewIAMTokenOrFail() {
	GinkgoHelper()
	if err := e.renewIAMToken(); err != nil {
		Fail(err.Error())
	}
}
