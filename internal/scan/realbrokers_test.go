package scan_test

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/brokertest"
)

// The real-broker tests start Debian's rabbitmq-server and activemq on loopback with the
// configurations of testdata/realbrokers (ports, certificates and password hashes
// substituted), scan the same directories with mqguard's file source, probe the running
// brokers, and check that both agree. Without the packages they skip (fail under CI).

// realBroker is one broker the test started: the directory it was started with (the one the
// file scan reads) and what a client needs to reach it.
type realBroker struct {
	name string
	// dir is the rendered configuration directory.
	dir string
	// engine is "RabbitMQ" or "ActiveMQ".
	engine string
	// ports are the broker's listener ports by name.
	ports map[string]int
	// mgmtURL is the RabbitMQ management API's base URL; admin and adminPassword its
	// administrator (the probe's credentials).
	mgmtURL, admin, adminPassword string
	// startup is the time the broker took to be ready.
	startup time.Duration
}

func (b *realBroker) addr(port string) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.ports[port]))
}

// secret is a random password for one test run.
func secret(t *testing.T) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "pw-" + hex.EncodeToString(b)
}

// startRabbitMQ renders testdata/realbrokers/<name> and starts a node on it; it is ready when
// the management API answers for the queue the definitions declare (the definitions are
// loaded) and the AMQP(S) listeners accept connections.
func startRabbitMQ(t *testing.T, name string, ca *brokertest.CA) *realBroker {
	t.Helper()
	brokertest.RabbitMQServer(t)
	dir := filepath.Join(t.TempDir(), name)
	certDir := t.TempDir()
	files := ca.WriteServerPEM(t, certDir)
	p := brokertest.FreePorts(t, 3)
	b := &realBroker{name: name, dir: dir, engine: "RabbitMQ",
		ports: map[string]int{"amqp": p[0], "amqps": p[1], "management": p[2]}}
	weak := name == "rabbitmq-weak"
	data := map[string]any{
		"Dir": dir, "CACert": files.CACert, "Cert": files.Cert, "Key": files.Key,
		"AMQPPort": p[0], "AMQPSPort": p[1], "MgmtPort": p[2],
		"AppHash": brokertest.RabbitPasswordHash(t, "rabbit_password_hashing_sha256", secret(t)),
	}
	queue := "app.orders"
	ports := []int{p[1], p[2]}
	ready := []brokertest.Check{}
	if weak {
		// guest keeps its shipped password: that is the weakness.
		b.admin, b.adminPassword = "guest", "guest"
		data["GuestHash"] = brokertest.RabbitPasswordHash(t, "rabbit_password_hashing_sha256", "guest")
		data["LegacyHash"] = brokertest.RabbitPasswordHash(t, "rabbit_password_hashing_md5", secret(t))
		b.mgmtURL = fmt.Sprintf("http://127.0.0.1:%d", p[2])
		queue = "orders"
		ports = append(ports, p[0])
		ready = append(ready, brokertest.TCPCheck(b.addr("amqp")))
	} else {
		b.admin, b.adminPassword = "ops", secret(t)
		data["OpsHash"] = brokertest.RabbitPasswordHash(t, "rabbit_password_hashing_sha256", b.adminPassword)
		b.mgmtURL = fmt.Sprintf("https://localhost:%d", p[2])
	}
	brokertest.Render(t, filepath.Join("testdata", "realbrokers", name), dir, data)
	ready = append([]brokertest.Check{
		brokertest.HTTPCheck(b.mgmtURL+"/api/queues/%2F/"+queue, b.admin, b.adminPassword, ca.ClientConfig()),
	}, append(ready, brokertest.TCPCheck(b.addr("amqps")))...)
	node := brokertest.StartRabbitMQ(t, brokertest.RabbitMQOptions{ConfDir: dir, Ports: ports, Ready: ready})
	b.startup = node.Startup
	return b
}

