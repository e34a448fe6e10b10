package cli

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"errors"
	"math/big"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdTLSServer starts, for the rest of the script, a TLS server on 127.0.0.1 that accepts
// TLS 1.0 to 1.3 and presents a self-signed certificate for 127.0.0.1 that expired a month ago
// (made here). After a handshake it sends an OpenWire WireFormatInfo, as an ActiveMQ ssl://
// connector does, and keeps the connection until the client closes it. The server's port is
// put in the environment variable VAR.
//
//	tlsserver VAR
func cmdTLSServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: tlsserver VAR")
	}
	cert, err := expiredCertificate(time.Now())
	ts.Check(err)
	cfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS10, // the weak server the probe must find
		MaxVersion:   tls.VersionTLS13,
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Go(func() {
				defer func() {
					mu.Lock()
					delete(conns, c)
					mu.Unlock()
					_ = c.Close()
				}()
				serveOpenWireTLS(c, cfg)
			})
		}
	})
	ts.Defer(func() {
		_ = l.Close()
		mu.Lock()
		for c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	ts.Setenv(args[0], strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
}

// serveOpenWireTLS completes a TLS handshake on c, sends a WireFormatInfo and reads until the
// client closes the connection (or a minute passes: the server never holds a probe forever).
func serveOpenWireTLS(c net.Conn, cfg *tls.Config) {
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	tc := tls.Server(c, cfg)
	if err := tc.Handshake(); err != nil {
		return
	}
	if _, err := tc.Write(wireFormatInfoFrame("6.1.4")); err != nil {
		return
	}
	buf := make([]byte, 4096)
	for {
		if _, err := tc.Read(buf); err != nil {
			return
		}
	}
}

// wireFormatInfoFrame is the WireFormatInfo an ActiveMQ broker of the version sends first:
// size, type 1, magic "ActiveMQ", OpenWire version 12, and its properties as a primitive map
// with ProviderName and ProviderVersion.
func wireFormatInfoFrame(version string) []byte {
	var props []byte
	props = binary.BigEndian.AppendUint32(props, 2)
	for _, kv := range [][2]string{{"ProviderName", "ActiveMQ"}, {"ProviderVersion", version}} {
		props = binary.BigEndian.AppendUint16(props, uint16(len(kv[0])))
		props = append(props, kv[0]...)
		props = append(props, 9) // string
		props = binary.BigEndian.AppendUint16(props, uint16(len(kv[1])))
		props = append(props, kv[1]...)
	}
	body := []byte{1}
	body = append(body, "ActiveMQ"...)
	body = binary.BigEndian.AppendUint32(body, 12)
	body = append(body, 1)
	body = binary.BigEndian.AppendUint32(body, uint32(len(props)))
	body = append(body, props...)
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
}

// expiredCertificate makes a self-signed RSA certificate for 127.0.0.1 that was valid from two
// months to one month before now.
func expiredCertificate(now time.Time) (tls.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "127.0.0.1", Organization: []string{"mqguard test"}},
		NotBefore:             now.AddDate(0, -2, 0),
		NotAfter:              now.AddDate(0, -1, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	if len(der) == 0 {
		return tls.Certificate{}, errors.New("empty certificate")
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// cmdClosedPort puts in the environment variable VAR a port of 127.0.0.1 nothing listens on:
// one the system just gave and took back.
//
//	closedport VAR
func cmdClosedPort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: closedport VAR")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := l.Addr().(*net.TCPAddr).Port
	ts.Check(l.Close())
	ts.Setenv(args[0], strconv.Itoa(port))
}
