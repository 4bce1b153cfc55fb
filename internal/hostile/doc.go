// Package hostile serves targets that misbehave at the connection level — they accept and
// never answer, answer with bytes that are not HTTP, or refuse connections — for the tests
// of how the preflight, the transport and a whole run deal with them. It is to those tests
// what net/http/httptest is to tests of well-behaved servers, and is imported by tests only.
package hostile
