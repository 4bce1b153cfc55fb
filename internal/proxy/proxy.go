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
	"net/url"
	"strconv"
	"strings"
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

// Recorder receives every exchange; traffic.Writer is one.
type Recorder interface {
	Write(traffic.Exchange) error
}

// Proxy is an http.Handler that forwards to one upstream and validates every exchange.
type Proxy struct {
	upstream  *url.URL
	contract  *contract.Contract
	transport http.RoundTripper
	ownsTrans *http.Transport
	timeout   time.Duration
	limit     int64
	reject    bool
	logger    *slog.Logger
	recorder  Recorder
	redactor  *redact.Redactor
	tally     *traffic.Tally
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
		p.ownsTrans = &http.Transport{
			DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:          256,
			MaxIdleConnsPerHost:   64,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
			ForceAttemptHTTP2:     true,
		}
		p.transport = p.ownsTrans
	}
	p.tally = traffic.NewTally(p.redactor)
	return p
}

// Tally is the running verdict of every exchange the proxy has seen.
func (p *Proxy) Tally() *traffic.Tally { return p.tally }

// Close releases the idle upstream connections of the proxy's own Transport.
func (p *Proxy) Close() {
	if p.ownsTrans != nil {
		p.ownsTrans.CloseIdleConnections()
	}
}

var errUpstreamTimeout = errors.New("upstream did not answer in time")

// ServeHTTP forwards one request and validates the exchange.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ex := traffic.Exchange{
		Start: time.Now(),
		Request: traffic.Request{
			Method: r.Method, URL: clientURL(r), Header: r.Header.Clone(),
		},
	}
	api, _, _ := p.contract.Route(r.Method, r.URL.Path)
	defer func() { p.finish(ex) }()

	body, truncated, err := readLimited(r.Body, p.limit)
	ex.Request.Body, ex.Request.Truncated = body, truncated
	ex.Request.Size = int64(len(body))
	if truncated && r.ContentLength > ex.Request.Size {
		ex.Request.Size = r.ContentLength
	}
	if err != nil {
		ex.Error, ex.ErrorKind = "client request body: "+err.Error(), traffic.ErrorClientGone
		return
	}
	reqViolations := traffic.CheckRequest(p.contract, ex)
	p.logViolations(ex, reqViolations)
	if p.reject && len(reqViolations) > 0 {
		ex.Error, ex.ErrorKind = "rejected by the proxy: "+summarize(reqViolations), traffic.ErrorRejected
		p.answer(w, api, http.StatusBadRequest, CodeRejected, summarize(reqViolations), "rejected")
		p.tallyAdd(ex, reqViolations)
		return
	}
	var respViolations contract.Violations
	defer func() { p.tallyAdd(ex, append(reqViolations, respViolations...)) }()

	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	timer := time.AfterFunc(p.timeout, func() { cancel(errUpstreamTimeout) })
	defer timer.Stop()

	var outBody io.Reader = http.NoBody
	if truncated {
		outBody = io.MultiReader(bytes.NewReader(body), r.Body)
	} else if len(body) > 0 {
		outBody = bytes.NewReader(body)
	}
	out, err := http.NewRequestWithContext(ctx, r.Method, p.upstreamURL(r), outBody)
	if err != nil {
		ex.Error, ex.ErrorKind = err.Error(), traffic.ErrorUpstreamUnreachable
		p.answer(w, api, http.StatusBadGateway, CodeUpstreamUnreachable, "cannot build the upstream request: "+err.Error(), "upstream-unreachable")
		return
	}
	out.Header = forwardHeaders(r.Header)
	switch {
	case !truncated:
		out.ContentLength = int64(len(body))
	case r.ContentLength > 0:
		out.ContentLength = r.ContentLength
	}

	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		p.upstreamFailed(ctx, w, r, api, &ex, &respViolations, err)
		return
	}
	defer resp.Body.Close()
	respBody, respTruncated, err := readLimited(resp.Body, p.limit)
	if err != nil {
		p.upstreamFailed(ctx, w, r, api, &ex, &respViolations, fmt.Errorf("reading the response body: %w", err))
		return
	}
	ex.Response = &traffic.Response{
		Status: resp.StatusCode, Header: resp.Header.Clone(), Body: respBody,
		Size: int64(len(respBody)), Truncated: respTruncated,
	}
	if respTruncated && resp.ContentLength > ex.Response.Size {
		ex.Response.Size = resp.ContentLength
	}
	respViolations = traffic.CheckResponse(p.contract, ex)
	p.logViolations(ex, respViolations)

	h := w.Header()
	for k, vs := range forwardHeaders(resp.Header) {
		h[k] = vs
	}
	if !respTruncated {
		h.Set("Content-Length", strconv.Itoa(len(respBody)))
	} else {
		h.Del("Content-Length")
	}
	w.WriteHeader(resp.StatusCode)
	if _, err := w.Write(respBody); err != nil {
		ex.Error, ex.ErrorKind = "client went away: "+err.Error(), traffic.ErrorClientGone
		return
	}
	if respTruncated {
		// The rest streams through under the same exchange timeout.
		if _, err := io.Copy(w, resp.Body); err != nil {
			ex.Error = "streaming the oversized response: " + err.Error()
		}
	}
}

