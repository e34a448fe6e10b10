package rules

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/mqguard/mqguard/internal/brokeruri"
	"github.com/mqguard/mqguard/internal/model"
)

// minRSABits is the smallest RSA key a certificate may have.
const minRSABits = 2048

// weakSignature reports whether a certificate signature algorithm uses MD5 or SHA-1.
func weakSignature(alg string) bool {
	a := strings.ReplaceAll(strings.ToUpper(alg), "SHA-1", "SHA1")
	return strings.Contains(a, "MD2") || strings.Contains(a, "MD5") || strings.Contains(a, "SHA1")
}

// certExpiryWarning is how long before expiry a certificate gets a LOW finding of its own.
const certExpiryWarning = 30 * 24 * time.Hour

var mqg023 = &Rule{
	ID:       "MQG023",
	Slug:     "weak-tls-endpoint",
	Title:    "Endpoint accepts old TLS, weak ciphers or a bad certificate",
	Severity: High,
	Rationale: "TLS 1.0 and 1.1 are deprecated (RFC 8996) and open to downgrade and padding-oracle attacks; " +
		"suites with RSA key exchange have no forward secrecy, and CBC, 3DES and RC4 suites are broken or " +
		"fragile. An expired, not-yet-valid, untrusted self-signed or wrong-host certificate trains clients " +
		"to skip verification, which lets anyone on the path read the broker's traffic and credentials (an RSA " +
		"key under 2048 bits or an MD5 or SHA-1 signature is a bad certificate too). AWS " +
		"documents no cipher list for broker endpoints (only TLS 1.2 required, 1.3 recommended, forward " +
		"secrecy), so the allowed list is mqguard's: TLS 1.2 suites with ECDHE or DHE key exchange and " +
		"AES-GCM or ChaCha20-Poly1305; every TLS 1.3 suite. What a probe could not test is said, never passed.",
	Remediation: map[model.SourceKind]string{
		ForEngine(model.SourceBrokerConf, model.EngineActiveMQ): "Add `transport.enabledProtocols=TLSv1.2,TLSv1.3` (and `transport.enabledCipherSuites` with ECDHE AEAD suites only) to every ssl:// / nio+ssl:// transportConnector URI, and keep the broker keystore's certificate current and issued by a trusted CA for the host name clients use.",
		ForEngine(model.SourceBrokerConf, model.EngineRabbitMQ): "Set `ssl_options.versions.1 = tlsv1.3` and `ssl_options.versions.2 = tlsv1.2` (and the same under management.ssl), list only ECDHE/DHE AEAD suites in `ssl_options.ciphers.N`, and install a certificate from a trusted CA for the host name clients use.",
		model.SourceProbe: "Disable TLS 1.0/1.1 and the non-AEAD suites on the endpoint (RabbitMQ ssl_options.versions " +
			"and ciphers, ActiveMQ transport.enabledProtocols and transport.enabledCipherSuites), and replace an " +
			"expired, untrusted or wrong-host certificate before clients learn to ignore it.",
		model.SourceAWS: "Amazon MQ manages its endpoints' TLS: report a weak protocol, suite or certificate to AWS " +
			"Support, and check that the probe reached the broker's own endpoint and not a proxy in front of it.",
		model.SourceTerraform: "Amazon MQ manages its endpoints' TLS; probe the deployed broker " +
			"(`mqguard scan --aws --probe`) to check it.",
	},
	SelfManaged: true,
	Check:       checkWeakTLSEndpoint,
	Examples: []Example{
		{
			Kind: model.SourceBrokerConf, Address: "rabbitmq.conf", Want: Pass,
			Note: "AMQPS with TLS 1.3 and 1.2 only and forward-secret AEAD suites.",
			Files: map[string]string{"rabbitmq.conf": `listeners.tcp = none
listeners.ssl.default = 5671
ssl_options.cacertfile = /etc/rabbitmq/tls/ca.pem
ssl_options.certfile = /etc/rabbitmq/tls/server.pem
ssl_options.keyfile = /etc/rabbitmq/tls/server.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = false
ssl_options.versions.1 = tlsv1.3
ssl_options.versions.2 = tlsv1.2
ssl_options.ciphers.1 = ECDHE-ECDSA-AES256-GCM-SHA384
ssl_options.ciphers.2 = ECDHE-RSA-AES256-GCM-SHA384
ssl_options.ciphers.3 = ECDHE-ECDSA-CHACHA20-POLY1305
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "rabbitmq.conf", Want: Fail,
			Note: "AMQPS that still accepts TLS 1.0 and a CBC suite with RSA key exchange.",
			Files: map[string]string{"rabbitmq.conf": `listeners.ssl.default = 5671
ssl_options.cacertfile = /etc/rabbitmq/tls/ca.pem
ssl_options.certfile = /etc/rabbitmq/tls/server.pem
ssl_options.keyfile = /etc/rabbitmq/tls/server.key
ssl_options.versions.1 = tlsv1.2
ssl_options.versions.2 = tlsv1.1
ssl_options.versions.3 = tlsv1
ssl_options.ciphers.1 = ECDHE-RSA-AES256-GCM-SHA384
ssl_options.ciphers.2 = AES256-SHA
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "conf/activemq.xml", Want: Fail,
			Note: "An ActiveMQ ssl:// transport connector that enables TLS 1.1.",
			Files: map[string]string{"conf/activemq.xml": `<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd
       http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="orders" dataDirectory="${activemq.data}">
    <sslContext>
      <sslContext keyStore="file:${activemq.conf}/broker.ks" trustStore="file:${activemq.conf}/broker.ts"/>
    </sslContext>
    <transportConnectors>
      <transportConnector name="ssl" uri="ssl://0.0.0.0:61617?transport.enabledProtocols=TLSv1.1,TLSv1.2&amp;maximumConnections=1000"/>
    </transportConnectors>
  </broker>
</beans>
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "conf/activemq.xml", Want: Pass,
			Note: "An ActiveMQ ssl:// transport connector limited to TLS 1.2 and 1.3 and to ECDHE AEAD suites.",
			Files: map[string]string{"conf/activemq.xml": `<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd
       http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="orders" dataDirectory="${activemq.data}">
    <sslContext>
      <sslContext keyStore="file:${activemq.conf}/broker.ks" trustStore="file:${activemq.conf}/broker.ts"/>
    </sslContext>
    <transportConnectors>
      <transportConnector name="ssl" uri="ssl://0.0.0.0:61617?transport.enabledProtocols=TLSv1.2,TLSv1.3&amp;transport.enabledCipherSuites=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256&amp;maximumConnections=1000"/>
    </transportConnectors>
  </broker>
</beans>
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note:  "An Amazon MQ broker in code: its endpoints' TLS is only known by probing it.",
			Files: map[string]string{"main.tf": tfPlainBroker},
		},
	},
}

func checkWeakTLSEndpoint(b *model.Broker, ctx *Context) []Result {
	sm := b.SelfManaged
	if sm == nil {
		return notApplicable("No endpoint of the broker was probed and no TLS configuration of it was read.", b.ID.At)
	}
	asOf := time.Now()
	if ctx != nil && !ctx.AsOf.IsZero() {
		asOf = ctx.AsOf
	}
	var fails, unknown, passes []Result
	tested := false
	for _, e := range sm.Endpoints {
		if e.TLS == nil && (e.Error == "" || plainSchemes[strings.ToLower(e.Protocol)]) {
			continue // a plaintext endpoint, answered or not: MQG024's
		}
		tested = true
		f, u, p := tlsEndpoint(e, asOf)
		fails, unknown, passes = append(fails, f...), append(unknown, u...), append(passes, p...)
	}
	if s := rabbitSettings(b); s != nil && b.IsEngine(model.EngineRabbitMQ) {
		if t, f, u := rabbitTLSConf(s); t {
			tested = true
			fails, unknown = append(fails, f...), append(unknown, u...)
		}
	}
	if b.IsEngine(model.EngineActiveMQ) {
		if c, _, _ := usedConfiguration(b); c != nil && c.ActiveMQ != nil {
			if t, f, u := activeMQTLSConf(c.ActiveMQ); t {
				tested = true
				fails, unknown = append(fails, f...), append(unknown, u...)
			}
		}
	}
	switch {
	case !tested:
		return notApplicable("The broker has no TLS endpoint that was probed and no TLS configuration.", b.ID.At)
	case len(fails) > 0:
		return uniqueSubjects(append(fails, unknown...))
	case len(unknown) > 0:
		return unknown
	case len(passes) > 0:
		return passes
	}
	return one(Pass, "The broker's TLS configuration accepts TLS 1.2 or newer only and no suite outside the allowed list.",
		settingsAt(b), model.Explicit)
}

// tlsEndpoint judges one probed endpoint.
func tlsEndpoint(e model.EndpointProbe, asOf time.Time) (fails, unknown, passes []Result) {
	at := firstRange(e.At, model.Range{Ref: e.URL})
	if e.Error != "" {
		return nil, []Result{{Status: Unknown, At: at, ValueFrom: model.Unknown, Subject: e.URL,
			Message: "The TLS of endpoint " + e.URL + " could not be determined: " + e.Error + "."}}, nil
	}
	t := e.TLS
	untested, untestedShort := "", ""
	if len(t.NotTested) > 0 {
		untested = " Not tested (the probe cannot offer them): " + strings.Join(t.NotTested, ", ") + "."
		untestedShort = " Not tested: " + summarizeUntested(t.NotTested) + "."
	}
	fail := func(what, msg string) {
		fails = append(fails, Result{Status: Fail, At: at, ValueFrom: model.Explicit, Subject: e.URL + "#" + what,
			Message: "Endpoint " + e.URL + " " + msg + "." + untestedShort})
	}
	for _, v := range []string{"SSL 3.0", "TLS 1.0", "TLS 1.1"} {
		if t.Versions[v] {
			fail(strings.ToLower(strings.ReplaceAll(v, " ", "")), "completes a handshake with "+v)
		}
	}
	for _, c := range t.Ciphers {
		if !cipherAllowed(c) {
			fail(c, "accepts cipher suite "+c+", outside the allowed list (ECDHE/DHE with AES-GCM or ChaCha20-Poly1305)")
		}
	}
	cert := t.Certificate
	if cert == nil {
		unknown = append(unknown, Result{Status: Unknown, At: at, ValueFrom: model.Unknown, Subject: e.URL + "#certificate",
			Message: "The certificate of endpoint " + e.URL + " could not be determined: no handshake completed." + untestedShort})
		return fails, unknown, nil
	}
	switch {
	case asOf.After(cert.NotAfter):
		fail("expired", fmt.Sprintf("presents a certificate that expired on %s", cert.NotAfter.UTC().Format(time.DateOnly)))
	case asOf.Before(cert.NotBefore):
		fail("not-yet-valid", fmt.Sprintf("presents a certificate not valid before %s", cert.NotBefore.UTC().Format(time.DateOnly)))
	case cert.NotAfter.Sub(asOf) <= certExpiryWarning:
		low := Low
		days := int(cert.NotAfter.Sub(asOf).Hours() / 24)
		fails = append(fails, Result{Status: Fail, At: at, ValueFrom: model.Explicit, Subject: e.URL + "#expiry", Severity: &low,
			Message: fmt.Sprintf("The certificate of endpoint %s expires in %d days (%s).", e.URL, days, cert.NotAfter.UTC().Format(time.DateOnly))})
	}
	if !cert.Trusted {
		why := "its chain does not verify"
		if cert.SelfSigned {
			why = "it is self-signed and not trusted"
		}
		if cert.UntrustedWhy != "" {
			why += ": " + cert.UntrustedWhy
		}
		fail("untrusted", "presents a certificate that is not trusted ("+why+")")
	}
	if cert.KeyType == "RSA" && cert.KeyBits > 0 && cert.KeyBits < minRSABits {
		fail("key-size", fmt.Sprintf("presents a certificate with a %d-bit RSA key (at least %d needed)", cert.KeyBits, minRSABits))
	}
	if weakSignature(cert.SigAlg) {
		fail("signature", "presents a certificate signed with "+cert.SigAlg)
	}
	if !cert.HostnameOK {
		fail("hostname", "presents a certificate for another host name ("+cert.Subject+")")
	}
	if len(fails) == 0 {
		passes = append(passes, Result{Status: Pass, At: at, ValueFrom: model.Explicit, Subject: e.URL,
			Message: "Endpoint " + e.URL + " accepts only TLS 1.2 or newer with allowed suites and a valid certificate." + untested})
	}
	return fails, nil, passes
}

// rabbitTLSConf judges RabbitMQ's ssl_options and management.ssl versions and ciphers; tested
// says the configuration has TLS settings at all.
func rabbitTLSConf(s *model.RabbitMQSettings) (tested bool, fails, unknown []Result) {
	for _, prefix := range []string{"ssl_options.", "management.ssl.", "listeners.ssl.", "web_stomp.ssl.", "web_mqtt.ssl."} {
		if len(s.WithPrefix(prefix)) > 0 {
			tested = true
		}
	}
	undecided := func(k string, v model.String) {
		unknown = append(unknown, Result{Status: Unknown, At: v.At, ValueFrom: model.Unknown, Subject: k,
			Message: "The value of " + k + " could not be determined."})
	}
	// A TLS listener without a cipher list takes Erlang/OTP's defaults, which accept CBC suites.
	for _, l := range []struct{ listener, options string }{
		{"listeners.ssl.", "ssl_options."}, {"management.ssl.port", "management.ssl."},
		{"web_stomp.ssl.port", "web_stomp.ssl."}, {"web_mqtt.ssl.port", "web_mqtt.ssl."},
	} {
		keys := s.WithPrefix(l.listener)
		if len(keys) == 0 || len(s.WithPrefix(l.options+"ciphers.")) > 0 {
			continue
		}
		switch v := s.Conf[keys[0]]; {
		case !v.Known():
			undecided(keys[0], v)
		case !strings.EqualFold(strings.TrimSpace(v.V), "none"):
			fails = append(fails, Result{Status: Fail, At: v.At, ValueFrom: model.Default, Subject: l.options + "ciphers",
				Message: keys[0] + " serves TLS with Erlang/OTP's default cipher suites, which accept CBC suites " +
					"(outside the allowed list); list ECDHE AEAD suites in " + l.options + "ciphers.N."})
		}
	}
	for _, prefix := range []string{"ssl_options.versions.", "management.ssl.versions.", "web_stomp.ssl.versions.", "web_mqtt.ssl.versions."} {
		for _, k := range s.WithPrefix(prefix) {
			v := s.Conf[k]
			if !v.Known() {
				undecided(k, v)
			} else if name := weakTLSVersion(v.V); name != "" {
				fails = append(fails, Result{Status: Fail, At: v.At, ValueFrom: v.State, Subject: k,
					Message: k + " enables " + name + ", below TLS 1.2."})
			}
		}
	}
	for _, prefix := range []string{"ssl_options.ciphers.", "management.ssl.ciphers.", "web_stomp.ssl.ciphers.", "web_mqtt.ssl.ciphers."} {
		for _, k := range s.WithPrefix(prefix) {
			v := s.Conf[k]
			if !v.Known() {
				undecided(k, v)
			} else if !cipherAllowed(v.V) {
				fails = append(fails, Result{Status: Fail, At: v.At, ValueFrom: v.State, Subject: k,
					Message: k + " allows cipher suite " + strings.TrimSpace(v.V) + ", outside the allowed list " +
						"(ECDHE/DHE with AES-GCM or ChaCha20-Poly1305)."})
			}
		}
	}
	return tested, fails, unknown
}

// activeMQTLSConf judges the enabled protocols of ActiveMQ's TLS transport connectors.
func activeMQTLSConf(doc *model.ActiveMQConfig) (tested bool, fails, unknown []Result) {
	for i, tc := range doc.TransportConnectors {
		name := fmt.Sprintf("transportConnector #%d", i+1)
		if tc.Name.Known() && tc.Name.V != "" {
			name = "transportConnector \"" + tc.Name.V + "\""
		}
		at := firstRange(tc.URI.At, tc.At)
		if !tc.URI.Known() {
			continue // MQG024 reports the unknown URI
		}
		scheme, query, _ := strings.Cut(tc.URI.V, "?")
		if !brokeruri.IsTLS(strings.ToLower(strings.TrimSpace(strings.SplitN(scheme, "://", 2)[0]))) {
			continue
		}
		tested = true
		q, err := url.ParseQuery(query)
		if err != nil {
			unknown = append(unknown, Result{Status: Unknown, At: at, ValueFrom: model.Unknown, Subject: name,
				Message: "The enabled protocols of " + name + " could not be determined: its URI query does not parse."})
			continue
		}
		for _, p := range strings.Split(q.Get("transport.enabledProtocols"), ",") {
			if w := weakTLSVersion(p); w != "" {
				fails = append(fails, Result{Status: Fail, At: at, ValueFrom: tc.URI.State, Subject: name + "#" + w,
					Message: "The " + name + " enables " + w + " (transport.enabledProtocols), below TLS 1.2."})
			}
		}
		if strings.TrimSpace(q.Get("transport.enabledCipherSuites")) == "" {
			fails = append(fails, Result{Status: Fail, At: at, ValueFrom: model.Default, Subject: name + "#default-suites",
				Message: "The " + name + " leaves its cipher suites to the JVM's defaults, which accept CBC suites and, before Java 24, RSA " +
					"key-exchange suites, outside the allowed list; list ECDHE AEAD suites in transport.enabledCipherSuites."})
		}
		for _, c := range strings.Split(q.Get("transport.enabledCipherSuites"), ",") {
			if c = strings.TrimSpace(c); c != "" && !cipherAllowed(c) {
				fails = append(fails, Result{Status: Fail, At: at, ValueFrom: tc.URI.State, Subject: name + "#" + c,
					Message: "The " + name + " enables cipher suite " + c + " (transport.enabledCipherSuites), outside the " +
						"allowed list (ECDHE/DHE with AES-GCM or ChaCha20-Poly1305)."})
			}
		}
	}
	return tested, fails, unknown
}

// summarizeUntested words what a probe could not test in one short clause, for the FAIL
// results (the PASS result lists it whole): the protocol-level items by their subject, the
// suites crypto/tls does not implement by their count.
func summarizeUntested(items []string) string {
	var parts []string
	suites := 0
	for _, it := range items {
		subject, _, _ := strings.Cut(it, ":")
		if strings.HasPrefix(subject, "TLS_") {
			names, _, _ := strings.Cut(subject, " (")
			suites += len(strings.Split(names, ","))
			continue
		}
		parts = append(parts, subject)
	}
	if suites > 0 {
		parts = append(parts, fmt.Sprintf("%d cipher suites crypto/tls does not implement", suites))
	}
	return strings.Join(parts, "; ")
}
