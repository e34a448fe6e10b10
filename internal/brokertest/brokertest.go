// Package brokertest starts real brokers from Debian's packages for integration tests:
// RabbitMQ (rabbitmq-server) and ActiveMQ (activemq), each with the configuration directory a
// test wrote, on loopback ports chosen free, with temporary data and log directories. It also
// makes a certificate authority and server certificates (crypto/x509) for their TLS listeners.
//
// Readiness is judged over HTTP and TCP only (never rabbitmqctl, slow on a busy machine), with a
// generous timeout and no timed assertion. Every process a test starts, the Erlang port mapper
// included, is stopped by its PID when the test ends, and the test fails when one outlives the
// stop or a port it used is still bound. When a package is missing the test skips, except under
// CI (CI set), where it fails: .ci/run installs both packages. Only tests import this package.
package brokertest

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"
)

// ReadyTimeout bounds the wait for a broker to answer: a busy CI machine starts the Erlang VM
// or the JVM slowly, so it is generous. It is a bound on waiting, not an assertion of speed.
const ReadyTimeout = 120 * time.Second

// stopTimeout bounds the graceful stop (SIGTERM) before the processes are killed.
const stopTimeout = 60 * time.Second

// missing skips the test (or fails it under CI) because a package is not installed.
func missing(t testing.TB, what, pkg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s not found: .ci/run installs Debian's %s", what, pkg)
	}
	t.Skipf("%s not found: install Debian's %s to run the real-broker tests", what, pkg)
}

// FreePorts returns n distinct TCP ports that were free on 127.0.0.1: each is found by
// listening on port 0, and all listeners are closed only once the n ports are known.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("finding a free port: %v", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// Render copies the files of src (a testdata directory) into dst, running each through
// text/template with data (ports, paths, hashes the test computed): the directory a broker
// is started with and the one mqguard scans are the same files.
func Render(t testing.TB, src, dst string, data any) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		tmpl, err := template.New(rel).Option("missingkey=error").Parse(string(text))
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, data); err != nil {
			return err
		}
		return os.WriteFile(out, buf.Bytes(), 0o644)
	})
	if err != nil {
		t.Fatalf("rendering %s: %v", src, err)
	}
}

// A Check tells whether a starting broker is ready; it is retried until it returns nil.
type Check func(ctx context.Context) error

// process is one started command, with its own process group, and every process it spawned.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
	// ports are bound by the process tree; each must be free again after the stop.
	ports []int
}

