//go:build !linux

package main

// stopWithParent has no portable counterpart of Linux's parent-death signal; elsewhere the
// mock stops on SIGINT or SIGTERM only.
func stopWithParent() bool { return true }
