// Package probe inspects running brokers: the RabbitMQ management API, TLS handshakes of
// endpoints, plaintext protocol handshakes (AMQP, OpenWire with its WireFormatInfo version,
// STOMP, MQTT) and the ActiveMQ web console. It connects only to the addresses it is given,
// never scans ports or ranges, bounds its connections, and sends credentials only after the
// server's certificate is verified (unless told to skip verification).
package probe

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mqguard/mqguard/internal/brokeruri"
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
	// the port and what the endpoint answers. It picks which API an http(s) URL is read as; the
	// broker's Engine is Explicit only when the endpoint itself says.
	Engine string
	// User and Password are the credentials for the management API or console; empty for none.
	User, Password string
	// Name is the display name for the broker (defaults to the URL's host:port).
	Name string
}

// Options are the probe's options.
type Options struct {
	// Timeout bounds each connection (dial, handshake, request); zero means DefaultTimeout.
	Timeout time.Duration
	// Concurrency bounds the connections open at once; zero means DefaultConcurrency.
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

	// dial replaces the network dial in tests (a name that resolves elsewhere, a counting
	// listener). It is still given only the target's address.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// DefaultTimeout is the default bound of each connection (dial, handshake, request).
const DefaultTimeout = 10 * time.Second

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return DefaultTimeout
	}
	return o.Timeout
}

// DefaultConcurrency is the default bound on open connections. A TLS probe holds up to four
// connections to its endpoint at once (about 13 handshakes in all), so 256 lets 64 endpoints be
// probed fully in parallel; no endpoint ever gets more than four at a time.
const DefaultConcurrency = 256

func (o Options) concurrency() int {
	if o.Concurrency <= 0 {
		return DefaultConcurrency
	}
	return o.Concurrency
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// tlsSchemes are the URL schemes probed as TLS endpoints.
var tlsSchemes = map[string]bool{
	"amqps": true, "amqp+ssl": true, "ssl": true, "nio+ssl": true, "auto+ssl": true,
	"auto+nio+ssl": true, "stomp+ssl": true, "stomp+nio+ssl": true, "stomps": true,
	"mqtt+ssl": true, "mqtt+nio+ssl": true, "mqtts": true, "wss": true, "https": true,
}

// defaultPorts are the ports used when a URL names none.
var defaultPorts = map[string]string{
	"amqp": "5672", "amqps": "5671", "tcp": "61616", "nio": "61616", "ssl": "61617",
	"nio+ssl": "61617", "stomp": "61613", "mqtt": "1883", "mqtt+ssl": "8883", "mqtts": "8883",
	"http": "80", "https": "443",
}

// plainSchemes are the plaintext protocol probes.
var plainSchemes = map[string]string{
	"amqp": "amqp", "tcp": "openwire", "nio": "openwire", "stomp": "stomp", "mqtt": "mqtt",
	"http": "http",
}

// endpoint is a parsed target URL.
type endpoint struct {
	url    string // as named, without credentials (they are refused)
	scheme string
	host   string // host name or IP literal, without brackets
	port   string
	addr   string // host:port to dial
	path   string
}

func (e *endpoint) ref(field string) model.Range {
	if field == "" {
		return model.Range{Ref: e.url}
	}
	return model.Range{Ref: e.url + "#" + field}
}

// parseEndpoint parses a target URL. Its error never quotes user info.
func parseEndpoint(raw string) (*endpoint, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, errors.New("not a URL")
	}
	if u.User != nil {
		return nil, errors.New("the URL carries credentials: give them in the environment (MQGUARD_BROKER_USER, MQGUARD_BROKER_PASSWORD), not in the URL")
	}
	scheme := strings.ToLower(u.Scheme)
	if !tlsSchemes[scheme] && plainSchemes[scheme] == "" {
		if scheme == "" {
			return nil, errors.New("no scheme: name the endpoint as amqps, ssl, https, tcp, amqp, stomp or mqtt URL")
		}
		return nil, fmt.Errorf("unknown scheme %q", scheme)
	}
	host := u.Hostname()
	if host == "" {
		return nil, errors.New("no host")
	}
	if strings.ContainsAny(host, "*/") {
		return nil, errors.New("the probe connects to one host, never a range or a wildcard")
	}
	if scheme != "http" && scheme != "https" && u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("a path (%q) names nothing on a %s endpoint: the probe connects to one host, never a range", u.Path, scheme)
	}
	port := u.Port()
	if port == "" {
		port = defaultPorts[scheme]
		if port == "" {
			return nil, fmt.Errorf("no port (the %s scheme has no default)", scheme)
		}
	}
	return &endpoint{
		url: u.String(), scheme: scheme, host: host, port: port,
		addr: net.JoinHostPort(host, port), path: u.Path,
	}, nil
}

