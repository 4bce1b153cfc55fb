// Package targetcheck validates a target file and says what it enables — which APIs, which
// specs will run or be skipped and why, whether state-changing specs may run, where each
// secret comes from (never the secret) — for `conformance target check`. Which specs run is
// not predicted from a list kept here: the suites themselves are run in plan mode
// (internal/conformance, runrecord.PlanEnvVar; launched by internal/run/launch), so the answer comes from the same labels, pool
// reservations and skip rules a real run applies.
package targetcheck