// upstreamFailed answers 504 when the upstream was too slow, 502 when it was unreachable or
// answered something that is not HTTP (the latter is also a violation), and nothing when the
// client itself went away.
func (p *Proxy) upstreamFailed(ctx context.Context, w http.ResponseWriter, r *http.Request, api contract.API, ex *traffic.Exchange, vs *contract.Violations, err error) {
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
		v := traffic.MalformedResponse(p.contract, *ex, errors.New(ex.Error))
		*vs = append(*vs, v)
		p.logViolations(*ex, contract.Violations{v})
		p.answer(w, api, http.StatusBadGateway, CodeUpstreamMalformed, "upstream answered with a malformed response: "+ex.Error, string(traffic.ErrorMalformedResponse))
	}
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func (p *Proxy) finish(ex traffic.Exchange) {
	if p.recorder == nil {
		return
	}
	ex.Duration = time.Since(ex.Start)
	if err := p.recorder.Write(ex); err != nil {
		p.logger.Error("recording failed", "error", err.Error())
	}
}

func (p *Proxy) tallyAdd(ex traffic.Exchange, vs contract.Violations) {
	p.tally.Add(p.contract, ex, vs)
}

func (p *Proxy) logViolations(ex traffic.Exchange, vs contract.Violations) {
	for _, v := range vs {
		p.logger.Warn("contract violation",
			"requirement", v.RequirementID, "rule", v.Rule, "location", v.Location,
			"message", p.redactor.String(v.Message), "method", ex.Request.Method,
			"url", p.redactor.String(ex.Request.URL))
	}
}

// answer writes the proxy's own response in the envelope of the API the path belongs to.
func (p *Proxy) answer(w http.ResponseWriter, api contract.API, status int, code, message, kind string) {
	message = p.redactor.String(message)
	var body any
	cons := p.contract.Constraints()
	switch {
	case api == contract.KooPhone && status < 500:
		body = map[string]string{"error_code": cons.KooPhone.Code(specfacts.CodeParameterIncorrect).Code, "error_msg": message}
	case api == contract.KooPhone:
		body = map[string]string{"error_code": cons.KooPhone.Code(specfacts.CodeInternalError).Code, "error_msg": message}
	case api == contract.VBS:
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

// readLimited reads up to limit bytes; when the body is longer it returns the first
// limit+1 bytes and truncated=true, leaving the rest unread for streaming.
func readLimited(body io.Reader, limit int64) ([]byte, bool, error) {
	if body == nil {
		return nil, false, nil
	}
	b, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return b, false, err
	}
	return b, int64(len(b)) > limit, nil
}

func clientURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return (&url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}).String()
}

func (p *Proxy) upstreamURL(r *http.Request) string {
	u := *p.upstream
	u.Path = strings.TrimSuffix(p.upstream.Path, "/") + r.URL.Path
	u.RawPath = ""
	if r.URL.RawPath != "" {
		u.RawPath = strings.TrimSuffix(p.upstream.EscapedPath(), "/") + r.URL.RawPath
	}
	u.RawQuery = r.URL.RawQuery
	return u.String()
}

// hopHeaders belong to one connection and are never forwarded (RFC 9110 §7.6.1).
var hopHeaders = []string{
	"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

func forwardHeaders(in http.Header) http.Header {
	out := in.Clone()
	for _, f := range in.Values("Connection") {
		for _, name := range strings.Split(f, ",") {
			out.Del(strings.TrimSpace(name))
		}
	}
	for _, h := range hopHeaders {
		out.Del(h)
	}
	// The proxy validates decoded bodies; letting the Transport negotiate compression keeps
	// the upstream's bytes readable and the client gets identity encoding.
	out.Del("Accept-Encoding")
	return out
}