// prober is one scan's state.
type prober struct {
	opts Options
	d    *dialer
}

// Scan probes the targets, in parallel within opts.Concurrency, into one broker per target
// (source probe, address the URL). A target that does not answer, refuses the credentials,
// speaks another protocol or drops the connection is an error diagnostic naming its URL, never
// a pass. A target whose URL cannot be used (credentials in it, unknown scheme) is an error
// diagnostic and no broker. Brokers and diagnostics are in the targets' order.
func Scan(ctx context.Context, targets []Target, opts Options) (*model.Inventory, []model.Diagnostic) {
	p := &prober{opts: opts, d: newDialer(opts)}
	type result struct {
		b     *model.Broker
		diags []model.Diagnostic
	}
	res := make([]result, len(targets))
	var wg sync.WaitGroup
	for i := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i].b, res[i].diags = p.target(ctx, targets[i])
		}()
	}
	wg.Wait()
	inv := &model.Inventory{}
	var diags []model.Diagnostic
	for _, r := range res {
		if r.b != nil {
			inv.Brokers = append(inv.Brokers, r.b)
		}
		diags = append(diags, r.diags...)
	}
	return inv, diags
}

// diagSink gathers one target's diagnostics.
type diagSink struct{ diags []model.Diagnostic }

func (s *diagSink) errorf(at model.Range, format string, args ...any) {
	s.diags = append(s.diags, model.Diagnostic{Severity: model.DiagError, Source: model.SourceProbe, At: at, Message: fmt.Sprintf(format, args...)})
}

// unreachablef records an endpoint nothing answered on (model.DiagUnreachable).
func (s *diagSink) unreachablef(at model.Range, format string, args ...any) {
	s.diags = append(s.diags, model.Diagnostic{Severity: model.DiagError, Source: model.SourceProbe, Kind: model.DiagUnreachable,
		At: at, Message: fmt.Sprintf(format, args...)})
}

func (s *diagSink) notef(at model.Range, format string, args ...any) {
	s.diags = append(s.diags, model.Diagnostic{Severity: model.DiagNote, Source: model.SourceProbe, At: at, Message: fmt.Sprintf(format, args...)})
}

// safeURL is what a diagnostic may quote of a URL that was refused: never its user info.
func safeURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	return u.String()
}

func (p *prober) target(ctx context.Context, t Target) (*model.Broker, []model.Diagnostic) {
	var ds diagSink
	ep, err := parseEndpoint(t.URL)
	if err != nil {
		ref := model.Range{Ref: safeURL(t.URL)}
		ds.errorf(ref, "broker %s: %v", ref.Ref, err)
		return nil, ds.diags
	}
	b := newBroker(ep, t)
	sm := b.SelfManaged
	switch {
	case tlsSchemes[ep.scheme]:
		tp := p.probeTLS(ctx, ep)
		sm.Endpoints = append(sm.Endpoints, tp)
		if tp.Error != "" {
			ds.errorf(ep.ref(""), "TLS probe of %s: %s", ep.url, tp.Error)
			break
		}
		addListener(sm, ep, true)
		if ep.scheme == "https" {
			p.probeHTTP(ctx, ep, t, b, tp.TLS, &ds)
		}
	case ep.scheme == "http":
		p.probeHTTP(ctx, ep, t, b, nil, &ds)
	default:
		p.probePlain(ctx, ep, b, &ds)
	}
	setType(b)
	return b, ds.diags
}

func newBroker(ep *endpoint, t Target) *model.Broker {
	at := ep.ref("")
	b := &model.Broker{
		ID:            model.Identity{Source: model.SourceProbe, Address: ep.url, Type: "endpoint", At: at},
		Engine:        model.UnknownString(at),
		EngineVersion: model.UnknownString(at),
		SelfManaged: &model.SelfManaged{
			Version:        model.UnknownString(at),
			ListenersState: model.Unknown,
			UsersState:     model.Unknown,
			Clustered:      model.UnknownBool(at),
			LDAPTLS:        model.UnknownBool(at),
		},
	}
	if t.Name != "" {
		b.Name = model.ExplicitString(t.Name, at)
	} else {
		b.Name = model.DefaultString(ep.addr, at)
	}
	return b
}

func setType(b *model.Broker) {
	switch {
	case b.IsEngine(model.EngineRabbitMQ):
		b.ID.Type = "rabbitmq"
	case b.IsEngine(model.EngineActiveMQ):
		b.ID.Type = "activemq"
	}
}

