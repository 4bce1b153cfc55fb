package preflight

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/runrecord"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/target"
)

// APIs are the APIs a target file can describe, in the order results are given.
var APIs = []specfacts.API{specfacts.KooPhone, specfacts.VBS}

// Result is what the preflight learnt about one API of the target.
type Result struct {
	API specfacts.API
	// URL is the API's base URL, redacted.
	URL string
	// Status is the HTTP status of the answer; 0 when none came.
	Status  int
	Elapsed time.Duration
	// Unreachable is set when no HTTP answer came; its String is the line to print.
	Unreachable *runrecord.Unreachable
}

// maxBody bounds how much of an answer is read: the preflight only needs to know that a
// complete HTTP answer arrived, and an endless body must not hold it past its deadline.
const maxBody = specfacts.RequestBodyLimit

// NewClient is an HTTP client configured as the suites' (internal/conformance): proxies from
// the environment, no transparent decompression, redirects not followed, the target's timeout.
func NewClient(t *target.Target) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			ResponseHeaderTimeout: t.RequestTimeout(),
			DisableCompression:    true,
		},
		Timeout:       t.RequestTimeout(),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Described reports whether the target file has a section for the API.
func Described(t *target.Target, api specfacts.API) bool { return BaseURL(t, api) != "" }

// BaseURL is the target's base URL of the API without a trailing slash, "" when the file
// does not describe it.
func BaseURL(t *target.Target, api specfacts.API) string {
	switch {
	case api == specfacts.KooPhone && t.KooPhone != nil:
		return strings.TrimRight(t.KooPhone.BaseURL, "/")
	case api == specfacts.VBS && t.VBS != nil:
		return strings.TrimRight(t.VBS.BaseURL, "/")
	}
	return ""
}

// All probes every API the target describes at once, so the whole preflight costs at most
// one timeout however many APIs are dead.
func All(ctx context.Context, client *http.Client, t *target.Target, c *contract.Contract, red *redact.Redactor) []Result {
	var apis []specfacts.API
	for _, api := range APIs {
		if Described(t, api) {
			apis = append(apis, api)
		}
	}
	results := make([]Result, len(apis))
	var wg sync.WaitGroup
	for i, api := range apis {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = Probe(ctx, client, t, c, api, red)
		}()
	}
	wg.Wait()
	return results
}

// Probe sends one request to the API that no implementation can act on — no token, and ids
// that cannot exist — and says whether any complete HTTP answer came back within the
// target's timeout, whatever its status: judging it is the suites' job. The timeout bounds
// the whole exchange, body included, as in the suites.
func Probe(ctx context.Context, client *http.Client, t *target.Target, c *contract.Contract, api specfacts.API, red *redact.Redactor) Result {
	base := BaseURL(t, api)
	res := Result{API: api, URL: red.String(base)}
	timeout := t.RequestTimeout()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	na := exchange(ctx, client, base, request(c, t, api), timeout, &res.Status)
	res.Elapsed = time.Since(start)
	if na != nil {
		res.Status = 0
		res.Unreachable = &runrecord.Unreachable{API: string(api), URL: res.URL,
			Reason: fmt.Sprintf("no answer from %s %s", res.URL, red.String(na.Summary()))}
	}
	return res
}

// probeRequest is the preflight request of one API, built from the contract alone.
type probeRequest struct {
	method, path string
	header       http.Header
	body         []byte
}

// request is a request without the token header, for a synthetic instance or an unknown
// policy and volume: even a server that ignored the missing token would find nothing to
// change.
func request(c *contract.Contract, t *target.Target, api specfacts.API) probeRequest {
	k := c.Constraints()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept-Encoding", "identity")
	var body any
	req := probeRequest{header: h}
	switch api {
	case specfacts.KooPhone:
		h.Set(k.KooPhone.RequestIDHeader, SyntheticUUID())
		req.method, req.path = k.KooPhone.Method, k.KooPhone.Path
		body = map[string]any{"instance_ids": []string{SyntheticInstanceID()}}
	case specfacts.VBS:
		resourceType := string(specfacts.ResourceTypeVolume)
		if len(k.VBS.ResourceTypes) > 0 {
			resourceType = k.VBS.ResourceTypes[0]
		}
		req.method, req.path = k.VBS.Method, k.VBS.Path(t.VBS.ProjectID)
		body = map[string]any{"backup_policy_id": t.VBS.UnknownBackupPolicyID,
			"resources": []map[string]string{{"resource_id": SyntheticUUID(), "resource_type": resourceType}}}
	}
	req.body, _ = json.Marshal(body)
	return req
}

// exchange sends req and reads the whole answer; it returns why no answer came, or nil.
func exchange(ctx context.Context, client *http.Client, base string, req probeRequest, timeout time.Duration, status *int) *NoAnswerError {
	hr, err := http.NewRequestWithContext(ctx, req.method, base+req.path, bytes.NewReader(req.body))
	if err != nil {
		// The target file's URLs are validated when it is loaded; this is not a target's fault
		// but it is still no answer.
		return &NoAnswerError{Kind: NoAnswerConnection, Timeout: timeout, Stage: "request", Err: err}
	}
	hr.Header = req.header
	resp, err := client.Do(hr)
	if err != nil {
		return Classify(err, timeout, "request")
	}
	defer resp.Body.Close()
	*status = resp.StatusCode
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody)); err != nil {
		return Classify(err, timeout, "body")
	}
	return nil
}

// SyntheticInstanceID is an instance id no target can own: a fixed prefix and random hex,
// letters and digits only and 20 characters long, so it passes any format and length check
// a server may apply (internal/conformance.SyntheticIDs hands out the same form).
func SyntheticInstanceID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "cfxnone0" + hex.EncodeToString(b)
}

// SyntheticUUID is a random version-4 UUID: the shape of the platform's volume ids and
// request ids, which no target has.
func SyntheticUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
