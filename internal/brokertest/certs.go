package brokertest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// CA is a certificate authority a test makes: its certificate verifies the server
// certificates it issues, for loopback (127.0.0.1, ::1 and localhost).
type CA struct {
	Cert *x509.Certificate
	// PEM is the CA certificate, PEM-encoded.
	PEM []byte
	// Pool holds the CA certificate alone: the RootCAs of a client that trusts it.
	Pool *x509.CertPool
	key  crypto.Signer
}

// loopbackNames are the names every server certificate is valid for.
var loopbackNames = []string{"localhost"}
var loopbackIPs = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}

// NewCA makes a CA with a 2048-bit RSA key, valid from an hour ago for two years (a server
// certificate, for one: beyond the 30 days under which mqguard warns of expiry).
func NewCA(t testing.TB) *CA {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: "mqguard test CA", Organization: []string{"mqguard tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(2 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{Cert: cert, PEM: pemBlock("CERTIFICATE", der), Pool: pool, key: key}
}

// ClientConfig is a TLS client configuration that trusts the CA alone.
func (ca *CA) ClientConfig() *tls.Config {
	return &tls.Config{RootCAs: ca.Pool, MinVersion: tls.VersionTLS12}
}

func serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// sign issues a server certificate for pub, valid for the loopback names for a year.
func (ca *CA) sign(t testing.TB, pub crypto.PublicKey) []byte {
	t.Helper()
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"mqguard tests"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     loopbackNames,
		IPAddresses:  loopbackIPs,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, pub, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// ServerFiles are the PEM files of a server certificate: what rabbitmq.conf's ssl_options
// and management.ssl name.
type ServerFiles struct {
	CACert, Cert, Key string
}

// WriteServerPEM issues a server certificate (2048-bit RSA key) and writes ca.pem,
// server.pem and server-key.pem into dir.
func (ca *CA) WriteServerPEM(t testing.TB, dir string) ServerFiles {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der := ca.sign(t, key.Public())
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	f := ServerFiles{
		CACert: filepath.Join(dir, "ca.pem"),
		Cert:   filepath.Join(dir, "server.pem"),
		Key:    filepath.Join(dir, "server-key.pem"),
	}
	write(t, f.CACert, ca.PEM, 0o644)
	write(t, f.Cert, pemBlock("CERTIFICATE", der), 0o644)
	write(t, f.Key, pemBlock("PRIVATE KEY", keyDER), 0o600)
	return f
}

func write(t testing.TB, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
}

// Keytool finds the JDK's keytool (beside java, or on PATH); the test skips (fails under CI)
// without it.
func Keytool(t testing.TB) string {
	t.Helper()
	p, err := lookPath("keytool", "/usr/bin/keytool", "/usr/lib/jvm/default-java/bin/keytool")
	if err != nil {
		missing(t, "keytool", "default-jre-headless (with activemq)")
	}
	return p
}

// WriteKeystore makes a PKCS12 keystore at path for a Java broker: the JDK's keytool makes the
// key pair and its signing request, the CA signs it here, and keytool imports the CA and the
// signed chain, so the keystore holds the key under alias "broker" with the chain to the CA.
func (ca *CA) WriteKeystore(t testing.TB, path, password string) {
	t.Helper()
	keytool := Keytool(t)
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(keytool, args...) //nolint:gosec // the JDK's keytool, with the test's arguments
		cmd.Env = append(os.Environ(), "JAVA_TOOL_OPTIONS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("keytool %s: %v\n%s", args[0], err, out)
		}
	}
	store := []string{"-keystore", path, "-storetype", "PKCS12", "-storepass", password}
	run(append([]string{"-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048",
		"-dname", "CN=localhost, O=mqguard tests", "-validity", "2", "-keypass", password}, store...)...)
	csrFile := filepath.Join(dir, "broker.csr")
	run(append([]string{"-certreq", "-alias", "broker", "-file", csrFile}, store...)...)
	csrPEM, err := os.ReadFile(csrFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(csrPEM)
	if block == nil {
		t.Fatalf("keytool wrote no PEM signing request in %s", csrFile)
		return
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := csr.CheckSignature(); err != nil {
		t.Fatal(err)
	}
	caFile, chainFile := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "chain.pem")
	write(t, caFile, ca.PEM, 0o644)
	write(t, chainFile, append(pemBlock("CERTIFICATE", ca.sign(t, csr.PublicKey)), ca.PEM...), 0o644)
	run(append([]string{"-importcert", "-noprompt", "-alias", "ca", "-file", caFile}, store...)...)
	run(append([]string{"-importcert", "-noprompt", "-alias", "broker", "-file", chainFile}, store...)...)
}
