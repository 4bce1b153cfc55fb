package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/redact"
	"github.com/koobackup/conformance/internal/specfacts"
	"github.com/koobackup/conformance/internal/traffic"
)

// DefaultBodyLimit is how much of a body the proxy buffers for validation: the specs'
// x-request-body-limit, above which the oversized-body requirements allow a server to refuse
// a request. No conforming request or response of these APIs comes near it.
const DefaultBodyLimit = specfacts.RequestBodyLimit

// DefaultTimeout bounds one exchange with the upstream, from sending the request to the
// end of the buffered response.
const DefaultTimeout = 30 * time.Second

// HeaderProxyAnswer is set on responses the proxy produced itself (rejections and upstream
// failures) so a client's test can tell them from the upstream's answers.
const HeaderProxyAnswer = "X-Conformance-Proxy"

// Codes of the proxy's own answers in the VBS envelope (the page names no codes) and in the
// plain envelope of unknown paths.
const (
	CodeRejected            = "PROXY.REQUEST_NOT_CONFORMING"
	CodeUpstreamUnreachable = "PROXY.UPSTREAM_UNREACHABLE"
	CodeUpstreamTimeout     = "PROXY.UPSTREAM_TIMEOUT"
	CodeUpstreamMalformed   = "PROXY.UPSTREAM_MALFORMED_RESPONSE"
)

// Recorder receives every exchange; traffic.Writer is one. Write is called from the
// proxy's workers, possibly concurrently.
type Recorder interface {
	Write(traffic.Exchange) error
}

// Proxy is an http.Handler that forwards to one upstream and validates every exchange.
//
// Validation of what was forwarded, logging, recording and the tally run on a few worker
// goroutines fed by a bounded queue, after the client has its answer: the request path
// only buffers and forwards. Nothing is sampled or dropped: a full queue makes the
// handler wait. Flush waits for every exchange handed over so far; Close drains the queue
// and stops the workers, after which exchanges are checked on the request path.
type Proxy struct {
	upstream  *url.URL
	contract  *contract.Contract
	transport http.RoundTripper
	ownsTrans *http.Transport
	forward   *httputil.ReverseProxy
	timeout   time.Duration
	limit     int64
	reject    bool
	logger    *slog.Logger
	recorder  Recorder
	redactor  *redact.Redactor
	tally     *traffic.Tally

	queue   *queue
	closing sync.Once
}

// Option configures a Proxy.
type Option func(*Proxy)

// WithReject makes the proxy answer a non-conforming request itself with the API's
// documented 400 instead of forwarding it.
func WithReject() Option { return func(p *Proxy) { p.reject = true } }

// WithTimeout bounds each exchange with the upstream; a slower upstream gets a 504.
func WithTimeout(d time.Duration) Option { return func(p *Proxy) { p.timeout = d } }

// WithBodyLimit sets how many bytes of a body are buffered for validation.
func WithBodyLimit(n int64) Option { return func(p *Proxy) { p.limit = n } }

// WithLogger sets where violations and upstream failures are logged.
func WithLogger(l *slog.Logger) Option { return func(p *Proxy) { p.logger = l } }

// WithRecorder records every exchange (redacted by the recorder).
func WithRecorder(r Recorder) Option { return func(p *Proxy) { p.recorder = r } }

// WithRedactor removes these secrets from logs and the report besides credential headers.
func WithRedactor(r *redact.Redactor) Option { return func(p *Proxy) { p.redactor = r } }

// WithTransport replaces the shared upstream Transport (tests, custom TLS).
func WithTransport(rt http.RoundTripper) Option { return func(p *Proxy) { p.transport = rt } }

// WithContract validates against c instead of contract.Default().
func WithContract(c *contract.Contract) Option { return func(p *Proxy) { p.contract = c } }

// MaxIdleConnsPerHost is how many kept-alive upstream connections the proxy's own
// Transport holds. Every client connection in flight needs one upstream connection, so it
// is sized well above the benchmark's and a CI job's concurrency: an idle pool smaller
// than the load makes the Transport dial and close a connection per request.
const MaxIdleConnsPerHost = 256

