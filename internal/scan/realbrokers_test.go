package scan_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/brokertest"
	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/scan"
	"github.com/mqguard/mqguard/internal/source/detect"
	"github.com/mqguard/mqguard/internal/source/probe"
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
	// targets are what the live probe is given for this broker.
	targets []probe.Target
	// secrets are the passwords and password hashes the test generated: no report may
	// show them.
	secrets []string
}

func (b *realBroker) addr(port string) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.ports[port]))
}

// secret is a random password for one test run, remembered as a secret of the broker.
func (b *realBroker) secret(t *testing.T) string {
	t.Helper()
	raw := make([]byte, 12)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	return b.keep("pw-" + hex.EncodeToString(raw))
}

// keep remembers s as a secret of the broker.
func (b *realBroker) keep(s string) string {
	b.secrets = append(b.secrets, s)
	return s
}

// hash is a RabbitMQ password hash, remembered as a secret of the broker.
func (b *realBroker) hash(t *testing.T, module, password string) string {
	t.Helper()
	return b.keep(brokertest.RabbitPasswordHash(t, module, password))
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
		"AppHash": b.hash(t, "rabbit_password_hashing_sha256", b.secret(t)),
	}
	queue := "app.orders"
	ports := []int{p[1], p[2]}
	ready := []brokertest.Check{}
	if weak {
		// guest keeps its shipped password: that is the weakness.
		b.admin, b.adminPassword = "guest", "guest"
		data["GuestHash"] = b.hash(t, "rabbit_password_hashing_sha256", "guest")
		data["LegacyHash"] = b.hash(t, "rabbit_password_hashing_md5", b.secret(t))
		b.mgmtURL = fmt.Sprintf("http://127.0.0.1:%d", p[2])
		queue = "orders"
		ports = append(ports, p[0])
		ready = append(ready, brokertest.TCPCheck(b.addr("amqp")))
	} else {
		b.admin, b.adminPassword = "ops", b.secret(t)
		data["OpsHash"] = b.hash(t, "rabbit_password_hashing_sha256", b.adminPassword)
		b.mgmtURL = fmt.Sprintf("https://localhost:%d", p[2])
	}
	brokertest.Render(t, filepath.Join("testdata", "realbrokers", name), dir, data)
	ready = append([]brokertest.Check{
		brokertest.HTTPCheck(b.mgmtURL+"/api/queues/%2F/"+queue, b.admin, b.adminPassword, ca.ClientConfig()),
	}, append(ready, brokertest.TCPCheck(b.addr("amqps")))...)
	node := brokertest.StartRabbitMQ(t, brokertest.RabbitMQOptions{ConfDir: dir, Ports: ports, Ready: ready})
	b.startup = node.Startup
	b.targets = []probe.Target{
		{URL: b.mgmtURL, Engine: "RabbitMQ", User: b.admin, Password: b.adminPassword, Name: name},
		{URL: fmt.Sprintf("amqps://localhost:%d", p[1]), Engine: "RabbitMQ", Name: name},
	}
	if weak {
		b.targets = append(b.targets, probe.Target{URL: fmt.Sprintf("amqp://127.0.0.1:%d", p[0]), Engine: "RabbitMQ", Name: name})
	}
	return b
}

