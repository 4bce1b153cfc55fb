// Package traffic records HTTP exchanges seen by the validating proxy and reads them back for
// the offline check, so that a team can record a client's traffic once and gate many times.
//
// Two formats are written and read: HAR 1.2 (what browsers and most HTTP tools export) and
// NDJSON (one exchange per line, append-friendly and streamable). Read detects the format from
// the content, not the file name. Every recorded header and body passes through a
// redact.Redactor first, so a recording never holds a token.
//
// Validate is the single place where an exchange is checked against the contract: the proxy
// calls it live and `conformance check` calls it on a recording, so both give the same answer.
package traffic