// New returns a proxy forwarding to upstream (scheme and host, optionally a path prefix).
func New(upstream *url.URL, opts ...Option) *Proxy {
	p := &Proxy{upstream: upstream, timeout: DefaultTimeout, limit: DefaultBodyLimit}
	for _, o := range opts {
		o(p)
	}
	if p.contract == nil {
		p.contract = contract.Default()
	}
	if p.logger == nil {
		p.logger = slog.New(slog.DiscardHandler)
	}
	if p.redactor == nil {
		p.redactor = redact.New()
	}
	if p.transport == nil {
		p.ownsTrans = newTransport()
		p.transport = p.ownsTrans
	}
	p.forward = p.newReverseProxy()
	p.tally = traffic.NewTally(p.redactor)
	p.queue = newQueue(p.check, runtime.GOMAXPROCS(0))
	return p
}

// Tally is the running verdict of every exchange the proxy has seen. It waits for the
// exchanges already answered to be checked first.
func (p *Proxy) Tally() *traffic.Tally {
	p.Flush()
	return p.tally
}

// Flush waits until every exchange answered so far is validated, logged, recorded and
// counted.
func (p *Proxy) Flush() { p.queue.wait() }

// Close drains the queue, stops the workers and releases the idle upstream connections of
// the proxy's own Transport. Requests still arriving are checked on the request path.
func (p *Proxy) Close() {
	p.closing.Do(p.queue.close)
	if p.ownsTrans != nil {
		p.ownsTrans.CloseIdleConnections()
	}
}

var errUpstreamTimeout = errors.New("upstream did not answer in time")

// ServeHTTP forwards one request and hands the exchange to the workers for validation.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	j := &job{
		ex: traffic.Exchange{
			Start: time.Now(),
			// The request is the server's and is not touched once the handler returns.
			Request: traffic.Request{Method: r.Method, Header: r.Header},
		},
		scheme: "http", host: r.Host, path: r.URL.Path, rawPath: r.URL.RawPath, rawQuery: r.URL.RawQuery,
	}
	if r.TLS != nil {
		j.scheme = "https"
	}
	ex := &j.ex
	// answered stays false when ReverseProxy aborts an answer it could not copy through
	// whole (it panics with http.ErrAbortHandler, which the server absorbs).
	answered := false
	defer func() {
		if !answered && ex.Error == "" {
			if err := j.answer.restErr; err != nil {
				ex.Error = "streaming the oversized response: " + err.Error()
			} else {
				ex.Error, ex.ErrorKind = "client went away while the answer was sent", traffic.ErrorClientGone
			}
		}
		ex.Duration = time.Since(ex.Start)
		p.queue.submit(j)
	}()

	j.reqBuf = getBuffer()
	// One reference for the job, one for an oversized body streamed to the upstream (the
	// Transport may read it after RoundTrip returns and releases it when it closes it).
	j.reqBuf.refs.Store(2)
	transportRef := true
	defer func() {
		if transportRef {
			j.reqBuf.release()
		}
	}()
	body, truncated, err := j.reqBuf.readLimited(r.Body, p.limit)
	ex.Request.Body, ex.Request.Truncated = body, truncated
	ex.Request.Size = int64(len(body))
	if truncated && r.ContentLength > ex.Request.Size {
		ex.Request.Size = r.ContentLength
	}
	if err != nil {
		ex.Error, ex.ErrorKind = "client request body: "+err.Error(), traffic.ErrorClientGone
		j.reqChecked = true // nothing whole to check
		answered = true
		return
	}
	if p.reject {
		// Only reject mode needs the request's verdict before forwarding.
		api, _, _ := p.contract.Route(r.Method, r.URL.Path)
		ex.Request.URL = j.url()
		j.reqViolations, j.reqChecked = traffic.CheckRequest(p.contract, *ex), true
		if len(j.reqViolations) > 0 {
			ex.Error, ex.ErrorKind = "rejected by the proxy: "+summarize(j.reqViolations), traffic.ErrorRejected
			p.answer(w, api, http.StatusBadRequest, CodeRejected, summarize(j.reqViolations), "rejected")
			answered = true
			return
		}
	}

	// The body the Transport sends (rewrite hands it over): the buffered bytes, then the
	// rest of an oversized body straight from the client.
	switch {
	case truncated:
		j.outBody = &bufferBody{Reader: io.MultiReader(bytes.NewReader(body), r.Body), buf: j.reqBuf}
		j.outLength = max(r.ContentLength, -1)
		transportRef = false // the Transport closes the body, which releases it
	case len(body) > 0:
		// A copy of its own, since the Transport may still read it after the exchange was
		// checked and the buffer reused; and a reader the Transport knows to be in memory,
		// which it sends in one write with the header.
		sent := bytes.Clone(body)
		j.outBody = io.NopCloser(bytes.NewReader(sent))
		j.getBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(sent)), nil }
		j.outLength = int64(len(sent))
	}

	ctx, cancel := context.WithTimeoutCause(r.Context(), p.timeout, errUpstreamTimeout)
	defer cancel()
	in := r.WithContext(context.WithValue(ctx, jobKey{}, j))
	// ReverseProxy closes the inbound body when it returns, possibly while the Transport
	// still sends; rewrite gives the Transport the buffered one instead.
	in.Body, in.ContentLength = http.NoBody, j.outLength
	p.forward.ServeHTTP(w, in)
	answered = true
}

