package probe

import (
	"context"
	"crypto/md5"
	"crypto/sha512"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/source/brokerconf"
)

func TestTargetURLs(t *testing.T) {
	cases := []struct {
		url    string
		errSub string
	}{
		{"https://admin:hunter2-secret@broker.example:15671", "carries credentials"},
		{"amqp://guest@broker.example:5672", "carries credentials"},
		{"ftp://broker.example:21", `unknown scheme "ftp"`},
		{"broker.example:5672", "unknown scheme"},
		{"wss://broker.example", "no port"},
		{"amqps://:5671", "no host"},
		{"http://[::1", "not a URL"},
		{"tcp://10.0.0.0/24", "never a range"},
		{"ssl://*.example:61617", "never a range"},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			var asked []string
			dial := func(_ context.Context, _, addr string) (net.Conn, error) {
				asked = append(asked, addr)
				return nil, fmt.Errorf("no")
			}
			inv, diags := Scan(context.Background(), []Target{{URL: tc.url}}, Options{dial: dial})
			if len(inv.Brokers) != 0 || len(asked) != 0 {
				t.Errorf("brokers %d, connections %v", len(inv.Brokers), asked)
			}
			if !hasError(diags, tc.errSub) {
				t.Errorf("diagnostics %v, want %q", diags, tc.errSub)
			}
			for _, d := range diags {
				if strings.Contains(d.Message, "hunter2") || strings.Contains(d.At.Ref, "hunter2") || strings.Contains(d.At.Ref, "guest") {
					t.Errorf("diagnostic quotes the user info: %+v", d)
				}
			}
		})
	}
}

// countingAMQP serves AMQP on n listeners, counting connections from accept until the
// answer is written: the answer is written after the count is decreased, and the probe frees
// its slot only after reading the answer, so the count can never exceed the probe's bound.
type countingAMQP struct {
	cur, max atomic.Int64
	total    atomic.Int64
	delay    time.Duration
}

func (c *countingAMQP) handle(conn net.Conn) {
	n := c.cur.Add(1)
	c.total.Add(1)
	for {
		m := c.max.Load()
		if n <= m || c.max.CompareAndSwap(m, n) {
			break
		}
	}
	var h [8]byte
	_, err := io.ReadFull(conn, h[:])
	if c.delay > 0 {
		time.Sleep(c.delay)
	}
	c.cur.Add(-1)
	if err == nil {
		_, _ = conn.Write(rabbitStart("RabbitMQ", "3.13.7"))
	}
	_, _ = io.Copy(io.Discard, conn)
}

func (c *countingAMQP) targets(t testing.TB, n int) []Target {
	var ts []Target
	for range n {
		ts = append(ts, Target{URL: "amqp://" + serve(t, c.handle).Addr().String()})
	}
	return ts
}

func TestScanBoundsConnections(t *testing.T) {
	const conc = 7
	// A short hold keeps connections open long enough for a probe that broke its bound to
	// open more; the assertion does not depend on it.
	c := &countingAMQP{delay: 5 * time.Millisecond}
	targets := c.targets(t, 100)
	inv, diags := Scan(context.Background(), targets, Options{Concurrency: conc, Timeout: 10 * time.Second})
	if e := errorsOf(diags); len(e) > 0 {
		t.Fatalf("errors %v", e)
	}
	if len(inv.Brokers) != 100 {
		t.Fatalf("%d brokers", len(inv.Brokers))
	}
	for i, b := range inv.Brokers {
		if b.ID.Address != targets[i].URL {
			t.Fatalf("broker %d is %s, want %s: not in the targets' order", i, b.ID.Address, targets[i].URL)
		}
		if !b.SelfManaged.Endpoints[0].Plaintext || !b.IsEngine(model.EngineRabbitMQ) {
			t.Errorf("broker %d: %+v", i, b.SelfManaged.Endpoints[0])
		}
	}
	if m := c.max.Load(); m > conc || m < 1 {
		t.Errorf("%d connections at once, bound %d", m, conc)
	}
	if c.total.Load() != 100 {
		t.Errorf("%d connections for 100 targets", c.total.Load())
	}
}

