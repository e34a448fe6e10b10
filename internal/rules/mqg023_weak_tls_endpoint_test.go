package rules

import (
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/model"
)

// tEndpoint is a probed TLS endpoint with a good certificate valid around aCtx's date.
func tEndpoint(mods ...func(*model.TLSProbe)) model.EndpointProbe {
	asOf := aCtx().AsOf
	p := &model.TLSProbe{
		Versions: map[string]bool{"TLS 1.0": false, "TLS 1.1": false, "TLS 1.2": true, "TLS 1.3": true},
		Ciphers:  []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
		Certificate: &model.CertificateInfo{Subject: "CN=mq.example.com", NotBefore: asOf.AddDate(0, -2, 0),
			NotAfter: asOf.AddDate(0, 6, 0), Trusted: true, HostnameOK: true, KeyType: "RSA", KeyBits: 2048},
	}
	for _, m := range mods {
		m(p)
	}
	return model.EndpointProbe{URL: "amqps://mq.example.com:5671", Protocol: "amqps", TLS: p, At: model.Range{Ref: "amqps://mq.example.com:5671"}}
}

func sEndpoints(es ...model.EndpointProbe) func(*model.Broker) {
	return func(b *model.Broker) { b.SelfManaged.Endpoints = append(b.SelfManaged.Endpoints, es...) }
}