// jobKey carries the job from ServeHTTP to the ReverseProxy's hooks.
type jobKey struct{}

func jobOf(r *http.Request) *job { return r.Context().Value(jobKey{}).(*job) }

// job is one exchange on its way to the workers.
type job struct {
	ex                                    traffic.Exchange
	scheme, host, path, rawPath, rawQuery string
	reqChecked                            bool
	reqViolations                         contract.Violations
	// malformed is set when the upstream's answer was not HTTP; the violation is built by
	// the worker.
	malformed bool
	reqBuf    *buffer
	respBuf   *buffer

	// The upstream request's body, and the answer as ReverseProxy copies it to the client.
	outBody   io.ReadCloser
	getBody   func() (io.ReadCloser, error)
	outLength int64
	answer    answerBody
}

// url is the URL the client asked for, as recorded and reported.
func (j *job) url() string {
	return (&url.URL{Scheme: j.scheme, Host: j.host, Path: j.path, RawPath: j.rawPath, RawQuery: j.rawQuery}).String()
}

// check validates both sides of one exchange, logs and counts its violations and records
// it. It runs on a worker, or on the request path once the proxy is closed.
func (p *Proxy) check(j *job) {
	ex := j.ex
	ex.Request.URL = j.url()
	// The request line as the contract sees it, without parsing the recorded URL again.
	req := &http.Request{Method: ex.Request.Method, Header: ex.Request.Header, Host: j.host,
		URL: &url.URL{Scheme: j.scheme, Host: j.host, Path: j.path, RawPath: j.rawPath, RawQuery: j.rawQuery}}
	api, reqViolations, respViolations := traffic.CheckParsed(p.contract, req, ex)
	if j.reqChecked {
		reqViolations = j.reqViolations
	}
	p.logViolations(ex, reqViolations)
	if j.malformed {
		respViolations = contract.Violations{traffic.MalformedResponse(p.contract, ex, errors.New(ex.Error))}
	}
	p.logViolations(ex, respViolations)
	p.tally.AddRouted(api, ex, append(reqViolations, respViolations...))
	if p.recorder != nil {
		rec := ex
		if _, ok := p.recorder.(*traffic.Writer); !ok {
			// The bodies go back to the pool below; a recorder other than traffic.Writer
			// (which encodes on the spot) may keep what it is given.
			rec = detached(ex)
		}
		if err := p.recorder.Write(rec); err != nil {
			p.logger.Error("recording failed", "error", err.Error())
		}
	}
	j.reqBuf.release()
	j.respBuf.release()
}

// detached returns ex with bodies of its own.
func detached(ex traffic.Exchange) traffic.Exchange {
	ex.Request.Body = bytes.Clone(ex.Request.Body)
	if ex.Response != nil {
		r := *ex.Response
		r.Body = bytes.Clone(r.Body)
		ex.Response = &r
	}
	return ex
}