func TestScanCancelled(t *testing.T) {
	c := &countingAMQP{}
	targets := c.targets(t, 5)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	inv, diags := Scan(ctx, targets, Options{Concurrency: 2})
	if len(inv.Brokers) != 5 || len(errorsOf(diags)) != 5 {
		t.Fatalf("%d brokers, errors %v", len(inv.Brokers), errorsOf(diags))
	}
	for _, b := range inv.Brokers {
		if ep := b.SelfManaged.Endpoints[0]; ep.Error == "" || ep.Plaintext {
			t.Errorf("endpoint %+v", ep)
		}
	}
}

func TestEndpointsOfAWSBrokers(t *testing.T) {
	pki := newPKI(t)
	ln := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{pki.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}})}})
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := closed.Addr().String()
	_ = closed.Close()
	a := &model.Broker{ID: model.Identity{Source: model.SourceAWS, Address: "arn:aws:mq:us-east-1:111122223333:broker:a:b-1"}}
	b := &model.Broker{ID: model.Identity{Source: model.SourceAWS, Address: "arn:aws:mq:us-east-1:111122223333:broker:b:b-2"}, SelfManaged: &model.SelfManaged{}}
	eps := map[*model.Broker][]string{
		a: {"amqps://" + ln.Addr().String(), "mqtt://" + ln.Addr().String(), "ssl://" + dead},
		b: {"wss://" + ln.Addr().String(), "https://user:pw-leak@x.example:443"},
	}
	diags := Endpoints(context.Background(), []*model.Broker{a, b}, eps, Options{RootCAs: pki.pool, Timeout: 2 * time.Second})
	if a.SelfManaged == nil || len(a.SelfManaged.Endpoints) != 2 {
		t.Fatalf("a: %+v", a.SelfManaged)
	}
	if ep := a.SelfManaged.Endpoints[0]; ep.Protocol != "amqps" || ep.TLS == nil || !ep.TLS.Certificate.Trusted || !ep.TLS.Versions["TLS 1.3"] {
		t.Errorf("a amqps %+v", ep)
	}
	if ep := a.SelfManaged.Endpoints[1]; ep.Protocol != "ssl" || ep.Error == "" {
		t.Errorf("a ssl %+v", ep)
	}
	if len(b.SelfManaged.Endpoints) != 1 || b.SelfManaged.Endpoints[0].Protocol != "wss" {
		t.Errorf("b %+v", b.SelfManaged.Endpoints)
	}
	if len(errorsOf(diags)) != 2 || !hasError(diags, dead) || !hasError(diags, "carries credentials") {
		t.Errorf("diagnostics %v", diags)
	}
	// Only the closed port is unreachable (nothing answered); the refused URL is not.
	for _, d := range diags {
		if unreachable := strings.Contains(d.Message, dead); (d.Kind == model.DiagUnreachable) != unreachable {
			t.Errorf("diagnostic %q has kind %q", d.Message, d.Kind)
		}
	}
	if !a.SelfManaged.Endpoints[1].Unreachable || a.SelfManaged.Endpoints[0].Unreachable {
		t.Errorf("unreachable: %v %v", a.SelfManaged.Endpoints[0].Unreachable, a.SelfManaged.Endpoints[1].Unreachable)
	}
	for _, d := range diags {
		if strings.Contains(d.Message+d.At.Ref, "pw-leak") {
			t.Errorf("diagnostic quotes the password: %+v", d)
		}
	}
}

