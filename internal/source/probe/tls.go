package probe

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/mqguard/mqguard/internal/model"
)

// Offering TLS 1.0/1.1, RSA key exchange and 3DES suites needs no GODEBUG setting: the
// tls10server, tlsrsakex and tls3des settings change only crypto/tls's defaults, and every
// handshake here sets MinVersion, MaxVersion and CipherSuites itself. The one thing the
// probe cannot reach is a TLS 1.2 server that signs only with SHA-1 (tlssha1, Go 1.25); it
// is listed in NotTested rather than enabled process-wide.

// tlsVersions are the protocol versions tried, each on its own connection.
var tlsVersions = []struct {
	name string
	v    uint16
}{
	{"TLS 1.0", tls.VersionTLS10},
	{"TLS 1.1", tls.VersionTLS11},
	{"TLS 1.2", tls.VersionTLS12},
	{"TLS 1.3", tls.VersionTLS13},
}

// allSuites are the TLS 1.0–1.2 cipher suites crypto/tls can offer, secure and insecure, by
// ID. They never change within a process: they are listed once.
var allSuites = sync.OnceValue(func() []*tls.CipherSuite {
	var out []*tls.CipherSuite
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if slices.Contains(cs.SupportedVersions, tls.VersionTLS12) || slices.Contains(cs.SupportedVersions, tls.VersionTLS10) {
			out = append(out, cs)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
})

func suitesFor(v uint16) []uint16 {
	var ids []uint16
	for _, cs := range allSuites() {
		if slices.Contains(cs.SupportedVersions, v) {
			ids = append(ids, cs.ID)
		}
	}
	return ids
}

// untestable are well-known suites, by family, that crypto/tls does not implement and so
// cannot offer; a family is listed only for the members missing from this Go's crypto/tls.
var untestable = []struct {
	why   string
	names []string
}{
	{"finite-field DHE key exchange is not implemented by crypto/tls", []string{
		"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
		"TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
		"TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
		"TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
		"TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",
		"TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
		"TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
	}},
	{"SHA-384 CBC and AES-256 CBC-SHA256 suites are not implemented by crypto/tls", []string{
		"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
		"TLS_RSA_WITH_AES_256_CBC_SHA256",
	}},
	{"3DES variants not implemented by crypto/tls", []string{
		"TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA",
		"TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA",
	}},
	{"RC4 variants not implemented by crypto/tls", []string{"TLS_RSA_WITH_RC4_128_MD5"}},
	{"static ECDH key exchange is not implemented by crypto/tls", []string{
		"TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384",
		"TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384",
		"TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA",
		"TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA",
	}},
	{"AES-CCM, ARIA and Camellia suites are not implemented by crypto/tls", []string{
		"TLS_RSA_WITH_AES_128_CCM", "TLS_RSA_WITH_AES_256_CCM", "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
		"TLS_ECDHE_ECDSA_WITH_AES_256_CCM", "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA",
		"TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256",
	}},
	{"export, single-DES, NULL-cipher and anonymous suites are not implemented by crypto/tls", []string{
		"TLS_RSA_EXPORT_WITH_RC4_40_MD5", "TLS_RSA_WITH_DES_CBC_SHA", "TLS_RSA_WITH_NULL_SHA",
		"TLS_RSA_WITH_NULL_SHA256", "TLS_ECDHE_RSA_WITH_NULL_SHA", "TLS_DH_anon_WITH_AES_128_CBC_SHA",
		"TLS_ECDH_anon_WITH_AES_128_CBC_SHA",
	}},
}

// notTested lists what the probe cannot test with this Go's crypto/tls.
func notTested() []string {
	have := map[string]bool{}
	for _, cs := range allSuites() {
		have[cs.Name] = true
	}
	out := []string{
		"SSL 3.0: crypto/tls does not implement it",
		"TLS 1.0 and TLS 1.1 cipher suites: each version is tried once offering every suite crypto/tls has for it, not suite by suite",
		"TLS 1.3 cipher suites: crypto/tls offers all three together and lets no client choose",
		"TLS 1.2 servers that can sign only with SHA-1: crypto/tls refuses SHA-1 handshake signatures since Go 1.25, so such a server reads as refusing TLS 1.2",
	}
	for _, fam := range untestable {
		var missing []string
		for _, n := range fam.names {
			if !have[n] {
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			out = append(out, fmt.Sprintf("%s (%s): %s", strings.Join(missing, ", "), "any TLS version", fam.why))
		}
	}
	return out
}

// attempt is one handshake's outcome.
type attempt struct {
	ok                  bool
	clientCertRequested bool
	certs               [][]byte
	suite               uint16
	err                 error
}

// handshake opens one connection and runs one TLS handshake offering versions [minV, maxV]
// and suites (nil: crypto/tls's choice for the version). Credentials are never sent on it, so
// it does not verify the certificate; it keeps the chain for checkTLSCert.
func (p *prober) handshake(ctx context.Context, ep *endpoint, minV, maxV uint16, suites []uint16) attempt {
	var a attempt
	conn, err := p.d.open(ctx, ep.addr)
	if err != nil {
		a.err = err
		return a
	}
	defer func() { _ = conn.Close() }()
	cfg := &tls.Config{
		ServerName:         serverName(ep.host),
		MinVersion:         minV,
		MaxVersion:         maxV,
		CipherSuites:       suites,
		InsecureSkipVerify: true, //nolint:gosec // the chain is checked by checkTLSCert; nothing secret is sent on this connection
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			a.certs = raw
			return nil
		},
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			a.clientCertRequested = true
			return &tls.Certificate{}, nil
		},
	}
	tc := tls.Client(conn, cfg)
	err = tc.HandshakeContext(ctx)
	if err == nil {
		a.ok = true
		a.suite = tc.ConnectionState().CipherSuite
	}
	a.err = err
	return a
}

