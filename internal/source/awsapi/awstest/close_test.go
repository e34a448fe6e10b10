package awstest

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/mq"
)

// TestCloseDoesNotWaitForIdleConnections: Close returns at once although a client keeps an idle
// keep-alive connection and another connection was opened without sending a request (which a
// graceful http.Server.Shutdown would wait seconds for), and it closes both.
func TestCloseDoesNotWaitForIdleConnections(t *testing.T) {
	s := NewServer(snapshotWorld(t), Faults{})
	t.Cleanup(s.Close)
	if _, err := mq.NewFromConfig(clientConfig(s, "", false)).ListBrokers(context.Background(), &mq.ListBrokersInput{}); err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(s.URL(), "http://")
	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	// Let the server accept the connection before closing.
	time.Sleep(50 * time.Millisecond)

	start := time.Now()
	s.Close()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v with idle connections open", d)
	}
	_ = silent.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := silent.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("a connection stayed open after Close (read: %v)", err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("the server still accepts connections after Close")
	}
}

// TestCloseWaitsForHandlers: a handler still running when Close is called has returned by the
// time Close returns, so nothing reaches the test's hooks afterwards.
func TestCloseWaitsForHandlers(t *testing.T) {
	entered := make(chan struct{})
	var done atomic.Bool
	var calls atomic.Int64
	s := newServer(snapshotWorld(t), Faults{}, func(Call, int, []byte) {
		if calls.Add(1) == 1 {
			close(entered)
			time.Sleep(300 * time.Millisecond)
			done.Store(true)
		}
	})
	t.Cleanup(s.Close)
	go func() {
		_, _ = mq.NewFromConfig(clientConfig(s, "", false)).ListBrokers(context.Background(), &mq.ListBrokersInput{})
	}()
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the call never reached the server")
	}
	s.Close()
	if !done.Load() {
		t.Error("Close returned while a handler was still running")
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d answers, want 1", n)
	}
}
