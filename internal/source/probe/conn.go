package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// dialer opens the probe's connections: only to the address it is asked for, within the
// scan's bound on open connections, each with a deadline covering its whole life.
type dialer struct {
	sem     chan struct{}
	timeout time.Duration
	// dial is the raw dial; tests replace it (Options.dial).
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

func newDialer(opts Options) *dialer {
	d := &dialer{sem: make(chan struct{}, opts.concurrency()), timeout: opts.timeout(), dial: opts.dial}
	if d.dial == nil {
		nd := &net.Dialer{Timeout: d.timeout}
		d.dial = nd.DialContext
	}
	return d
}

// open waits for a free slot, dials addr and sets the connection's deadline. Closing the
// connection frees the slot.
func (d *dialer) open(ctx context.Context, addr string) (net.Conn, error) {
	select {
	case d.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	release := func() { <-d.sem }
	dctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	c, err := d.dial(dctx, "tcp", addr)
	if err != nil {
		release()
		return nil, &dialError{err: err}
	}
	if err := c.SetDeadline(time.Now().Add(d.timeout)); err != nil {
		_ = c.Close()
		release()
		return nil, &dialError{err: err}
	}
	sc := &slotConn{Conn: c, release: release}
	if ctx.Done() != nil {
		// A cancelled scan closes its open connections at once.
		stop := context.AfterFunc(ctx, func() { _ = sc.Close() })
		sc.stop = stop
	}
	return sc, nil
}

// dialError is a connection that could not be opened at all.
type dialError struct{ err error }

func (e *dialError) Error() string { return "connect: " + cleanNetErr(e.err) }
func (e *dialError) Unwrap() error { return e.err }

type slotConn struct {
	net.Conn
	once    sync.Once
	release func()
	stop    func() bool
}

func (c *slotConn) Close() error {
	var err error
	c.once.Do(func() {
		if c.stop != nil {
			c.stop()
		}
		err = c.Conn.Close()
		c.release()
	})
	return err
}

// cleanNetErr words a network error without the local address (which says nothing to the
// user and changes from run to run).
func cleanNetErr(err error) string {
	if err == nil {
		return ""
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}

// onlyAddr refuses any address but the target's: the probe never follows a redirect or a
// proxy elsewhere.
func onlyAddr(want, got string) error {
	if want != got {
		return fmt.Errorf("refusing to connect to %s: the probe connects only to %s", got, want)
	}
	return nil
}
