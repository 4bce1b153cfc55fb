// Package proxy is the validating proxy that gates API clients: it sits between a client and
// an implementation of the two APIs (the reference mock or a live endpoint), forwards every
// request, validates request and response against the contract, logs each violation with
// its requirement id, records the exchanges, and in reject mode answers a non-conforming
// request itself with the API's documented error.
//
// Forwarding is the standard library's httputil.ReverseProxy over one shared Transport
// (kept-alive connections, hop-by-hop headers removed both ways). The proxy must not change
// what it observes: bodies are buffered only up to a limit for validation and larger ones
// are streamed through untouched (and reported), and every failure of the upstream becomes
// a 502 or 504 in the envelope of the API the path belongs to.
package proxy
