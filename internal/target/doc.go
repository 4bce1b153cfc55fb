// Package target reads and validates the target file that describes an implementation to
// the conformance suites (CONFORMANCE_TARGET): where each API lives, which credentials and
// which pools of resource ids the suites may use, and whether state-changing requests are
// allowed. A malformed file is refused with an error naming the key and the problem.
package target
