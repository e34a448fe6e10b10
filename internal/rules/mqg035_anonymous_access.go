package rules

import (
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg035 = &Rule{
	ID:       "MQG035",
	Slug:     "anonymous-access",
	Title:    "Clients may connect without credentials",
	Severity: High,
	Rationale: "A broker that accepts connections without credentials lets anyone who reaches a port read, " +
		"inject and purge messages. ActiveMQ authenticates nobody without an authentication plugin, and " +
		"anonymousAccessAllowed or a JAAS GuestLoginModule maps unauthenticated clients to a guest identity; " +
		"its 6.0.0–6.1.1 console serves /api without login by default (CVE-2024-32114). RabbitMQ 4.x offers " +
		"the ANONYMOUS SASL mechanism by default, logging in as anonymous_login_user (guest) wherever " +
		"loopback_users does not restrict that user, and its MQTT plugin accepts anonymous clients unless " +
		"mqtt.allow_anonymous = false.",
	Remediation: map[model.SourceKind]string{
		ForEngine(model.SourceBrokerConf, model.EngineActiveMQ): "Add a jaasAuthenticationPlugin (or simpleAuthenticationPlugin) without anonymousAccessAllowed, remove GuestLoginModule from login.config, and on 6.0.0–6.1.1 upgrade or add the /api/* security constraint to jetty.xml.",
		ForEngine(model.SourceBrokerConf, model.EngineRabbitMQ): "List the mechanisms you use (`auth_mechanisms.1 = PLAIN`, `auth_mechanisms.2 = AMQPLAIN`) or set `anonymous_login_user = none`, and set `mqtt.allow_anonymous = false`.",
		model.SourceProbe: "Require authentication on the endpoint the probe reached without credentials (see the " +
			"broker's authentication plugins or auth_mechanisms).",
		model.SourceAWS: "Amazon MQ always authenticates: an anonymous connection means the probe reached something " +
			"else at that address; check the endpoint.",
		model.SourceTerraform: "Amazon MQ always authenticates clients; nothing to change in code.",
	},
	SelfManaged: true,
	Check:       checkAnonymousAccess,
	Examples: []Example{
		{
			Kind: model.SourceBrokerConf, Address: "conf/activemq.xml", Want: Fail,
			Note: "A simpleAuthenticationPlugin with anonymousAccessAllowed=\"true\".",
			Files: map[string]string{"conf/activemq.xml": strings.Replace(activeMQXML(""),
				`<jaasAuthenticationPlugin configuration="activemq"/>`, `<simpleAuthenticationPlugin anonymousAccessAllowed="true">
        <users>
          <authenticationUser username="orders" password="${orders.password}" groups="orders"/>
        </users>
      </simpleAuthenticationPlugin>`, 1)},
		},
		{
			Kind: model.SourceBrokerConf, Address: "conf/activemq.xml", Want: Fail,
			Note: "The stock activemq.xml: no authentication plugin at all.",
			Files: map[string]string{"conf/activemq.xml": `<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd
       http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="localhost" dataDirectory="${activemq.data}">
    <transportConnectors>
      <transportConnector name="openwire" uri="tcp://0.0.0.0:61616?maximumConnections=1000"/>
    </transportConnectors>
  </broker>
</beans>
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "conf/activemq.xml", Want: Pass,
			Note: "A JAAS authentication plugin with a properties login module.",
			Files: map[string]string{
				"conf/activemq.xml": activeMQXML(""),
				"conf/login.config": `activemq {
    org.apache.activemq.jaas.PropertiesLoginModule required
        org.apache.activemq.jaas.properties.user="users.properties"
        org.apache.activemq.jaas.properties.group="groups.properties";
};
`,
			},
		},
		{
			Kind: model.SourceBrokerConf, Address: "rabbitmq.conf", Want: Pass,
			Note: "RabbitMQ with PLAIN and AMQPLAIN only.",
			Files: map[string]string{"rabbitmq.conf": `auth_mechanisms.1 = PLAIN
auth_mechanisms.2 = AMQPLAIN
listeners.tcp = none
listeners.ssl.default = 5671
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note:  "Amazon MQ always authenticates clients.",
			Files: map[string]string{"main.tf": tfPlainBroker},
		},
	},
}

func checkAnonymousAccess(b *model.Broker, _ *Context) []Result {
	sm := b.SelfManaged
	if sm == nil || !b.IsSelfManaged() && len(sm.Anonymous) == 0 &&
		!(sm.Console != nil && sm.Console.OpenWithoutLogin.Known() && sm.Console.OpenWithoutLogin.V) {
		return notApplicable("Amazon MQ always authenticates clients.", b.ID.At)
	}
	var fails, unknown []Result
	undecided := func(r []Result) {
		if unknown == nil {
			unknown = r
		}
	}
	for i, f := range sm.Anonymous {
		fails = append(fails, Result{Status: Fail, At: firstRange(f.At, b.ID.At), ValueFrom: model.Explicit,
			Subject: "observed#" + strconv.Itoa(i+1), Message: "A client connected without credentials: " + f.What + "."})
	}
	if c := sm.Console; c != nil && c.OpenWithoutLogin.Known() && c.OpenWithoutLogin.V && !observedAt(sm.Anonymous, c.OpenWithoutLogin.At) {
		fails = append(fails, Result{Status: Fail, At: firstRange(c.OpenWithoutLogin.At, model.Range{Ref: c.URL}, b.ID.At),
			ValueFrom: c.OpenWithoutLogin.State, Subject: "console", Message: "The console API at " + c.URL + " answered without credentials."})
	}
	switch {
	case !b.Engine.Known():
	case b.IsEngine(model.EngineActiveMQ):
		f, u := activeMQAnonymous(b)
		fails = append(fails, f...)
		undecided(u)
	case b.IsEngine(model.EngineRabbitMQ):
		f, u := rabbitAnonymous(b)
		fails = append(fails, f...)
		undecided(u)
	}
	switch {
	case len(fails) > 0:
		return fails
	case unknown != nil:
		return unknown
	case b.ID.Source == model.SourceProbe && !anonymousTested(sm):
		return unknownResult("Whether the broker accepts clients without credentials (no probe tried to connect "+
			"without them; an OpenWire or TLS probe does not)", b.ID.At)
	}
	return one(Pass, "The broker requires credentials from every client.", b.ID.At, model.Explicit)
}

// activeMQAnonymous judges a self-managed ActiveMQ's authentication.
func activeMQAnonymous(b *model.Broker) (fails, unknown []Result) {
	if v, vat, _, ok := fullVersion(b); ok && v.Major == 6 && v.Compare(Version{Major: 6, Minor: 1, Patch: 2}) < 0 {
		fails = append(fails, Result{Status: Fail, At: vat, ValueFrom: model.Explicit, Subject: "CVE-2024-32114",
			Message: "ActiveMQ " + v.String() + " serves the console's /api (Jolokia, REST) without login by default " +
				"(CVE-2024-32114, fixed in 6.1.2)."})
	}
	inst := activeMQInstall(b)
	if inst == nil {
		if b.ID.Source != model.SourceProbe {
			unknown = unknownResult("The broker's authentication configuration", b.ID.At)
		}
		return fails, unknown
	}
	if a := inst.AnonymousAccessAllowed; a.Known() && a.V {
		fails = append(fails, Result{Status: Fail, At: a.At, ValueFrom: a.State, Subject: "anonymousAccessAllowed",
			Message: "simpleAuthenticationPlugin anonymousAccessAllowed=\"true\" lets clients connect without credentials."})
	} else if !a.Known() && hasPlugin(inst.Authentication, "simpleAuthenticationPlugin") {
		unknown = unknownResult("simpleAuthenticationPlugin anonymousAccessAllowed", a.At)
	}
	if inst.LoginModulesState == model.Unknown && usesJAAS(inst.Authentication) {
		if unknown == nil {
			unknown = unknownResult("The JAAS login modules of the broker (login.config could not be read)", b.ID.At)
		}
	}
	for _, m := range inst.LoginModules {
		if strings.HasSuffix(strings.TrimSpace(m.Class), "GuestLoginModule") {
			fails = append(fails, Result{Status: Fail, At: m.At, ValueFrom: model.Explicit, Subject: "login.config:" + m.Entry,
				Message: "JAAS entry '" + m.Entry + "' uses GuestLoginModule, which logs in clients without credentials as a guest."})
		}
	}
	if len(inst.Authentication) == 0 {
		at := b.ID.At
		c, _, res := usedConfiguration(b)
		switch {
		case res != nil:
			if unknown == nil {
				unknown = res
			}
			return fails, unknown
		case c != nil && c.ActiveMQ != nil:
			for _, p := range c.ActiveMQ.Plugins {
				if strings.HasSuffix(p.Name, "AuthenticationPlugin") {
					return fails, unknown
				}
			}
			at = configAt(c)
		}
		fails = append(fails, Result{Status: Fail, At: at, ValueFrom: model.Explicit, Subject: "authentication",
			Message: "The broker has no authentication plugin: every client connects without credentials."})
	}
	return fails, unknown
}

// rabbitAnonymous judges RabbitMQ's ANONYMOUS mechanism (4.x) and MQTT anonymous logins.
func rabbitAnonymous(b *model.Broker) (fails, unknown []Result) {
	s := rabbitSettings(b)
	if s == nil || s.ConfState == model.Unknown {
		if b.ID.Source != model.SourceProbe {
			unknown = unknownResult("The node's authentication mechanisms (its configuration was not read)", b.ID.At)
		}
		return nil, unknown
	}
	mechs := s.WithPrefix("auth_mechanisms.")
	anonymous, mechAt, mechFrom := false, settingsAt(b), model.Default
	for _, k := range mechs {
		if v := s.Conf[k]; strings.EqualFold(strings.Trim(strings.TrimSpace(v.V), `'"`), "ANONYMOUS") {
			anonymous, mechAt, mechFrom = true, v.At, v.State
		}
	}
	v, vat, vok := brokerVersion(b)
	switch {
	case len(mechs) > 0:
	case vok && v.Major >= 4:
		anonymous = true
	case !vok:
		anonymous = false
		if user, _, _ := anonymousLoginUser(s); user != "" {
			if r, _, _, _ := loopbackRestricted(s, user); r != Yes {
				unknown = unknownResult("The RabbitMQ version (4.x offers the ANONYMOUS mechanism by default)", vat)
			}
		}
	}
	if anonymous {
		if user, uat, ufrom := anonymousLoginUser(s); user != "" {
			restricted, why, _, _ := loopbackRestricted(s, user)
			if restricted != Yes && anonymousUserExists(b.SelfManaged, user) {
				from := mechFrom
				if ufrom == model.Explicit {
					from = model.Explicit
				}
				fails = append(fails, Result{Status: Fail, At: firstRange(mechAt, uat), ValueFrom: from, Subject: "ANONYMOUS",
					Message: "The ANONYMOUS mechanism logs clients in as '" + user + "' from the network (" + why + ")."})
			}
		}
	}
	mqttOn := s.PluginsState != model.Unknown && containsFold(s.Plugins.V, "rabbitmq_mqtt")
	allow, raw, set := confValue(s, "mqtt.allow_anonymous")
	switch {
	case set && allow == "false":
	case mqttOn:
		at, from := settingsAt(b), model.Default
		if set {
			at, from = raw.At, raw.State
		}
		fails = append(fails, Result{Status: Fail, At: at, ValueFrom: from, Subject: "mqtt.allow_anonymous",
			Message: "The MQTT plugin is enabled and mqtt.allow_anonymous is not false: MQTT clients connect without credentials."})
	case s.PluginsState == model.Unknown && (set || len(s.WithPrefix("mqtt.")) > 0):
		if unknown == nil {
			unknown = unknownResult("Whether the MQTT plugin is enabled (mqtt.allow_anonymous is not false)", firstRange(raw.At, settingsAt(b)))
		}
	}
	return fails, unknown
}

// anonymousLoginUser is RabbitMQ's anonymous_login_user (default guest); "" when none.
func anonymousLoginUser(s *model.RabbitMQSettings) (string, model.Range, model.State) {
	v, raw, ok := confValue(s, "anonymous_login_user")
	switch {
	case !ok:
		return "guest", model.Range{}, model.Default
	case v == "none" || v == "":
		return "", raw.At, raw.State
	}
	return strings.Trim(strings.TrimSpace(raw.V), `'"`), raw.At, raw.State
}

// anonymousUserExists says whether the anonymous login user may exist: true unless the user
// list was read and does not have it.
func anonymousUserExists(sm *model.SelfManaged, user string) bool {
	if sm == nil || sm.UsersState == model.Unknown {
		return true
	}
	for _, u := range sm.Users {
		if u.Username.Known() && u.Username.V == user {
			return true
		}
	}
	return false
}

// hasPlugin reports whether plugins holds one named name (case-insensitive).
func hasPlugin(plugins []model.PluginRef, name string) bool {
	for _, p := range plugins {
		if strings.EqualFold(p.Name, name) {
			return true
		}
	}
	return false
}

// usesJAAS reports whether one of the authentication plugins is a JAAS one.
func usesJAAS(plugins []model.PluginRef) bool {
	for _, p := range plugins {
		if strings.HasPrefix(strings.ToLower(p.Name), "jaas") {
			return true
		}
	}
	return false
}

// observedAt reports whether one of the observations is located at at (the probe records the
// console's open API both as an observation and on the console).
func observedAt(fs []model.Finding, at model.Range) bool {
	for _, f := range fs {
		if f.At == at && !at.IsZero() {
			return true
		}
	}
	return false
}

// anonymousProtocols are the plaintext handshakes a probe completes without credentials when
// the broker lets it (STOMP CONNECT, MQTT CONNECT, AMQP SASL ANONYMOUS when offered).
var anonymousProtocols = []string{"amqp", "stomp", "mqtt"}

// anonymousTested reports whether a probe tried to get in without credentials: a console or
// management API request without them, or a plaintext STOMP, MQTT or AMQP handshake.
func anonymousTested(sm *model.SelfManaged) bool {
	if sm.Console != nil && sm.Console.OpenWithoutLogin.Known() {
		return true
	}
	for _, e := range sm.Endpoints {
		if e.Error == "" && e.Plaintext && containsFold(anonymousProtocols, e.Protocol) {
			return true
		}
	}
	return false
}