// start runs cmd in a new process group with its output in logFile, and registers its stop
// (and the check that nothing of it outlives the test) with t.Cleanup.
func start(t testing.TB, name string, cmd *exec.Cmd, logFile string, ports []int) *process {
	t.Helper()
	out, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group, so the stop reaches every process of it; SIGTERM (a graceful
	// stop) should the test process die without cleaning up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		_ = out.Close()
		t.Fatalf("starting %s: %v", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logFile, done: make(chan struct{}), ports: ports}
	go func() {
		p.err = cmd.Wait()
		_ = out.Close()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// exited reports whether the process has exited.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop ends the process tree: SIGTERM to the process group (the broker's graceful stop), and
// SIGKILL to it when that takes too long. The descendants that left the group
// (erl_child_setup and inet_gethost call setsid) end when the VM closes their pipes; those that
// do not get SIGTERM, then SIGKILL. Then it checks that no process of the tree is alive and
// that no port it used is still bound.
func (p *process) stop(t testing.TB) {
	t.Helper()
	pid := p.cmd.Process.Pid
	begun := time.Now()
	tree := descendants(pid)
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		t.Logf("%s (pid %d) did not stop on SIGTERM within %s: killing it", p.name, pid, stopTimeout)
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	<-p.done
	for _, sig := range []syscall.Signal{0, syscall.SIGTERM, syscall.SIGKILL} {
		deadline := time.Now().Add(10 * time.Second)
		for _, d := range tree {
			if sig != 0 {
				_ = d.signal(sig)
			}
			for d.alive() && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
		}
	}
	for _, d := range tree {
		if d.alive() {
			t.Errorf("%s: process %d (%s) is still running after the stop", p.name, d.pid, d.comm)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, port := range p.ports {
		if err := portFree(port, deadline); err != nil {
			t.Errorf("%s: port %d is still in use after the stop: %v", p.name, port, err)
		}
	}
	names := make([]string, 0, len(tree))
	for _, d := range tree {
		names = append(names, fmt.Sprintf("%d %s", d.pid, d.comm))
	}
	t.Logf("%s: stopped pid %d and its descendants [%s] in %s; ports %v free", p.name, pid, strings.Join(names, ", "),
		time.Since(begun).Round(time.Millisecond), p.ports)
}

// portFree waits until port can be listened on again on 127.0.0.1 (a process still holding
// it would refuse that), or the deadline.
func portFree(port int, deadline time.Time) error {
	for {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			return l.Close()
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// tail returns the last lines of the process's output, for failure messages.
func (p *process) tail() string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return strings.Join(lines, "\n")
}

// waitReady retries every check until all pass, the process exits, or ReadyTimeout passes; it
// returns how long the broker took to be ready.
func (p *process) waitReady(t testing.TB, begun time.Time, checks ...Check) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ReadyTimeout)
	defer cancel()
	var last error
	for _, check := range checks {
		for {
			attempt, cancelAttempt := context.WithTimeout(ctx, 10*time.Second)
			last = check(attempt)
			cancelAttempt()
			if last == nil {
				break
			}
			if p.exited() {
				t.Fatalf("%s exited before it was ready (%v); its output:\n%s", p.name, p.err, p.tail())
			}
			select {
			case <-ctx.Done():
				t.Fatalf("%s not ready within %s: %v; its output:\n%s", p.name, ReadyTimeout, last, p.tail())
			case <-time.After(250 * time.Millisecond):
			}
		}
	}
	return time.Since(begun)
}

// procInfo names a process by PID and start time (so a reused PID is not mistaken for it).
type procInfo struct {
	pid   int
	start string
	comm  string
}

// stat reads /proc/PID/stat: command name, state, parent PID and start time.
func stat(pid int) (comm, state string, ppid int, start string, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", "", 0, "", false
	}
	s := string(b)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return "", "", 0, "", false
	}
	comm = s[open+1 : closing]
	fields := strings.Fields(s[closing+1:])
	// After the command: state(3) ppid(4) ... starttime(22), numbered as in proc(5).
	if len(fields) < 20 {
		return "", "", 0, "", false
	}
	ppid, _ = strconv.Atoi(fields[1])
	return comm, fields[0], ppid, fields[19], true
}

// alive reports whether the process is running (a zombie waiting for its reaper is not).
func (d procInfo) alive() bool {
	_, state, _, start, ok := stat(d.pid)
	return ok && start == d.start && state != "Z" && state != "X"
}

func (d procInfo) signal(sig syscall.Signal) error {
	if !d.alive() {
		return nil
	}
	return syscall.Kill(d.pid, sig)
}

// descendants lists the processes below pid, found through their parent PIDs in /proc.
func descendants(pid int) []procInfo {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	children := map[int][]procInfo{}
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, _, ppid, start, ok := stat(n)
		if ok {
			children[ppid] = append(children[ppid], procInfo{pid: n, start: start, comm: comm})
		}
	}
	var out []procInfo
	queue := []int{pid}
	for len(queue) > 0 {
		next := queue[0]
		queue = queue[1:]
		for _, c := range children[next] {
			out = append(out, c)
			queue = append(queue, c.pid)
		}
	}
	return out
}

// lookPath finds an executable by name on PATH or at one of the given paths.
func lookPath(name string, paths ...string) (string, error) {
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s not found", name)
}

// TCPCheck is ready when addr accepts a TCP connection.
func TCPCheck(addr string) Check {
	return func(ctx context.Context) error {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		return c.Close()
	}
}