func TestMQG023WeakTLSEndpoint(t *testing.T) {
	asOf := aCtx().AsOf
	rabbit := func(mods ...func(*model.Broker)) *model.Broker {
		return sBroker(model.EngineRabbitMQ, append([]func(*model.Broker){sProbe}, mods...)...)
	}
	aRun(t, mqg023, []aCase{
		{name: "amazon broker without probe", b: aBroker(model.EngineActiveMQ), want: []Status{NotApplicable}},
		{name: "good endpoint", b: rabbit(sEndpoints(tEndpoint())), want: []Status{Pass}},
		{name: "TLS 1.0 and 1.1 accepted", b: rabbit(sEndpoints(tEndpoint(func(p *model.TLSProbe) {
			p.Versions["TLS 1.0"], p.Versions["TLS 1.1"] = true, true
		}))), want: []Status{Fail, Fail}, contains: "TLS 1.0",
			subjects: []string{"amqps://mq.example.com:5671#tls1.0", "amqps://mq.example.com:5671#tls1.1"}},
		{name: "CBC suite with RSA key exchange", b: rabbit(sEndpoints(tEndpoint(func(p *model.TLSProbe) {
			p.Ciphers = append(p.Ciphers, "TLS_RSA_WITH_AES_128_CBC_SHA")
		}))), want: []Status{Fail}, contains: "TLS_RSA_WITH_AES_128_CBC_SHA"},
		{name: "TLS 1.3 suites pass", b: rabbit(sEndpoints(tEndpoint(func(p *model.TLSProbe) {
			p.Ciphers = append(p.Ciphers, "TLS_AES_256_GCM_SHA384")
		}))), want: []Status{Pass}},
		{name: "expired", b: rabbit(sEndpoints(tEndpoint(func(p *model.TLSProbe) {
			p.Certificate.NotAfter = asOf.AddDate(0, 0, -1)
		}))), want: []Status{Fail}, contains: "expired"},
		{name: "not yet valid", b: rabbit(sEndpoints(tEndpoint(func(p *model.TLSProbe) {
			p.Certificate.NotBefore = asOf.Add(48 * time.Hour)
		}))), want: []Status{Fail}, contains: "not valid before"},
		{name: "self-signed untrusted", b: rabbit(sEndpoints(tEndpoint(func(p *model.TLSProbe) {
			p.Certificate.Trusted, p.Certificate.SelfSigned = false, true
		}))), want: []Status{Fail}, contains: "self-signed"},
		{name: "wrong host", b: rabbit(sEndpoints(tEndpoint(func(p *model.TLSProbe) {
			p.Certificate.HostnameOK = false
		}))), want: []Status{Fail}, contains: "another host name"},
		{name: "1024-bit key", b: rabbit(sEndpoints(tEndpoint(func(p *model.TLSProbe) { p.Certificate.KeyBits = 1024 }))),
			want: []Status{Fail}, contains: "1024-bit"},
		{name: "SHA-1 signature", b: rabbit(sEndpoints(tEndpoint(func(p *model.TLSProbe) { p.Certificate.SigAlg = "SHA1-RSA" }))),
			want: []Status{Fail}, contains: "SHA1-RSA"},
		{name: "SHA-256 signature", b: rabbit(sEndpoints(tEndpoint(func(p *model.TLSProbe) { p.Certificate.SigAlg = "SHA256-RSA" }))),
			want: []Status{Pass}},
		{name: "expiring in 10 days is LOW", b: rabbit(sEndpoints(tEndpoint(func(p *model.TLSProbe) {
			p.Certificate.NotAfter = asOf.Add(10*24*time.Hour + time.Hour)
		}))), want: []Status{Fail}, contains: "expires in 10 days", sev: aSev(Low)},
		{name: "not tested is said, not passed", b: rabbit(sEndpoints(tEndpoint(func(p *model.TLSProbe) {
			p.NotTested = []string{"TLS_RSA_WITH_3DES_EDE_CBC_SHA"}
		}))), want: []Status{Pass}, contains: "Not tested (the probe cannot offer them): TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
		{name: "endpoint error", b: rabbit(sEndpoints(model.EndpointProbe{URL: "amqps://mq.example.com:5671", Protocol: "amqps",
			Error: "connection refused"})), want: []Status{Unknown}, contains: "connection refused"},
		{name: "no certificate", b: rabbit(sEndpoints(tEndpoint(func(p *model.TLSProbe) { p.Certificate = nil }))),
			want: []Status{Unknown}},
		{name: "plaintext endpoint only", b: rabbit(sEndpoints(model.EndpointProbe{URL: "amqp://mq:5672", Protocol: "amqp", Plaintext: true})),
			want: []Status{NotApplicable}},
		{name: "plaintext endpoint unreachable", b: rabbit(sEndpoints(model.EndpointProbe{URL: "tcp://mq:61616", Protocol: "tcp", Error: "connect: refused"})),
			want: []Status{NotApplicable}},
		{name: "rabbitmq.conf without TLS", b: sBroker(model.EngineRabbitMQ, sConf("listeners.tcp.default", "5672")),
			want: []Status{NotApplicable}},
		{name: "rabbitmq.conf templated TLS listener", b: sBroker(model.EngineRabbitMQ, func(b *model.Broker) {
			sConf("ssl_options.versions.1", "tlsv1.2")(b)
			b.SelfManaged.RabbitMQ.Conf["listeners.ssl.default"] = model.UnknownString(sAt(3))
		}), want: []Status{Unknown}, subjects: []string{"listeners.ssl.default"}},
		// Erlang/OTP's default suites include CBC ones: a cipher list is needed.
		{name: "rabbitmq.conf TLS at default suites", b: sBroker(model.EngineRabbitMQ, sConf("listeners.ssl.default", "5671")),
			want: []Status{Fail}, subjects: []string{"ssl_options.ciphers"}},
		{name: "rabbitmq.conf TLS at default versions, allowed suites", b: sBroker(model.EngineRabbitMQ, sConf("listeners.ssl.default", "5671",
			"ssl_options.ciphers.1", "ECDHE-RSA-AES256-GCM-SHA384")),
			want: []Status{Pass}},
		{name: "rabbitmq.conf tlsv1 and weak cipher", b: sBroker(model.EngineRabbitMQ, sConf(
			"listeners.ssl.default", "5671", "ssl_options.versions.1", "tlsv1.2", "ssl_options.versions.2", "tlsv1",
			"management.ssl.versions.1", "'tlsv1.1'", "ssl_options.ciphers.1", "ECDHE-RSA-AES128-GCM-SHA256",
			"ssl_options.ciphers.2", "DES-CBC3-SHA")),
			want:     []Status{Fail, Fail, Fail},
			subjects: []string{"ssl_options.versions.2", "management.ssl.versions.1", "ssl_options.ciphers.2"}},
		{name: "activemq enabledProtocols TLSv1", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(&model.ActiveMQConfig{
			TransportConnectors: []model.TransportConnector{
				{Name: model.ExplicitString("ssl", sAt(5)), URI: model.ExplicitString("ssl://0.0.0.0:61617?transport.enabledProtocols=TLSv1,TLSv1.2", sAt(5)), At: sAt(5)},
				{Name: model.ExplicitString("openwire", sAt(6)), URI: model.ExplicitString("tcp://0.0.0.0:61616?transport.enabledProtocols=TLSv1", sAt(6)), At: sAt(6)},
			}})), want: []Status{Fail, Fail}, subjects: []string{"transportConnector \"ssl\"#TLS 1.0", "transportConnector \"ssl\"#default-suites"}, at: aRange(sAt(5))},
		{name: "activemq enabledCipherSuites", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(&model.ActiveMQConfig{
			TransportConnectors: []model.TransportConnector{
				{Name: model.ExplicitString("ssl", sAt(5)), URI: model.ExplicitString("ssl://0.0.0.0:61617?transport.enabledCipherSuites="+
					"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_AES_256_CBC_SHA256", sAt(5)), At: sAt(5)},
			}})), want: []Status{Fail}, subjects: []string{"transportConnector \"ssl\"#TLS_RSA_WITH_AES_256_CBC_SHA256"}},
		{name: "web-stomp TLS 1.1", b: sBroker(model.EngineRabbitMQ, sConf("web_stomp.ssl.port", "15673", "web_stomp.ssl.versions.1", "tlsv1.1",
			"web_stomp.ssl.ciphers.1", "ECDHE-RSA-AES128-GCM-SHA256")),
			want: []Status{Fail}, subjects: []string{"web_stomp.ssl.versions.1"}},
		// The JVM's default suites include CBC and RSA key exchange ones.
		{name: "activemq TLS connector at JVM defaults", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(&model.ActiveMQConfig{
			TransportConnectors: []model.TransportConnector{
				{Name: model.ExplicitString("ssl", sAt(5)), URI: model.ExplicitString("nio+ssl://0.0.0.0:61617", sAt(5)), At: sAt(5)},
			}})), want: []Status{Fail}, subjects: []string{"transportConnector \"ssl\"#default-suites"}},
		{name: "activemq TLS connector with allowed suites", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(&model.ActiveMQConfig{
			TransportConnectors: []model.TransportConnector{
				{Name: model.ExplicitString("ssl", sAt(5)), URI: model.ExplicitString("nio+ssl://0.0.0.0:61617?transport.enabledCipherSuites=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", sAt(5)), At: sAt(5)},
			}})), want: []Status{Pass}},
		{name: "activemq without TLS connector", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(&model.ActiveMQConfig{
			TransportConnectors: []model.TransportConnector{
				{Name: model.ExplicitString("openwire", sAt(6)), URI: model.ExplicitString("tcp://0.0.0.0:61616", sAt(6)), At: sAt(6)},
			}})), want: []Status{NotApplicable}},
	})
}

