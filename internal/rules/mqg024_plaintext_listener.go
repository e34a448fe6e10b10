package rules

import (
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// plainSchemes are the plaintext schemes of MQG024 (ActiveMQ transportConnectors and probe
// URLs); whether a scheme is TLS is brokeruri.IsTLS's.
var plainSchemes = map[string]bool{"tcp": true, "nio": true, "auto": true, "auto+nio": true, "amqp": true,
	"amqp+nio": true, "amqp+ws": true, "stomp": true, "stomp+nio": true, "mqtt": true, "mqtt+nio": true,
	"ws": true, "http": true, "udp": true}

var mqg024 = &Rule{
	ID:       "MQG024",
	Slug:     "plaintext-listener",
	Title:    "Self-managed broker listens without TLS",
	Severity: High,
	Rationale: "A listener without TLS sends usernames, passwords and messages in clear text to anyone on the " +
		"network path, and lets them inject frames. ActiveMQ's stock activemq.xml opens plaintext OpenWire, " +
		"AMQP, STOMP, MQTT and WebSocket connectors on every interface; RabbitMQ serves plaintext AMQP on 5672 " +
		"unless `listeners.tcp = none`, even when no listeners.tcp key is written, and its management, MQTT, " +
		"STOMP, stream and Web-STOMP/MQTT plugins add plaintext listeners of their own. Listeners bound to the " +
		"loopback interface only (127.0.0.1, ::1) pass.",
	Remediation: map[model.SourceKind]string{
		ForEngine(model.SourceBrokerConf, model.EngineActiveMQ): "Replace tcp://, nio://, auto://, amqp://, stomp://, mqtt://, ws:// and http:// transportConnectors with ssl://, nio+ssl://, auto+ssl://, amqp+ssl://, stomp+ssl://, mqtt+ssl:// and wss:// ones (with an sslContext), or bind them to 127.0.0.1.",
		ForEngine(model.SourceBrokerConf, model.EngineRabbitMQ): "Set `listeners.tcp = none` and `listeners.ssl.default = 5671`, move the management UI to `management.ssl.port`, and use the plugins' TLS listeners (mqtt.listeners.ssl, stomp.listeners.ssl, stream.listeners.ssl), or bind plaintext listeners to 127.0.0.1.",
		model.SourceProbe: "Close the plaintext port the probe reached (or bind it to loopback) and let clients " +
			"connect to the broker's TLS listener instead.",
		model.SourceAWS: "Amazon MQ endpoints are TLS only: a plaintext answer means the probe reached something " +
			"else (a proxy or a self-managed broker) at that address; check the endpoint.",
		model.SourceTerraform: "Amazon MQ brokers listen with TLS only; nothing to change in code.",
	},
	SelfManaged: true,
	Check:       checkPlaintextListener,
	Examples: []Example{
		{
			Kind: model.SourceBrokerConf, Address: "rabbitmq.conf", Want: Fail,
			Note: "RabbitMQ with TLS configured but the default plaintext AMQP listener on 5672 left open.",
			Files: map[string]string{"rabbitmq.conf": `listeners.ssl.default = 5671
ssl_options.cacertfile = /etc/rabbitmq/tls/ca.pem
ssl_options.certfile = /etc/rabbitmq/tls/server.pem
ssl_options.keyfile = /etc/rabbitmq/tls/server.key
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "rabbitmq.conf", Want: Pass,
			Note: "RabbitMQ with the plaintext listener turned off and AMQPS only.",
			Files: map[string]string{"rabbitmq.conf": `listeners.tcp = none
listeners.ssl.default = 5671
ssl_options.cacertfile = /etc/rabbitmq/tls/ca.pem
ssl_options.certfile = /etc/rabbitmq/tls/server.pem
ssl_options.keyfile = /etc/rabbitmq/tls/server.key
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "conf/activemq.xml", Want: Fail,
			Note: "The stock ActiveMQ OpenWire connector, tcp:// on every interface.",
			Files: map[string]string{"conf/activemq.xml": `<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd
       http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="localhost" dataDirectory="${activemq.data}">
    <transportConnectors>
      <transportConnector name="openwire" uri="tcp://0.0.0.0:61616?maximumConnections=1000&amp;wireFormat.maxFrameSize=104857600"/>
    </transportConnectors>
  </broker>
</beans>
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "conf/activemq.xml", Want: Pass,
			Note: "ActiveMQ with a TLS connector for clients and a plaintext one bound to loopback.",
			Files: map[string]string{"conf/activemq.xml": `<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd
       http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="orders" dataDirectory="${activemq.data}">
    <sslContext>
      <sslContext keyStore="file:${activemq.conf}/broker.ks" trustStore="file:${activemq.conf}/broker.ts"/>
    </sslContext>
    <transportConnectors>
      <transportConnector name="ssl" uri="ssl://0.0.0.0:61617?transport.enabledProtocols=TLSv1.2,TLSv1.3"/>
      <transportConnector name="local" uri="tcp://127.0.0.1:61616"/>
    </transportConnectors>
  </broker>
</beans>
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note:  "An Amazon MQ broker: its endpoints are TLS only.",
			Files: map[string]string{"main.tf": tfPlainBroker},
		},
	},
}

func checkPlaintextListener(b *model.Broker, _ *Context) []Result {
	sm := b.SelfManaged
	if sm == nil || !b.IsSelfManaged() && len(sm.Endpoints) == 0 {
		return notApplicable("Amazon MQ brokers listen with TLS only; no endpoint of this one was probed.", b.ID.At)
	}
	var fails, unknown []Result
	undecided := func(r Result) {
		if unknown == nil {
			unknown = []Result{r}
		}
	}
	for i, l := range sm.Listeners {
		label := listenerLabel(l, i)
		at := firstRange(l.At, b.ID.At)
		switch {
		case !l.TLS.Known():
			undecided(Result{Status: Unknown, At: at, ValueFrom: model.Unknown, Subject: label,
				Message: "Whether listener " + label + " requires TLS could not be determined."})
		case l.TLS.V:
		case l.Loopback.Known() && l.Loopback.V:
		case !l.Loopback.Known():
			undecided(Result{Status: Unknown, At: at, ValueFrom: model.Unknown, Subject: label,
				Message: "Listener " + label + " has no TLS; whether it is bound to loopback only could not be determined."})
		default:
			from := l.TLS.State
			if l.Loopback.State == model.Default {
				from = model.Default
			}
			fails = append(fails, Result{Status: Fail, At: at, ValueFrom: from, Subject: label,
				Message: "Listener " + label + " (" + l.Protocol + ") accepts connections without TLS on " +
					bindLabel(l.Host) + "."})
		}
	}
	if sm.ListenersState == model.Unknown && b.IsSelfManaged() {
		undecided(Result{Status: Unknown, At: b.ID.At, ValueFrom: model.Unknown,
			Message: "The broker's listeners could not be determined."})
	}
	for _, e := range sm.Endpoints {
		switch {
		case e.Plaintext:
			fails = append(fails, Result{Status: Fail, At: firstRange(e.At, model.Range{Ref: e.URL}), ValueFrom: model.Explicit,
				Subject: e.URL, Message: "Endpoint " + e.URL + " completed a plaintext " + e.Protocol + " handshake."})
		case e.Error != "" && plainSchemes[strings.ToLower(e.Protocol)]:
			undecided(Result{Status: Unknown, At: firstRange(e.At, model.Range{Ref: e.URL}), ValueFrom: model.Unknown,
				Subject: e.URL, Message: "Whether endpoint " + e.URL + " accepts plaintext could not be determined: " + e.Error + "."})
		}
	}
	switch {
	case len(fails) > 0:
		return uniqueSubjects(fails)
	case unknown != nil:
		return unknown
	}
	return one(Pass, "Every listener of the broker requires TLS or is bound to loopback only.", b.ID.At, model.Explicit)
}

// listenerLabel names a listener: its configured name, else protocol and port.
func listenerLabel(l model.Listener, i int) string {
	if l.Name != "" {
		return l.Name
	}
	if l.Port.Known() && l.Port.V > 0 {
		return l.Protocol + ":" + strconv.FormatInt(l.Port.V, 10)
	}
	return l.Protocol + "#" + strconv.Itoa(i+1)
}

// bindLabel says where a listener binds.
func bindLabel(h model.String) string {
	switch {
	case !h.Known():
		return "an unresolved address"
	case h.V == "" || h.V == "0.0.0.0" || h.V == "::" || h.V == "[::]":
		return "every interface"
	}
	return h.V
}
