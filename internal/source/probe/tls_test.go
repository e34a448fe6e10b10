package probe

import (
	"crypto/tls"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/model"
)

func TestTLSProbe(t *testing.T) {
	pki := newPKI(t)
	good := pki.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}})
	cases := []struct {
		name  string
		cfg   *tls.Config
		check func(t *testing.T, tp *tlsResult)
	}{
		{"good certificate from the CA, TLS 1.2 and 1.3", &tls.Config{Certificates: []tls.Certificate{good}}, func(t *testing.T, r *tlsResult) {
			c := r.tp.Certificate
			if !c.Trusted || !c.HostnameOK || c.SelfSigned || c.UntrustedWhy != "" {
				t.Errorf("certificate %+v, want trusted, host name ok, not self-signed", c)
			}
			if c.KeyType != "ECDSA" || c.KeyBits != 256 || c.SigAlg != "ECDSA-SHA256" {
				t.Errorf("key %s %d %s", c.KeyType, c.KeyBits, c.SigAlg)
			}
			wantVersions(t, r.tp.Versions, map[string]bool{"TLS 1.0": false, "TLS 1.1": false, "TLS 1.2": true, "TLS 1.3": true})
			if !slices.Contains(r.tp.Ciphers, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256") {
				t.Errorf("ciphers %v lack the ECDSA GCM suite", r.tp.Ciphers)
			}
			for _, c := range r.tp.Ciphers {
				if strings.Contains(c, "_RSA_") && !strings.Contains(c, "ECDSA") {
					t.Errorf("an ECDSA certificate cannot accept %s", c)
				}
			}
			if r.tp.ClientCertRequested {
				t.Error("no client certificate was requested")
			}
		}},
		{"expired", &tls.Config{Certificates: []tls.Certificate{pki.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}, notBefore: time.Now().Add(-48 * time.Hour), notAfter: time.Now().Add(-24 * time.Hour)})}}, func(t *testing.T, r *tlsResult) {
			c := r.tp.Certificate
			if c.Trusted || !strings.Contains(c.UntrustedWhy, "expired") || !c.NotAfter.Before(time.Now()) {
				t.Errorf("certificate %+v, want untrusted because expired", c)
			}
		}},
		{"self-signed", &tls.Config{Certificates: []tls.Certificate{pki.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}, selfSigned: true, rsaBits: 2048})}}, func(t *testing.T, r *tlsResult) {
			c := r.tp.Certificate
			if c.Trusted || !c.SelfSigned || !c.HostnameOK || c.KeyType != "RSA" || c.KeyBits != 2048 {
				t.Errorf("certificate %+v, want self-signed RSA 2048, untrusted", c)
			}
		}},
		{"wrong host", &tls.Config{Certificates: []tls.Certificate{pki.leaf(t, leafOpts{hosts: []string{"other.example"}})}}, func(t *testing.T, r *tlsResult) {
			c := r.tp.Certificate
			if !c.Trusted || c.HostnameOK {
				t.Errorf("certificate %+v, want trusted chain, wrong host", c)
			}
		}},
		{"TLS 1.0 only with a CBC suite", &tls.Config{
			Certificates: []tls.Certificate{pki.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}, rsaBits: 2048})},
			MinVersion:   tls.VersionTLS10, MaxVersion: tls.VersionTLS10,
			CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA},
		}, func(t *testing.T, r *tlsResult) {
			wantVersions(t, r.tp.Versions, map[string]bool{"TLS 1.0": true, "TLS 1.1": false, "TLS 1.2": false, "TLS 1.3": false})
			if len(r.tp.Ciphers) != 0 {
				t.Errorf("TLS 1.2 ciphers %v from a TLS 1.0 server", r.tp.Ciphers)
			}
		}},
		{"TLS 1.2 only, RSA key exchange and CBC suites", &tls.Config{
			Certificates: []tls.Certificate{pki.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}, rsaBits: 2048})},
			MinVersion:   tls.VersionTLS12, MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA},
		}, func(t *testing.T, r *tlsResult) {
			wantVersions(t, r.tp.Versions, map[string]bool{"TLS 1.0": false, "TLS 1.1": false, "TLS 1.2": true, "TLS 1.3": false})
			want := []string{"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}
			if !slices.Equal(r.tp.Ciphers, want) {
				t.Errorf("ciphers %v, want %v", r.tp.Ciphers, want)
			}
		}},
		{"client certificate requested", &tls.Config{Certificates: []tls.Certificate{good}, ClientAuth: tls.RequestClientCert}, func(t *testing.T, r *tlsResult) {
			if !r.tp.ClientCertRequested {
				t.Error("the CertificateRequest was not seen")
			}
		}},
		{"client certificate required", &tls.Config{Certificates: []tls.Certificate{good}, ClientAuth: tls.RequireAnyClientCert, MaxVersion: tls.VersionTLS12}, func(t *testing.T, r *tlsResult) {
			if !r.tp.ClientCertRequested || !r.tp.Versions["TLS 1.2"] || r.tp.Certificate == nil {
				t.Errorf("mutual TLS endpoint: %+v", r.tp)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ln := serveTLS(t, tc.cfg)
			u := "amqps://" + ln.Addr().String()
			b, diags := scanOne(t, Target{URL: u}, Options{RootCAs: pki.pool})
			if e := errorsOf(diags); len(e) > 0 {
				t.Fatalf("errors: %v", e)
			}
			ep := b.SelfManaged.Endpoints[0]
			if ep.Error != "" || ep.TLS == nil || ep.TLS.Certificate == nil {
				t.Fatalf("endpoint %+v", ep)
			}
			if ep.Plaintext || ep.Protocol != "amqps" || ep.URL != u {
				t.Errorf("endpoint %+v", ep)
			}
			if len(b.SelfManaged.Listeners) != 1 || !b.SelfManaged.Listeners[0].TLS.V || !b.SelfManaged.Listeners[0].Loopback.V {
				t.Errorf("listeners %+v", b.SelfManaged.Listeners)
			}
			if len(ep.TLS.NotTested) == 0 {
				t.Error("NotTested is empty")
			}
			tc.check(t, &tlsResult{tp: ep.TLS})
		})
	}
}

