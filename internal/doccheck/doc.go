// Package doccheck holds the tests that keep the project's user-facing text true: the
// Makefile's help, the commands the README and docs/ show, and the figures they state
// (through internal/doccount). It has no code of its own; the tests run the commands as a
// user would, from the module root.
package doccheck
