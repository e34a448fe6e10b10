package probe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/model"
)

// testPKI is a certificate authority the tests make, and leaf certificates it signs.
type testPKI struct {
	ca    *x509.Certificate
	caKey *ecdsa.PrivateKey
	pool  *x509.CertPool
}

func newPKI(t testing.TB) *testPKI {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mqguard test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &testPKI{ca: ca, caKey: key, pool: pool}
}

type leafOpts struct {
	hosts      []string
	notBefore  time.Time
	notAfter   time.Time
	selfSigned bool
	rsaBits    int
}

var serial int64 = 100

func (p *testPKI) leaf(t testing.TB, o leafOpts) tls.Certificate {
	t.Helper()
	if o.notBefore.IsZero() {
		o.notBefore = time.Now().Add(-time.Hour)
	}
	if o.notAfter.IsZero() {
		o.notAfter = time.Now().Add(12 * time.Hour)
	}
	serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "broker"},
		NotBefore:    o.notBefore,
		NotAfter:     o.notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range o.hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	var pub, priv any
	if o.rsaBits > 0 {
		k, err := rsa.GenerateKey(rand.Reader, o.rsaBits)
		if err != nil {
			t.Fatal(err)
		}
		pub, priv = &k.PublicKey, k
	} else {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		pub, priv = &k.PublicKey, k
	}
	parent, signer := p.ca, any(p.caKey)
	if o.selfSigned {
		parent, signer = tmpl, priv
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv}
}

// serve accepts connections on 127.0.0.1 and runs handle on each until the test ends.
func serve(t testing.TB, handle func(net.Conn)) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { _ = c.Close() }()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				handle(c)
			}()
		}
	}()
	return ln
}

// serveTLS runs a crypto/tls server that completes handshakes and closes.
func serveTLS(t testing.TB, cfg *tls.Config) net.Listener {
	return serve(t, func(c net.Conn) {
		tc := tls.Server(c, cfg)
		_ = tc.Handshake()
	})
}

// scanOne probes one URL and returns its broker (nil when none) and diagnostics.
func scanOne(t testing.TB, tg Target, opts Options) (*model.Broker, []model.Diagnostic) {
	t.Helper()
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	inv, diags := Scan(context.Background(), []Target{tg}, opts)
	if len(inv.Brokers) > 1 {
		t.Fatalf("%d brokers for one target", len(inv.Brokers))
	}
	if len(inv.Brokers) == 0 {
		return nil, diags
	}
	return inv.Brokers[0], diags
}

func errorsOf(diags []model.Diagnostic) []string {
	var out []string
	for _, d := range diags {
		if d.Severity == model.DiagError {
			out = append(out, d.Message)
		}
	}
	return out
}

func hasError(diags []model.Diagnostic, sub string) bool {
	for _, m := range errorsOf(diags) {
		if strings.Contains(m, sub) {
			return true
		}
	}
	return false
}

// redirect dials every address to the given listener address, recording what was asked.
type redirect struct {
	mu    sync.Mutex
	to    string
	asked []string
}

func (r *redirect) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	r.mu.Lock()
	r.asked = append(r.asked, addr)
	r.mu.Unlock()
	var d net.Dialer
	return d.DialContext(ctx, network, r.to)
}