type tlsResult struct{ tp *model.TLSProbe }

func wantVersions(t *testing.T, got, want map[string]bool) {
	t.Helper()
	for k, v := range want {
		g, ok := got[k]
		if !ok || g != v {
			t.Errorf("%s: %v (tested %v), want %v", k, g, ok, v)
		}
	}
}

func TestTLSBadEndpoints(t *testing.T) {
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := closed.Addr().String()
	_ = closed.Close()
	cases := []struct {
		name   string
		addr   func(t *testing.T) string
		errSub string
	}{
		{"refused", func(*testing.T) string { return refused }, "connect"},
		{"accepts then closes", func(t *testing.T) string { return serve(t, func(net.Conn) {}).Addr().String() }, "closed"},
		{"garbage", func(t *testing.T) string {
			return serve(t, func(c net.Conn) { _, _ = c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n")) }).Addr().String()
		}, "does not speak TLS"},
		{"never answers", func(t *testing.T) string {
			return serve(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) }).Addr().String()
		}, "timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := "ssl://" + tc.addr(t)
			b, diags := scanOne(t, Target{URL: u}, Options{Timeout: 300 * time.Millisecond})
			if b == nil || len(b.SelfManaged.Endpoints) != 1 {
				t.Fatalf("broker %+v", b)
			}
			ep := b.SelfManaged.Endpoints[0]
			if ep.Error == "" || ep.TLS != nil || !strings.Contains(ep.Error, tc.errSub) {
				t.Errorf("endpoint error %q (TLS %v), want one with %q", ep.Error, ep.TLS, tc.errSub)
			}
			if !hasError(diags, u) {
				t.Errorf("no error diagnostic naming %s: %v", u, diags)
			}
			if len(b.SelfManaged.Listeners) != 0 {
				t.Errorf("listeners from a failed probe: %+v", b.SelfManaged.Listeners)
			}
		})
	}
}

func TestNotTestedNamesOnlyWhatGoLacks(t *testing.T) {
	have := map[string]bool{}
	for _, cs := range allSuites() {
		have[cs.Name] = true
	}
	for _, fam := range untestable {
		for _, n := range fam.names {
			if have[n] {
				continue
			}
			found := false
			for _, line := range notTested() {
				found = found || strings.Contains(line, n)
			}
			if !found {
				t.Errorf("%s is not offered by crypto/tls but not listed as untested", n)
			}
		}
	}
	for _, line := range notTested() {
		for n := range have {
			if strings.Contains(line, n+",") || strings.HasSuffix(line, n) || strings.Contains(line, n+" (") {
				t.Errorf("NotTested names %s, which crypto/tls offers: %s", n, line)
			}
		}
	}
}
