package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/koobackup/conformance/internal/specfacts"
)

// child is a server the peer run started: the project's binary or Prism.
type child struct {
	name string
	cmd  *exec.Cmd
	url  string
	// out holds what the child writes to stdout, errOut the start of its stderr.
	out    *lockedBuffer
	errOut *lockedBuffer
	done   chan struct{}
	err    error
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Bound what a chatty child can make the run hold.
	if b.buf.Len() > specfacts.RequestBodyLimit {
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freePort finds a loopback port nobody listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startChild runs name args, which must listen on port, and waits up to 90 s until it
// accepts connections.
func startChild(ctx context.Context, label string, port int, name string, args ...string) (*child, error) {
	c := &child{name: label, out: &lockedBuffer{}, errOut: &lockedBuffer{}, done: make(chan struct{}), url: fmt.Sprintf("http://127.0.0.1:%d", port)}
	c.cmd = exec.CommandContext(ctx, name, args...)
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.errOut
	// Its own process group, so that stopping it reaches the processes it forks.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: start: %w", label, err)
	}
	go func() { c.err = c.cmd.Wait(); close(c.done) }()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-c.done:
			return nil, fmt.Errorf("%s exited before listening (%v): %s", label, c.err, lastLines([]byte(c.out.String()+c.errOut.String()), 5))
		default:
		}
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			return c, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.kill()
	return nil, fmt.Errorf("%s did not listen on %s within 90s", label, addr)
}

// stop sends SIGINT to the child's process group and waits up to 15 s for it to exit
// (then kills it); it returns the exit code.
func (c *child) stop() int {
	_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGINT)
	select {
	case <-c.done:
	case <-time.After(15 * time.Second):
		c.kill()
	}
	if c.cmd.ProcessState == nil {
		return -1
	}
	return c.cmd.ProcessState.ExitCode()
}

func (c *child) kill() {
	_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
	<-c.done
}

// Memory is the resident memory of one server process tree after the load.
type Memory struct {
	Subject string `json:"subject"`
	API     string `json:"api"`
	// RSSKiB is VmRSS after the load, HWMKiB the peak (VmHWM), summed over the process
	// and its descendants, from /proc.
	RSSKiB int64 `json:"rss_kib"`
	HWMKiB int64 `json:"hwm_kib"`
}

// memory reads VmRSS and VmHWM of pid and every descendant.
func memory(pid int) (rss, hwm int64, err error) {
	pids := append([]int{pid}, descendants(pid)...)
	for _, p := range pids {
		r, h, err := procStatus(p)
		if err != nil {
			if p == pid {
				return 0, 0, err
			}
			continue // a descendant that exited meanwhile
		}
		rss += r
		hwm += h
	}
	return rss, hwm, nil
}

func procStatus(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read memory of pid %d: %w", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			rss = v
		case "VmHWM:":
			hwm = v
		}
	}
	return rss, hwm, sc.Err()
}

// descendants lists the processes below pid, from the parent ids in /proc/*/stat.
func descendants(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	parent := map[int]int{}
	for _, s := range stats {
		raw, err := os.ReadFile(s)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		text := string(raw)
		end := strings.LastIndexByte(text, ')')
		if end < 0 {
			continue
		}
		fields := strings.Fields(text[end+1:])
		if len(fields) < 2 {
			continue
		}
		p, _ := strconv.Atoi(filepath.Base(filepath.Dir(s)))
		pp, _ := strconv.Atoi(fields[1])
		parent[p] = pp
	}
	var out []int
	frontier := []int{pid}
	for len(frontier) > 0 {
		var next []int
		for p, pp := range parent {
			for _, f := range frontier {
				if pp == f {
					out = append(out, p)
					next = append(next, p)
				}
			}
		}
		frontier = next
	}
	return out
}