func TestSmallMappings(t *testing.T) {
	for h, want := range map[string]bool{
		"b-1234-abcd.mq.us-east-1.amazonaws.com":      true,
		"b-1234-abcd.mq.eu-west-3.on.aws":             true,
		"b-1234.mq.cn-north-1.amazonaws.com.cn":       true,
		"rabbit.example.com":                          false,
		"mq.us-east-1.amazonaws.com.attacker.example": false,
	} {
		if isAmazonMQHost(h) != want {
			t.Errorf("isAmazonMQHost(%s) = %v", h, !want)
		}
	}
	for raw, want := range map[string][]string{
		`["administrator","management"]`: {"administrator", "management"},
		`"administrator, monitoring"`:    {"administrator", "monitoring"},
		`""`:                             nil,
		`null`:                           nil,
	} {
		if got := tagsOf(json.RawMessage(raw)); !slices.Equal(got, want) {
			t.Errorf("tagsOf(%s) = %v", raw, got)
		}
	}
	for in, want := range map[string]string{
		"amqp": "amqp/false", "amqp/ssl": "amqp/true", "https": "http/true", "http": "http/false",
		"http/web-stomp": "ws/false", "https/web-mqtt": "ws/true", "stream/ssl": "stream/true", "mqtt": "mqtt/false",
	} {
		p, tls, ok := rabbitListener(in)
		if !ok || fmt.Sprintf("%s/%v", p, tls) != want {
			t.Errorf("rabbitListener(%s) = %s/%v %v", in, p, tls, ok)
		}
	}
	if _, _, ok := rabbitListener("clustering"); ok {
		t.Error("the distribution port is no client listener")
	}
	salt := []byte{1, 2, 3, 4}
	md := md5.Sum(append(append([]byte{}, salt...), "guest"...))
	sh := sha512.Sum512(append(append([]byte{}, salt...), "guest"...))
	md5Hash := base64.StdEncoding.EncodeToString(append(append([]byte{}, salt...), md[:]...))
	shaHash := base64.StdEncoding.EncodeToString(append(append([]byte{}, salt...), sh[:]...))
	if !brokerconf.RabbitHashIs(md5Hash, "rabbit_password_hashing_md5", "guest") || brokerconf.RabbitHashIs(md5Hash, "rabbit_password_hashing_sha256", "guest") {
		t.Error("md5 hash check")
	}
	if !brokerconf.RabbitHashIs(shaHash, "rabbit_password_hashing_sha512", "guest") || brokerconf.RabbitHashIs(shaHash, "rabbit_password_hashing_sha512", "guest2") || brokerconf.RabbitHashIs("!!", "", "guest") {
		t.Error("sha512 hash check")
	}
}

// BenchmarkScan100 probes 100 AMQP endpoints, each answering after an injected handshake
// delay, and reports the scan's wall time as a multiple of that delay (x_handshake).
func BenchmarkScan100(b *testing.B) {
	const delay = 50 * time.Millisecond
	c := &countingAMQP{delay: delay}
	targets := c.targets(b, 100)
	var mu sync.Mutex
	var total time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		_, diags := Scan(context.Background(), targets, Options{Concurrency: 100, Timeout: 10 * time.Second})
		mu.Lock()
		total += time.Since(t0)
		mu.Unlock()
		if len(errorsOf(diags)) > 0 {
			b.Fatal(errorsOf(diags))
		}
	}
	b.ReportMetric(float64(total)/float64(b.N)/float64(delay), "x_handshake")
}

// BenchmarkTLSScan100 runs the whole TLS probe (every version, the cipher suites, the
// certificate) on 100 endpoints, each delaying every handshake as a distant server would, and
// on one of them alone, in the same run; it reports the 100-endpoint scan's wall time as a
// multiple of the lone endpoint's (x_single) and the handshakes an endpoint costs.
func BenchmarkTLSScan100(b *testing.B) {
	const delay = 40 * time.Millisecond
	pki := newPKI(b)
	cfg := &tls.Config{Certificates: []tls.Certificate{pki.leaf(b, leafOpts{})}, MinVersion: tls.VersionTLS12}
	var handshakes atomic.Int64
	var targets []Target
	for range 100 {
		ln := serve(b, func(c net.Conn) {
			handshakes.Add(1)
			time.Sleep(delay)
			_ = tls.Server(c, cfg).Handshake()
		})
		targets = append(targets, Target{URL: "ssl://" + ln.Addr().String()})
	}
	opts := Options{Timeout: 10 * time.Second, RootCAs: pki.pool}
	run := func(ts []Target) time.Duration {
		t0 := time.Now()
		_, diags := Scan(context.Background(), ts, opts)
		if errs := errorsOf(diags); len(errs) > 0 {
			b.Fatal(errs)
		}
		return time.Since(t0)
	}
	var single, all time.Duration
	b.ResetTimer()
	for b.Loop() {
		single += run(targets[:1])
		handshakes.Store(0)
		all += run(targets)
	}
	b.ReportMetric(float64(all)/float64(single), "x_single")
	b.ReportMetric(float64(handshakes.Load())/100, "handshakes/endpoint")
}
