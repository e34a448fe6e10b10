package rules

import (
	"github.com/mqguard/mqguard/internal/brokeruri"
	"github.com/mqguard/mqguard/internal/model"
)

var mqg033 = &Rule{
	ID:       "MQG033",
	Slug:     "remote-jmx",
	Title:    "JMX connector exposed without authentication",
	Severity: High,
	Engines:  []string{model.EngineActiveMQ},
	Rationale: "ActiveMQ's JMX connector gives full control of the broker, and an unauthenticated JMX port " +
		"allows remote code execution through MLet or a crafted MBean. ActiveMQ's own connector is on with " +
		"`createConnector=\"true\"`, or with a bare <managementContext/> on 5.15.x and older, where the code " +
		"default was true (5.16.0 changed it); it needs jmx.remote.x.password.file and jmx.remote.x.access.file " +
		"in its environment and a loopback connectorHost. The JVM's own agent (com.sun.management.jmxremote) " +
		"fails when com.sun.management.jmxremote.authenticate=false.",
	Remediation: map[model.SourceKind]string{
		model.SourceBrokerConf: "Set `<managementContext createConnector=\"false\"/>` (use Jolokia or the JVM agent " +
			"instead), or give the connector `connectorHost=\"127.0.0.1\"` and an environment with " +
			"jmx.remote.x.password.file and jmx.remote.x.access.file; in bin/env or setenv, remove " +
			"`-Dcom.sun.management.jmxremote.authenticate=false` and set jmxremote.password.file and access.file.",
		model.SourceProbe: "Close the JMX port to the network and require authentication on it (see the broker's " +
			"managementContext and ACTIVEMQ_SUNJMX_START).",
		model.SourceTerraform: "Amazon MQ does not expose JMX; nothing to change in code.",
	},
	SelfManaged: true,
	Check:       checkRemoteJMX,
	Examples: []Example{
		{
			Kind: model.SourceBrokerConf, Address: "conf/activemq.xml", Want: Fail,
			Note: "ActiveMQ's JMX connector on all interfaces without a password file.",
			Files: map[string]string{"conf/activemq.xml": activeMQXML(`    <managementContext>
      <managementContext createConnector="true" connectorPort="1099"/>
    </managementContext>
`)},
		},
		{
			Kind: model.SourceBrokerConf, Address: "conf/activemq.xml", Want: Pass,
			Note: "The stock setting: ActiveMQ's own JMX connector off.",
			Files: map[string]string{"conf/activemq.xml": activeMQXML(`    <managementContext>
      <managementContext createConnector="false"/>
    </managementContext>
`)},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note:  "Amazon MQ does not expose JMX.",
			Files: map[string]string{"main.tf": tfPlainBroker},
		},
	},
}

func checkRemoteJMX(b *model.Broker, _ *Context) []Result {
	inst := activeMQInstall(b)
	switch {
	case !b.IsSelfManaged():
		return notApplicable("Amazon MQ does not expose JMX.", b.ID.At)
	case inst == nil && b.ID.Source == model.SourceProbe:
		return notApplicable("A probe does not see the broker's JMX configuration.", b.ID.At)
	case inst == nil:
		return unknownResult("The broker's JMX configuration", b.ID.At)
	}
	var fails, unknown []Result
	undecided := func(r []Result) {
		if unknown == nil {
			unknown = r
		}
	}
	mc := inst.ManagementContext
	enabled := model.Bool{}
	at := b.ID.At
	if mc != nil {
		enabled, at = mc.Enabled, firstRange(mc.At, b.ID.At)
	}
	if mc == nil || mc.Enabled.State == model.Unknown && mc.Enabled.At.IsZero() {
		// No <managementContext>: the broker's own one, whose createConnector default changed in 5.16.0.
		if v, vat, ok := brokerVersion(b); ok {
			enabled = model.Bool{V: !v.AtLeast(5, 16), State: model.Default, At: firstRange(at, vat)}
		} else {
			enabled = model.UnknownBool(at)
		}
	}
	switch {
	case !enabled.Known():
		undecided(unknownResult("Whether ActiveMQ's JMX connector is on (createConnector defaults to true before 5.16.0; the version is unknown)", enabled.At))
	case enabled.V:
		var auth model.Bool
		host := model.DefaultString("", at)
		if mc != nil {
			auth, host = mc.Authenticated, mc.Host
		}
		if mc == nil {
			auth = model.DefaultBool(false, at)
		}
		switch {
		case !auth.Known():
			undecided(unknownResult("Whether ActiveMQ's JMX connector requires authentication", firstRange(auth.At, at)))
		case !auth.V:
			fails = append(fails, Result{Status: Fail, At: firstRange(auth.At, at), ValueFrom: auth.State, Subject: "managementContext",
				Message: "ActiveMQ's JMX connector is on without authentication (no jmx.remote.x.password.file and " +
					"jmx.remote.x.access.file in its environment)."})
		}
		switch {
		case !host.Known():
			undecided(unknownResult("The bind address of ActiveMQ's JMX connector", firstRange(host.At, at)))
		case !brokeruri.IsLoopbackHost(host.V):
			fails = append(fails, Result{Status: Fail, At: firstRange(host.At, at), ValueFrom: host.State, Subject: "managementContext:host",
				Message: "ActiveMQ's JMX connector is on and bound to " + bindLabel(host) + ", not to loopback."})
		}
	}
	if a := inst.JVMAgent; a != nil && !(a.Enabled.Known() && !a.Enabled.V) {
		switch {
		case !a.Enabled.Known() || !a.Authenticated.Known():
			undecided(unknownResult("Whether the JVM's JMX agent requires authentication", firstRange(a.Authenticated.At, a.At)))
		case !a.Authenticated.V:
			fails = append(fails, Result{Status: Fail, At: firstRange(a.Authenticated.At, a.At), ValueFrom: a.Authenticated.State,
				Subject: "jmxremote", Message: "The JVM's JMX agent is on with com.sun.management.jmxremote.authenticate=false."})
		}
	}
	switch {
	case len(fails) > 0:
		return fails
	case unknown != nil:
		return unknown
	}
	return one(Pass, "No JMX connector of the broker is reachable from the network without authentication.", at, model.Explicit)
}