// startActiveMQ renders testdata/realbrokers/<name> (the hardened one with a PKCS12 keystore
// the CA signed) and starts a broker on it; it is ready when its OpenWire port sends the
// WireFormatInfo.
func startActiveMQ(t *testing.T, name string, ca *brokertest.CA) *realBroker {
	t.Helper()
	brokertest.ActiveMQHome(t)
	dir := filepath.Join(t.TempDir(), name)
	p := brokertest.FreePorts(t, 2)
	b := &realBroker{name: name, dir: dir, engine: "ActiveMQ", ports: map[string]int{"openwire": p[0], "jmx": p[1]}}
	data := map[string]any{
		"OpenWirePort": p[0], "JMXPort": p[1],
		"ConsolePassword": secret(t), "OpsPassword": secret(t), "AppPassword": secret(t),
		"KeystorePassword": secret(t),
	}
	brokertest.Render(t, filepath.Join("testdata", "realbrokers", name), dir, data)
	var tlsConfig *tls.Config
	ports := []int{p[0]}
	if name == "activemq-hardened" {
		ca.WriteKeystore(t, filepath.Join(dir, "broker.p12"), data["KeystorePassword"].(string))
		tlsConfig = ca.ClientConfig()
		tlsConfig.ServerName = "localhost"
	} else {
		ports = append(ports, p[1])
	}
	ready := []brokertest.Check{brokertest.OpenWireCheck(b.addr("openwire"), tlsConfig)}
	if name == "activemq-weak" {
		ready = append(ready, brokertest.TCPCheck(b.addr("jmx")))
	}
	broker := brokertest.StartActiveMQ(t, brokertest.ActiveMQOptions{ConfDir: dir, Ports: ports, Ready: ready})
	b.startup = broker.Startup
	return b
}

// handshake reports whether addr completes a TLS handshake at exactly version v.
func handshake(t *testing.T, addr string, ca *brokertest.CA, v uint16) error {
	t.Helper()
	cfg := ca.ClientConfig()
	cfg.ServerName = "localhost"
	cfg.MinVersion, cfg.MaxVersion = v, v
	if v < tls.VersionTLS12 {
		// The CBC suites TLS 1.0 and 1.1 can negotiate (crypto/tls offers them only when
		// asked).
		cfg.CipherSuites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA}
	}
	d := &tls.Dialer{Config: cfg, NetDialer: &net.Dialer{Timeout: 10 * time.Second}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return c.Close()
}

// TestRealBrokers starts the four brokers (in parallel) and checks that each runs with the
// configuration it was given: the weaknesses of the weak ones are really there (TLS 1.0
// accepted, plaintext listeners answering), the hardened ones really refuse them. The scans
// are compared on the same running brokers.
func TestRealBrokers(t *testing.T) {
	ca := brokertest.NewCA(t)
	t.Run("rabbitmq-weak", func(t *testing.T) {
		t.Parallel()
		b := startRabbitMQ(t, "rabbitmq-weak", ca)
		t.Logf("startup %s: %s", b.name, b.startup.Round(time.Millisecond))
		if err := handshake(t, b.addr("amqps"), ca, tls.VersionTLS10); err != nil {
			t.Errorf("the weak node refuses TLS 1.0, which its configuration allows: %v", err)
		}
		if err := handshake(t, b.addr("amqps"), ca, tls.VersionTLS12); err != nil {
			t.Errorf("TLS 1.2 handshake: %v", err)
		}
		if err := brokertest.TCPCheck(b.addr("amqp"))(context.Background()); err != nil {
			t.Errorf("plaintext AMQP: %v", err)
		}
	})
	t.Run("rabbitmq-hardened", func(t *testing.T) {
		t.Parallel()
		b := startRabbitMQ(t, "rabbitmq-hardened", ca)
		t.Logf("startup %s: %s", b.name, b.startup.Round(time.Millisecond))
		for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
			if err := handshake(t, b.addr("amqps"), ca, v); err == nil {
				t.Errorf("the hardened node accepts %s", tls.VersionName(v))
			}
			if err := handshake(t, b.addr("management"), ca, v); err == nil {
				t.Errorf("the hardened management API accepts %s", tls.VersionName(v))
			}
		}
		for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
			if err := handshake(t, b.addr("amqps"), ca, v); err != nil {
				t.Errorf("%s handshake: %v", tls.VersionName(v), err)
			}
		}
	})
	t.Run("activemq-weak", func(t *testing.T) {
		t.Parallel()
		b := startActiveMQ(t, "activemq-weak", ca)
		t.Logf("startup %s: %s", b.name, b.startup.Round(time.Millisecond))
	})
	t.Run("activemq-hardened", func(t *testing.T) {
		t.Parallel()
		b := startActiveMQ(t, "activemq-hardened", ca)
		t.Logf("startup %s: %s", b.name, b.startup.Round(time.Millisecond))
		if err := handshake(t, b.addr("openwire"), ca, tls.VersionTLS10); err == nil {
			t.Errorf("the hardened broker accepts TLS 1.0")
		}
		if err := brokertest.OpenWireCheck(b.addr("openwire"), nil)(context.Background()); err == nil {
			t.Errorf("the hardened broker speaks plaintext OpenWire")
		}
	})
}