// setEngine records what the endpoint said of the engine (at is where it said it).
func setEngine(b *model.Broker, engine string, at model.Range) {
	engine = model.NormalizeEngine(engine)
	if engine != model.EngineActiveMQ && engine != model.EngineRabbitMQ {
		return
	}
	if !b.Engine.Known() {
		b.Engine = model.ExplicitString(engine, at)
	}
}

// setVersion records the full version the endpoint announced.
func setVersion(b *model.Broker, version string, at model.Range) {
	if version == "" || b.EngineVersion.Known() {
		return
	}
	b.EngineVersion = model.ExplicitString(version, at)
	b.SelfManaged.Version = model.ExplicitString(version, at)
}

// addListener records the probed endpoint as a listener (TLS when its handshake succeeded,
// plaintext when a plaintext protocol handshake did).
func addListener(sm *model.SelfManaged, ep *endpoint, tls bool) {
	at := ep.ref("")
	port := model.Int{State: model.Unknown, At: at}
	if n, err := parsePort(ep.port); err == nil {
		port = model.Int{V: int64(n), State: model.Explicit, At: at}
	}
	sm.Listeners = append(sm.Listeners, model.Listener{
		Protocol: protocolOf(ep.scheme),
		TLS:      model.ExplicitBool(tls, at),
		Host:     model.ExplicitString(ep.host, at),
		Port:     port,
		Loopback: model.ExplicitBool(brokeruri.IsLoopbackHost(ep.host), at),
		Name:     ep.url,
		At:       at,
	})
}

func parsePort(s string) (int, error) {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n <= 0 || n > 65535 {
		return 0, fmt.Errorf("bad port")
	}
	return n, nil
}

// protocolOf maps a URL scheme to the model's listener protocol.
func protocolOf(scheme string) string {
	base, _, _ := strings.Cut(scheme, "+")
	switch base {
	case "tcp", "nio", "ssl", "auto":
		return "openwire"
	case "amqp", "amqps":
		return "amqp"
	case "stomp", "stomps":
		return "stomp"
	case "mqtt", "mqtts":
		return "mqtt"
	case "wss", "ws":
		return "ws"
	case "https", "http":
		return "http"
	}
	return base
}

// Endpoints probes the endpoints of Amazon MQ brokers a live scan found (scan --aws --probe),
// filling each broker's SelfManaged.Endpoints (SelfManaged is created when nil). endpoints
// maps a broker to the endpoint URLs Amazon MQ reported for it; TLS endpoints (amqps, ssl,
// stomp+ssl, mqtt+ssl, wss, https) get a TLS probe, other schemes are left alone. Brokers are
// probed in parallel within opts.Concurrency; each broker's endpoints keep the order given.
func Endpoints(ctx context.Context, brokers []*model.Broker, endpoints map[*model.Broker][]string, opts Options) []model.Diagnostic {
	p := &prober{opts: opts, d: newDialer(opts)}
	type job struct {
		b   *model.Broker
		i   int
		raw string
	}
	var jobs []job
	results := map[*model.Broker][]model.EndpointProbe{}
	for _, b := range brokers {
		if b == nil {
			continue
		}
		urls := endpoints[b]
		results[b] = make([]model.EndpointProbe, len(urls))
		for i, raw := range urls {
			jobs = append(jobs, job{b, i, raw})
		}
	}
	diags := make([][]model.Diagnostic, len(jobs))
	skip := make([]bool, len(jobs))
	var wg sync.WaitGroup
	for j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			jb := jobs[j]
			var ds diagSink
			ep, err := parseEndpoint(jb.raw)
			if err != nil {
				ref := model.Range{Ref: safeURL(jb.raw)}
				ds.errorf(ref, "endpoint %s of %s: %v", ref.Ref, jb.b.ID.Address, err)
				skip[j] = true
				diags[j] = ds.diags
				return
			}
			if !tlsSchemes[ep.scheme] {
				skip[j] = true
				return
			}
			tp := p.probeTLS(ctx, ep)
			switch {
			case tp.Unreachable:
				ds.unreachablef(ep.ref(""), "TLS probe of %s (%s): %s", ep.url, jb.b.ID.Address, tp.Error)
			case tp.Error != "":
				ds.errorf(ep.ref(""), "TLS probe of %s (%s): %s", ep.url, jb.b.ID.Address, tp.Error)
			}
			results[jb.b][jb.i] = tp
			diags[j] = ds.diags
		}()
	}
	wg.Wait()
	var out []model.Diagnostic
	for j, jb := range jobs {
		out = append(out, diags[j]...)
		if skip[j] {
			continue
		}
		if jb.b.SelfManaged == nil {
			jb.b.SelfManaged = &model.SelfManaged{}
		}
		jb.b.SelfManaged.Endpoints = append(jb.b.SelfManaged.Endpoints, results[jb.b][jb.i])
	}
	return out
}
