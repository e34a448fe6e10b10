// Package mototest checks the live AWS source against moto, an independent emulator of the AWS
// APIs. The package holds a helper that runs moto_server on loopback for the duration of a test;
// the tests skip when moto_server is not installed.
package mototest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// startTimeout bounds the wait for moto_server to answer its first request.
const startTimeout = 30 * time.Second

// Server is a moto_server process listening on 127.0.0.1.
type Server struct {
	// URL is the endpoint of every emulated service, e.g. "http://127.0.0.1:40123".
	URL string
}

// Start runs moto_server on a free loopback port and waits until it answers. It skips the test
// when moto_server is not on PATH, and fails it instead when CI is set: there the image has
// moto_server, and a skip would hide that the integration tests no longer run. The process is killed and waited for when the test ends, and
// its output is written to the test log if the test failed.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("moto_server"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("moto_server is not on PATH and CI is set: %v", err)
		}
		t.Skip("moto_server is not on PATH (it comes with moto 5.2.1, `pip install 'moto[server]==5.2.1'`); skipping the moto integration test")
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	out := &syncBuffer{}
	// A fixed program; the only variable argument is the port number the kernel gave.
	cmd := exec.Command("moto_server", "-H", "127.0.0.1", "-p", strconv.Itoa(port)) //nolint:gosec // see above
	cmd.Stdout = out
	cmd.Stderr = out
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting moto_server: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		killProcessGroup(cmd)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			t.Errorf("moto_server (pid %d) did not exit after being killed", cmd.Process.Pid)
		}
		if t.Failed() {
			t.Logf("moto_server output:\n%s", out.String())
		}
	})

	url := "http://127.0.0.1:" + strconv.Itoa(port)
	if err := waitReady(url, exited); err != nil {
		t.Fatalf("moto_server did not start: %v\noutput:\n%s", err, out.String())
	}
	return &Server{URL: url}
}

// waitReady polls moto's own API until it answers, the process exits, or startTimeout passes.
func waitReady(url string, exited <-chan error) error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/moto-api/data.json", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-exited:
			return fmt.Errorf("moto_server exited: %w", err)
		case <-ctx.Done():
			return errors.New("no answer within " + startTimeout.String())
		case <-tick.C:
		}
	}
}

// freePort asks the kernel for an unused loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// syncBuffer is a bytes.Buffer safe for the process's writes and the test's reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