// upstreamFailed answers 504 when the upstream was too slow, 502 when it was unreachable or
// answered something that is not HTTP (the latter is also a violation), and nothing when the
// client itself went away.
func (p *Proxy) upstreamFailed(ctx context.Context, w http.ResponseWriter, r *http.Request, j *job, err error) {
	ex := &j.ex
	api, _, _ := p.contract.Route(r.Method, r.URL.Path)
	switch {
	case errors.Is(context.Cause(ctx), errUpstreamTimeout):
		ex.Error, ex.ErrorKind = fmt.Sprintf("upstream did not answer within %s", p.timeout), traffic.ErrorUpstreamTimeout
		p.logger.Error("upstream timeout", "method", r.Method, "path", r.URL.Path, "timeout", p.timeout.String())
		p.answer(w, api, http.StatusGatewayTimeout, CodeUpstreamTimeout, ex.Error, string(traffic.ErrorUpstreamTimeout))
	case r.Context().Err() != nil:
		ex.Error, ex.ErrorKind = "client went away before the answer", traffic.ErrorClientGone
		p.logger.Info("client went away", "method", r.Method, "path", r.URL.Path)
	case isDialError(err):
		ex.Error, ex.ErrorKind = "upstream unreachable: "+p.redactor.String(err.Error()), traffic.ErrorUpstreamUnreachable
		p.logger.Error("upstream unreachable", "method", r.Method, "path", r.URL.Path, "error", ex.Error)
		p.answer(w, api, http.StatusBadGateway, CodeUpstreamUnreachable, ex.Error, string(traffic.ErrorUpstreamUnreachable))
	default:
		ex.Error, ex.ErrorKind = p.redactor.String(err.Error()), traffic.ErrorMalformedResponse
		ex.Response = nil
		j.malformed = true
		p.answer(w, api, http.StatusBadGateway, CodeUpstreamMalformed, "upstream answered with a malformed response: "+ex.Error, string(traffic.ErrorMalformedResponse))
	}
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func (p *Proxy) logViolations(ex traffic.Exchange, vs contract.Violations) {
	// Redacting costs more than a discarded record; ask the handler first.
	if len(vs) == 0 || !p.logger.Enabled(context.Background(), slog.LevelWarn) {
		return
	}
	for _, v := range vs {
		p.logger.Warn("contract violation",
			"requirement", v.RequirementID, "rule", v.Rule, "location", v.Location,
			"message", p.redactor.String(v.Message), "method", ex.Request.Method,
			"url", p.redactor.String(ex.Request.URL))
	}
}

// answer writes the proxy's own response in the envelope of the API the path belongs to.
func (p *Proxy) answer(w http.ResponseWriter, api specfacts.API, status int, code, message, kind string) {
	message = p.redactor.String(message)
	var body any
	cons := p.contract.Constraints()
	switch {
	case api == specfacts.KooPhone && status < 500:
		body = map[string]string{"error_code": cons.KooPhone.Code(specfacts.CodeParameterIncorrect).Code, "error_msg": message}
	case api == specfacts.KooPhone:
		body = map[string]string{"error_code": cons.KooPhone.Code(specfacts.CodeInternalError).Code, "error_msg": message}
	case api == specfacts.VBS:
		body = map[string]map[string]string{"error": {"code": code, "message": message}}
	default:
		body = map[string]string{"code": code, "message": message}
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set(HeaderProxyAnswer, kind)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func summarize(vs contract.Violations) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.Message
		if v.RequirementID != "" {
			parts[i] = fmt.Sprintf("%s (%s)", v.Message, v.RequirementID)
		}
	}
	return strings.Join(parts, "; ")
}

func (p *Proxy) upstreamURL(r *http.Request) *url.URL {
	u := *p.upstream
	u.Path = strings.TrimSuffix(p.upstream.Path, "/") + r.URL.Path
	u.RawPath = ""
	if r.URL.RawPath != "" {
		u.RawPath = strings.TrimSuffix(p.upstream.EscapedPath(), "/") + r.URL.RawPath
	}
	u.RawQuery = r.URL.RawQuery
	return &u
}
