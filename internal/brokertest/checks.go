package brokertest

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// HTTPCheck is ready when a GET of url (with basic credentials when user is not empty)
// answers 200. tlsConfig verifies an https:// server (nil: the system roots).
func HTTPCheck(url, user, password string, tlsConfig *tls.Config) Check {
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConfig, DisableKeepAlives: true}}
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if user != "" {
			req.SetBasicAuth(user, password)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return nil
	}
}

// OpenWireCheck is ready when addr (over TLS when tlsConfig is not nil) sends the OpenWire
// WireFormatInfo a broker opens every connection with: a 4-byte size, the command type 1 and
// the magic "ActiveMQ".
func OpenWireCheck(addr string, tlsConfig *tls.Config) Check {
	return func(ctx context.Context) error {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		defer func() { _ = c.Close() }()
		if deadline, ok := ctx.Deadline(); ok {
			_ = c.SetDeadline(deadline)
		} else {
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		}
		if tlsConfig != nil {
			tc := tls.Client(c, tlsConfig)
			if err := tc.HandshakeContext(ctx); err != nil {
				return err
			}
			c = tc
		}
		head := make([]byte, 13)
		if _, err := io.ReadFull(c, head); err != nil {
			return fmt.Errorf("reading WireFormatInfo from %s: %w", addr, err)
		}
		if head[4] != 1 || !bytes.Equal(head[5:13], []byte("ActiveMQ")) {
			return fmt.Errorf("%s sent %q, not an OpenWire WireFormatInfo", addr, head)
		}
		return nil
	}
}