// startActiveMQ renders testdata/realbrokers/<name>, writes the PKCS12 keystore (signed by
// the CA) its ssl:// connector uses, and starts a broker on it; it is ready when its OpenWire
// ports send the WireFormatInfo (and the weak one's JMX port accepts connections). The weak
// broker has a plaintext tcp:// connector beside an ssl:// one that keeps the JVM's default
// suites; the hardened one has only an ssl:// connector, with a restricted list.
func startActiveMQ(t *testing.T, name string, ca *brokertest.CA) *realBroker {
	t.Helper()
	brokertest.ActiveMQHome(t)
	dir := filepath.Join(t.TempDir(), name)
	p := brokertest.FreePorts(t, 3)
	b := &realBroker{name: name, dir: dir, engine: "ActiveMQ", ports: map[string]int{"openwire": p[0], "jmx": p[1], "ssl": p[2]}}
	data := map[string]any{
		"OpenWirePort": p[0], "JMXPort": p[1], "SSLPort": p[2],
		"ConsolePassword": b.secret(t), "OpsPassword": b.secret(t), "AppPassword": b.secret(t),
		"KeystorePassword": b.secret(t),
	}
	brokertest.Render(t, filepath.Join("testdata", "realbrokers", name), dir, data)
	ca.WriteKeystore(t, filepath.Join(dir, "broker.p12"), data["KeystorePassword"].(string))
	tlsConfig := ca.ClientConfig()
	tlsConfig.ServerName = "localhost"
	ports := []int{p[2]}
	ready := []brokertest.Check{brokertest.OpenWireCheck(b.addr("ssl"), tlsConfig)}
	// The JMX connector is not probed: mqguard does not speak RMI.
	b.targets = []probe.Target{{URL: fmt.Sprintf("ssl://localhost:%d", p[2]), Engine: "ActiveMQ", Name: name}}
	if name == "activemq-weak" {
		ports = append(ports, p[0], p[1])
		ready = append(ready, brokertest.OpenWireCheck(b.addr("openwire"), nil), brokertest.TCPCheck(b.addr("jmx")))
		b.targets = append(b.targets, probe.Target{URL: fmt.Sprintf("tcp://127.0.0.1:%d", p[0]), Engine: "ActiveMQ", Name: name})
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

// plaintextHead sends a line of plaintext to addr and returns what comes back before the
// server closes the connection: an OpenWire broker's WireFormatInfo, or a TLS server's alert.
func plaintextHead(t *testing.T, addr string) []byte {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := c.Write([]byte("PING mqguard\r\n\r\n")); err != nil {
		return nil
	}
	head, _ := io.ReadAll(io.LimitReader(c, 64))
	return head
}

// TestRealBrokers starts the four brokers (in parallel). On each it runs mqguard's file scan
// of the directory the broker was started with and its probe of the running broker, and
// compares them (see compare); then it checks that the broker runs with the configuration it
// was given: the weaknesses of the weak ones are really there (TLS 1.0 accepted, plaintext
// listeners answering), the hardened ones really refuse them.
func TestRealBrokers(t *testing.T) {
	if testing.Short() && os.Getenv("CI") == "" {
		t.Skip("-short: the real brokers are not started")
	}
	ca := brokertest.NewCA(t)
	t.Run("rabbitmq-weak", func(t *testing.T) {
		t.Parallel()
		b := startRabbitMQ(t, "rabbitmq-weak", ca)
		t.Logf("startup %s: %s", b.name, b.startup.Round(time.Millisecond))
		compare(t, b, ca)
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
		compare(t, b, ca)
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
		compare(t, b, ca)
		if head := plaintextHead(t, b.addr("openwire")); !bytes.Contains(head, []byte("ActiveMQ")) {
			t.Errorf("the weak broker's OpenWire port sent %q, not a WireFormatInfo", head)
		}
	})
	t.Run("activemq-hardened", func(t *testing.T) {
		t.Parallel()
		b := startActiveMQ(t, "activemq-hardened", ca)
		t.Logf("startup %s: %s", b.name, b.startup.Round(time.Millisecond))
		compare(t, b, ca)
		if err := handshake(t, b.addr("ssl"), ca, tls.VersionTLS10); err == nil {
			t.Errorf("the hardened broker accepts TLS 1.0")
		}
		if head := plaintextHead(t, b.addr("ssl")); bytes.Contains(head, []byte("ActiveMQ")) {
			t.Errorf("the hardened broker speaks plaintext OpenWire: %q", head)
		}
	})
}

// verdicts maps a rule ID to the status the scan gave it on one broker. A probe scan reports
// one broker per target URL: a rule's verdict is FAIL when a target fails it, else PASS when
// one passes it, else UNKNOWN when one cannot tell, else N/A.
type verdicts map[string]string

var statusRank = map[string]int{finding.StatusNA: 0, finding.StatusUnknown: 1, finding.StatusPass: 2, finding.StatusFail: 3}

func verdictsOf(rep *finding.Report) verdicts {
	v := verdicts{}
	for _, f := range rep.Findings {
		if cur, ok := v[f.RuleID]; !ok || statusRank[f.Status] > statusRank[cur] {
			v[f.RuleID] = f.Status
		}
	}
	return v
}

// addresses are the sorted addresses of the brokers a report has findings for.
func addresses(rep *finding.Report) []string {
	set := map[string]bool{}
	for _, f := range rep.Findings {
		set[f.Resource.Address] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// decided reports whether the status is a decision (PASS or FAIL).
func decided(status string) bool {
	return status == finding.StatusPass || status == finding.StatusFail
}

// fileScan runs mqguard's file scan (brokerconf) on the directory the broker was started with.
func fileScan(t *testing.T, b *realBroker) *scan.Result {
	t.Helper()
	res, err := scan.Run(context.Background(), scan.Request{
		Paths:      []string{strings.TrimPrefix(b.dir, "/")},
		Kind:       detect.BrokerConf,
		ShowPassed: true,
	})
	if err != nil {
		t.Fatalf("file scan of %s: %v", b.dir, err)
	}
	return res
}

// probeScan runs mqguard's live probe on the running broker's endpoints, trusting the test's
// CA, with the shipped default credentials tried (--probe-default-credentials).
func probeScan(t *testing.T, b *realBroker, ca *brokertest.CA) *scan.Result {
	t.Helper()
	res, err := scan.Run(context.Background(), scan.Request{
		Brokers:    b.targets,
		Probe:      probe.Options{RootCAs: ca.Pool, DefaultCredentials: true, Timeout: 30 * time.Second},
		ShowPassed: true,
	})
	if err != nil {
		t.Fatalf("probe of %s: %v", b.name, err)
	}
	return res
}

// dump logs a report's findings (but N/A ones) and errors, for a failing comparison.
func dump(t *testing.T, what string, rep *finding.Report) {
	t.Helper()
	var lines []string
	na := 0
	for _, f := range rep.Findings {
		if f.Status == finding.StatusNA {
			na++
			continue
		}
		lines = append(lines, fmt.Sprintf("  %s %-7s %s: %s", f.RuleID, f.Status, f.Resource.Address, f.Message))
	}
	lines = append(lines, fmt.Sprintf("  (and %d N/A)", na))
	for _, e := range rep.Errors {
		lines = append(lines, fmt.Sprintf("  error: %+v", e))
	}
	slices.Sort(lines)
	t.Logf("%s:\n%s", what, strings.Join(lines, "\n"))
}

// The rules only one of the two scans can decide (PASS or FAIL) on each broker, and why; the
// other scan says UNKNOWN or N/A. The test fails when a rule decided by one side only is not
// listed here, or when a listed rule is decided by both sides or by neither: a change in what
// the file source or the probe can see shows up here.
var oneSided = map[string]map[string]string{
	"rabbitmq-weak": {
		// loopback_users cannot be read through the management API, and a probe from a
		// loopback address cannot tell: guest always logs in from loopback.
		"MQG025": "file",
	},
	"rabbitmq-hardened": {
		"MQG025": "file", // as above
	},
	"activemq-weak": {
		// A probe of the OpenWire port sees no configuration file, no user, no authorization
		// map, no JMX connector (RMI is not probed), and Debian's package ships no web console
		// to try admin/admin on.
		"MQG016": "file", "MQG018": "file", "MQG019": "file", "MQG030": "file", "MQG033": "file",
		"MQG034": "file",
		// An OpenWire probe reads the WireFormatInfo and tries no login without credentials.
		"MQG035": "file",
		// Debian's jars carry no version in their names (lib/activemq-broker.jar), so the
		// files cannot tell the version; the WireFormatInfo's ProviderVersion says 5.17.2.
		"MQG036": "probe",
	},
	"activemq-hardened": {
		"MQG016": "file", "MQG018": "file", "MQG019": "file", "MQG030": "file", "MQG033": "file",
		"MQG034": "file",
		// The ssl:// probe sees one TLS endpoint, not the broker's listener list, and tries no
		// login without credentials.
		"MQG024": "file", "MQG035": "file",
		// MQG036 is decided by neither: the files have no version and the probe of an ssl://
		// port reads no WireFormatInfo.
	},
}

// wantFail are the rules each broker fails, by either scan.
var wantFail = map[string][]string{
	"rabbitmq-weak": {
		"MQG019", // app has ".*" on vhost /
		"MQG023", // TLS 1.0 and CBC-SHA1 suites
		"MQG024", // plaintext AMQP on 0.0.0.0, management over HTTP
		"MQG025", // loopback_users.guest = false with guest/guest
		"MQG028", // ha-mode policy
		"MQG031", // MD5-hashed user
		"MQG032", // CORS *
	},
	"rabbitmq-hardened": nil,
	"activemq-weak": {
		"MQG018", // no authorization map
		"MQG023", // ssl:// with the JVM's default suites: CBC, RSA key exchange
		"MQG024", // plaintext OpenWire on 0.0.0.0
		"MQG033", // JMX connector without authentication
		"MQG034", // admin/admin, user/user, system/manager
		"MQG035", // no authentication plugin
		// Accepted: Debian's 5.17.2+dfsg-2+deb12u1 carries the fix of CVE-2023-46604 under
		// the upstream version number, and the package has no Jolokia (CVE-2026-34197); a
		// version-based rule cannot see a distribution's backports.
		"MQG036",
	},
	"activemq-hardened": nil,
}

// compare scans the broker's files and probes it, then checks that the two agree on every
// rule both decide, that the rules only one decides are the ones oneSided lists, that the
// failed rules are wantFail's, and that no report shows a secret.
func compare(t *testing.T, b *realBroker, ca *brokertest.CA) {
	t.Helper()
	begun := time.Now()
	files := fileScan(t, b)
	scanned := time.Now()
	live := probeScan(t, b, ca)
	t.Logf("%s: file scan %s, probe %s", b.name, scanned.Sub(begun).Round(time.Millisecond), time.Since(scanned).Round(time.Millisecond))
	ok := true
	for what, res := range map[string]*scan.Result{"file scan": files, "probe": live} {
		for _, e := range res.Report.Errors {
			ok = false
			t.Errorf("%s of %s: error entry: %s (%s:%d)", what, b.name, e.Message, e.Path, e.Line)
		}
		if len(res.Report.Findings) == 0 {
			ok = false
			t.Errorf("%s of %s: no finding", what, b.name)
		}
		js, err := json.Marshal(res.Report)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range b.secrets {
			if strings.Contains(string(js), secret) {
				ok = false
				t.Errorf("%s of %s: the report shows a secret the test generated", what, b.name)
			}
		}
	}
	// The file scan sees one broker, addressed by its main file; the probe one per target.
	main := "rabbitmq.conf"
	if b.engine == "ActiveMQ" {
		main = "activemq.xml"
	}
	wantFiles := []string{strings.TrimPrefix(filepath.Join(b.dir, main), "/")}
	var wantLive []string
	for _, target := range b.targets {
		wantLive = append(wantLive, target.URL)
	}
	for what, check := range map[string]struct {
		rep  *finding.Report
		want []string
	}{"file scan": {files.Report, wantFiles}, "probe": {live.Report, wantLive}} {
		if got := addresses(check.rep); !slices.Equal(got, slices.Sorted(slices.Values(check.want))) {
			ok = false
			t.Errorf("%s of %s reports brokers %q, want %q", what, b.name, got, check.want)
		}
	}
	fv, pv := verdictsOf(files.Report), verdictsOf(live.Report)
	ids := map[string]bool{}
	for id := range fv {
		ids[id] = true
	}
	for id := range pv {
		ids[id] = true
	}
	var failed []string
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		f, p := fv[id], pv[id]
		if f == finding.StatusFail || p == finding.StatusFail {
			failed = append(failed, id)
		}
		listed := oneSided[b.name][id]
		switch {
		case decided(f) && decided(p):
			if (f == finding.StatusFail) != (p == finding.StatusFail) {
				ok = false
				t.Errorf("%s: %s: the file scan says %s, the probe %s", b.name, id, f, p)
			}
			if listed != "" {
				ok = false
				t.Errorf("%s: %s is listed as decided by the %s only, but both decide it (file %s, probe %s)", b.name, id, listed, f, p)
			}
		case decided(f) || decided(p):
			side := "file"
			if decided(p) {
				side = "probe"
			}
			if listed != side {
				ok = false
				t.Errorf("%s: %s is decided by the %s only (file %s, probe %s), but oneSided says %q", b.name, id, side, f, p, listed)
			}
		case listed != "":
			ok = false
			t.Errorf("%s: %s is listed as decided by the %s, but neither scan decides it (file %s, probe %s)", b.name, id, listed, f, p)
		}
	}
	for id := range oneSided[b.name] {
		if !ids[id] {
			ok = false
			t.Errorf("%s: %s is listed in oneSided but no scan reported it", b.name, id)
		}
	}
	if want := slices.Sorted(slices.Values(wantFail[b.name])); !slices.Equal(failed, want) {
		ok = false
		t.Errorf("%s fails %v, want %v", b.name, failed, want)
	}
	if !ok || testing.Verbose() {
		dump(t, "file scan of "+b.name, files.Report)
		dump(t, "probe of "+b.name, live.Report)
	}
}
