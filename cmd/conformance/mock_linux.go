package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// stopWithParent asks the kernel to send SIGTERM to the mock when the process that started
// it dies. `go run ./cmd/conformance mock` runs the mock as a child of the go command, and
// killing go run does not pass the signal on: without this the mock would keep its port.
// SIGTERM rather than SIGKILL so the mock shuts down as on Ctrl-C. It reports false when the
// parent is already gone (the request would then never fire).
func stopWithParent() bool {
	ppid := os.Getppid()
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGTERM), 0, 0, 0); err != nil {
		return true
	}
	return os.Getppid() == ppid
}
