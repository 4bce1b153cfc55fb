// Package redact removes credentials from anything the project writes: logs, evidence in
// reports, recorded traffic. Tokens are replaced wherever they occur, not only in the header
// that carried them, because servers echo them in bodies and error messages.
package redact