// serverName is the SNI to send: none for an IP literal.
func serverName(host string) string {
	if net.ParseIP(host) != nil {
		return ""
	}
	return host
}

// accepted says the server took the version and suite offered: the handshake completed, or
// the server went as far as asking for a client certificate (which the probe does not have).
func (a attempt) accepted() bool { return a.ok || a.clientCertRequested }

// fatal says the endpoint could not be reached or does not speak TLS at all.
func fatal(err error) bool {
	if err == nil {
		return false
	}
	var de *dialError
	if errors.As(err, &de) {
		return true
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// describeTLSErr words a handshake failure for the endpoint's error.
func describeTLSErr(err error) string {
	var de *dialError
	if errors.As(err, &de) {
		return de.Error()
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		return "the endpoint does not speak TLS (its first bytes are not a TLS record)"
	}
	if isEOF(err) {
		return "the endpoint closed the connection during the TLS handshake"
	}
	return cleanNetErr(err)
}

// probeTLS runs the TLS probe of one endpoint.
func (p *prober) probeTLS(ctx context.Context, ep *endpoint) model.EndpointProbe {
	out := model.EndpointProbe{URL: ep.url, Protocol: ep.scheme, At: ep.ref("")}
	// A first handshake offering everything tells whether the endpoint speaks TLS at all.
	first := p.handshake(ctx, ep, tls.VersionTLS10, tls.VersionTLS13, allSuiteIDs())
	if !first.accepted() {
		if fatal(first.err) || isEOF(first.err) {
			out.Error = describeTLSErr(first.err)
			out.Unreachable = isDialErr(first.err)
			return out
		}
	}
	tp := &model.TLSProbe{Versions: map[string]bool{}, NotTested: notTested()}
	certs := first.certs
	requested := first.clientCertRequested
	var firstErr error
	if !first.accepted() {
		firstErr = first.err
	}
	// Each version on its own connection, the four at once.
	tries := make([]attempt, len(tlsVersions))
	var wg sync.WaitGroup
	for i, v := range tlsVersions {
		wg.Go(func() {
			var suites []uint16
			if v.v != tls.VersionTLS13 {
				suites = suitesFor(v.v)
			}
			tries[i] = p.handshake(ctx, ep, v.v, v.v, suites)
		})
	}
	wg.Wait()
	for i, v := range tlsVersions {
		a := tries[i]
		if isDialErr(a.err) {
			out.Error = fmt.Sprintf("%s handshake: %s", v.name, describeTLSErr(a.err))
			return out
		}
		tp.Versions[v.name] = a.accepted()
		if a.accepted() {
			if certs == nil {
				certs = a.certs
			}
			requested = requested || a.clientCertRequested
		}
	}
	if tp.Versions["TLS 1.2"] {
		names, err := p.suites12(ctx, ep, &requested)
		if err != nil {
			out.Error = err.Error()
			return out
		}
		tp.Ciphers = names
	}
	anyOK := false
	for _, ok := range tp.Versions {
		anyOK = anyOK || ok
	}
	if !anyOK {
		why := "no protocol version was accepted"
		if firstErr != nil {
			why += ": " + describeTLSErr(firstErr)
		}
		out.Error = "no TLS handshake completed (" + why + ")"
		return out
	}
	tp.ClientCertRequested = requested
	if len(certs) > 0 {
		tp.Certificate = p.checkTLSCert(ep, certs)
	}
	out.TLS = tp
	return out
}

func isDialErr(err error) bool {
	var de *dialError
	return errors.As(err, &de)
}

func allSuiteIDs() []uint16 {
	var ids []uint16
	for _, cs := range allSuites() {
		ids = append(ids, cs.ID)
	}
	return ids
}

// isEOF says the endpoint closed (or reset) the connection.
func isEOF(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

// suites12 returns the IANA names of the TLS 1.2 suites the endpoint accepts, in suite ID
// order. The suites are split by key exchange and signature (ECDHE with ECDSA, ECDHE with RSA,
// RSA key exchange, the rest), and each group is enumerated on its own, the groups at once: a
// handshake offers every suite of the group not yet seen, the server picks one, and the next
// handshake offers the others, until the server refuses them all. An endpoint that accepts n
// suites costs n handshakes plus one a group, not one a suite. When the server asks for a
// client certificate (the handshake then never completes and does not say which suite it
// picked), the group's remaining suites are tried one at a time.
func (p *prober) suites12(ctx context.Context, ep *endpoint, requested *bool) ([]string, error) {
	groups := map[string][]*tls.CipherSuite{}
	var order []string
	for _, cs := range allSuites() {
		if !slices.Contains(cs.SupportedVersions, tls.VersionTLS12) {
			continue
		}
		g := suiteGroup(cs.Name)
		if groups[g] == nil {
			order = append(order, g)
		}
		groups[g] = append(groups[g], cs)
	}
	var mu sync.Mutex
	accepted := map[uint16]bool{}
	var firstErr error
	var wg sync.WaitGroup
	for _, g := range order {
		wg.Go(func() {
			ids, certReq, err := p.enumerate(ctx, ep, groups[g])
			mu.Lock()
			defer mu.Unlock()
			for _, id := range ids {
				accepted[id] = true
			}
			*requested = *requested || certReq
			if err != nil && firstErr == nil {
				firstErr = err
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	var names []string
	for _, cs := range allSuites() {
		if accepted[cs.ID] {
			names = append(names, cs.Name)
		}
	}
	return names, nil
}

// suiteGroup names the group suites12 enumerates a suite in.
func suiteGroup(name string) string {
	for _, prefix := range []string{"TLS_ECDHE_ECDSA_", "TLS_ECDHE_RSA_", "TLS_RSA_"} {
		if strings.HasPrefix(name, prefix) {
			return prefix
		}
	}
	return "other"
}

// enumerate finds the suites of group the endpoint accepts over TLS 1.2 (see suites12).
func (p *prober) enumerate(ctx context.Context, ep *endpoint, group []*tls.CipherSuite) (ids []uint16, certRequested bool, err error) {
	remaining := make([]*tls.CipherSuite, len(group))
	copy(remaining, group)
	offer := func(suites []*tls.CipherSuite) attempt {
		list := make([]uint16, len(suites))
		for i, cs := range suites {
			list[i] = cs.ID
		}
		return p.handshake(ctx, ep, tls.VersionTLS12, tls.VersionTLS12, list)
	}
	for len(remaining) > 0 {
		a := offer(remaining)
		if isDialErr(a.err) {
			return nil, certRequested, fmt.Errorf("TLS 1.2 handshake: %s", describeTLSErr(a.err))
		}
		switch {
		case a.ok:
			i := slices.IndexFunc(remaining, func(cs *tls.CipherSuite) bool { return cs.ID == a.suite })
			if i < 0 {
				return ids, certRequested, nil // not offered: crypto/tls would have refused it
			}
			ids = append(ids, a.suite)
			remaining = slices.Delete(remaining, i, i+1)
		case a.clientCertRequested:
			certRequested = true
			for _, cs := range remaining {
				one := offer([]*tls.CipherSuite{cs})
				if isDialErr(one.err) {
					return nil, certRequested, fmt.Errorf("TLS 1.2 %s handshake: %s", cs.Name, describeTLSErr(one.err))
				}
				if one.accepted() {
					ids = append(ids, cs.ID)
				}
			}
			return ids, certRequested, nil
		default:
			return ids, certRequested, nil
		}
	}
	return ids, certRequested, nil
}

// checkTLSCert describes the leaf and verifies the chain against opts.RootCAs (or the system
// roots) at opts.Now, and the leaf against the URL's host.
func (p *prober) checkTLSCert(ep *endpoint, raw [][]byte) *model.CertificateInfo {
	leaf, err := x509.ParseCertificate(raw[0])
	if err != nil {
		return &model.CertificateInfo{UntrustedWhy: "the certificate does not parse: " + err.Error()}
	}
	ci := &model.CertificateInfo{
		Subject:   leaf.Subject.String(),
		NotBefore: leaf.NotBefore,
		NotAfter:  leaf.NotAfter,
		SigAlg:    leaf.SignatureAlgorithm.String(),
	}
	switch k := leaf.PublicKey.(type) {
	case *rsa.PublicKey:
		ci.KeyType, ci.KeyBits = "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		ci.KeyType, ci.KeyBits = "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		ci.KeyType, ci.KeyBits = "Ed25519", 256
	default:
		ci.KeyType = fmt.Sprintf("%T", leaf.PublicKey)
	}
	ci.SelfSigned = string(leaf.RawIssuer) == string(leaf.RawSubject) &&
		leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil
	ci.HostnameOK = leaf.VerifyHostname(ep.host) == nil
	inter := x509.NewCertPool()
	for _, r := range raw[1:] {
		if c, err := x509.ParseCertificate(r); err == nil {
			inter.AddCert(c)
		}
	}
	_, err = leaf.Verify(x509.VerifyOptions{Roots: p.opts.RootCAs, Intermediates: inter, CurrentTime: p.opts.now()})
	if err == nil {
		ci.Trusted = true
	} else {
		ci.UntrustedWhy = err.Error()
	}
	return ci
}
