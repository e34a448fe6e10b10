package probe

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

const (
	testUser = "ops"
	testPass = "Sup3r-S3cret!pw"
)

// rabbitHash is a RabbitMQ SHA-256 password hash made the way RabbitMQ makes it.
func rabbitHash(pw string) string {
	salt := make([]byte, 4)
	_, _ = rand.Read(salt)
	sum := sha256.Sum256(append(append([]byte{}, salt...), pw...))
	return base64.StdEncoding.EncodeToString(append(salt, sum[:]...))
}

// fakeRabbit emulates the RabbitMQ 3.13 management API with JSON shaped as it answers.
type fakeRabbit struct {
	guestOK  bool
	cors     bool
	mu       sync.Mutex
	authSeen []string // paths that received an Authorization header
}

func (f *fakeRabbit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions {
		if f.cors && r.Header.Get("Origin") != "" {
			w.Header().Set("Access-Control-Allow-Origin", "*")
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	user, pass, ok := r.BasicAuth()
	if ok {
		f.mu.Lock()
		f.authSeen = append(f.authSeen, r.URL.Path)
		f.mu.Unlock()
	}
	if r.URL.Path == "/api/whoami" && ok && user == "guest" && pass == "guest" && f.guestOK {
		_, _ = fmt.Fprint(w, `{"name":"guest","tags":["administrator"],"is_internal_user":true}`)
		return
	}
	if !ok || user != testUser || pass != testPass {
		w.Header().Set("WWW-Authenticate", `Basic realm="RabbitMQ Management"`)
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = fmt.Fprint(w, `{"error":"not_authorized","reason":"Not management user"}`)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/api/overview":
		_, _ = fmt.Fprint(w, `{"management_version":"3.13.7","rates_mode":"basic","product_version":"3.13.7","product_name":"RabbitMQ","rabbitmq_version":"3.13.7","cluster_name":"rabbit@prod-1","erlang_version":"26.2.5","node":"rabbit@prod-1",
"listeners":[{"node":"rabbit@prod-1","protocol":"amqp","ip_address":"::","port":5672,"socket_opts":{"backlog":128,"nodelay":true}},
{"node":"rabbit@prod-1","protocol":"amqp/ssl","ip_address":"::","port":5671,"socket_opts":{"versions":["tlsv1.3","tlsv1.2"]}},
{"node":"rabbit@prod-1","protocol":"clustering","ip_address":"::","port":25672,"socket_opts":[]},
{"node":"rabbit@prod-1","protocol":"http","ip_address":"127.0.0.1","port":15672,"socket_opts":{"port":15672}},
{"node":"rabbit@prod-1","protocol":"https","ip_address":"::","port":15671,"socket_opts":{"port":15671}},
{"node":"rabbit@prod-1","protocol":"http/web-stomp","ip_address":"::","port":15674,"socket_opts":{}}]}`)
	case "/api/users":
		_, _ = fmt.Fprintf(w, `[{"name":"guest","password_hash":%q,"hashing_algorithm":"rabbit_password_hashing_sha256","tags":["administrator"],"limits":{}},
{"name":"legacy","password_hash":"aGFzaGhhc2hoYXNoaGFzaA==","hashing_algorithm":"rabbit_password_hashing_md5","tags":"management,policymaker","limits":{}},
{"name":"ops","password_hash":%q,"hashing_algorithm":"rabbit_password_hashing_sha256","tags":["administrator"],"limits":{}},
{"name":"cert-only","password_hash":"","hashing_algorithm":"rabbit_password_hashing_sha256","tags":[],"limits":{}}]`, rabbitHash("guest"), rabbitHash(testPass))
	case "/api/permissions":
		_, _ = fmt.Fprint(w, `[{"user":"guest","vhost":"/","configure":".*","write":".*","read":".*"},{"user":"legacy","vhost":"orders","configure":"","write":"^orders\\.","read":".*"}]`)
	case "/api/policies":
		_, _ = fmt.Fprint(w, `[{"vhost":"/","name":"ha-all","pattern":".*","apply-to":"queues","definition":{"ha-mode":"all","ha-sync-mode":"automatic"},"priority":0}]`)
	case "/api/operator-policies":
		_, _ = fmt.Fprint(w, `[{"vhost":"/","name":"default_operator_policy_AWS_managed","pattern":".*","apply-to":"all","definition":{"max-length":1000},"priority":0}]`)
	case "/api/queues":
		if !strings.Contains(r.URL.RawQuery, "columns=") {
			http.Error(w, "columns expected", http.StatusBadRequest)
			return
		}
		if r.URL.Query().Get("page") == "2" {
			_, _ = fmt.Fprint(w, `{"filtered_count":3,"item_count":1,"items":[{"name":"events","vhost":"orders","durable":true,"exclusive":false,"auto_delete":false,"type":"quorum","arguments":{}}],"page":2,"page_count":2,"page_size":2,"total_count":3}`)
			return
		}
		_, _ = fmt.Fprint(w, `{"filtered_count":3,"item_count":2,"items":[{"name":"orders","vhost":"/","durable":true,"exclusive":false,"auto_delete":false,"type":"classic","arguments":{}},{"name":"jobs","vhost":"/","durable":true,"exclusive":false,"auto_delete":false,"type":"quorum","arguments":{"x-queue-type":"quorum"}}],"page":1,"page_count":2,"page_size":2,"total_count":3}`)
	case "/api/vhosts":
		_, _ = fmt.Fprint(w, `[{"name":"/","description":"Default virtual host","tags":[],"default_queue_type":"undefined","metadata":{"description":"Default virtual host","tags":[]},"tracing":false},{"name":"orders","description":"","tags":[],"default_queue_type":"quorum","metadata":{"description":"","tags":[],"default_queue_type":"quorum"},"tracing":false}]`)
	case "/api/nodes":
		_, _ = fmt.Fprint(w, `[{"name":"rabbit@prod-1","type":"disc","running":true,"enabled_plugins":["rabbitmq_web_stomp","rabbitmq_management"]},{"name":"rabbit@prod-2","type":"disc","running":true,"enabled_plugins":["rabbitmq_web_stomp","rabbitmq_management"]}]`)
	default:
		http.NotFound(w, r)
	}
}

// startHTTPS starts srv with a certificate for host from pki (nil pki: self-signed).
func startHTTPS(t *testing.T, h http.Handler, pki *testPKI, host string, selfSigned bool) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	if pki == nil {
		pki = newPKI(t)
	}
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.leaf(t, leafOpts{hosts: []string{host}, selfSigned: selfSigned})}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the probe's refused handshakes
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestRabbitManagementAPI(t *testing.T) {
	pki := newPKI(t)
	fake := &fakeRabbit{guestOK: true, cors: true}
	srv := startHTTPS(t, fake, pki, "rabbit.example.test", false)
	rd := &redirect{to: srv.Listener.Addr().String()}
	u := "https://rabbit.example.test:15671"
	b, diags := scanOne(t, Target{URL: u, User: testUser, Password: testPass}, Options{RootCAs: pki.pool, DefaultCredentials: true, dial: rd.dial})
	if e := errorsOf(diags); len(e) > 0 {
		t.Fatalf("errors: %v", e)
	}
	for _, a := range rd.asked {
		if a != "rabbit.example.test:15671" {
			t.Errorf("the probe asked for %s", a)
		}
	}
	sm := b.SelfManaged
	if !b.IsEngine(model.EngineRabbitMQ) || b.ID.Type != "rabbitmq" || b.EngineVersion.V != "3.13.7" || sm.Version.V != "3.13.7" || b.Name.V != "rabbit@prod-1" || b.Name.State != model.Explicit {
		t.Errorf("broker %+v %+v %+v %+v", b.ID, b.Engine, b.EngineVersion, b.Name)
	}
	if ep := sm.Endpoints[0]; ep.TLS == nil || !ep.TLS.Certificate.Trusted || !ep.TLS.Certificate.HostnameOK {
		t.Errorf("TLS probe %+v", ep)
	}
	// Listeners: the API's list, without the Erlang distribution port.
	var ls []string
	for _, l := range sm.Listeners {
		ls = append(ls, fmt.Sprintf("%s/%v/%s:%d/%v", l.Protocol, l.TLS.V, l.Host.V, l.Port.V, l.Loopback.V))
	}
	wantLs := []string{"amqp/false/:::5672/false", "amqp/true/:::5671/false", "http/false/127.0.0.1:15672/true", "http/true/:::15671/false", "ws/false/:::15674/false"}
	if !slices.Equal(ls, wantLs) || sm.ListenersState != model.Explicit {
		t.Errorf("listeners %v, want %v", ls, wantLs)
	}
	if sm.UsersState != model.Explicit || len(sm.Users) != 4 {
		t.Fatalf("users %d (%v)", len(sm.Users), sm.UsersState)
	}
	users := map[string]model.BrokerUser{}
	for _, u := range sm.Users {
		users[u.Username.V] = u
		if u.Realm != "api" {
			t.Errorf("realm %q", u.Realm)
		}
	}
	if g := users["guest"]; !g.DefaultPassword || !g.HasTag("administrator") || len(g.Permissions) != 1 || g.Permissions[0].Configure != ".*" {
		t.Errorf("guest %+v", g)
	}
	if l := users["legacy"]; l.DefaultPassword || !l.HasTag("policymaker") || !l.HasTag("management") || l.HashingAlgorithm.V != "rabbit_password_hashing_md5" || l.Permissions[0].VHost != "orders" {
		t.Errorf("legacy %+v", l)
	}
	if o := users["ops"]; o.DefaultPassword || o.Password.Origin != model.SecretLiteral {
		t.Errorf("ops %+v", o)
	}
	if c := users["cert-only"]; c.Password.Origin != model.SecretAbsent {
		t.Errorf("cert-only %+v", c)
	}
	rs := sm.RabbitMQ
	if rs.PoliciesState != model.Explicit || len(rs.Policies) != 2 || rs.Policies[0].Name != "ha-all" || !slices.Equal(rs.Policies[0].Keys, []string{"ha-mode", "ha-sync-mode"}) || rs.Policies[0].Operator || !rs.Policies[1].Operator {
		t.Errorf("policies %+v", rs.Policies)
	}
	var qs []string
	for _, q := range rs.Queues {
		qs = append(qs, fmt.Sprintf("%s/%s:%s:%v", q.VHost, q.Name, q.Type.V, q.Durable.V))
	}
	if !slices.Equal(qs, []string{"//orders:classic:true", "//jobs:quorum:true", "orders/events:quorum:true"}) || rs.QueuesState != model.Explicit {
		t.Errorf("queues %v", qs)
	}
	if len(rs.VHosts) != 2 || rs.VHosts[0].DefaultQueueType.State != model.Default || rs.VHosts[1].DefaultQueueType.V != "quorum" {
		t.Errorf("vhosts %+v", rs.VHosts)
	}
	if !sm.Clustered.V || sm.Clustered.State != model.Explicit {
		t.Errorf("clustered %+v", sm.Clustered)
	}
	if !slices.Equal(rs.Plugins.V, []string{"rabbitmq_management", "rabbitmq_web_stomp"}) || rs.PluginsState != model.Explicit {
		t.Errorf("plugins %+v", rs.Plugins)
	}
	if !rs.CORSAnyOrigin.V || rs.CORSAnyOrigin.State != model.Explicit {
		t.Errorf("CORS %+v", rs.CORSAnyOrigin)
	}
	if rs.ConfState != model.Unknown || rs.AmazonMQ {
		t.Errorf("conf %v amazon %v", rs.ConfState, rs.AmazonMQ)
	}
	c := sm.Console
	if c == nil || !c.DefaultCredentialsTested || !slices.Equal(c.DefaultCredentials, []string{"guest"}) || c.OpenWithoutLogin.V || c.OpenWithoutLogin.State != model.Explicit {
		t.Errorf("console %+v", c)
	}
	assertNoSecret(t, b, diags, testPass)
}

func TestRabbitManagementAPIRefusals(t *testing.T) {
	t.Run("credentials refused", func(t *testing.T) {
		srv := httptest.NewServer(&fakeRabbit{})
		t.Cleanup(srv.Close)
		b, diags := scanOne(t, Target{URL: srv.URL, Engine: "rabbitmq", User: testUser, Password: "wrong-password-123"}, Options{})
		if !hasError(diags, "credentials refused") {
			t.Errorf("diagnostics %v", diags)
		}
		if b.SelfManaged.UsersState != model.Unknown || b.SelfManaged.RabbitMQ.PoliciesState != model.Unknown {
			t.Error("a refused login decided users or policies")
		}
		if !b.IsEngine(model.EngineRabbitMQ) {
			t.Errorf("engine %+v: the 401 realm says RabbitMQ", b.Engine)
		}
		assertNoSecret(t, b, diags, "wrong-password-123")
	})
	t.Run("no credentials over an untrusted certificate", func(t *testing.T) {
		fake := &fakeRabbit{}
		srv := startHTTPS(t, fake, nil, "127.0.0.1", true)
		b, diags := scanOne(t, Target{URL: srv.URL, Engine: "RabbitMQ", User: testUser, Password: testPass}, Options{DefaultCredentials: true})
		if len(fake.authSeen) != 0 {
			t.Errorf("credentials sent to %v", fake.authSeen)
		}
		if !hasError(diags, "credentials not sent") {
			t.Errorf("diagnostics %v", diags)
		}
		if b.SelfManaged.Console.DefaultCredentialsTested {
			t.Error("guest counted as tested")
		}
		assertNoSecret(t, b, diags, testPass)
	})
	t.Run("insecure skip verify sends them", func(t *testing.T) {
		fake := &fakeRabbit{}
		srv := startHTTPS(t, fake, nil, "127.0.0.1", true)
		b, diags := scanOne(t, Target{URL: srv.URL, Engine: "RabbitMQ", User: testUser, Password: testPass}, Options{InsecureSkipVerify: true})
		if e := errorsOf(diags); len(e) > 0 || b.SelfManaged.UsersState != model.Explicit {
			t.Errorf("errors %v, users %v", e, b.SelfManaged.UsersState)
		}
	})
	t.Run("loopback guest proves nothing", func(t *testing.T) {
		srv := httptest.NewServer(&fakeRabbit{guestOK: true})
		t.Cleanup(srv.Close)
		b, diags := scanOne(t, Target{URL: srv.URL, Engine: "RabbitMQ"}, Options{DefaultCredentials: true})
		c := b.SelfManaged.Console
		if c.DefaultCredentialsTested || len(c.DefaultCredentials) != 0 {
			t.Errorf("console %+v", c)
		}
		found := false
		for _, d := range diags {
			found = found || (d.Severity == model.DiagNote && strings.Contains(d.Message, "loopback"))
		}
		if !found {
			t.Errorf("no loopback note: %v", diags)
		}
		if b.SelfManaged.RabbitMQ.CORSAnyOrigin.V || b.SelfManaged.RabbitMQ.CORSAnyOrigin.State != model.Explicit {
			t.Errorf("CORS %+v, want explicit false", b.SelfManaged.RabbitMQ.CORSAnyOrigin)
		}
		if ep := b.SelfManaged.Endpoints[0]; !ep.Plaintext || ep.Protocol != "http" {
			t.Errorf("http endpoint %+v", ep)
		}
	})
	t.Run("guest refused remotely", func(t *testing.T) {
		srv := httptest.NewServer(&fakeRabbit{})
		t.Cleanup(srv.Close)
		rd := &redirect{to: srv.Listener.Addr().String()}
		b, _ := scanOne(t, Target{URL: "http://mq.internal.example:15672"}, Options{DefaultCredentials: true, dial: rd.dial})
		c := b.SelfManaged.Console
		if !c.DefaultCredentialsTested || len(c.DefaultCredentials) != 0 {
			t.Errorf("console %+v", c)
		}
	})
}

// fakeConsole emulates the ActiveMQ web console's Jolokia endpoint behind basic auth.
type fakeConsole struct {
	open  bool
	users map[string]string
}

func (f *fakeConsole) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u, p, ok := r.BasicAuth()
	authed := ok && f.users[u] == p && p != ""
	if !f.open && !authed {
		w.Header().Set("WWW-Authenticate", `basic realm="ActiveMQRealm"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	switch {
	case r.URL.Path == "/api/jolokia/version":
		_, _ = fmt.Fprint(w, `{"request":{"type":"version"},"value":{"agent":"1.7.2","protocol":"7.2","config":{"agentId":"10.0.0.5-1-1c2d3e4f-servlet"},"info":{}},"timestamp":1733280000,"status":200}`)
	case strings.HasPrefix(r.URL.Path, "/api/jolokia/read/org.apache.activemq:type=Broker,brokerName=*/BrokerVersion"):
		_, _ = fmt.Fprint(w, `{"request":{"mbean":"org.apache.activemq:brokerName=*,type=Broker","attribute":"BrokerVersion","type":"read"},"value":{"org.apache.activemq:brokerName=east-1,type=Broker":{"BrokerVersion":"5.18.3"}},"timestamp":1733280000,"status":200}`)
	default:
		http.NotFound(w, r)
	}
}

func TestActiveMQConsole(t *testing.T) {
	cases := []struct {
		name     string
		console  *fakeConsole
		target   Target
		defaults bool
		open     bool
		accepted []string
		version  string
		errSub   string
	}{
		{"open without login (6.0.0-6.1.1)", &fakeConsole{open: true}, Target{}, false, true, nil, "", ""},
		// An open API takes any credentials: the shipped ones are not tried, nor reported.
		{"open, default credentials not tried", &fakeConsole{open: true}, Target{}, true, true, nil, "", ""},
		{"admin:admin accepted", &fakeConsole{users: map[string]string{"admin": "admin", "user": "changed-1"}}, Target{}, true, false, []string{"admin"}, "5.18.3", ""},
		{"no defaults, given credentials", &fakeConsole{users: map[string]string{"ops": testPass}}, Target{User: "ops", Password: testPass}, true, false, nil, "5.18.3", ""},
		{"credentials refused", &fakeConsole{users: map[string]string{"ops": "other"}}, Target{User: "ops", Password: testPass}, false, false, nil, "", "credentials refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.console)
			t.Cleanup(srv.Close)
			rd := &redirect{to: srv.Listener.Addr().String()}
			tc.target.URL = "http://amq.example.test:8161"
			b, diags := scanOne(t, tc.target, Options{DefaultCredentials: tc.defaults, dial: rd.dial})
			if tc.errSub != "" {
				if !hasError(diags, tc.errSub) {
					t.Errorf("diagnostics %v", diags)
				}
			} else if e := errorsOf(diags); len(e) > 0 {
				t.Fatalf("errors %v", e)
			}
			c := b.SelfManaged.Console
			if c.OpenWithoutLogin.V != tc.open || c.OpenWithoutLogin.State != model.Explicit {
				t.Errorf("open %+v", c.OpenWithoutLogin)
			}
			if !slices.Equal(c.DefaultCredentials, tc.accepted) || c.DefaultCredentialsTested != (tc.defaults && !tc.open) {
				t.Errorf("defaults %v tested %v", c.DefaultCredentials, c.DefaultCredentialsTested)
			}
			if b.EngineVersion.V != tc.version {
				t.Errorf("version %+v", b.EngineVersion)
			}
			if tc.version != "" && (b.Name.V != "east-1" || !b.IsEngine(model.EngineActiveMQ)) {
				t.Errorf("name %+v engine %+v", b.Name, b.Engine)
			}
			if tc.open != (len(b.SelfManaged.Anonymous) == 1) {
				t.Errorf("anonymous %+v", b.SelfManaged.Anonymous)
			}
			assertNoSecret(t, b, diags, testPass)
		})
	}
}

func TestHTTPEngineUnknown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	_, diags := scanOne(t, Target{URL: srv.URL}, Options{})
	if !hasError(diags, "neither a RabbitMQ management API nor an ActiveMQ console") {
		t.Errorf("diagnostics %v", diags)
	}
}

// assertNoSecret fails when secret appears in the broker (as the scan encodes it) or in a
// diagnostic.
func assertNoSecret(t *testing.T, b *model.Broker, diags []model.Diagnostic, secret string) {
	t.Helper()
	var buf bytes.Buffer
	if err := model.EncodePart(&buf, &model.Inventory{Brokers: []*model.Broker{b}}, diags); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte(secret)) {
		t.Error("the secret is in the encoded model or diagnostics")
	}
	for _, d := range diags {
		if strings.Contains(d.Message, secret) {
			t.Errorf("diagnostic quotes the secret: %s", d.Message)
		}
	}
}

func TestConsoleFoundByRealm(t *testing.T) {
	srv := httptest.NewServer(&fakeConsole{users: map[string]string{"admin": "admin"}})
	t.Cleanup(srv.Close)
	b, diags := scanOne(t, Target{URL: srv.URL}, Options{DefaultCredentials: true})
	if e := errorsOf(diags); len(e) > 0 {
		t.Fatalf("errors %v", e)
	}
	c := b.SelfManaged.Console
	if !b.IsEngine(model.EngineActiveMQ) || c == nil || c.OpenWithoutLogin.V || !slices.Equal(c.DefaultCredentials, []string{"admin"}) || b.EngineVersion.V != "5.18.3" {
		t.Errorf("engine %+v console %+v version %+v", b.Engine, c, b.EngineVersion)
	}
}

func TestConsoleNoCredentialsOverUntrustedCertificate(t *testing.T) {
	srv := startHTTPS(t, &fakeConsole{users: map[string]string{"ops": testPass}}, nil, "127.0.0.1", true)
	b, diags := scanOne(t, Target{URL: srv.URL, Engine: "ActiveMQ", User: "ops", Password: testPass}, Options{DefaultCredentials: true})
	if !hasError(diags, "credentials not sent") {
		t.Errorf("diagnostics %v", diags)
	}
	c := b.SelfManaged.Console
	if c.DefaultCredentialsTested || len(c.DefaultCredentials) != 0 || b.EngineVersion.Known() {
		t.Errorf("console %+v version %+v", c, b.EngineVersion)
	}
	if ep := b.SelfManaged.Endpoints[0]; ep.TLS == nil || ep.TLS.Certificate.Trusted || !ep.TLS.Certificate.SelfSigned {
		t.Errorf("TLS probe %+v", ep)
	}
	assertNoSecret(t, b, diags, testPass)
}