func TestCipherAllowed(t *testing.T) {
	for name, want := range map[string]bool{
		"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": true, "ecdhe-rsa-aes128-gcm-sha256": true,
		"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256": true, "TLS_AES_128_GCM_SHA256": true, "TLS_CHACHA20_POLY1305_SHA256": true,
		"TLS_RSA_WITH_AES_128_GCM_SHA256": false, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256": false,
		"TLS_RSA_WITH_3DES_EDE_CBC_SHA": false, "RC4-SHA": false, "": false,
		"ecdhe_rsa-aes_256_gcm-aead-sha384": true, "ecdhe_ecdsa-chacha20_poly1305-aead-sha256": true,
		"any-aes_128_gcm-aead-sha256": true, "rsa-aes_256_gcm-aead-sha384": false, "ecdhe_rsa-aes_256_cbc-sha384-sha384": false,
		"ECDHE-RSA-AES128-SHA": false,
	} {
		if got := cipherAllowed(name); got != want {
			t.Errorf("cipherAllowed(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestSummarizeUntested(t *testing.T) {
	got := summarizeUntested([]string{
		"SSL 3.0: crypto/tls does not implement it",
		"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 (any TLS version): finite-field DHE key exchange is not implemented by crypto/tls",
		"TLS_RSA_WITH_RC4_128_MD5 (any TLS version): RC4 variants not implemented by crypto/tls",
	})
	if want := "SSL 3.0; 3 cipher suites crypto/tls does not implement"; got != want {
		t.Errorf("summarizeUntested = %q, want %q", got, want)
	}
}
